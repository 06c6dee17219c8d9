package texttest_test

import (
	"bytes"
	"testing"

	"canopy/domain/text/texttest"
)

// TestEncode: the fixtures are the bytes they claim to be, byte order marks included, so that a
// test of an importer cannot pass on plain UTF-8 by mistake.
func TestEncode(t *testing.T) {
	for enc, want := range map[string][]byte{
		texttest.UTF8BOM:      {0xEF, 0xBB, 0xBF, 'a', 0xE5, 0xBC, 0xA0},
		texttest.UTF16LE:      {0xFF, 0xFE, 'a', 0, 0x20, 0x5F},
		texttest.UTF16BE:      {0xFE, 0xFF, 0, 'a', 0x5F, 0x20},
		texttest.UTF16LENoBOM: {'a', 0, 0x20, 0x5F},
		texttest.GBK:          {'a', 0xD5, 0xC5},
		texttest.GB18030:      {'a', 0xD5, 0xC5},
	} {
		if got := texttest.Encode(t, enc, "a张"); !bytes.Equal(got, want) {
			t.Errorf("%s: % x, want % x", enc, got, want)
		}
	}
}
