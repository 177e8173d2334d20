package headers_test

import (
	"fmt"

	"github.com/zerohttp/zerohttp/headers"
)

func ExampleTable_Get() {
	var t headers.Table
	t.AddString("Accept", "text/html")
	t.AddString("accept", "*/*")
	v, ok := t.Get("ACCEPT")
	fmt.Printf("%s %v\n", v, ok)
	for i := t.Next("accept", 0); i >= 0; i = t.Next("accept", i+1) {
		fmt.Printf("%s\n", t.Value(i))
	}
	// Output:
	// text/html true
	// text/html
	// */*
}

func ExampleAppendMerged() {
	var t headers.Table
	t.AddString("Host", "a.example")
	t.AddString("Host", "b.example")
	t.AddString("Cookie", "a=1")
	t.AddString("Cookie", "b=2")
	buf := make([]byte, 0, 64)
	buf, _ = headers.AppendMerged(buf, &t, "host")
	fmt.Printf("%s\n", buf)
	buf, _ = headers.AppendMerged(buf[:0], &t, "cookie")
	fmt.Printf("%s\n", buf)
	// Output:
	// a.example
	// a=1; b=2
}

func ExampleTable_Merge() {
	var t headers.Table
	t.AddString("X-Tag", "a")
	t.AddString("x-tag", "b")
	t.AddString("Set-Cookie", "s=1")
	t.AddString("Set-Cookie", "s=2")
	h := make(map[string]string)
	setCookie := t.Merge(h, nil, false)
	fmt.Println(h["x-tag"], setCookie)
	// Output:
	// a, b [s=1 s=2]
}

func ExampleTable_AppendTo() {
	var t headers.Table
	if err := headers.ValidateValue("text/plain\r\nX-Injected: 1"); err != nil {
		fmt.Println(err)
	}
	t.Set("Content-Type", "text/plain")
	t.Set("Content-Length", "5")
	fmt.Printf("%q\n", t.AppendTo(nil))
	// Output:
	// headers: invalid header value
	// "Content-Type: text/plain\r\nContent-Length: 5\r\n"
}
