package compat

// METHODS lists the request methods the parser accepts, sorted, exactly as
// Node's http.METHODS does. It must not be modified.
var METHODS = []string{
	"ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD",
	"LINK", "LOCK", "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL",
	"MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH",
	"PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE",
	"SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE",
}

// MaxHeaderSize is Node's http.maxHeaderSize: the largest request or
// response head, in bytes, that the parser accepts by default.
const MaxHeaderSize = 16384
