// Package textsearch turns text into PostgreSQL full-text search values without relying on a
// text search configuration: Vector builds a tsvector literal and Query a tsquery literal, both
// cast in SQL (CAST(? AS tsvector), CAST(? AS tsquery)), which take the lexemes as they are.
//
// PostgreSQL's parsers split words at spaces and punctuation, which Chinese and Japanese do not
// write, so a sentence such as 我们下周一提交第三季度报告给财务部 would be one "word" and the
// phrase 季度报告 inside it could not be found. Here a run of Chinese, Japanese or Korean
// characters is indexed as an n-gram sequence instead: every character as a unigram and every
// pair of neighbours as a bigram, the bigram sharing the position of its first character. A
// phrase query becomes a chain of its bigrams joined by <-> (followed by), which matches exactly
// where the phrase's characters stand next to each other, with no dictionary or word
// segmentation; a one-character query is its unigram.
//
// Other words (Latin, Cyrillic, Greek, digits …) are split at everything that is not a letter,
// digit or combining mark, normalised with NFKC and case folded, so that full-width ＡＢＣ and
// abc, or Ｔｅｓｔ and TEST, are the same lexeme; in queries they are prefixes ('report':*
// finds "reports"). There is no stemming and no stop-word list: both depend on a language,
// and messages mix several.
//
// Limits, so that no text makes a value PostgreSQL refuses: a lexeme is at most MaxLexemeRunes
// runes (longer words are cut, the same way in text and query, so they still match), positions
// run to MaxPosition (text beyond is not indexed), a lexeme keeps at most 256 positions, the
// lexemes of one vector total at most 512 KiB, and a query reads at most MaxQueryRunes runes.
package textsearch

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits of the values built here. PostgreSQL allows positions up to 16383, lexemes up to 2047
// bytes, 256 positions per lexeme and 1 MiB of lexemes per tsvector.
const (
	// MaxPosition is the last position indexed; text after it is not searchable.
	MaxPosition = 16383
	// MaxLexemeRunes is the length words are cut to.
	MaxLexemeRunes = 64
	// MaxQueryRunes is how much of a query is read.
	MaxQueryRunes = 256
	// maxPositionsPerLexeme is PostgreSQL's MAXNUMPOS.
	maxPositionsPerLexeme = 256
	// maxLexemeBytes bounds the distinct lexemes of one vector, half of PostgreSQL's 1 MiB.
	maxLexemeBytes = 512 << 10
)

// kind tells a token of a word from one character of a CJK run.
type kind uint8

const (
	word kind = iota + 1
	cjk
)

// token is a word, or one character of a CJK run, with where it stands in the original text.
type token struct {
	kind  kind
	norm  string // normalised: NFKC, case folded, cut to MaxLexemeRunes
	start int    // rune offset of its first rune in the text
	end   int    // rune offset after its last rune
	run   int    // CJK tokens of the same run share it; neighbours in a run form bigrams
}

