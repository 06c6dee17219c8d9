package moderation_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/moderation"
)

func rule(t *testing.T, phrase, action string) *moderation.Rule {
	t.Helper()
	r, err := moderation.NewRule(uuid.New(), uuid.New(), phrase, action, time.Now())
	if err != nil {
		t.Fatalf("NewRule(%q, %q): %v", phrase, action, err)
	}
	return r
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"ＳＥＣＲＥＴ plan":      "secret plan",
		"  Ｔｅｓｔ\t\n  ME  ": "test me",
		"机\u200b密":         "机密",
		"Straße":           "strasse",
		"ﬁnance":           "finance",
		"全角　空格":            "全角 空格",
	}
	for in, want := range cases {
		if got := moderation.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRuleRefusesBadInput(t *testing.T) {
	cases := map[string][2]string{
		"empty":          {"", "block"},
		"spaces":         {"   ", "block"},
		"invisible only": {"\u200b\u200b", "flag"},
		"too long":       {strings.Repeat("长", 201), "block"},
		"control":        {"a\x00b", "block"},
		"unknown action": {"secret", "delete"},
		"no action":      {"secret", ""},
	}
	for name, c := range cases {
		if _, err := moderation.NewRule(uuid.New(), uuid.New(), c[0], c[1], time.Now()); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: NewRule(%q, %q) = %v, want Invalid", name, c[0], c[1], err)
		}
	}
	if r := rule(t, strings.Repeat("长", 200), "flag"); r.Phrase() != strings.Repeat("长", 200) {
		t.Error("a phrase of 200 characters was refused or changed")
	}
	if r := rule(t, "  Top  SECRET ", "block"); r.Phrase() != "Top  SECRET" || r.Normalized() != "top secret" {
		t.Errorf("phrase %q normalized %q", r.Phrase(), r.Normalized())
	}
}

func TestRuleUpdate(t *testing.T) {
	r := rule(t, "secret", "block")
	bad := "delete"
	if err := r.Update(moderation.RuleChange{Action: &bad}, time.Now()); !errs.Is(err, errs.Invalid) || r.Action() != moderation.Block {
		t.Fatalf("Update with a bad action: %v, action %s", err, r.Action())
	}
	p, a := "机密", "flag"
	if err := r.Update(moderation.RuleChange{Phrase: &p, Action: &a}, time.Now()); err != nil || r.Phrase() != "机密" || r.Action() != moderation.Flag {
		t.Fatalf("Update: %v, %q %s", err, r.Phrase(), r.Action())
	}
}

func TestCheck(t *testing.T) {
	secret, jimi := rule(t, "secret", "block"), rule(t, "机密", "block")
	salary, zhuan := rule(t, "Salary list", "flag"), rule(t, "转账", "flag")
	m := moderation.Compile([]*moderation.Rule{secret, jimi, salary, zhuan})
	cases := []struct {
		text    string
		blocked string
		flags   []string
	}{
		{"ＳＥＣＲＥＴ plan", "secret", nil},
		{"the Secret plan", "secret", nil},
		{"这是机密文件", "机密", nil},
		{"这是机\u200b密文件", "机密", nil},
		{"the salary   LIST for May", "", []string{"Salary list"}},
		{"ＳＡＬＡＲＹ ＬＩＳＴ，请转账", "", []string{"Salary list", "转账"}},
		{"转账 转账 转账", "", []string{"转账"}},
		{"nothing here, 一切正常", "", nil},
		{"secre t", "", nil},
		{"机 密", "", nil},
	}
	for _, c := range cases {
		v := m.Check(c.text)
		if v.Blocked != (c.blocked != "") || v.Phrase != c.blocked {
			t.Errorf("Check(%q) blocked %v %q, want %q", c.text, v.Blocked, v.Phrase, c.blocked)
		}
		var got []string
		for _, h := range v.Flags {
			got = append(got, h.Phrase)
		}
		if strings.Join(got, "|") != strings.Join(c.flags, "|") {
			t.Errorf("Check(%q) flags %v, want %v", c.text, got, c.flags)
		}
	}
	err := m.Check("ＳＥＣＲＥＴ plan").Err()
	var e *errs.Error
	if !errs.Is(err, errs.Unprocessable) || errs.CodeOf(err) != "content_blocked" || !strings.Contains(err.Error(), "“secret”") {
		t.Fatalf("Err = %v (%T %v)", err, err, e)
	}
	if moderation.Compile(nil).Check("anything").Blocked {
		t.Fatal("no rules blocked a text")
	}
}

// TestMatcherAgreesWithContains compares the automaton with a plain search, on overlapping
// phrases (he, she, hers, his) and random ones over a small alphabet where they nest a lot.
func TestMatcherAgreesWithContains(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "季", "度", " "}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 300 {
		var rules []*moderation.Rule
		seen := map[string]bool{}
		phrases := []string{"he", "she", "hers", "his"}
		if round > 0 {
			phrases = nil
			for range 1 + rng.IntN(8) {
				phrases = append(phrases, word(1+rng.IntN(4)))
			}
		}
		for _, p := range phrases {
			if r, err := moderation.NewRule(uuid.New(), uuid.New(), p, "flag", time.Now()); err == nil && !seen[r.Normalized()] {
				seen[r.Normalized()] = true
				rules = append(rules, r)
			}
		}
		m := moderation.Compile(rules)
		text := "ushers"
		if round > 0 {
			text = word(rng.IntN(30))
		}
		got := map[string]bool{}
		for _, h := range m.Check(text).Flags {
			got[h.Phrase] = true
		}
		for _, r := range rules {
			want := strings.Contains(moderation.Normalize(text), r.Normalized())
			if got[r.Phrase()] != want {
				t.Fatalf("text %q, phrase %q: found %v, want %v", text, r.Phrase(), got[r.Phrase()], want)
			}
		}
	}
}
