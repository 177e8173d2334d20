package compat

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// hostKey names a Host field value in hostFields.
type hostKey struct {
	host string
	port int
}

// hostEntry is a Host field value with the origin it was made for.
type hostEntry struct {
	hostKey
	value string
}

// hostFields caches the Host values Request makes, so that a request to a
// known origin allocates none; bounded, as origins come from callers.
// last is the entry used last: most callers ask for one origin over and
// over, which then costs a compare instead of a locked map lookup that
// hashes the host (~170 instructions).
var hostFields struct {
	sync.RWMutex
	m    map[hostKey]*hostEntry
	last atomic.Pointer[hostEntry]
}

const maxHostFields = 256

// hostField returns the Host field Node makes for host and port: an IPv6
// address in brackets, and ":port" unless the port is 80.
func hostField(host string, port int) string {
	if e := hostFields.last.Load(); e != nil && e.port == port && e.host == host {
		return e.value
	}
	k := hostKey{host, port}
	hostFields.RLock()
	e, ok := hostFields.m[k]
	hostFields.RUnlock()
	if ok {
		hostFields.last.Store(e)
		return e.value
	}
	v := host
	if strings.IndexByte(host, ':') >= 0 && !strings.HasPrefix(host, "[") {
		v = "[" + host + "]"
	}
	if port != 80 {
		v += ":" + strconv.Itoa(port)
	}
	e = &hostEntry{k, v}
	hostFields.Lock()
	if hostFields.m == nil {
		hostFields.m = make(map[hostKey]*hostEntry)
	}
	if len(hostFields.m) < maxHostFields {
		hostFields.m[k] = e
		hostFields.last.Store(e)
	}
	hostFields.Unlock()
	return v
}

// engineWritesHost reports whether v is the Host value the engine writes
// itself for host and port (engine.ClientRequest's line, the dial's when
// the connection was dialed for them): hostField's, unless host comes in
// brackets already, which the engine would bracket again.
func engineWritesHost(v, host string, port int) bool {
	return v == hostField(host, port) && !strings.HasPrefix(host, "[")
}

// SetHeaderValues is Node's request.setHeader(name, array): one field line
// per value. (A number is passed as its decimal string.)
func (r *ClientRequest) SetHeaderValues(name string, values []string) error {
	if err := validateLatin1(name, values); err != nil {
		return err
	}
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.headFixedLocked() {
		return ErrHeadersSent
	}
	r.hdr.set(name, values)
	return nil
}

// AppendHeader is Node's request.appendHeader(name, value): value is added
// to the field's values, the name keeping the case it was first set with.
func (r *ClientRequest) AppendHeader(name string, values ...string) error {
	if err := validateLatin1(name, values); err != nil {
		return err
	}
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.headFixedLocked() {
		return errHeadersSentAppend
	}
	r.hdr.append(name, values)
	return nil
}

// GetHeaderValues returns a copy of a field's values (nil if unset), as
// Node's getHeader gives an array.
func (r *ClientRequest) GetHeaderValues(name string) []string {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.list(name)
}

// GetRawHeaderNames returns the names of the fields set, in order and in
// the case they were set with (Node's request.getRawHeaderNames()).
func (r *ClientRequest) GetRawHeaderNames() []string {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.rawNames()
}

// AddTrailers is Node's request.addTrailers(headers), as name, value
// pairs: they are sent after a body written with Write (chunked); a body
// sent whole with End has none, and they are dropped.
func (r *ClientRequest) AddTrailers(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if err := validateLatin1(fields[i], fields[i+1:i+2]); err != nil {
			return err
		}
	}
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	for i := 0; i+1 < len(fields); i += 2 {
		r.trailers.append(fields[i], fields[i+1:i+2])
	}
	return nil
}

// Agent returns the agent the request goes through (Node's request.agent);
// with RequestOptions.NoAgent, an agent of one-use connections.
func (r *ClientRequest) Agent() *Agent { return r.agent }

// ShouldKeepAlive reports whether the request asks to keep its connection
// open after the response (Node's request.shouldKeepAlive): its agent keeps
// sockets alive and no Connection field says otherwise.
func (r *ClientRequest) ShouldKeepAlive() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if v, ok := r.hdr.first("connection"); ok {
		return !strings.EqualFold(strings.TrimSpace(v), "close")
	}
	return r.agent.KeepAlive()
}

// Socket returns the addresses of the request's connection and true once
// the agent has given it one (Node's request.socket, null before). A new
// connection is given as it starts connecting, as in Node: its addresses
// are empty until it has connected.
func (r *ClientRequest) Socket() (SocketInfo, bool) {
	r.x.mu.Lock()
	cc, dialing := r.conn, r.dialing
	r.x.mu.Unlock()
	if cc == nil {
		return SocketInfo{}, dialing
	}
	return connSocketInfo(cc), true
}

// ReusedSocket reports whether the agent gave the request a free socket
// when it was made (Node's request.reusedSocket): false for a new one and
// for one handed over while the request waited in the agent's queue. It is
// known once the request is on its socket.
func (r *ClientRequest) ReusedSocket() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.reused
}
