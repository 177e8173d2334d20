package nethttp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// The oracle: every handler here is served by net/http (httptest) and by
// the bridge, every request is sent as raw bytes to both, and the two
// responses must agree on status, fields (but Date), body and trailers.

var modTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

var longText = strings.Repeat("0123456789abcdef", 4096) // 64 KiB

// osFile is a file on disk for http.ServeFile (net/http sends it with
// sendfile where it can), written by TestMain.
var osFile string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nethttp")
	if err != nil {
		panic(err)
	}
	osFile = filepath.Join(dir, "data.txt")
	err = os.WriteFile(osFile, []byte(longText+longText), 0o644)
	if err == nil {
		err = os.Chtimes(osFile, modTime, modTime)
	}
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// corpusMux is the handler set the oracle compares.
func corpusMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "item %s", r.PathValue("id"))
	})
	mux.HandleFunc("POST /items/{id}/tags/{tag...}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%q,"tag":%q}`, r.PathValue("id"), r.PathValue("tag"))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/items/7?x=1", http.StatusFound)
	})
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "a.txt", modTime, strings.NewReader(longText))
	})
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.FS(fstest.MapFS{
		"index.html":   {Data: []byte("<html><body>index</body></html>"), ModTime: modTime},
		"data/x.css":   {Data: []byte("body{}"), ModTime: modTime},
		"data/big.bin": {Data: []byte(longText), ModTime: modTime},
	}))))
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
			panic(err)
		}
		w.Header().Set("Trailer", "X-Got-Trailer")
		n, err := io.Copy(w, r.Body)
		w.Header().Set("X-Got-Trailer", fmt.Sprintf("n=%d err=%v trailer=%v", n, err, r.Trailer))
	})
	mux.HandleFunc("/request", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "method=%s uri=%s url=%s path=%s query=%v host=%s proto=%s %d.%d close=%v cl=%d te=%v remote=%s\n",
			r.Method, r.RequestURI, r.URL, r.URL.Path, r.URL.Query(), r.Host, r.Proto, r.ProtoMajor, r.ProtoMinor,
			r.Close, r.ContentLength, r.TransferEncoding, host)
		for _, k := range keys {
			fmt.Fprintf(w, "%s=%q\n", k, r.Header[k])
		}
		fmt.Fprintf(w, "body=%q err=%v trailer=%v local=%v\n", body, err, r.Trailer, r.Context().Value(http.LocalAddrContextKey) != nil)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 50; i++ {
			io.WriteString(w, longText[:2000])
		}
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, longText[:2048])
	})
	mux.HandleFunc("/just-over", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, longText[:2049])
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!DOCTYPE html><html><p>sniffed</p></html>")
	})
	mux.HandleFunc("/gzip-typed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "<html>not sniffed</html>")
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first,")
		w.(http.Flusher).Flush()
		io.WriteString(w, "second")
	})
	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum, X-Count")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "body with trailers")
		w.Header().Set("X-Sum", "42")
		w.Header().Set("X-Count", "1")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	})
	mux.HandleFunc("/trailer-swap", func(w http.ResponseWriter, r *http.Request) {
		// After the head, one key goes and a trailer comes: the same
		// number of keys as at WriteHeader.
		w.Header().Set("X-A", "1")
		w.Header().Set("X-B", "2")
		io.WriteString(w, "swap")
		w.(http.Flusher).Flush()
		w.Header().Del("X-B")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	})
	mux.HandleFunc("/early-hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("X-Final", "yes")
		io.WriteString(w, "after hints")
	})
	mux.HandleFunc("/no-content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-A", "1")
		w.WriteHeader(http.StatusNoContent)
		_, err := io.WriteString(w, "dropped")
		w.Header().Set("X-Late", fmt.Sprint(err)) // not sent: the head is decided
	})
	mux.HandleFunc("/not-modified", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("ETag", `"x"`)
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/declared-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		_, err1 := io.WriteString(w, "12345")
		_, err2 := io.WriteString(w, "6")
		if err1 != nil || err2 != http.ErrContentLength {
			panic(fmt.Sprint("write errors ", err1, err2))
		}
	})
	mux.HandleFunc("/status-text", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot here", http.StatusTeapot)
	})
	mux.HandleFunc("GET api.example/host-only", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "host pattern "+r.Host)
	})
	mux.HandleFunc("GET /tree/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "subtree "+r.URL.Path)
	})
	mux.HandleFunc("GET /exact/{$}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "exact")
	})
	mux.HandleFunc("POST /limited", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "e.json", time.Time{}, strings.NewReader(`{"a":1}`))
	})
	mux.Handle("/timeout", http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "dropped")
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}), 50*time.Millisecond, "too slow"))
	mux.Handle("/in-time", http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-A", "1")
		io.WriteString(w, "in time")
	}), 5*time.Second, "too slow"))
	mux.HandleFunc("/os-file", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, osFile)
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		err := r.ParseMultipartForm(1 << 10) // files over 1 KiB go to disk
		fmt.Fprintf(w, "err=%v form=%v postform=%v", err, r.Form, r.PostForm)
		if r.MultipartForm != nil {
			for name, fhs := range r.MultipartForm.File {
				for _, fh := range fhs {
					f, _ := fh.Open()
					b, _ := io.ReadAll(f)
					f.Close()
					fmt.Fprintf(w, " file %s %s %d %q", name, fh.Filename, fh.Size, b[:min(len(b), 10)])
				}
			}
			r.MultipartForm.RemoveAll()
		}
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "never sent")
		panic("handler bug")
	})
	mux.HandleFunc("/panic-after-flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "sent")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	return mux
}

