package pinyin_test

import (
	"testing"

	"canopy/infra/pinyin"
)

func TestKeys(t *testing.T) {
	cases := []struct{ name, full, initials string }{
		{"张伟", "zhangwei", "zw"},
		{"欧阳娜娜", "ouyangnana", "oynn"},
		{"Ada Lovelace", "adalovelace", "al"},
		{"李 Lee", "lilee", "ll"},
		{"研发部", "yanfabu", "yfb"},
		{"", "", ""},
	}
	for _, c := range cases {
		full, ini := pinyin.Keys(c.name)
		if full != c.full || ini != c.initials {
			t.Errorf("Keys(%q) = %q, %q; want %q, %q", c.name, full, ini, c.full, c.initials)
		}
	}
}
