# zerohttp: build, test, benchmark and fuzz.
GO        ?= go
FUZZTIME  ?= 10m
# FUZZSHORT is the per-target budget of the fuzz pass inside `make test`: an
# execution count, which Go's fuzz coordinator cannot race (see .ci/fuzz-all).
FUZZSHORT ?= 20000x
PKGS      := ./...

.PHONY: test vet unit race purego invariants fuzz-short fuzz bench bench-parse bench-server bench-client bench-smoke instructions pgo soak

# unit runs the allocation tests, which the race detector would skew (they are !race).
test: vet unit race purego invariants fuzz-short bench-smoke

# vet also builds and vets the library for macOS and FreeBSD, the development
# platforms (Linux is the production target; see engine/platform_other.go).
vet:
	$(GO) vet $(PKGS)
	GOARCH=386 $(GO) vet ./headers/ ./parse/
	for os in darwin freebsd; do GOOS=$$os $(GO) build $(PKGS) && GOOS=$$os $(GO) vet $(PKGS) || exit 1; done
	cd benchmarks && $(GO) vet ./...

unit:
	$(GO) test -count=1 $(PKGS)

race:
	$(GO) test -race -count=1 $(PKGS)

# invariants checks callers' buffer contracts: parse panics if a resumed
# parse's input changed, and the engine scribbles over read bytes it is done with.
invariants:
	$(GO) test -tags invariants -count=1 ./parse/ ./engine/ ./fuzz/ ./agentpool/

purego:
	$(GO) test -tags purego -count=1 ./parse/ ./headers/ ./fuzz/

# fuzz-short runs every fuzz target for $(FUZZSHORT); fuzz runs each for $(FUZZTIME),
# the root module's with -tags invariants (the engine then checks its
# per-connection memory bounds under FuzzEngineConn's inputs).
fuzz-short:
	@FUZZTIME=$(FUZZSHORT) GO=$(GO) bash .ci/fuzz-all

fuzz:
	@FUZZTIME=$(FUZZTIME) GO=$(GO) bash .ci/fuzz-all

# bench-smoke runs each benchmark once so a broken benchmark fails the tests.
bench-smoke:
	cd benchmarks && $(GO) test -count=1 -run 'Test' -bench . -benchtime 1x ./...

# bench runs the parser and server comparisons and prints markdown tables.
# Raw output and tables are kept in $(BENCHOUT).
BENCHOUT ?= /tmp/zerohttp-bench
bench: bench-parse bench-server bench-client

bench-parse:
	@mkdir -p $(BENCHOUT)
	cd benchmarks && $(GO) test -run '^$$' -bench 'BenchmarkParse' -benchmem -count 5 . > $(BENCHOUT)/parse.txt; \
		rc=$$?; cat $(BENCHOUT)/parse.txt; exit $$rc
	cd benchmarks && $(GO) run ./cmd/table -svg $(BENCHOUT)/parse.svg < $(BENCHOUT)/parse.txt > $(BENCHOUT)/parse.md
	@cat $(BENCHOUT)/parse.md

# bench-server runs each server pinned to CPU 0 and the load generator to CPU 1
# (SERVERBENCH="-server-cpus 0-3 -load-cpus 4-7" for others),
# with every round's figures also in server.json and server.csv and a plot in
# server.svg. Your own
# servers join the built-in ones with SERVERBENCH, for example
#   make bench-server SERVERBENCH="-target mine=127.0.0.1:3000 -impls zerohttp,fasthttp"
SERVERBENCH ?=
bench-server:
	@mkdir -p $(BENCHOUT)
	cd benchmarks && $(GO) run ./cmd/serverbench -json $(BENCHOUT)/server.json -csv $(BENCHOUT)/server.csv -svg $(BENCHOUT)/server.svg $(SERVERBENCH) > $(BENCHOUT)/server.md; \
		rc=$$?; cat $(BENCHOUT)/server.md; exit $$rc

# bench-client runs each client pinned to CPU 1 against a fixed server on CPU 0,
# with every round's figures also in client.json and client.csv and a plot
# (throughput and latency) in client.svg. Point the
# clients at your own server with CLIENTBENCH, for example
#   make bench-client CLIENTBENCH="-target mine=127.0.0.1:3000 -path /api -expect-status 200"
CLIENTBENCH ?=
bench-client:
	@mkdir -p $(BENCHOUT)
	cd benchmarks && $(GO) run ./cmd/clientbench -duration 3s -json $(BENCHOUT)/client.json -csv $(BENCHOUT)/client.csv -svg $(BENCHOUT)/client.svg $(CLIENTBENCH) > $(BENCHOUT)/client.md; \
		rc=$$?; cat $(BENCHOUT)/client.md; exit $$rc

# soak points hostile clients (slowloris, pipelined responses small and
# 1 MiB left unread 30 s at a time, half-closes, resets mid-body and after
# 64 KiB of an 8 MiB response, oversized heads, malformed requests,
# $(SOAKIDLE) idle connections) at each server for $(SOAKTIME), the issue's
# 10 minutes by default, prints their memory and descriptors side by side,
# and fails if the engine stops serving, leaves a well-formed request
# unanswered, keeps a descriptor or goroutine, or its RSS is not back within
# 2x of its start 30 s after. Add nethttp,fasthttp to SOAKIMPLS for the
# side-by-side. Loopback only; bounded. `make test` runs a short in-process
# version (benchmarks/cmd/hostile).
SOAKTIME  ?= 10m
SOAKIMPLS ?= zerohttp,compat
SOAKIDLE  ?= 10000
soak:
	cd benchmarks && $(GO) run ./cmd/hostile -impls $(SOAKIMPLS) -duration $(SOAKTIME) -idle $(SOAKIDLE) -check zerohttp

# instructions counts the engine's instructions per request with valgrind
# (needs valgrind): a measure of the hot path that a noisy machine cannot move.
instructions:
	@GO=$(GO) bash .ci/instructions

# pgo regenerates the profile-guided optimisation profiles of cmd/server and
# cmd/clientbench from runs of every Go implementation (needs wrk; ~1 minute).
pgo:
	GO=$(GO) bash .ci/pgo
