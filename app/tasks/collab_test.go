package tasks

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	if got := excerpt("  Look at\n\n**this**\tplease  "); got != "Look at **this** please" {
		t.Errorf("excerpt = %q", got)
	}
	long := strings.Repeat("任务", 100)
	got := excerpt(long)
	if utf8.RuneCountInString(got) != excerptRunes+1 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("long excerpt = %q", got)
	}
}
