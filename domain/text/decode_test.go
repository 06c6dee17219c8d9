package text_test

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"canopy/domain/errs"
	"canopy/domain/text"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const s = "external_id,display_name\nE1,张伟\nE2,Zoë ﬁ 🌲\n"
	const han = "external_id,display_name\nE1,张伟\nE2,欧阳娜娜\n"
	cases := []struct {
		name string
		in   []byte
		want string
		enc  text.Encoding
	}{
		{"UTF-8", []byte(s), s, text.UTF8},
		{"UTF-8 with a BOM", append([]byte{0xEF, 0xBB, 0xBF}, s...), s, text.UTF8},
		{"UTF-16LE with a BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), s), s, text.UTF16LE},
		{"UTF-16BE with a BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), s), s, text.UTF16BE},
		{"GBK", encode(t, simplifiedchinese.GBK, han), han, text.GB18030},
		{"GB18030", encode(t, simplifiedchinese.GB18030, s), s, text.GB18030},
		{"empty", nil, "", text.UTF8},
	}
	for _, c := range cases {
		got, enc, err := text.Decode(c.in)
		if err != nil || string(got) != c.want || enc != c.enc {
			t.Errorf("%s: %q %s %v; want %q %s", c.name, got, enc, err, c.want, c.enc)
		}
	}
	if gbk := encode(t, simplifiedchinese.GBK, han); bytes.Equal(gbk, []byte(han)) {
		t.Fatal("the GBK fixture is plain UTF-8")
	}
}

func TestDecodeRefusesWhatItCannotRead(t *testing.T) {
	cases := map[string][]byte{
		// 0xFF never appears in GB18030 or UTF-8, and 0x80 is not a GB18030 lead byte.
		"garbage":                      {0x41, 0xFF, 0x80, 0x42, 0xFF},
		"a GBK lead byte at the end":   append([]byte("name\n"), 0xD5),
		"a bad GBK trail byte":         {0xD5, 0x2C, 0x0A},
		"UTF-8 BOM, then not UTF-8":    {0xEF, 0xBB, 0xBF, 'a', 0xFF},
		"UTF-16LE of odd length":       {0xFF, 0xFE, 'a', 0, 'b'},
		"UTF-16LE lone high surrogate": {0xFF, 0xFE, 0x3D, 0xD8, 'a', 0},
		"UTF-16BE lone low surrogate":  {0xFE, 0xFF, 0xDC, 0x00},
		"UTF-16 without a BOM":         {'a', 0, 'b', 0, '\n', 0},
		"NUL in UTF-8":                 []byte("a,b\x00\n"),
	}
	for name, in := range cases {
		out, _, err := text.Decode(in)
		if !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != text.CodeUnknownEncoding || out != nil {
			t.Errorf("%s: %q, %v; want %s", name, out, err, text.CodeUnknownEncoding)
		}
	}
}

// TestDecodeKeepsAnEncodedReplacementCharacter: a file that spells U+FFFD properly is not mistaken
// for one that failed to decode.
func TestDecodeKeepsAnEncodedReplacementCharacter(t *testing.T) {
	in := encode(t, simplifiedchinese.GB18030, "张\ufffd伟")
	got, enc, err := text.Decode(in)
	if err != nil || string(got) != "张\ufffd伟" || enc != text.GB18030 {
		t.Fatalf("%q %s %v", got, enc, err)
	}
}
