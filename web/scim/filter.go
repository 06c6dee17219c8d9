package scim

// The SCIM 2.0 filter and PATCH path syntax of RFC 7644 section 3.4.2.2 and 3.5.2: a tokenizer
// and a recursive-descent parser that build a small syntax tree. What the attributes mean is
// decided apart from it (filtermap.go).

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MaxFilterLength and MaxDepth bound the work one filter can ask for.
const (
	MaxFilterLength = 4096
	MaxDepth        = 32
)

// Node is a parsed filter: a Logical, a Not or an AttrExpr.
type Node interface{ node() }

// Logical joins two filters with "and" or "or".
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Node
}

// Not negates a filter.
type Not struct{ X Node }

// AttrExpr tests one attribute: Op is a lower-case comparison ("eq", "co", … or "pr"), and Value
// is a string, a float64, a bool, or nil for null and for "pr".
type AttrExpr struct {
	Path  AttrPath
	Op    string
	Value any
}

func (Logical) node()  {}
func (Not) node()      {}
func (AttrExpr) node() {}

// AttrPath names an attribute: [URN ":"] name ["." sub]. Names keep the caller's spelling;
// compare them with strings.EqualFold, as attribute names are case-insensitive.
type AttrPath struct {
	URN  string // the schema URN, "" when not written
	Name string
	Sub  string // the sub-attribute, "" when none
}

// String writes the path back as SCIM spells it.
func (p AttrPath) String() string {
	s := p.Name
	if p.Sub != "" {
		s += "." + p.Sub
	}
	if p.URN != "" {
		s = p.URN + ":" + s
	}
	return s
}

// Error is a filter or path that cannot be read; Msg says what is wrong and where.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
)

type token struct {
	kind tokKind
	text string // a word as written, or a string's decoded value
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end"
	case tokString:
		return fmt.Sprintf("the string %q at %d", t.text, t.pos+1)
	}
	return fmt.Sprintf("%q at %d", t.text, t.pos+1)
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']':
			kind := map[byte]tokKind{'(': tokLParen, ')': tokRParen, '[': tokLBracket, ']': tokRBracket}[c]
			out = append(out, token{kind, string(c), i})
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, errorf("the string that starts at %d is not closed", i+1)
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, errorf("the string that starts at %d is not a valid JSON string", i+1)
			}
			out = append(out, token{tokString, v, i})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()[]\"", rune(s[j])) {
				j++
			}
			out = append(out, token{tokWord, s[i:j], i})
			i = j
		}
	}
	return append(out, token{kind: tokEOF, pos: len(s)}), nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

// ParseFilter reads a filter such as `userName eq "ada@example.com"` or
// `emails[type eq "work" and value co "@example.com"] or not (active eq false)`. Operators and
// the words and, or, not are case-insensitive; "and" binds tighter than "or".
func ParseFilter(s string) (Node, error) {
	if len(s) > MaxFilterLength {
		return nil, errorf("the filter is longer than %d characters", MaxFilterLength)
	}
	if strings.TrimSpace(s) == "" {
		return nil, errorf("the filter is empty")
	}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or("")
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf("unexpected %s", t.describe())
	}
	return n, nil
}