// exchange is one request of the corpus, as bytes, and how to send it.
type exchange struct {
	name   string
	req    string // the head, and the body unless body is set
	body   string // sent after the interim 100 Continue
	method string // for reading the response: HEAD has no body
}

var corpus = []exchange{
	{name: "path value", req: "GET /items/42 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "rest wildcard", req: "POST /items/9/tags/a/b%20c HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"},
	{name: "method not allowed", req: "DELETE /items/42 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "not found", req: "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "clean path redirect", req: "GET /a/../items/3 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "redirect", req: "GET /redirect HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "redirect head", req: "HEAD /redirect HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "content", req: "GET /content HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "content range", req: "GET /content HTTP/1.1\r\nHost: a\r\nRange: bytes=10-19\r\n\r\n"},
	{name: "content suffix range", req: "GET /content HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n"},
	{name: "content bad range", req: "GET /content HTTP/1.1\r\nHost: a\r\nRange: bytes=999999-\r\n\r\n"},
	{name: "content if-modified-since", req: "GET /content HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: " + modTime.Format(http.TimeFormat) + "\r\n\r\n"},
	{name: "content head", req: "HEAD /content HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "file index", req: "GET /static/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "file css", req: "GET /static/data/x.css HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "file dir listing", req: "GET /static/data/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "file dir redirect", req: "GET /static/data HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "file big range", req: "GET /static/data/big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=100-199\r\n\r\n"},
	{name: "file missing", req: "GET /static/none HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "echo length", req: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"},
	{name: "echo chunked with trailer", req: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-T: tv\r\n\r\n"},
	{name: "echo large chunked", req: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(longText+longText, 5000) + "0\r\n\r\n"},
	{name: "echo large length", req: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + strconv.Itoa(3*len(longText)) + "\r\n\r\n" + longText + longText + longText},
	{name: "expect continue", req: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", body: "hello"},
	{name: "expect continue unread", req: "POST /status-text HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", body: "hello"},
	{name: "expect continue large unread", req: "POST /status-text HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n", body: strings.Repeat("x", 100000)},
	{name: "expect continue refused", req: "POST /limited HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n", body: longText[:100]},
	{name: "expect continue get", req: "GET /items/1 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"},
	{name: "request fields", req: "POST /request?a=1&b=%20x HTTP/1.1\r\nHost: example.com:8080\r\nX-Multi: 1\r\nx-multi: 2\r\nCONTENT-TYPE: text/plain\r\nContent-Length: 3\r\n\r\nabc"},
	{name: "request chunked fields", req: "PUT /request HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sig\r\n\r\n3\r\nabc\r\n0\r\nX-Sig: s1\r\n\r\n"},
	{name: "request absolute uri", req: "GET http://other.example/request?q HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "request http/1.0", req: "GET /request HTTP/1.0\r\n\r\n"},
	{name: "request field case", req: "POST /request HTTP/1.1\r\nhOST: a\r\ncontent-TYPE: text/plain\r\nx-multi: 1\r\nX-Multi: 2\r\netag: e\r\nTe: trailers\r\ncontent-length: 2\r\n\r\nhi"},
	{name: "request close", req: "GET /request HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
	{name: "big chunked", req: "GET /big HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "big head", req: "HEAD /big HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "big http/1.0", req: "GET /big HTTP/1.0\r\n\r\n"},
	{name: "small has length", req: "GET /small HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "just over is chunked", req: "GET /just-over HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "small head", req: "HEAD /small HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "sniff html", req: "GET /html HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "no sniff when encoded", req: "GET /gzip-typed HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "flush", req: "GET /flush HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "trailers", req: "GET /trailers HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "trailer after a deleted key", req: "GET /trailer-swap HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "early hints", req: "GET /early-hints HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "no content", req: "GET /no-content HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "not modified", req: "GET /not-modified HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "declared length", req: "GET /declared-length HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "http.Error", req: "GET /status-text HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "host pattern", req: "GET /host-only HTTP/1.1\r\nHost: api.example\r\n\r\n"},
	{name: "host pattern other host", req: "GET /host-only HTTP/1.1\r\nHost: b.example\r\n\r\n"},
	{name: "head matches get pattern", req: "HEAD /items/5 HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "subtree", req: "GET /tree/a/b HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "subtree slash redirect", req: "GET /tree HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "exact match", req: "GET /exact/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "exact no deeper", req: "GET /exact/x HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "max bytes within", req: "POST /limited HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd"},
	{name: "max bytes over", req: "POST /limited HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\n01234567890123456789"},
	{name: "max bytes over chunked", req: "POST /limited HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(longText[:100], 30) + "0\r\n\r\n"},
	{name: "etag if-none-match", req: "GET /etag HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"v1\"\r\n\r\n"},
	{name: "etag if-range stale", req: "GET /etag HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: \"v0\"\r\n\r\n"},
	{name: "etag range", req: "GET /etag HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: \"v1\"\r\n\r\n"},
	{name: "file index redirect", req: "GET /static/index.html HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "options star", req: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "timeout handler", req: "GET /timeout HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "timeout handler in time", req: "GET /in-time HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "serve file", req: "GET /os-file HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "serve file range", req: "GET /os-file HTTP/1.1\r\nHost: a\r\nRange: bytes=70000-70009\r\n\r\n"},
	{name: "serve file head", req: "HEAD /os-file HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD"},
	{name: "urlencoded form", req: "POST /form?q=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\na=1&b=x%20y&q"},
	{name: "multipart form", req: multipartRequest(100)},
	{name: "multipart form streamed", req: multipartRequest(200 << 10)},
	{name: "panic", req: "GET /panic HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "panic after flush", req: "GET /panic-after-flush HTTP/1.1\r\nHost: a\r\n\r\n"},
}

// multipartRequest is a POST of a multipart form with a field and a file
// of size bytes.
func multipartRequest(size int) string {
	const b = "XyZzy"
	body := "--" + b + "\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n" +
		"--" + b + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
		strings.Repeat("0123456789", size/10) + "\r\n--" + b + "--\r\n"
	return "POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=" + b +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func chunked(s string, size int) string {
	var b strings.Builder
	for len(s) > 0 {
		n := min(size, len(s))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, s[:n])
		s = s[n:]
	}
	return b.String()
}

// outcome is what a client saw of one exchange.
type outcome struct {
	Interim []string // status and fields of each 1xx
	Status  int
	Header  http.Header
	Body    string
	BodyErr bool // the body ended in an error (cut short)
	Trailer http.Header
	Err     string // no response at all
}

// run sends ex on a fresh connection to addr and reads what comes back.
func run(t *testing.T, addr string, ex exchange) outcome {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, ex.req)
	br := bufio.NewReader(c)
	var req *http.Request
	if ex.method != "" {
		req = &http.Request{Method: ex.method}
	}
	var o outcome
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			o.Err = "no response"
			return o
		}
		if resp.StatusCode >= 100 && resp.StatusCode <= 199 {
			o.Interim = append(o.Interim, fmt.Sprint(resp.StatusCode, " ", withoutDate(resp.Header)))
			if resp.StatusCode == 100 && ex.body != "" {
				io.WriteString(c, ex.body)
			}
			continue
		}
		body, err := io.ReadAll(resp.Body)
		o.Status, o.Header, o.Body, o.BodyErr, o.Trailer = resp.StatusCode, withoutDate(resp.Header), string(body), err != nil, resp.Trailer
		return o
	}
}

func withoutDate(h http.Header) http.Header {
	h = h.Clone()
	h.Del("Date")
	return h
}

func startBridge(t testing.TB, h http.Handler, o *engine.Options) string {
	t.Helper()
	if o == nil {
		o = &engine.Options{NumLoops: 1}
	}
	s := NewServer(h, o)
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return s.Addr().String()
}

func quietLog(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard) // panics are logged with their stacks
	t.Cleanup(func() { log.SetOutput(prev) })
}

func TestOracleCorpus(t *testing.T) {
	quietLog(t)
	h := corpusMux()
	std := httptest.NewUnstartedServer(h)
	std.Config.ErrorLog = log.New(io.Discard, "", 0)
	std.Start()
	defer std.Close()
	bridge := startBridge(t, h, nil)
	for _, ex := range corpus {
		t.Run(ex.name, func(t *testing.T) {
			want := run(t, std.Listener.Addr().String(), ex)
			got := run(t, bridge, ex)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("bridge:\n%+v\nnet/http:\n%+v", got, want)
			}
		})
	}
}
