package compat

import (
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
)

// nodeJSON evaluates expr under node and decodes its JSON into v.
func nodeJSON(t *testing.T, expr string, v any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	out, err := exec.Command(node, "-p", "JSON.stringify("+expr+")").Output()
	if err != nil {
		t.Fatalf("node -p %s: %v", expr, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
}

func TestMETHODSMatchesNode(t *testing.T) {
	var want []string
	nodeJSON(t, "require('http').METHODS", &want)
	if !reflect.DeepEqual(METHODS, want) {
		t.Errorf("METHODS = %q;\nnode has %q", METHODS, want)
	}
}

func TestSTATUS_CODESMatchesNode(t *testing.T) {
	var raw map[string]string
	nodeJSON(t, "require('http').STATUS_CODES", &raw)
	want := make(map[int]string, len(raw))
	for k, v := range raw {
		n, err := strconv.Atoi(k)
		if err != nil {
			t.Fatal(err)
		}
		want[n] = v
	}
	if !reflect.DeepEqual(STATUS_CODES, want) {
		for code, text := range want {
			if STATUS_CODES[code] != text {
				t.Errorf("STATUS_CODES[%d] = %q; node has %q", code, STATUS_CODES[code], text)
			}
		}
		for code, text := range STATUS_CODES {
			if _, ok := want[code]; !ok {
				t.Errorf("STATUS_CODES[%d] = %q; node has none", code, text)
			}
		}
	}
}

func TestMaxHeaderSizeMatchesNode(t *testing.T) {
	var want int
	nodeJSON(t, "require('http').maxHeaderSize", &want)
	if MaxHeaderSize != want {
		t.Errorf("MaxHeaderSize = %d; node has %d", MaxHeaderSize, want)
	}
}

// TestValidateMatchesNode checks names and values, including every byte
// value, against node's validateHeaderName and validateHeaderValue.
func TestValidateMatchesNode(t *testing.T) {
	inputs := []string{"", "a", "X-Foo", "a b", "a:b", "a\tb", "é", "ok!#$%&'*+-.^_`|~", "x\r\ny"}
	for c := 0; c < 256; c++ {
		if c < 128 {
			inputs = append(inputs, "a"+string(rune(c))+"b")
		}
	}
	enc, _ := json.Marshal(inputs)
	var want [][2]bool
	nodeJSON(t, `(()=>{const h=require('http');const ok=f=>{try{f();return true}catch(e){return false}};return `+string(enc)+`.map(s=>[ok(()=>h.validateHeaderName(s)),ok(()=>h.validateHeaderValue('n',s))])})()`, &want)
	for i, s := range inputs {
		if got := ValidateHeaderName(s) == nil; got != want[i][0] {
			t.Errorf("ValidateHeaderName(%q) ok = %v; node says %v", s, got, want[i][0])
		}
		if got := ValidateHeaderValue(s) == nil; got != want[i][1] {
			t.Errorf("ValidateHeaderValue(%q) ok = %v; node says %v", s, got, want[i][1])
		}
	}
	if err := ValidateHeaderName("a b"); !errors.Is(err, ErrInvalidHTTPToken) {
		t.Errorf("ValidateHeaderName(%q) = %v; want ErrInvalidHTTPToken", "a b", err)
	}
	if err := ValidateHeaderValue("a\nb"); !errors.Is(err, ErrInvalidChar) {
		t.Errorf("ValidateHeaderValue(%q) = %v; want ErrInvalidChar", "a\\nb", err)
	}
}
