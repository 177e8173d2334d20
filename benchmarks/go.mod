module github.com/zerohttp/zerohttp/benchmarks

go 1.26

require (
	github.com/valyala/fasthttp v1.74.0
	github.com/zerohttp/zerohttp v0.0.0
)

require (
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/zerohttp/zerohttp => ../
