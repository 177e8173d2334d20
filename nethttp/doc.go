// Package nethttp bridges net/http and the engine both ways: it runs
// net/http handlers on the engine (Handler, NewServer), and sends an
// http.Client's requests over agentpool's connections (Transport).
//
// Handler turns any http.Handler into an engine.Handler. The engine parses
// each request on its event loop; the bridge fills a *http.Request from it
// and calls ServeHTTP on a goroutine of its own, so handlers may block, as
// under net/http. The loop waits for that goroutine a short while (100 µs):
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
// (net/http: 17 objects). Transport allocates about half what
// http.Transport does, agentpool's Do nothing.
// Use the bridge to run code written for net/http
// (routers, middleware), the engine's API for hot paths.
package nethttp