// isCJK reports the characters indexed as n-grams: Han, Hiragana, Katakana and Hangul, and the
// marks of those scripts that Unicode files under Common (々, 〆, the prolonged sound mark ー).
func isCJK(r rune) bool {
	switch r {
	case '々', '〆', '〇', 'ー', 'ｰ':
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isWord reports the characters other words are made of.
func isWord(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.M)
}

// normalizer applies NFKC and full case folding. A Caser keeps state, so each call of the
// package's functions takes its own, made when the first text that is not ASCII needs it.
type normalizer struct{ fold *cases.Caser }

func (n *normalizer) normalize(s string) string {
	if ascii(s) {
		// NFKC leaves ASCII as it is, and folding it is lower-casing.
		s = lowerASCII(s)
	} else {
		if n.fold == nil {
			c := cases.Fold()
			n.fold = &c
		}
		s = norm.NFKC.String(n.fold.String(norm.NFKC.String(s)))
	}
	if len(s) > MaxLexemeRunes && utf8.RuneCountInString(s) > MaxLexemeRunes {
		s = string([]rune(s)[:MaxLexemeRunes])
	}
	return s
}

// normalizeCJK is normalize for one CJK character: the common ones (unified ideographs, kana,
// Hangul syllables) are already NFKC and have no case.
func (n *normalizer) normalizeCJK(r rune) string {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0x3041 && r <= 0x3096,
		r >= 0x30A1 && r <= 0x30FA, r >= 0xAC00 && r <= 0xD7A3:
		return string(r)
	}
	return n.normalize(string(r))
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// tokenize splits text into words and CJK characters, calling emit for each until it returns
// false. It reads at most maxRunes runes when maxRunes > 0.
func tokenize(text string, maxRunes int, emit func(token) bool) {
	var (
		n       normalizer
		i       int // rune offset
		wStart  = -1
		wByte   int // byte offset of the word's start
		run     int
		inRun   bool
		stopped bool
	)
	flush := func(end int) {
		if wStart >= 0 && !stopped {
			if s := n.normalize(text[wByte:end]); s != "" {
				stopped = !emit(token{kind: word, norm: s, start: wStart, end: i})
			}
		}
		wStart = -1
	}
	end := len(text)
	for bi, r := range text {
		if stopped || (maxRunes > 0 && i >= maxRunes) {
			end = bi
			break
		}
		switch {
		case isCJK(r):
			flush(bi)
			if !inRun {
				run++
				inRun = true
			}
			if s := n.normalizeCJK(r); s != "" && !stopped {
				stopped = !emit(token{kind: cjk, norm: s, start: i, end: i + 1, run: run})
			}
		case isWord(r):
			inRun = false
			if wStart < 0 {
				wStart, wByte = i, bi
			}
		default:
			inRun = false
			flush(bi)
		}
		i++
	}
	flush(end)
}

// quote writes s as a quoted lexeme of a tsvector or tsquery literal: inside single quotes, a
// quote is doubled and a backslash escaped.
func quote(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

// Vector returns text as a tsvector literal, to be stored with CAST(? AS tsvector): its words
// with their positions, and for each CJK run its characters and the bigrams of neighbouring
// characters at the position of the first. Text without a searchable character gives "", the
// empty tsvector.
func Vector(text string) string {
	positions := map[string][]int{}
	lexemeBytes := 0
	add := func(lexeme string, pos int) bool {
		ps, seen := positions[lexeme]
		if !seen {
			if lexemeBytes+len(lexeme) > maxLexemeBytes {
				return false
			}
			lexemeBytes += len(lexeme)
		}
		if len(ps) < maxPositionsPerLexeme && (len(ps) == 0 || ps[len(ps)-1] != pos) {
			positions[lexeme] = append(ps, pos)
		}
		return true
	}
	pos := 0
	var prev token
	tokenize(text, 0, func(t token) bool {
		pos++
		if pos > MaxPosition {
			return false
		}
		if !add(t.norm, pos) {
			return false
		}
		// The bigram of the previous character and this one stands at the previous position.
		if t.kind == cjk && prev.kind == cjk && prev.run == t.run {
			if !add(prev.norm+t.norm, pos-1) {
				return false
			}
		}
		prev = t
		return true
	})
	lexemes := make([]string, 0, len(positions))
	for l := range positions {
		lexemes = append(lexemes, l)
	}
	sort.Strings(lexemes)
	var b strings.Builder
	for i, l := range lexemes {
		if i > 0 {
			b.WriteByte(' ')
		}
		quote(&b, l)
		for j, p := range positions[l] {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// term is one thing a query asks for: a word (a prefix) or a CJK run (its characters in order).
type term struct {
	kind  kind
	word  string
	chars []string
}

// terms reads the terms of q, without repeats, in the order they come.
func terms(q string) []term {
	var out []term
	var cur *term
	curRun := 0
	tokenize(q, MaxQueryRunes, func(t token) bool {
		if t.kind == word {
			out = append(out, term{kind: word, word: t.norm})
			cur = nil
			return true
		}
		if cur == nil || curRun != t.run {
			out = append(out, term{kind: cjk})
			cur = &out[len(out)-1]
			curRun = t.run
		}
		cur.chars = append(cur.chars, t.norm)
		return true
	})
	seen := map[string]bool{}
	uniq := out[:0]
	for _, t := range out {
		key := t.word
		if t.kind == cjk {
			key = "\x00" + strings.Join(t.chars, "")
		}
		if !seen[key] {
			seen[key] = true
			uniq = append(uniq, t)
		}
	}
	return uniq
}

// Query returns q as a tsquery literal, to be used with CAST(? AS tsquery), and false when q has
// nothing to search for (only spaces and punctuation). All its terms must match: each word as a
// prefix, each CJK run of two or more characters as the chain of its bigrams, each single CJK
// character as itself. Whatever q holds, quotes, backslashes and operators included, the
// literal is well formed.
func Query(q string) (string, bool) {
	ts := terms(q)
	if len(ts) == 0 {
		return "", false
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString(" & ")
		}
		switch {
		case t.kind == word:
			quote(&b, t.word)
			b.WriteString(":*")
		case len(t.chars) == 1:
			quote(&b, t.chars[0])
		case len(t.chars) == 2:
			quote(&b, t.chars[0]+t.chars[1])
		default:
			b.WriteByte('(')
			for j := 0; j+1 < len(t.chars); j++ {
				if j > 0 {
					b.WriteString(" <-> ")
				}
				quote(&b, t.chars[j]+t.chars[j+1])
			}
			b.WriteByte(')')
		}
	}
	return b.String(), true
}

// Highlight returns the ranges of text, as rune offsets [start, end) in increasing order and
// without overlaps, that match the terms of q: a whole word that starts with a query word, and
// each place where a query's CJK run stands in a CJK run of text. They are for marking the
// results of a search (<mark>).
func Highlight(text, q string) [][2]int {
	ts := terms(q)
	if len(ts) == 0 {
		return nil
	}
	var toks []token
	tokenize(text, 0, func(t token) bool {
		toks = append(toks, t)
		return true
	})
	var ranges [][2]int
	for i, t := range toks {
		for _, qt := range ts {
			switch {
			case qt.kind == word && t.kind == word:
				if strings.HasPrefix(t.norm, qt.word) {
					ranges = append(ranges, [2]int{t.start, t.end})
				}
			case qt.kind == cjk && t.kind == cjk:
				if end, ok := matchRun(toks, i, qt.chars); ok {
					ranges = append(ranges, [2]int{t.start, end})
				}
			}
		}
	}
	return merge(ranges)
}

// matchRun reports whether chars stand in toks from i on, inside one CJK run, and where the
// match ends.
func matchRun(toks []token, i int, chars []string) (int, bool) {
	if i+len(chars) > len(toks) {
		return 0, false
	}
	for j, c := range chars {
		t := toks[i+j]
		if t.kind != cjk || t.run != toks[i].run || t.norm != c {
			return 0, false
		}
	}
	return toks[i+len(chars)-1].end, true
}

// merge sorts ranges and joins those that overlap or touch.
func merge(ranges [][2]int) [][2]int {
	if len(ranges) == 0 {
		return nil
	}
	sort.Slice(ranges, func(i, j int) bool {
		if ranges[i][0] != ranges[j][0] {
			return ranges[i][0] < ranges[j][0]
		}
		return ranges[i][1] < ranges[j][1]
	})
	out := [][2]int{ranges[0]}
	for _, r := range ranges[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			if r[1] > last[1] {
				last[1] = r[1]
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
