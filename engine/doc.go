// Package engine is an HTTP/1.1 server (and, in client*.go, client) on gnet
// v2 event loops, with no Node.js semantics and no allocation per request
// in steady state.
//
// A Handler gets a *Request and a *Response. Both belong to the connection
// and are reused for its every request: they, and every view they return
// ([]byte results, header tables), are valid until the handler returns or,
// when the response outlives the handler (Response.Detach,
// Request.SetBodyHandler), until the response ends. Copy what must live longer.
//
// Handlers run inline on the connection's event loop, as in Node, and must
// not block; Options.Workers runs them on a bounded goroutine pool instead.
// Requests on one connection are served one at a time, so pipelined
// responses always go out in request order.
//
// # The life of a request
//
//  1. gnet reads the socket and calls Server.OnTraffic on the connection's
//     loop. The connection's state (conn) hangs off gnet's Conn context.
//  2. conn.serve peeks at everything buffered (gnet.Conn.Peek(-1)) and hands
//     it to conn.process, which loops over the complete requests in it.
//  3. The parser resumes the head where the last read left it. (0, nil) means
//     the head is incomplete: the bytes stay buffered, the headers timeout
//     runs. An error appends the error's status with Connection: close after
//     the responses already owed, and stops reading.
//  4. A complete head fills the Request with spans into the buffer. Its body
//     is read whole before the handler runs (a Content-Length body that
//     arrived whole is a view, not a copy), up to Options.MaxBufferedBody
//     (4 MiB by default); a larger one gets 413 and Connection: close, so a
//     handler never sees a body cut short. With Options.StreamBodies a
//     larger body is streamed instead: the handler runs at once and gets the
//     body through a BodyHandler, with Pause and Resume (or BodyReader on a
//     worker). Expect: 100-continue is answered when the body is needed, or
//     by the handler with Options.CheckContinue.
//  5. The handler fills the Response. Its head and body are appended to the
//     connection's output buffer: status line from a table, the cached Date
//     line, fields, Content-Length or chunked framing, Connection. Each loop
//     keeps the last head it built (headcache.go): a response whose status
//     and field lines repeat the previous one's, within the same Date
//     second, reuses it with one compare and one copy. A panic in the
//     handler or a body callback is recovered once per read (processGuarded)
//     and answered with 500 and Connection: close; its stack is logged for
//     the first panic of a 10 s window only, the rest are counted
//     (Server.HandlerPanics), so a peer cannot flood the log.
//  6. When the response has ended and the body has been read, the request is
//     finished; the loop goes on with the next request in the buffer.
//  7. When the buffer holds no complete request, the bytes used are
//     discarded, and all responses of this read go out in one write. What
//     the socket does not take waits in the connection until it drains;
//     past Options.MaxUnsentOutput the next request waits too, and the
//     socket is not read (see "The life of a write" in output.go). A
//     request that outlives the read has its head copied into
//     connection-owned memory first.
//  8. The connection's deadline (headers, request, keep-alive or idle
//     timeout) is set on its loop's timing wheel: a field write when it moves
//     later. The wheel advances on the loop's tick (Options.TickInterval,
//     and just after every whole second, which also refreshes the Date
//     line); an expired connection gets 408 (if a response is owed and not
//     started) and is closed.
//
// An inline handler that blocks stalls every connection of its loop, as in
// Node. A watchdog off the loops reports a loop that stays in one callback
// longer than Options.StallThreshold: one log line per stall, rate-limited,
// with the loop's stack, and a count (Server.LoopStalls). A Client's loops
// are watched the same way (ClientOptions.StallThreshold, Client.LoopStalls),
// for a response handler that blocks. See stall.go.
//
// A handler that cannot answer at once calls Response.Detach and returns;
// another goroutine later finishes the response through Deferred.Do, which
// runs on the loop. The connection's next requests wait until it ends.
//
// With Options.Workers, step 5 runs on a worker: the loop copies the request
// into connection-owned memory, stops serving the connection, and the worker
// wakes the connection when the response is in the output buffer. When all
// workers are busy and the queue is full, connections wait in line and are
// not read meanwhile. With Options.StreamBodies, a body over
// Options.MaxBufferedBody goes to the worker as it arrives: the loop decodes it into a bounded pipe that the handler
// reads with Request.BodyReader, stops decoding while the pipe is full (and
// stops reading the socket once the connection's buffer is too), and the
// reader wakes the loop when it has made room.
//
// # Memory per connection
//
// What a peer can make a connection hold is bounded by the options, whatever
// it sends or leaves unread: a read's worth of request bytes (gnet's 64 KiB
// read buffer; the rest waits in the kernel, since the socket is not read
// while a request waits), the current request's head (Parse.MaxHeadBytes)
// and buffered body (MaxBufferedBody: 4 MiB by default, 64 KiB with
// StreamBodies, where it also bounds the pipe to a worker), and
// MaxUnsentOutput of responses the peer has not read, plus the response
// that crossed it: one response body written whole is held whole until it
// drains. Together, the connections' buffered bodies are bounded by
// Options.MaxBufferedInput (64 MiB by default): a request whose body would
// pass it gets 503, so that a flood of connections each sending part of a
// large body cannot multiply MaxBufferedBody (see inputbudget.go).
// A handler streaming a large body keeps within the bound by
// waiting when Response.Full reports true (on a worker, its writes wait by
// themselves). Buffers grown past 64 KiB are dropped once drained rather
// than kept with the connection or pooled, and once the server is quiet
// after a burst that dropped some, a collection is forced (at most every
// Options.ReclaimInterval) so that the process's RSS comes back down.
//
// # Half-closed peers
//
// A peer that shuts down its sending side after its requests (a FIN) still
// gets every response owed, including those answered later (Detach, a
// worker); then the connection closes. While a response is owed and its
// request fully read, or output is unsent, the socket is not read, so the
// FIN waits in the kernel. A request with a CloseHandler, or whose handler
// called Request.Done or ClientGone, is the exception: its handler asked to
// learn when the peer goes away, so a FIN closes the connection and the
// handler is told, as in Node.
//
// A handler on a worker may block (a slow downstream call) while its
// client goes away. CloseHandler runs on the loop, so it is not called for
// a worker's request; the handler asks instead: Request.Done gives a
// channel closed when the connection closes (made on the first call, then
// reused by the connection's requests), Request.ClientGone a flag to poll.
// Either makes the loop read the connection while the worker runs, and
// the loop's close marks an atomic word and closes the channel. The
// request's views stay valid after the close, until the handler returns:
// the worker holds a reference to the connection (see gone.go).
//
// # Accepting and shutdown
//
// The server owns its listening sockets: a goroutine per socket accepts and
// hands each connection to a loop (listen.go). An accept that fails, for
// want of descriptors (EMFILE, ENFILE) or memory, is retried after a
// growing pause; the open connections are served meanwhile. With
// Options.MaxConns connections open (by default a little under the
// process's descriptor limit), the acceptor stops until one closes, so a
// flood waits in the listen backlog instead of taking every descriptor.
//
// Server.Shutdown closes the listening sockets, so that new connections are
// refused, stops keeping connections alive, closes the idle ones (those
// holding no request bytes, buffered or in the socket), lets the others
// finish their current request with Connection: close, and stops the event
// loops once no connection is left.
package engine
