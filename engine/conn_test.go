package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/headers"
)

// roundTrip writes raw to a new connection and returns everything the
// server sends until it closes the connection or wait passes.
func rawExchange(t *testing.T, addr, raw string, wait time.Duration) string {
	t.Helper()
	c := dialServer(t, addr)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	b, _ := io.ReadAll(c)
	return string(b)
}

func TestBodylessResponses(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/204":
			w.SetStatus(204)
		case "/304":
			w.SetStatus(304)
		}
		w.WriteString("body that must not be sent")
	}, nil)
	tests := []struct {
		name, req, want string
		notWant         []string
	}{
		{"HEAD", "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "Content-Length: 26\r\n", []string{"body that"}},
		{"204", "GET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 204 No Content\r\n", []string{"body that", "Content-Length", "Transfer-Encoding"}},
		{"304", "GET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 304 Not Modified\r\n", []string{"body that", "Content-Length", "Transfer-Encoding"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawExchange(t, addr, tt.req, 2*time.Second)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("response %q lacks %q", got, tt.want)
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Fatalf("response %q has %q", got, nw)
				}
			}
			if !strings.Contains(got, "Connection: close\r\n") {
				t.Fatalf("response %q lacks Connection: close", got)
			}
		})
	}
}

func TestHTTP10(t *testing.T) {
	_, addr := startServer(t, helloHandler, nil)
	got := rawExchange(t, addr, "GET / HTTP/1.0\r\n\r\n", 2*time.Second)
	if !strings.Contains(got, "Connection: close\r\n") || !strings.HasSuffix(got, "Hello, World!") {
		t.Fatalf("HTTP/1.0 response %q", got)
	}
	// With keep-alive the connection stays open for a second request.
	c := dialServer(t, addr)
	br := bufio.NewReader(c)
	for i := 0; i < 2; i++ {
		io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		if resp.Header.Get("Connection") != "keep-alive" {
			t.Fatalf("Connection = %q", resp.Header.Get("Connection"))
		}
	}
}

func TestParseErrorAfterPipelined(t *testing.T) {
	_, addr := startServer(t, helloHandler, nil)
	got := rawExchange(t, addr, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 2*time.Second)
	if strings.Count(got, "Hello, World!") != 2 || !strings.HasSuffix(got, "Connection: close\r\n\r\n") || !strings.Contains(got, "HTTP/1.1 400 Bad Request\r\n") {
		t.Fatalf("response %q", got)
	}
	if i, j := strings.LastIndex(got, "Hello"), strings.Index(got, "400"); i > j {
		t.Fatalf("400 sent before the owed responses: %q", got)
	}
}

func TestLimits(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) { w.Write(r.Body()) }, &Options{
		Parse:        parseConfig(1024, 10, 64),
		MaxBodyBytes: 100,
	})
	long := strings.Repeat("a", 100)
	tests := []struct{ name, req, want string }{
		{"target", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 "},
		{"head", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("b", 2000) + "\r\n\r\n", "HTTP/1.1 431 "},
		{"count", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: y\r\n", 20) + "\r\n", "HTTP/1.1 431 "},
		{"body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + long + "x", "HTTP/1.1 413 "},
		{"chunked body", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + long + "\r\n1\r\nx\r\n0\r\n\r\n", "HTTP/1.1 413 "},
		{"version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.1 505 "},
		{"smuggle", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 400 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawExchange(t, addr, tt.req, 2*time.Second)
			if !strings.HasPrefix(got, tt.want) || !strings.Contains(got, "Connection: close\r\n") {
				t.Fatalf("response %q; want %q with Connection: close", got, tt.want)
			}
		})
	}
	// Within the limits, a body of exactly MaxBodyBytes is fine.
	got := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"+long, 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(got, long) {
		t.Fatalf("response %q", got)
	}
}

func TestConnectionClose(t *testing.T) {
	_, addr := startServer(t, helloHandler, nil)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second)
	if strings.Count(got, "HTTP/1.1 200") != 1 || !strings.Contains(got, "Connection: close\r\n") {
		t.Fatalf("response %q", got)
	}
	// The handler asks for the close.
	_, addr2 := startServer(t, func(w *Response, r *Request) { w.SetClose() }, nil)
	got = rawExchange(t, addr2, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second)
	if strings.Count(got, "HTTP/1.1 200") != 1 || !strings.Contains(got, "Connection: close\r\n") {
		t.Fatalf("response %q", got)
	}
}

