package compat

import (
	"errors"
	"sync"

	"github.com/zerohttp/zerohttp/parse"
)

// OnClientError registers a 'clientError' listener: the parser refused a
// request (err is an instance of ErrParse with Node's HPE_* code, message,
// BytesParsed and RawPacket), or its head or exchange timed out
// (ErrHTTPRequestTimeout). As in Node, the listener answers by writing on
// the socket, or not at all, in place of Node's 400, 408 or 431 reply. It
// runs on the connection's event loop; what it writes before it returns is
// sent, and then the connection closes (Node leaves a socket the listener
// neither ends nor destroys open; the engine cannot).
func (s *Server) OnClientError(fn func(err *Error, socket *Socket)) {
	s.mu.Lock()
	s.onClientError = append(s.onClientError, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// errorReply is the engine's ErrorReply: the 'clientError' listeners' bytes
// when there are listeners and Node would emit the event, else Node's own reply.
func (s *Server) errorReply(dst []byte, status int, err error) []byte {
	if fns := s.hooks.Load().onClientError; len(fns) > 0 {
		if e, info := clientError(err); e != nil {
			sock := &Socket{x: new(exchange), Info: info, reply: new(rawReply)}
			for _, fn := range fns {
				fn(e, sock)
			}
			return sock.reply.take(dst)
		}
	}
	return nodeErrorReply(dst, status, err)
}

// rawReply is what a 'clientError' listener writes on its socket.
type rawReply struct {
	mu    sync.Mutex
	out   []byte
	ended bool // End or Destroy was called, or the listener returned
}

func (r *rawReply) write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return 0, ErrWriteAfterEnd
	}
	r.out = append(r.out, p...)
	return len(p), nil
}

func (r *rawReply) end() {
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
}

// take appends the bytes written to dst; later writes are refused.
func (r *rawReply) take(dst []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	return append(dst, r.out...)
}

// isMissingHost reports whether the engine refused a request for its
// missing Host, which Node answers with a response of its own.
func isMissingHost(err error) bool { return errors.Is(err, parse.ErrMissingHost) }
