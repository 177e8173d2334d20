// Package compat presents the Node.js http module (as of Node v20) on top of
// the engine and agentpool: CreateServer, Request, Get, Agent, GlobalAgent,
// ClientRequest, IncomingMessage, ServerResponse, Server, METHODS,
// STATUS_CODES and MaxHeaderSize, with Node's events, properties and event
// order. It is the only package that speaks Node. README.md maps every Node
// name to its Go name and lists where compat differs from Node, and why.
//
// Listeners run on event loops, one at a time per request, and events Node
// emits on a later tick are emitted after the callback that caused them
// returns (see the notes in events.go). Every method is safe from any
// goroutine, so a listener may return and finish its response later.
//
// Views: a 'data' chunk is valid only during the listener's call; every
// other value compat hands out (URL, RawHeaders, Headers, ...) is a copy the
// caller may keep.
//
// This file also anchors the import-graph test (imports_test.go), which
// enforces the one-way dependency order of the repository's packages.
package compat
