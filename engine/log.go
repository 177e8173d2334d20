package engine

import (
	"log"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// gnetLogger is the logger handed to gnet by the server and the client. gnet
// installs it as its process-wide default. Debug and info lines (such as
// "Launching gnet ..." on every start) are dropped; the engine reports what
// matters through return values. gnet's warnings and errors, which mean a
// loop or the poller is in trouble, go to the standard logger.
type gnetLogger struct{}

var _ logging.Logger = gnetLogger{}

func (gnetLogger) Debugf(string, ...any)        {}
func (gnetLogger) Infof(string, ...any)         {}
func (gnetLogger) Warnf(f string, args ...any)  { log.Printf("gnet: "+f, args...) }
func (gnetLogger) Errorf(f string, args ...any) { log.Printf("gnet: "+f, args...) }
func (gnetLogger) Fatalf(f string, args ...any) { log.Fatalf("gnet: "+f, args...) }

// logInterval is the default window of a logLimiter.
const logInterval = 10 * time.Second

// logLimiter keeps a kind of log line that a peer can provoke at will (a
// handler panic, an accept failure) from flooding the log: the first line
// is printed in full; the ones that follow within the window are counted,
// and the count is printed once the window ends, which opens a new window.
// A window that ends with nothing counted closes, and the next line is
// printed in full again. Safe from any goroutine.
type logLimiter struct {
	what  string        // what is counted, for the summary: "handler panics"
	every time.Duration // the window; 0 means logInterval

	mu      sync.Mutex
	open    bool // a window is running; guarded by mu
	dropped int  // lines counted in the running window; guarded by mu
}

// printf prints the line, or counts it if a window is open.
func (l *logLimiter) printf(format string, args ...any) {
	if l.allow() {
		log.Printf(format, args...)
	}
}

// allow reports whether a line should be printed now, counting it if not;
// for a line that is costly to build, such as a stack.
func (l *logLimiter) allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open {
		l.dropped++
		return false
	}
	l.open = true
	time.AfterFunc(l.window(), l.flush)
	return true
}

// flush ends a window.
func (l *logLimiter) flush() {
	l.mu.Lock()
	n := l.dropped
	l.dropped = 0
	l.open = n > 0
	l.mu.Unlock()
	if n > 0 {
		log.Printf("engine: %d more %s in the last %v (not logged one by one)", n, l.what, l.window())
		time.AfterFunc(l.window(), l.flush)
	}
}

func (l *logLimiter) window() time.Duration {
	if l.every > 0 {
		return l.every
	}
	return logInterval
}
