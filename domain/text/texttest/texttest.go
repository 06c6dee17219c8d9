// Package texttest writes text in the encodings that text.Decode recognises, so that tests of
// code reading uploaded files (bulk imports) can build the bytes Excel writes without importing
// golang.org/x/text themselves, which only domain/text may.
package texttest

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// The encodings Encode writes.
const (
	UTF8BOM      = "utf-8-bom"       // Excel's "CSV UTF-8"
	UTF16LE      = "utf-16le"        // Excel's "Unicode text", with a byte order mark
	UTF16BE      = "utf-16be"        // with a byte order mark
	UTF16LENoBOM = "utf-16le-no-bom" // what text.Decode must refuse
	GBK          = "gbk"             // Excel's plain CSV on Chinese Windows
	GB18030      = "gb18030"
)

// Encode returns s written in enc, one of the constants above; it fails the test when s cannot
// be written in it.
func Encode(tb testing.TB, enc, s string) []byte {
	tb.Helper()
	var e encoding.Encoding
	switch enc {
	case UTF8BOM:
		e = unicode.UTF8BOM
	case UTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case UTF16BE:
		e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	case UTF16LENoBOM:
		e = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case GBK:
		e = simplifiedchinese.GBK
	case GB18030:
		e = simplifiedchinese.GB18030
	default:
		tb.Fatalf("texttest: unknown encoding %q", enc)
	}
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatalf("texttest: %q cannot be written in %s: %v", s, enc, err)
	}
	return b
}
