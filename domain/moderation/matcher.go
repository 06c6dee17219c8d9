package moderation

import (
	"sort"

	"github.com/google/uuid"
)

// Hit is a rule whose phrase a text contains.
type Hit struct {
	RuleID uuid.UUID
	Phrase string
	Action Action
}

// Verdict is what an organisation's rules say of a text: Blocked with the Phrase of the first
// block rule it contains, and the flag rules it contains (each once), in the order found.
type Verdict struct {
	Blocked bool
	Phrase  string
	Flags   []Hit
}

// Err returns Blocked(Phrase) for a blocked verdict, nil otherwise.
func (v Verdict) Err() error {
	if v.Blocked {
		return Blocked(v.Phrase)
	}
	return nil
}

// Matcher finds every rule's normalized phrase in a normalized text in one pass, whatever the
// number of rules: an Aho-Corasick automaton over the bytes of the phrases. (UTF-8 is self-
// synchronising, so a byte match of valid UTF-8 phrases is always a match of whole
// characters.) A Matcher is immutable once compiled and safe for concurrent use.
type Matcher struct {
	rules []Hit
	nodes []node
}

// node is a state of the automaton: its edges sorted by byte, its failure link, the rules
// whose phrase ends here and the nearest state down the failure chain that ends a phrase.
type node struct {
	edges []edge
	fail  int32
	dict  int32 // -1: none
	out   []int32
}

type edge struct {
	b     byte
	child int32
}

func (n *node) next(b byte) int32 {
	i := sort.Search(len(n.edges), func(i int) bool { return n.edges[i].b >= b })
	if i < len(n.edges) && n.edges[i].b == b {
		return n.edges[i].child
	}
	return -1
}

// Compile builds the matcher of rules.
func Compile(rules []*Rule) *Matcher {
	m := &Matcher{nodes: []node{{dict: -1}}}
	for _, r := range rules {
		if r.normalized == "" {
			continue
		}
		idx := int32(len(m.rules))
		m.rules = append(m.rules, Hit{RuleID: r.id, Phrase: r.phrase, Action: r.action})
		s := int32(0)
		for i := 0; i < len(r.normalized); i++ {
			b := r.normalized[i]
			c := m.nodes[s].next(b)
			if c < 0 {
				c = int32(len(m.nodes))
				m.nodes = append(m.nodes, node{dict: -1})
				n := &m.nodes[s]
				j := sort.Search(len(n.edges), func(j int) bool { return n.edges[j].b >= b })
				n.edges = append(n.edges, edge{})
				copy(n.edges[j+1:], n.edges[j:])
				n.edges[j] = edge{b: b, child: c}
			}
			s = c
		}
		m.nodes[s].out = append(m.nodes[s].out, idx)
	}
	// Failure links, breadth first: a state's link is the longest proper suffix of its path
	// that is also a path from the root.
	queue := make([]int32, 0, len(m.nodes))
	for _, e := range m.nodes[0].edges {
		m.nodes[e.child].fail = 0
		queue = append(queue, e.child)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range m.nodes[s].edges {
			f := m.nodes[s].fail
			for f > 0 && m.nodes[f].next(e.b) < 0 {
				f = m.nodes[f].fail
			}
			if c := m.nodes[f].next(e.b); c >= 0 && c != e.child {
				f = c
			} else {
				f = 0
			}
			m.nodes[e.child].fail = f
			if len(m.nodes[f].out) > 0 {
				m.nodes[e.child].dict = f
			} else {
				m.nodes[e.child].dict = m.nodes[f].dict
			}
			queue = append(queue, e.child)
		}
	}
	return m
}

// Len returns how many rules the matcher holds.
func (m *Matcher) Len() int { return len(m.rules) }

// Check normalizes text and returns what the rules say of it.
func (m *Matcher) Check(text string) Verdict {
	var v Verdict
	if len(m.rules) == 0 {
		return v
	}
	t := Normalize(text)
	seen := make(map[int32]bool)
	report := func(s int32) {
		for ; s > 0; s = m.nodes[s].dict {
			for _, idx := range m.nodes[s].out {
				if seen[idx] {
					continue
				}
				seen[idx] = true
				h := m.rules[idx]
				switch {
				case h.Action == Block && !v.Blocked:
					v.Blocked, v.Phrase = true, h.Phrase
				case h.Action == Flag:
					v.Flags = append(v.Flags, h)
				}
			}
		}
	}
	s := int32(0)
	for i := 0; i < len(t); i++ {
		b := t[i]
		for s > 0 && m.nodes[s].next(b) < 0 {
			s = m.nodes[s].fail
		}
		if c := m.nodes[s].next(b); c >= 0 {
			s = c
		}
		if len(m.nodes[s].out) > 0 || m.nodes[s].dict >= 0 {
			report(s)
		}
	}
	return v
}
