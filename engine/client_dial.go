package engine

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// DialOptions say where and how a ClientConn connects, and its timeouts.
type DialOptions struct {
	// Host and Port name a TCP server; Host may be a name or an IP literal.
	Host string
	Port int
	// Addr, when set, names the server instead of Host and Port: "host:port",
	// "[v6]:port" or an http:// URL, whose host and port are used.
	Addr string
	// SocketPath, when set, dials a unix socket instead.
	SocketPath string
	// LocalAddress is the local IP to bind ("" for any).
	LocalAddress string
	// Family is 0 (any), 4 or 6.
	Family int
	// Lookup, if set, resolves Host instead of the system resolver; it
	// returns an IP literal.
	Lookup func(ctx context.Context, host string, family int) (string, error)

	// ConnectTimeout bounds the dial (0: none beyond ctx).
	ConnectTimeout time.Duration
	// HeadTimeout bounds the wait from sending a request to its response head (0: none).
	HeadTimeout time.Duration
	// IdleTimeout closes the connection after this long with no request in flight (0: never).
	IdleTimeout time.Duration
	// ContinueTimeout is how long a request with "Expect: 100-continue" waits
	// before sending its body anyway (0: 1s).
	ContinueTimeout time.Duration
	// KeepAlivePeriod enables TCP keep-alive probes with this initial delay (0: off).
	KeepAlivePeriod time.Duration
	// WriteTimeout bounds a blocked write (0: 30s).
	WriteTimeout time.Duration

	// OnClose, if set, is called once on the connection's event loop when it
	// closes, before the requests still queued on it fail.
	OnClose func(cc *ClientConn, err error)
	// Context is a value the connection carries for its owner (see ClientConn.Context).
	Context any
}

// Dial connects to the server described by opts and returns the connection
// ready to send. It blocks, so it must not be called on an event loop.
func (c *Client) Dial(ctx context.Context, opts *DialOptions) (*ClientConn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	opts, err := prepareDial(opts)
	if err != nil {
		return nil, err
	}
	nc, err := dialNet(ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.enroll(nc, opts)
}

// resolveAddr sets Host and Port from Addr.
func (o *DialOptions) resolveAddr() error {
	host, port, ok := clSplitHostPort(o.Addr)
	if strings.Contains(o.Addr, "://") {
		host, port, _, ok = clSplitURL(o.Addr)
	}
	if !ok {
		return ErrClientInvalidURL
	}
	o.Host, o.Port, o.Addr = host, port, ""
	return nil
}

// DialAsync is Dial on a new goroutine; done is called once with the result.
// Safe from any goroutine, including an event loop.
func (c *Client) DialAsync(opts *DialOptions, done func(*ClientConn, error)) {
	o := *opts
	go func() { done(c.Dial(context.Background(), &o)) }()
}

// Enroll adopts a connection dialed elsewhere (a *net.TCPConn or *net.UnixConn).
// It takes ownership of nc. It blocks until an event loop has registered the
// connection, so it must not be called on an event loop.
func (c *Client) Enroll(nc net.Conn, opts *DialOptions) (*ClientConn, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	opts, err := prepareDial(opts)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c.enroll(nc, opts)
}

// prepareDial refuses a call on an event loop, resolves Addr into a copy of
// opts and checks the Host it will send.
func prepareDial(opts *DialOptions) (*DialOptions, error) {
	if onEventLoop() {
		return nil, ErrOnEventLoop
	}
	if opts.Addr != "" {
		o := *opts
		if err := o.resolveAddr(); err != nil {
			return nil, err
		}
		opts = &o
	}
	if err := checkDialHost(opts); err != nil {
		return nil, err
	}
	return opts, nil
}

func dialNet(ctx context.Context, opts *DialOptions) (net.Conn, error) {
	d := net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: -1}
	if opts.KeepAlivePeriod > 0 {
		d.KeepAlive = opts.KeepAlivePeriod
	}
	if opts.SocketPath != "" {
		nc, err := d.DialContext(ctx, "unix", opts.SocketPath)
		return nc, clDialErr(err)
	}
	network := "tcp"
	switch opts.Family {
	case 4:
		network = "tcp4"
	case 6:
		network = "tcp6"
	}
	if opts.LocalAddress != "" {
		ip := net.ParseIP(opts.LocalAddress)
		if ip == nil {
			return nil, errors.New("engine: invalid local address")
		}
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	host := opts.Host
	if host == "" {
		host = "localhost"
	}
	if opts.Lookup != nil && net.ParseIP(host) == nil {
		lctx := ctx
		if opts.ConnectTimeout > 0 {
			var cancel context.CancelFunc
			lctx, cancel = context.WithTimeout(ctx, opts.ConnectTimeout)
			defer cancel()
		}
		ip, err := opts.Lookup(lctx, host, opts.Family)
		if err != nil {
			return nil, err
		}
		host = ip
	}
	port := opts.Port
	if port == 0 {
		port = 80
	}
	nc, err := d.DialContext(ctx, network, net.JoinHostPort(host, strconv.Itoa(port)))
	return nc, clDialErr(err)
}

func clDialErr(err error) error {
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		return errors.Join(ErrClientConnectTimeout, err)
	}
	return err
}

// enroll duplicates nc's descriptor for direct writes, then hands nc to gnet.
func (c *Client) enroll(nc net.Conn, opts *DialOptions) (*ClientConn, error) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		nc.Close()
		return nil, errors.New("engine: connection has no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		nc.Close()
		return nil, err
	}
	wfd := -1
	cerr := rc.Control(func(fd uintptr) {
		wfd, err = unix.Dup(int(fd))
	})
	if cerr != nil || err != nil {
		nc.Close()
		return nil, errors.Join(cerr, err)
	}
	unix.CloseOnExec(wfd)
	cc := newClientConn(c, wfd, opts)
	cc.remote = nc.RemoteAddr()
	cc.local = nc.LocalAddr()
	if !c.add(cc) {
		nc.Close()
		unix.Close(wfd)
		return nil, ErrClientClosed
	}
	if _, err := c.gc.EnrollContext(nc, cc); err != nil { // closes nc in every case
		c.remove(cc)
		unix.Close(wfd)
		return nil, err
	}
	return cc, nil
}
