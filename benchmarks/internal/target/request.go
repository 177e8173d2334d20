// Package target describes what a benchmark drives: the request it sends,
// the reply it expects, and the servers it may send them to (named
// implementations, a user's command, or a user's address on loopback).
package target

import (
	"flag"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"
)

// Request is the request every connection sends over and over, and the reply
// it must get back. Any other reply is an error.
type Request struct {
	Method string
	Path   string
	Header []string // "Name: value", in order
	Body   string

	Status     int    // the expected status code
	ExpectBody string // the expected body, if CheckBody
	CheckBody  bool
}

// Default is GET /hello expecting 200, what every built-in server answers.
func Default() Request { return Request{Method: "GET", Path: "/hello", Status: 200} }

// headerList is a repeatable -header flag.
type headerList struct{ h *[]string }

func (l headerList) String() string {
	if l.h == nil {
		return ""
	}
	return strings.Join(*l.h, ", ")
}

func (l headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok || !validToken(strings.TrimSpace(name)) || strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("want Name: value, got %q", s)
	}
	*l.h = append(*l.h, strings.TrimSpace(name)+": "+strings.TrimSpace(value))
	return nil
}

// expectBody is the -expect-body flag: setting it, even to "", turns the check on.
type expectBody struct{ r *Request }

func (e expectBody) String() string {
	if e.r == nil {
		return ""
	}
	return e.r.ExpectBody
}

func (e expectBody) Set(s string) error { e.r.ExpectBody, e.r.CheckBody = s, true; return nil }

// Flags registers -method, -path, -header (repeatable), -body, -expect-status
// and -expect-body on fs, with r's current values as defaults.
func (r *Request) Flags(fs *flag.FlagSet) {
	fs.StringVar(&r.Method, "method", r.Method, "request method")
	fs.StringVar(&r.Path, "path", r.Path, "request target (origin form, starting with /)")
	fs.Var(headerList{&r.Header}, "header", `request header "Name: value" (repeatable); Host and Content-Length are added unless given`)
	fs.StringVar(&r.Body, "body", r.Body, "request body (sent with Content-Length)")
	fs.IntVar(&r.Status, "expect-status", r.Status, "status every reply must have; any other is counted as an error")
	fs.Var(expectBody{r}, "expect-body", "body every reply must have (unchecked unless set)")
}

// Check reports whether r can be sent as it stands.
func (r *Request) Check() error {
	switch {
	case !validToken(r.Method):
		return fmt.Errorf("bad -method %q", r.Method)
	case !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, " \t\r\n"):
		return fmt.Errorf("-path must start with / and hold no spaces or line breaks: %q", r.Path)
	case r.Status < 100 || r.Status > 999:
		return fmt.Errorf("-expect-status must be a three-digit code, not %d", r.Status)
	}
	return nil
}

// Head reports whether replies carry no body whatever their framing says.
func (r *Request) Head() bool { return r.Method == "HEAD" }

// Bytes returns the request as sent to host (the Host header's value).
func (r *Request) Bytes(host string) []byte {
	var b strings.Builder
	b.WriteString(r.Method + " " + r.Path + " HTTP/1.1\r\n")
	if !r.has("Host") {
		b.WriteString("Host: " + host + "\r\n")
	}
	for _, h := range r.Header {
		b.WriteString(h + "\r\n")
	}
	if !r.has("Content-Length") && !r.has("Transfer-Encoding") && (r.Body != "" || r.Method == "POST" || r.Method == "PUT") {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(r.Body)
	return []byte(b.String())
}

func (r *Request) has(name string) bool {
	for _, h := range r.Header {
		n, _, _ := strings.Cut(h, ":")
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// Args returns the flags that give another command the same request.
func (r *Request) Args() []string {
	a := []string{"-method", r.Method, "-path", r.Path, "-body", r.Body, "-expect-status", strconv.Itoa(r.Status)}
	for _, h := range r.Header {
		a = append(a, "-header", h)
	}
	if r.CheckBody {
		a = append(a, "-expect-body", r.ExpectBody)
	}
	return a
}

// Describe returns the request and expectation in one line, for reports.
func (r *Request) Describe() string {
	s := r.Method + " " + r.Path
	for _, h := range r.Header {
		s += ", " + h
	}
	if r.Body != "" {
		s += fmt.Sprintf(", %d-byte body", len(r.Body))
	}
	s += fmt.Sprintf("; expecting %d", r.Status)
	if r.CheckBody {
		s += fmt.Sprintf(" with body %q", r.ExpectBody)
	}
	return s
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return textproto.TrimString(s) == s
}
