package text_test

import (
	"testing"

	"canopy/domain/text"
)

func TestMatchKey(t *testing.T) {
	cases := map[string]string{
		"ＳＥＣＲＥＴ plan":       "secret plan",
		"Ｔｅｓｔ":              "test",
		" a \t\n b\u3000c ": "a b c",
		"机\u200b密\u00ad文件":  "机密文件",
		"ﬁle ß":             "file ss",
		"\u2F00\uF900":      "一豈",
		"这是机密文件":            "这是机密文件",
	}
	for in, want := range cases {
		if got := text.MatchKey(in); got != want {
			t.Errorf("MatchKey(%q) = %q, want %q", in, got, want)
		}
	}
}
