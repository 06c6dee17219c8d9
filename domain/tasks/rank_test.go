package tasks_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"canopy/domain/tasks"
)

func TestBetweenIsStrictlyBetween(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"", ""}, {"", "V"}, {"V", ""}, {"V", "W"}, {"V", "V1"}, {"V", "V01"}, {"", "01"}, {"", "001"}, {"z", ""}, {"zz", ""},
		{"Vz", "W"}, {"1", "2"}, {"y", "z"}, {"0V", "1"}, {"A", "B0001"},
	} {
		got := tasks.Between(tc.a, tc.b)
		if !tasks.ValidRank(got) {
			t.Errorf("Between(%q, %q) = %q, not a rank key", tc.a, tc.b, got)
		}
		if got <= tc.a || (tc.b != "" && got >= tc.b) {
			t.Errorf("Between(%q, %q) = %q, not strictly between", tc.a, tc.b, got)
		}
	}
}

func TestBetweenOutOfOrderStillGoesAfterA(t *testing.T) {
	if got := tasks.Between("W", "V"); got <= "W" {
		t.Fatalf("Between(W, V) = %q", got)
	}
}

func TestValidRank(t *testing.T) {
	for s, want := range map[string]bool{"V": true, "0V": true, "aZ9": true, "": false, "V0": false, "V-": false, "é": false, "V~": false} {
		if got := tasks.ValidRank(s); got != want {
			t.Errorf("ValidRank(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestRandomInsertionsStayOrdered is a property test: whatever the sequence of insertions
// (at the start, the end, or between any two neighbours), the keys stay valid, distinct and in
// the order of the list they model.
func TestRandomInsertionsStayOrdered(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		var keys []string
		for range 300 {
			i := rng.IntN(len(keys) + 1)
			// Runs that insert mostly at one place grow keys fastest.
			if run%3 == 0 {
				i = 0
			} else if run%3 == 1 && len(keys) > 0 {
				i = len(keys) / 2
			}
			a, b := "", ""
			if i > 0 {
				a = keys[i-1]
			}
			if i < len(keys) {
				b = keys[i]
			}
			k := tasks.Between(a, b)
			if !tasks.ValidRank(k) || k <= a || (b != "" && k >= b) {
				t.Fatalf("run %d: Between(%q, %q) = %q", run, a, b, k)
			}
			keys = slices.Insert(keys, i, k)
		}
		if !slices.IsSorted(keys) {
			t.Fatalf("run %d: keys out of order", run)
		}
		for i := 1; i < len(keys); i++ {
			if keys[i] == keys[i-1] {
				t.Fatalf("run %d: key %q repeated", run, keys[i])
			}
		}
	}
}

func TestKeysGrowSlowly(t *testing.T) {
	k := ""
	first := "V"
	for range 300 {
		k = tasks.Between("", first)
		first = k
	}
	// Each insertion at the very top halves the room left there, so a key grows by about one
	// character per five or six of them: 300 stay within MaxRankLength.
	if len(k) > tasks.MaxRankLength {
		t.Fatalf("after 300 insertions at the top the key is %d characters", len(k))
	}
}

func TestSpread(t *testing.T) {
	for _, n := range []int{1, 2, 3, 61, 62, 63, 1000, 5000} {
		keys := tasks.Spread(n)
		if len(keys) != n {
			t.Fatalf("Spread(%d) gave %d keys", n, len(keys))
		}
		for i, k := range keys {
			if !tasks.ValidRank(k) {
				t.Fatalf("Spread(%d)[%d] = %q", n, i, k)
			}
			if i > 0 && k <= keys[i-1] {
				t.Fatalf("Spread(%d) out of order at %d: %q after %q", n, i, k, keys[i-1])
			}
			if len(k) > 4 {
				t.Fatalf("Spread(%d) made a long key %q", n, k)
			}
		}
		// There is room around and between them.
		if got := tasks.Between("", keys[0]); got >= keys[0] {
			t.Fatalf("no room before %q", keys[0])
		}
	}
}

func TestSpreadBetween(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		a := tasks.Between("", "")
		for range rng.IntN(20) {
			a = tasks.Between(a, "")
		}
		b := ""
		if rng.IntN(2) == 0 {
			b = tasks.Between(a, "")
		}
		n := 1 + rng.IntN(300)
		keys := tasks.SpreadBetween(a, b, n)
		if len(keys) != n {
			t.Fatalf("%d keys, want %d", len(keys), n)
		}
		prev := a
		for _, k := range keys {
			if !tasks.ValidRank(k) || k <= prev || (b != "" && k >= b) {
				t.Fatalf("SpreadBetween(%q, %q, %d): %q after %q", a, b, n, k, prev)
			}
			prev = k
		}
	}
	if keys := tasks.SpreadBetween("a", "b", 0); keys != nil {
		t.Fatalf("no keys: %v", keys)
	}
	if !strings.HasPrefix(tasks.SpreadBetween("V", "W", 1)[0], "V") {
		t.Fatal("a key between V and W starts with V")
	}
}