func (p *parser) or(prefix string) (Node, error) {
	left, err := p.and(prefix)
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		right, err := p.and(prefix)
		if err != nil {
			return nil, err
		}
		left = Logical{Op: "or", Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) and(prefix string) (Node, error) {
	left, err := p.unary(prefix)
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		right, err := p.unary(prefix)
		if err != nil {
			return nil, err
		}
		left = Logical{Op: "and", Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) unary(prefix string) (Node, error) {
	if p.depth++; p.depth > MaxDepth {
		return nil, errorf("the filter nests deeper than %d", MaxDepth)
	}
	defer func() { p.depth-- }()
	switch t := p.peek(); {
	case t.kind == tokWord && strings.EqualFold(t.text, "not"):
		p.next()
		if p.peek().kind != tokLParen {
			return nil, errorf(`"not" must be followed by a parenthesised filter, not %s`, p.peek().describe())
		}
		x, err := p.group(prefix)
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case t.kind == tokLParen:
		return p.group(prefix)
	case t.kind == tokWord:
		return p.attrExpr(prefix)
	default:
		return nil, errorf("expected an attribute, \"not\" or \"(\", found %s", t.describe())
	}
}

func (p *parser) group(prefix string) (Node, error) {
	p.next() // (
	x, err := p.or(prefix)
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != tokRParen {
		return nil, errorf(`expected ")", found %s`, t.describe())
	}
	return x, nil
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

func (p *parser) attrExpr(prefix string) (Node, error) {
	t := p.next()
	path, err := parsePath(t.text, t.pos)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		// Inside a value filter, "value" means "emails.value".
		if path.URN != "" || path.Sub != "" {
			return nil, errorf("inside [ ] name a sub-attribute of %s, not %q", prefix, t.text)
		}
		base, _ := parsePath(prefix, 0)
		path = AttrPath{URN: base.URN, Name: base.Name, Sub: path.Name}
	}
	if p.peek().kind == tokLBracket {
		if prefix != "" {
			return nil, errorf("value filters cannot nest (at %d)", p.peek().pos+1)
		}
		if path.Sub != "" {
			return nil, errorf("%q: a value filter goes on a multi-valued attribute, without a sub-attribute", t.text)
		}
		p.next()
		inner, err := p.or(path.String())
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tokRBracket {
			return nil, errorf(`expected "]", found %s`, t.describe())
		}
		return inner, nil
	}
	opTok := p.next()
	if opTok.kind != tokWord {
		return nil, errorf("expected an operator after %q, found %s", t.text, opTok.describe())
	}
	op := strings.ToLower(opTok.text)
	if op == "pr" {
		return AttrExpr{Path: path, Op: op}, nil
	}
	if !compareOps[op] {
		return nil, errorf("unknown operator %s; use eq, ne, co, sw, ew, gt, ge, lt, le or pr", opTok.describe())
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return AttrExpr{Path: path, Op: op, Value: v}, nil
}

func (p *parser) value() (any, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return t.text, nil
	case tokWord:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		var f float64
		if err := json.Unmarshal([]byte(t.text), &f); err == nil {
			return f, nil
		}
	}
	return nil, errorf("expected a value (a quoted string, a number, true, false or null), found %s", t.describe())
}

// parsePath reads [URN ":"] name ["." sub]. A URN is recognised by its "urn:" start; its last
// colon separates it from the attribute.
func parsePath(s string, pos int) (AttrPath, error) {
	var p AttrPath
	rest := s
	if len(s) > 4 && strings.EqualFold(s[:4], "urn:") {
		i := strings.LastIndexByte(s, ':')
		p.URN, rest = s[:i], s[i+1:]
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if !isAttrName(name) || (hasSub && !isAttrName(sub)) {
		return AttrPath{}, errorf("%q at %d is not an attribute name", s, pos+1)
	}
	p.Name, p.Sub = name, sub
	return p, nil
}

// isAttrName follows ATTRNAME of RFC 7644: ALPHA *(nameChar), with "$ref" allowed.
func isAttrName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// Path is a PATCH operation's target: an attribute, optionally narrowed by a value filter
// (`members[value eq "…"]`) and followed by a sub-attribute (`emails[type eq "work"].value`).
type Path struct {
	Attr AttrPath
	// Filter narrows a multi-valued attribute; its paths are written relative to the attribute
	// ("value", not "members.value"). nil when there is none.
	Filter Node
	// Sub is the sub-attribute after a value filter, "" when none.
	Sub string
}

// ParsePath reads a PATCH path (RFC 7644 section 3.5.2).
func ParsePath(s string) (Path, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Path{}, errorf("the path is empty")
	}
	if len(s) > MaxFilterLength {
		return Path{}, errorf("the path is longer than %d characters", MaxFilterLength)
	}
	open := strings.IndexByte(s, '[')
	if open < 0 {
		a, err := parsePath(s, 0)
		return Path{Attr: a}, err
	}
	a, err := parsePath(s[:open], 0)
	if err != nil {
		return Path{}, err
	}
	if a.Sub != "" {
		return Path{}, errorf("%q: a value filter goes on a multi-valued attribute, without a sub-attribute", s[:open])
	}
	end := strings.LastIndexByte(s, ']')
	if end < open {
		return Path{}, errorf(`the path %q has "[" without "]"`, s)
	}
	toks, err := tokenize(s[open+1 : end])
	if err != nil {
		return Path{}, err
	}
	p := &parser{toks: toks}
	f, err := p.or(a.Name)
	if err != nil {
		return Path{}, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return Path{}, errorf("unexpected %s in the value filter", t.describe())
	}
	out := Path{Attr: a, Filter: stripPrefix(f)}
	if rest := s[end+1:]; rest != "" {
		if rest[0] != '.' || !isAttrName(rest[1:]) {
			return Path{}, errorf("%q after the value filter is not a sub-attribute", rest)
		}
		out.Sub = rest[1:]
	}
	return out, nil
}

// stripPrefix writes a value filter's paths relative to its attribute again.
func stripPrefix(n Node) Node {
	switch x := n.(type) {
	case Logical:
		return Logical{Op: x.Op, Left: stripPrefix(x.Left), Right: stripPrefix(x.Right)}
	case Not:
		return Not{X: stripPrefix(x.X)}
	case AttrExpr:
		x.Path = AttrPath{Name: x.Path.Sub}
		return x
	}
	return n
}
