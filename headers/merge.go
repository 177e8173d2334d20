package headers

// Rule is how Node.js folds repeated fields of one name into
// message.headers (lib/_http_incoming.js, _addHeaderLine).
type Rule uint8

// The rules. Node keeps empty values: "a:" then "a: b" merge to ", b", and an
// empty first value wins under RuleFirst.
const (
	RuleJoin   Rule = iota // values joined with ", "; the rule for names Node does not list
	RuleFirst              // the first value wins and later ones are dropped
	RuleCookie             // values joined with "; " (cookie)
	RuleList               // values kept as a list (set-cookie)
)

// rules holds the rule of each id. The RuleFirst names are the ones Node's
// documentation of message.headers lists as "duplicates are discarded";
// TestMergeMatchesNode checks every one against a running node.
var rules = [numIDs]Rule{
	Age:                RuleFirst,
	Authorization:      RuleFirst,
	ContentLength:      RuleFirst,
	ContentType:        RuleFirst,
	ETag:               RuleFirst,
	Expires:            RuleFirst,
	From:               RuleFirst,
	Host:               RuleFirst,
	IfModifiedSince:    RuleFirst,
	IfUnmodifiedSince:  RuleFirst,
	LastModified:       RuleFirst,
	Location:           RuleFirst,
	MaxForwards:        RuleFirst,
	ProxyAuthorization: RuleFirst,
	Referer:            RuleFirst,
	RetryAfter:         RuleFirst,
	Server:             RuleFirst,
	UserAgent:          RuleFirst,
	Cookie:             RuleCookie,
	SetCookie:          RuleList,
}

// RuleOf returns the rule for the name with id; Unknown names join.
func RuleOf(id ID) Rule {
	if id >= numIDs {
		return RuleJoin
	}
	return rules[id]
}

// separator returns what goes between two values joined under r.
func (r Rule) separator() string {
	if r == RuleCookie {
		return "; "
	}
	return ", "
}

// AppendMerged appends to dst the value Node's message.headers would hold
// for name, compared case-insensitively, and reports whether t has the name.
// It does not allocate when dst has room. Set-cookie, which Node keeps as a
// list because its values may contain commas, is joined with ", " here;
// iterate it with Next or Each to keep the values apart.
func AppendMerged(dst []byte, t *Table, name string) ([]byte, bool) {
	m := matchName(name)
	r := rules[m.id]
	found := false
	for i := t.next(m, 0); i >= 0; i = t.next(m, i+1) {
		if found {
			if r == RuleFirst {
				break
			}
			dst = append(dst, r.separator()...)
		}
		dst = append(dst, t.Value(i)...)
		found = true
	}
	return dst, found
}

// Merge builds Node's message.headers from t: it stores each name, lower-cased,
// in dst with its merged value (see Rule), and appends the set-cookie values
// to setCookie and returns it. dst should be empty; existing entries count as
// earlier fields. It allocates the strings it stores.
//
// joinDuplicates is Node's joinDuplicateHeaders option: RuleFirst names join
// with ", " too.
//
// A field named __proto__ is skipped: in Node, assigning it to the headers
// object sets the object's prototype, so it never appears as a header.
func (t *Table) Merge(dst map[string]string, setCookie []string, joinDuplicates bool) []string {
	var buf [64]byte // lower-cases most unknown names without a heap buffer
	for i := range t.fields {
		f := &t.fields[i]
		r := rules[f.ID]
		if r == RuleList {
			setCookie = append(setCookie, string(t.Value(i)))
			continue
		}
		if r == RuleFirst && joinDuplicates {
			r = RuleJoin
		}
		key := t.lowerName(i, buf[:0])
		if key == "__proto__" {
			continue
		}
		old, ok := dst[key]
		switch {
		case !ok:
			dst[key] = string(t.Value(i))
		case r != RuleFirst:
			dst[key] = old + r.separator() + string(t.Value(i))
		}
	}
	return setCookie
}

// Distinct builds Node's message.headersDistinct from t: it appends every
// value to dst under its name, lower-cased, in arrival order, with no
// merging. Unlike Merge it keeps __proto__, as Node's null-prototype object
// does. It allocates the strings and slices it stores.
func (t *Table) Distinct(dst map[string][]string) {
	var buf [64]byte
	for i := range t.fields {
		key := t.lowerName(i, buf[:0])
		dst[key] = append(dst[key], string(t.Value(i)))
	}
}

// lowerName returns field i's name lower-cased, using buf when it is big
// enough. A well-known name costs nothing: its canonical string is interned.
func (t *Table) lowerName(i int, buf []byte) string {
	if id := t.fields[i].ID; id != Unknown {
		return canonical[id]
	}
	return string(appendLower(buf, t.Name(i)))
}

// appendLower appends b to dst with ASCII letters lower-cased.
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, toLower(c))
	}
	return dst
}
