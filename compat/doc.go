// Package compat presents the Node.js http module on top of the engine:
// CreateServer, Request, Get, Agent, ClientRequest, IncomingMessage,
// ServerResponse, Server, METHODS and STATUS_CODES, with Node's events,
// properties and event order. It is the only package that speaks Node.
//
// This file also anchors the import-graph test (imports_test.go), which
// enforces the one-way dependency order of the repository's packages.
package compat
