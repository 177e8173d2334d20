// Package nethttp bridges net/http and the engine both ways: it runs
// net/http handlers on the engine (Handler, NewServer), and sends an
// http.Client's requests over agentpool's connections (Transport).
//
// Handler turns any http.Handler into an engine.Handler. The engine parses
// each request on its event loop; the bridge fills a *http.Request from it
// and calls ServeHTTP on a goroutine of its own, so handlers may block, as
// under net/http. The loop yields to that goroutine, then waits for it
// with a timer, a short while in all (100 µs):
// a handler that finishes within it is answered as an inline engine handler
// is, and the next request of a pipelined batch follows at once; one that
// takes longer is left to finish on its own while the loop serves other
// connections, and its connection's next requests are not waited for. The
// request's Context is cancelled when the client goes away, when the
// server closes the connection, and when ServeHTTP returns.
//
// The *http.Request, its Header map, URL and Context, and the
// ResponseWriter belong to the connection and are reused for its next
// request, as net/http's contract allows: a handler must not keep them
// after ServeHTTP returns (copy what must live longer, or use
// Request.Clone). The strings they hold are never reused: a header value
// or path kept by a handler stays as it was.
//
// The ResponseWriter follows net/http's server: the head is decided at the
// first flush, with Content-Type sniffed from the first bytes when the
// handler set none, a Content-Length when the handler finished within the
// first 2 KiB, chunked framing otherwise (or when trailers are declared),
// no body for HEAD, 1xx, 204 and 304. It implements http.Flusher and
// http.Hijacker (for Upgrade requests), and sends interim responses on
// WriteHeader(1xx). A handler that panics gets its connection closed, as
// under net/http: the client sees the response cut short, or no response.
//
// Writes reach the engine in pieces of a few KiB, each handed to the event
// loop that owns the connection; a writer waits while the connection holds
// more unsent output than engine.Options.MaxUnsentOutput. A request body
// larger than engine.Options.MaxBufferedBody (64 KiB by default, as NewServer
// sets engine.Options.StreamBodies) is streamed to the handler with the same
// kind of bound.
//
// The engine's own API (engine.Handler) avoids the goroutine per request and
// the copy of the head, and allocates nothing per request; the bridge
// allocates one string per request for a handler that allocates nothing
// (net/http: 17 objects). Transport allocates 10 objects per GET through
// http.Client, most of them http.Client's (http.Transport: 45); agentpool's
// Do none. Use the bridge to run code written for net/http (routers,
// middleware), the engine's API for hot paths.
//
// # Differences from net/http
//
// The server side, against http.Server:
//
//   - The Request, its Header, URL and Context, and the ResponseWriter are
//     reused for the connection's next request (see above).
//   - The Context's http.ServerContextKey is an *http.Server holding only
//     the handler (the bridge's settings are engine.Options), and the
//     Context has no deadline. A client that leaves while
//     the loop still waits for the handler (the first 100 µs) is noticed
//     when the wait ends.
//   - http.ResponseController's deadlines last for the request, where
//     net/http's stay on the connection. A read deadline fails the body's
//     Reads that would wait past it. A write deadline that passes before
//     ServeHTTP returns closes the connection at once (the client sees the
//     response cut short, as under net/http, and the Context ends), and
//     Writes fail with a timeout; output left when ServeHTTP returns is
//     sent under engine.Options' timeouts. EnableFullDuplex always succeeds:
//     the body stays readable while the response is written.
//   - A body up to engine.Options.MaxBufferedBody (64 KiB) is read whole
//     before the handler runs, so a handler starts only once its small
//     body has arrived (engine.Options.RequestTimeout bounds the wait).
//   - engine.Options' limits apply: a head over 16 KiB gets 431 (net/http
//     allows 1 MiB; parse.Config.MaxHeadBytes), a body over 64 MiB 413
//     (net/http has no limit; MaxBodyBytes -1 lifts it). Requests the
//     engine refuses itself get its own reply (status line, Content-Length:
//     0, Connection: close), not net/http's text.
//   - An HTTP/1.0 request is answered with an HTTP/1.1 status line (as
//     Node's server does), where net/http answers with HTTP/1.0.
//   - Hijack works for Upgrade and CONNECT requests only
//     (engine.ErrNotUpgrade otherwise).
//   - A streamed request body (over engine.Options.MaxBufferedBody) left
//     unread closes the connection after the response, where net/http
//     discards up to 256 KiB of it to keep the connection.
//   - The head's fields go out sorted by name as net/http's, but a sniffed
//     Content-Type comes after them and Date, Content-Length and Connection
//     are the engine's.
//
// The client side, against http.Transport:
//
//   - Plain http only: no TLS, HTTP/2, proxies, or Transport fields other
//     than those of Transport.
//   - Of an httptrace.ClientTrace, only Got1xxResponse and Got100Continue
//     are called (what httputil.ReverseProxy uses to pass 1xx responses on).
//   - The engine's parser is strict by default: a response with both
//     Transfer-Encoding and Content-Length, a repeated Content-Length (even
//     with the same value), bare LF line ends, or whitespace in a field name
//     fails as an engine.MalformedResponseError where http.Transport reads
//     it. An agent on a client with engine.ClientOptions.Parser.Lenient
//     reads the first three as http.Transport does, but keeps both values of
//     a repeated Content-Length in the Header. An obs-fold becomes spaces,
//     one for each of its CR, LF and leading whitespace bytes (net/http: one).
//   - Closing a Body before its end closes the connection, as with
//     http.Transport, unless the whole response has already arrived: the
//     connection then goes back to the pool (http.Transport closes it
//     whenever io.EOF was not read).
package nethttp
