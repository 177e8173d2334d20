package agentpool

import (
	"strconv"

	"github.com/zerohttp/zerohttp/engine"
)

// appendName appends the origin name of req to dst, as Node's
// agent.getName: host (default "localhost"), ":", port, ":", local address,
// then ":4" or ":6" for an explicit family and ":"+socketPath for a unix socket.
func appendName(dst []byte, req *engine.ClientRequest) []byte {
	if h := req.Host(); len(h) > 0 {
		dst = append(dst, h...)
	} else {
		dst = append(dst, "localhost"...)
	}
	dst = append(dst, ':')
	if req.SocketPath == "" {
		dst = strconv.AppendInt(dst, int64(req.Port()), 10)
	}
	dst = append(dst, ':')
	dst = append(dst, req.LocalAddress...)
	if req.Family == 4 || req.Family == 6 {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(req.Family), 10)
	}
	if req.SocketPath != "" {
		dst = append(dst, ':')
		dst = append(dst, req.SocketPath...)
	}
	return dst
}

// GetName returns the name of the origin req is sent to (Node's agent.getName).
func GetName(req *engine.ClientRequest) string {
	var buf [128]byte
	return string(appendName(buf[:0], req))
}
