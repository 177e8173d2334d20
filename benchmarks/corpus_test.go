package benchmarks

import "github.com/zerohttp/zerohttp/parse/corpus"

// The request heads live in parse/corpus, shared with the parser's tests.

// corpusCase is one benchmark input with what every parser must find in it.
type corpusCase struct {
	name    string
	req     string
	method  string
	target  string
	nfields int // field lines, Host included
}

var corpora = []corpusCase{
	{"short", corpus.Short, "GET", "/api/v1/users/42?fields=name", 2},
	{"browser", corpus.Browser, "GET", "/wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg", 9},
	{"many", corpus.Many, "GET", "/v2/catalog/search?q=wireless+headphones&sort=relevance&page=3&per_page=48", 40},
}