func TestChunkedDownload(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.Header().AddString("Trailer", "X-Sum")
		for i := 0; i < 100; i++ {
			w.WriteString("0123456789")
			if i%10 == 0 {
				w.Flush()
			}
		}
		w.AddTrailer("X-Sum", "1000")
	}, nil)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(b) != 1000 || resp.TransferEncoding[0] != "chunked" || resp.Trailer.Get("X-Sum") != "1000" {
		t.Fatalf("len %d, TE %v, trailer %v", len(b), resp.TransferEncoding, resp.Trailer)
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestChunkedUploadBuffered(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.Write(r.Body())
		w.Header().AddString("X-Trailers", string(r.Trailers().Name(0)))
	}, nil)
	raw := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"
	// Byte by byte, to cross every read boundary.
	c := dialServer(t, addr)
	for i := 0; i < len(raw); i++ {
		c.Write([]byte{raw[i]})
		if i%16 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	b, _ := io.ReadAll(c)
	got := string(b)
	if !strings.HasSuffix(got, "\r\n\r\nhello world") || !strings.Contains(got, "Content-Length: 11\r\n") || !strings.Contains(got, "X-Trailers: X-T\r\n") {
		t.Fatalf("response %q", got)
	}
}

// streamer counts a streamed body, pausing at the first chunk and resuming
// from another goroutine.
type streamer struct {
	w      *Response
	n      int
	paused bool
}

func (s *streamer) OnBody(r *Request, chunk []byte) {
	s.n += len(chunk)
	if !s.paused {
		s.paused = true
		r.Pause()
		go func() {
			time.Sleep(200 * time.Millisecond)
			r.Resume()
		}()
	}
}

func (s *streamer) OnBodyEnd(r *Request, trailers *headers.Table) {
	s.w.WriteString(strconv.Itoa(s.n))
	s.w.End()
}

func TestStreamedUploadPauseResume(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		if !r.Streaming() {
			w.SetStatus(500)
			return
		}
		r.SetBodyHandler(&streamer{w: w})
	}, &Options{MaxBufferedBody: 1024, StreamBodies: true})
	const size = 4 << 20
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(strings.Repeat("z", size))
		if chunked {
			body = io.MultiReader(body) // unknown length: the client sends it chunked
		}
		resp, err := http.Post("http://"+addr+"/", "application/octet-stream", body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != strconv.Itoa(size) {
			t.Fatalf("chunked %v: server counted %q; want %d", chunked, b, size)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestExpectContinue(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) { w.Write(r.Body()) }, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q; want 100 Continue", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "hello" {
		t.Fatalf("body %q", b)
	}
}

func TestCheckContinue(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/no" {
			w.SetStatus(417)
			return
		}
		w.WriteContinue()
		r.SetBodyHandler(&streamer{w: w, paused: true})
	}, &Options{CheckContinue: true})
	got := rawExchange(t, addr, "POST /no HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 417 ") || !strings.Contains(got, "Connection: close") {
		t.Fatalf("refusal %q", got)
	}
	c := dialServer(t, addr)
	io.WriteString(c, "POST /yes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	if line, _ := br.ReadString('\n'); line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q; want 100 Continue", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "5" {
		t.Fatalf("body %q", b)
	}
}

func TestInformational(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		var h headers.Table
		h.AddString("Link", "</style.css>; rel=preload")
		w.WriteInformational(103, &h)
		w.WriteString("ok")
	}, nil)
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n") {
		t.Fatalf("response %q", got)
	}
}

// echoTunnel echoes a hijacked connection's bytes back, upper-cased.
type echoTunnel struct{}

func (echoTunnel) OnData(t *Tunnel, b []byte) {
	out := []byte(strings.ToUpper(string(b)))
	t.Write(out)
}
func (echoTunnel) OnClose(*Tunnel, error) {}

func TestUpgradeHijack(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		if !r.Upgrade() {
			w.SetStatus(400)
			return
		}
		w.SetStatus(101)
		w.Header().AddString("Upgrade", "echo")
		w.Header().AddString("Connection", "Upgrade")
		if _, err := w.Hijack(echoTunnel{}); err != nil {
			panic(err)
		}
	}, nil)
	c := dialServer(t, addr)
	// The first tunnel bytes ride with the request.
	io.WriteString(c, "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nabc")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	if got := resp.Header.Values("Connection"); len(got) != 1 || got[0] != "Upgrade" || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("101 Connection %q, Upgrade %q; want exactly Upgrade and echo", got, resp.Header.Get("Upgrade"))
	}
	buf := make([]byte, 3)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ABC" {
		t.Fatalf("tunnel got %q, %v", buf, err)
	}
	io.WriteString(c, "def")
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "DEF" {
		t.Fatalf("tunnel got %q, %v", buf, err)
	}
}

func TestConnectHijack(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.SetStatus(200)
		w.Hijack(echoTunnel{})
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	br := bufio.NewReader(c)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("got %q", line)
	}
	for {
		l, _ := br.ReadString('\n')
		if l == "\r\n" || l == "" {
			break
		}
		if strings.HasPrefix(l, "Content-Length") || strings.HasPrefix(l, "Transfer-Encoding") {
			t.Fatalf("CONNECT 2xx has framing field %q", l)
		}
	}
	io.WriteString(c, "xyz")
	buf := make([]byte, 3)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "XYZ" {
		t.Fatalf("tunnel got %q, %v", buf, err)
	}
}

