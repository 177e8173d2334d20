package engine

import (
	"log"

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
