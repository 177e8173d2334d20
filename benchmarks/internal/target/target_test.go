package target

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestLoopback(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"127.0.0.1:80", "127.0.0.1:80"},
		{"127.1.2.3:8080", "127.1.2.3:8080"},
		{"[::1]:80", "[::1]:80"},
		{"[::ffff:127.0.0.1]:80", "127.0.0.1:80"},
		{"10.0.0.1:80", ""},
		{"0.0.0.0:80", ""},
		{"[::]:80", ""},
		{"[fe80::1%lo]:80", ""},
		{"example.com:80", ""},
		{"127.0.0.1", ""},
		{"127.0.0.1:0", ""},
		{"127.0.0.1:http", ""},
	} {
		got, err := Loopback(tt.in)
		if tt.want == "" && err == nil {
			t.Errorf("Loopback(%q) = %q; want an error", tt.in, got)
		}
		if tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("Loopback(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// localhost resolves to a loopback IP, whichever this machine lists first.
	got, err := Loopback("localhost:8080")
	if err != nil || (got != "127.0.0.1:8080" && got != "[::1]:8080") {
		t.Errorf("Loopback(localhost:8080) = %q, %v; want 127.0.0.1:8080 or [::1]:8080", got, err)
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Target
		bad  bool
	}{
		{in: "mine=127.0.0.1:3000", want: Target{Name: "mine", Addr: "127.0.0.1:3000"}},
		{in: "mine=localhost:3000", want: Target{Name: "mine", Addr: "127.0.0.1:3000"}},
		{in: "v6=[::1]:3000", want: Target{Name: "v6", Addr: "[::1]:3000"}},
		{in: "node=node server.js --port {port}", want: Target{Name: "node", Cmd: "node server.js --port {port}"}},
		{in: "go=./srv -addr {addr} -loops {cores}", want: Target{Name: "go", Cmd: "./srv -addr {addr} -loops {cores}"}},
		{in: "far=10.1.1.1:80", bad: true},
		{in: "nowhere=./srv --listen 8080", bad: true}, // a command that is not told where to listen
		{in: "=127.0.0.1:80", bad: true},
		{in: "noequals", bad: true},
		{in: "a b=127.0.0.1:80", bad: true},
	} {
		got, err := Parse(tt.in)
		if tt.bad != (err != nil) || (!tt.bad && got != tt.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestCommandPlaceholders(t *testing.T) {
	tg := Target{Name: "x", Cmd: "srv -a {addr} -h {host} -p {port} -n {cores}"}
	cmd := tg.Command("127.0.0.1:4000", 3)
	want := []string{"/bin/sh", "-c", "srv -a 127.0.0.1:4000 -h 127.0.0.1 -p 4000 -n 3"}
	if !slices.Equal(cmd.Args, want) {
		t.Errorf("Command args = %q; want %q", cmd.Args, want)
	}
	if !slices.Contains(cmd.Env, "GOMAXPROCS=3") {
		t.Error("Command does not set GOMAXPROCS to {cores}")
	}
	if !cmd.SysProcAttr.Setpgid {
		t.Error("Command does not start its own process group")
	}
}

func TestRequestBytes(t *testing.T) {
	r := Default()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	r.Flags(fs)
	err := fs.Parse([]string{"-method", "POST", "-path", "/api?q=1", "-header", "Content-Type: application/json",
		"-header", "X-Trace:  7 ", "-body", `{"a":1}`, "-expect-status", "201", "-expect-body", ""})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	want := "POST /api?q=1 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nContent-Type: application/json\r\nX-Trace: 7\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
	if got := string(r.Bytes("127.0.0.1:80")); got != want {
		t.Errorf("Bytes = %q; want %q", got, want)
	}
	if r.Status != 201 || !r.CheckBody || r.ExpectBody != "" {
		t.Errorf("expectation = %d, %v, %q; want 201, checked empty body", r.Status, r.CheckBody, r.ExpectBody)
	}
	// Args gives another command the same request.
	var r2 Request
	fs2 := flag.NewFlagSet("y", flag.ContinueOnError)
	r2.Flags(fs2)
	if err := fs2.Parse(r.Args()); err != nil {
		t.Fatal(err)
	}
	if string(r2.Bytes("h")) != string(r.Bytes("h")) || r2.Status != r.Status || r2.CheckBody != r.CheckBody {
		t.Errorf("Args round trip: %q, %+v; want %q, %+v", r2.Bytes("h"), r2, r.Bytes("h"), r)
	}
	// A Host given by the user replaces the default one.
	r3 := Request{Method: "GET", Path: "/", Header: []string{"host: example"}, Status: 200}
	if got := string(r3.Bytes("127.0.0.1:80")); strings.Count(strings.ToLower(got), "host:") != 1 {
		t.Errorf("Bytes with a Host header = %q; want one Host", got)
	}
}

func TestRequestCheck(t *testing.T) {
	for _, r := range []Request{
		{Method: "GE T", Path: "/", Status: 200},
		{Method: "GET", Path: "x", Status: 200},
		{Method: "GET", Path: "/a b", Status: 200},
		{Method: "GET", Path: "/", Status: 42},
	} {
		if err := r.Check(); err == nil {
			t.Errorf("Check(%+v) = nil; want an error", r)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var r Request
	r.Flags(fs)
	if err := fs.Parse([]string{"-header", "Bad Name: x"}); err == nil {
		t.Error("-header accepted a name with a space")
	}
}
