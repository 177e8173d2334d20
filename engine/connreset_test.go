package engine

import (
	"reflect"
	"testing"
)

// TestConnResetClearsFlags dirties every flag of a conn, as a connection
// closed mid-request leaves them in the pool, and checks that reset clears
// them. A pooled conn that kept readPaused never paused its next socket:
// the engine believed it already was, so gnet read a half-closed peer's FIN
// and dropped the responses owed.
func TestConnResetClearsFlags(t *testing.T) {
	s := NewServer(benchHello, &Options{})
	l := newLoop(s, nil)
	c := new(conn)
	v := reflect.ValueOf(c).Elem()
	var flags []string
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Bool {
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetBool(true)
			flags = append(flags, v.Type().Field(i).Name)
		}
	}
	if len(flags) < 10 {
		t.Fatalf("found only %d flags: %v", len(flags), flags)
	}
	c.reset(s, l, &fakeConn{})
	for _, name := range flags {
		want := name == "fresh" // a new connection has read no request
		if got := v.FieldByName(name).Bool(); got != want {
			t.Errorf("after reset, %s = %v; want %v", name, got, want)
		}
	}
}
