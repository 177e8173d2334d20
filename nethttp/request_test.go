package nethttp

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestParseOriginForm compares parseOriginForm with url.ParseRequestURI on
// every target it accepts, and checks that it declines the ones it must
// leave to net/url (escapes, bytes net/url would escape, other forms).
func TestParseOriginForm(t *testing.T) {
	targets := []string{
		"/", "/hello", "/a/b/c", "/a?b=c", "/a?", "/?", "/a??", "/a?b?", "/a?b=c&d=e",
		"/a-b_c.d~e", "/$&+,;=:@", "/a!b", "/a*b", "/a(b)", "/a'b", "/a%20b", "/a%2Fb",
		"/a b", "/a\"b", "/a<b>", "/a{b}", "/a|b", "/a^b", "/a`b", "/a#b", "/a\\b",
		"/a?q=%zz", "/a?q=\x01", "/\x7f", "/caf\xc3\xa9", "//a/b", "///a",
		"*", "http://h/p", "h:80", "", "a/b",
	}
	for c := 0; c < 256; c++ {
		targets = append(targets, "/x"+string(rune(c))+"y", "/x?"+string([]byte{byte(c)}))
	}
	for _, target := range targets {
		var got url.URL
		ok := parseOriginForm(&got, target)
		want, err := url.ParseRequestURI(target)
		if !ok {
			if err == nil && target != "" && target[0] == '/' && want.RawPath == "" && !hasPercent(target) &&
				!hasNonPathByte(target) {
				t.Errorf("parseOriginForm(%q) declined a target net/url takes as is", target)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseOriginForm(%q) = %+v; net/url refuses it: %v", target, got, err)
			continue
		}
		if !reflect.DeepEqual(&got, want) {
			t.Errorf("parseOriginForm(%q) = %+v; want %+v", target, got, *want)
		}
	}
}

func hasPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			return true
		}
	}
	return false
}

func hasNonPathByte(s string) bool {
	for i := 0; i < len(s) && s[i] != '?'; i++ {
		if !pathByte[s[i]] {
			return true
		}
	}
	return false
}

// TestRequestReuseKeepsStrings checks that strings a handler keeps from
// one request are not changed by the connection's next request, whose
// Request, Header and URL reuse the first one's.
func TestRequestReuseKeepsStrings(t *testing.T) {
	type kept struct{ path, query, ua, host, method string }
	got := make(chan kept, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- kept{r.URL.Path, r.URL.RawQuery, r.Header.Get("User-Agent"), r.Host, r.Method}
		io.WriteString(w, "ok")
	})
	c := dial(t, startBridge(t, h, nil))
	io.WriteString(c, "GET /first?a=1 HTTP/1.1\r\nHost: one\r\nUser-Agent: first-agent\r\n\r\n"+
		"DELETE /second?b=2 HTTP/1.1\r\nHost: two\r\nUser-Agent: second-agent\r\n\r\n")
	br := bufio.NewReader(c)
	for i := 0; i < 2; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
	}
	first, second := <-got, <-got
	if want := (kept{"/first", "a=1", "first-agent", "one", "GET"}); first != want {
		t.Errorf("first request's strings = %+v after the second; want %+v", first, want)
	}
	if want := (kept{"/second", "b=2", "second-agent", "two", "DELETE"}); second != want {
		t.Errorf("second request = %+v; want %+v", second, want)
	}
}

// TestDerivedContextEndsWithRequest checks that a context derived from the
// request's (context.WithTimeout) is cancelled when ServeHTTP returns, and
// that deriving it starts no goroutine: the request context implements
// AfterFunc. The count is over the whole process, where other goroutines
// come and go (idle workers exiting), so it derives many contexts: without
// AfterFunc each would start one.
func TestDerivedContextEndsWithRequest(t *testing.T) {
	const contexts = 100
	derived := make(chan context.Context, 1)
	goroutines := make(chan int, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before := runtime.NumGoroutine()
		var ctx context.Context
		cancels := make([]context.CancelFunc, contexts) // not called: the request ends them
		for i := range cancels {
			ctx, cancels[i] = context.WithTimeout(r.Context(), time.Hour)
		}
		goroutines <- runtime.NumGoroutine() - before
		derived <- ctx
		io.WriteString(w, "ok")
	})
	c := dial(t, startBridge(t, h, nil))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	if n := <-goroutines; n >= contexts/2 {
		t.Errorf("deriving %d contexts started %d goroutines; want none", contexts, n)
	}
	ctx := <-derived
	select {
	case <-ctx.Done():
		if ctx.Err() != context.Canceled {
			t.Fatalf("derived context error = %v; want context.Canceled", ctx.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("derived context live after ServeHTTP returned")
	}
}

// TestPipelinedSlowAndFast sends pipelined requests whose handlers either
// finish at once (answered while the loop waits) or outlive syncWait (left
// to finish on their own), in every order, and checks each response.
func TestPipelinedSlowAndFast(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			time.Sleep(2 * syncWait)
		}
		io.WriteString(w, r.URL.RequestURI())
	})
	c := dial(t, startBridge(t, h, nil))
	var targets []string
	for i := 0; i < 40; i++ {
		target := "/" + strconv.Itoa(i)
		if i%3 == 0 || i%7 == 0 {
			target += "?slow=1"
		}
		targets = append(targets, target)
		io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: a\r\n\r\n")
	}
	br := bufio.NewReader(c)
	for _, target := range targets {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != target {
			t.Fatalf("response %q; want %q", b, target)
		}
	}
}
