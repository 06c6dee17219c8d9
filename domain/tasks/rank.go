package tasks

import (
	"math/big"
	"strings"
)

// Ranks order the sections of a list and the tasks of a section (or the subtasks of a task)
// without renumbering their neighbours: each is a base-62 fraction written as its digits after
// the point ("0"-"9", "A"-"Z", "a"-"z", in ASCII order, so that PostgreSQL's "C" collation and Go's
// string comparison agree), and a key between two others always exists. A key never ends in
// "0", so that there is always room below it too.
const rankDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const rankBase = len(rankDigits)

// MaxRankLength is the length past which a section's keys are respaced (Spread), in the
// transaction of the move that made the long key. Keys grow by about one character for each
// six insertions at the same place, so it happens rarely.
const MaxRankLength = 64

// digitOf returns the value of a rank digit, or -1.
func digitOf(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// ValidRank reports whether s is a rank key: base-62 digits, not ending in "0".
func ValidRank(s string) bool {
	if s == "" || s[len(s)-1] == '0' || len(s) > 4*MaxRankLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if digitOf(s[i]) < 0 {
			return false
		}
	}
	return true
}

// Between returns a key strictly between a and b, where a == "" means before everything and
// b == "" means after everything. a must sort before b when both are given (the caller reads
// them as neighbours in order); both must be ValidRank keys or "".
func Between(a, b string) string {
	if b != "" && a >= b {
		// Not neighbours in order: never return a key out of order, go past a instead.
		b = ""
	}
	return midpoint(a, b)
}

// midpoint is Between on keys in order.
func midpoint(a, b string) string {
	// The common prefix stays; a's missing digits count as zeros.
	n := 0
	for n < len(b) && n < len(a) && a[n] == b[n] {
		n++
	}
	if n > 0 {
		return b[:n] + midpoint(a[n:], b[n:])
	}
	if b != "" && a == "" && b[0] == '0' {
		// b starts with zeros below an open lower end: keep them.
		return "0" + midpoint("", b[1:])
	}
	da := digitAt(a, 0)
	db := rankBase
	if b != "" {
		db = digitOf(b[0])
	}
	if db-da > 1 {
		return string(rankDigits[(da+db)/2])
	}
	// Adjacent digits.
	if len(b) > 1 {
		return b[:1]
	}
	rest := ""
	if len(a) > 1 {
		rest = a[1:]
	}
	return string(rankDigits[da]) + midpoint(rest, "")
}

// digitAt returns the value of s's digit i, zero past its end.
func digitAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	return digitOf(s[i])
}

// Spread returns n keys evenly spaced over the whole range, in order: what a section's keys
// are rewritten to when one grows too long.
func Spread(n int) []string { return SpreadBetween("", "", n) }

// SpreadBetween returns n keys evenly spaced strictly between a and b ("" open ends), in
// order, all of about the same short length: for placing many tasks at once (a section's tasks
// moved into another) without the keys growing one by one.
func SpreadBetween(a, b string, n int) []string {
	if n <= 0 {
		return nil
	}
	if b != "" && a >= b {
		b = ""
	}
	// Digits enough that the gap holds n+1 steps: the longer end's length, plus those for n.
	width := max(len(a), len(b)) + 1
	for p := 1; p <= n+1; p *= rankBase {
		width++
	}
	lo := fixed(a, width)
	hi := new(big.Int).Exp(big.NewInt(int64(rankBase)), big.NewInt(int64(width)), nil)
	if b != "" {
		hi = fixed(b, width)
	}
	step := new(big.Int).Sub(hi, lo)
	step.Div(step, big.NewInt(int64(n+1)))
	out := make([]string, n)
	v := new(big.Int).Set(lo)
	for i := range out {
		v.Add(v, step)
		out[i] = digits(v, width)
	}
	return out
}

// fixed reads a key as an integer of width base-62 digits (zeros appended).
func fixed(s string, width int) *big.Int {
	v, base := new(big.Int), big.NewInt(int64(rankBase))
	for i := range width {
		v.Mul(v, base)
		v.Add(v, big.NewInt(int64(digitAt(s, i))))
	}
	return v
}

// digits writes v as width base-62 digits, less its trailing zeros.
func digits(v *big.Int, width int) string {
	buf := make([]byte, width)
	x, base, d := new(big.Int).Set(v), big.NewInt(int64(rankBase)), new(big.Int)
	for i := width - 1; i >= 0; i-- {
		x.DivMod(x, base, d)
		buf[i] = rankDigits[d.Int64()]
	}
	return strings.TrimRight(string(buf), "0")
}