func TestTimeouts(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{
		HeadersTimeout:   300 * time.Millisecond,
		KeepAliveTimeout: 200 * time.Millisecond,
		TickInterval:     10 * time.Millisecond,
	})
	t.Run("slowloris", func(t *testing.T) {
		c := dialServer(t, addr)
		start := time.Now()
		req := "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("y", 100)
		done := make(chan string)
		go func() {
			b, _ := io.ReadAll(c)
			done <- string(b)
		}()
		for i := 0; i < len(req); i++ {
			if _, err := c.Write([]byte{req[i]}); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		got := <-done
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("cut off after %v", el)
		}
		if !strings.HasPrefix(got, "HTTP/1.1 408 ") {
			t.Fatalf("got %q; want 408", got)
		}
	})
	t.Run("keep-alive", func(t *testing.T) {
		c := dialServer(t, addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		start := time.Now()
		b, _ := io.ReadAll(c)
		if el := time.Since(start); el < 150*time.Millisecond || el > 2*time.Second {
			t.Fatalf("idle connection closed after %v", el)
		}
		if !strings.HasSuffix(string(b), "Hello, World!") {
			t.Fatalf("got %q", b)
		}
	})
	t.Run("idle new connection", func(t *testing.T) {
		c := dialServer(t, addr)
		start := time.Now()
		io.ReadAll(c)
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("closed after %v", el)
		}
	})
}

func TestUnixSocket(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	s := NewServer(helloHandler, &Options{NumLoops: 1})
	if err := s.Start("unix://" + path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "Hello, World!" {
		t.Fatalf("body %q", b)
	}
}

func TestRequestAndIdleTimeouts(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/hang" {
			w.Detach() // never ends
			return
		}
		w.Write(r.Body())
	}, &Options{
		RequestTimeout: 300 * time.Millisecond,
		IdleTimeout:    400 * time.Millisecond,
		TickInterval:   10 * time.Millisecond,
	})
	t.Run("body never completes", func(t *testing.T) {
		start := time.Now()
		got := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 3*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 408 ") || time.Since(start) > 2*time.Second {
			t.Fatalf("got %q after %v", got, time.Since(start))
		}
	})
	t.Run("handler never ends", func(t *testing.T) {
		got := rawExchange(t, addr, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 408 ") {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("idle", func(t *testing.T) {
		// A keep-alive timeout of 5 s would keep the connection; the idle timeout closes it.
		start := time.Now()
		got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second)
		if el := time.Since(start); el > 2*time.Second || !strings.HasPrefix(got, "HTTP/1.1 200 ") {
			t.Fatalf("got %q after %v", got, el)
		}
	})
}

func TestIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	s := NewServer(helloHandler, &Options{NumLoops: 1, ReusePort: true})
	if err := s.Start("tcp6://[::1]:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if string(b) != "Hello, World!" {
		t.Fatalf("body %q", b)
	}
}

func TestDeferredResponse(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		path := string(r.Path()) // copied: the views live until the response ends anyway
		d := w.Detach()
		go func() {
			time.Sleep(time.Duration(len(path)) * 5 * time.Millisecond)
			d.Do(func(w *Response) {
				w.WriteString(path)
				w.End()
			})
		}()
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET /cccccc HTTP/1.1\r\nHost: x\r\n\r\nGET /bb HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"/cccccc", "/bb", "/a"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != want {
			t.Fatalf("body %q; want %q", b, want)
		}
	}
}

func TestLargeResponse(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	_, addr := startServer(t, func(w *Response, r *Request) { w.WriteString(big) }, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for i := 0; i < 2; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != big {
			t.Fatalf("response %d: %d bytes", i, len(b))
		}
	}
}

// TestConnectionCloseField: a handler's own "Connection: close" field closes
// the connection, whether the head comes from the loop's head cache or is
// built outside it (a custom reason phrase, a worker).
func TestConnectionCloseField(t *testing.T) {
	closeField := func(w *Response, r *Request) {
		w.Header().AddString("Connection", "close")
		if string(r.Path()) == "/reason" {
			w.SetReason("Fine")
		}
	}
	for _, tc := range []struct {
		name, path string
		opts       Options
	}{
		{"cached head", "/", Options{}},
		{"custom reason", "/reason", Options{}},
		{"worker", "/", Options{Workers: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := startServer(t, closeField, &tc.opts)
			req := "GET " + tc.path + " HTTP/1.1\r\nHost: x\r\n\r\n"
			got := rawExchange(t, addr, req+req, 2*time.Second)
			if strings.Count(got, "HTTP/1.1 200") != 1 || !strings.Contains(got, "Connection: close\r\n") {
				t.Fatalf("response %q", got)
			}
		})
	}
}
