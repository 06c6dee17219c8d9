package text

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"canopy/domain/errs"
)

// Encoding names an encoding Decode recognises.
type Encoding string

// The encodings of uploaded text files that Decode recognises. They are what spreadsheet
// programs write: "CSV UTF-8" (with a byte order mark), "Unicode text" (UTF-16 with one), plain
// UTF-8, and the ANSI code page of Chinese Windows, GBK, of which GB18030 is a superset.
const (
	UTF8    Encoding = "utf-8"
	UTF16LE Encoding = "utf-16le"
	UTF16BE Encoding = "utf-16be"
	GB18030 Encoding = "gb18030"
)

// CodeUnknownEncoding is a file whose bytes are not valid in any encoding Decode recognises.
const CodeUnknownEncoding = "unknown_encoding"

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Decode recognises the encoding of an uploaded text file and returns its text as UTF-8, without
// a byte order mark. A byte order mark decides (UTF-8, UTF-16 little or big endian); without
// one, valid UTF-8 is taken as it is, and anything else must be valid GB18030. Decoding is
// strict: a byte that is not valid in the encoding refuses the whole file, rather than turning
// into U+FFFD and importing as garbage. Text holding NUL is refused too: it is binary, or UTF-16
// without a byte order mark. The error is Invalid with the code CodeUnknownEncoding.
//
// Other legacy encodings (Big5, Shift JIS, Windows-1252) are not guessed at; some of their files
// are valid GB18030 by chance, so people are asked to save files as UTF-8.
func Decode(data []byte) ([]byte, Encoding, error) {
	var out []byte
	var enc Encoding
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		out, enc = data[len(bomUTF8):], UTF8
		if !utf8.Valid(out) {
			return nil, "", unknownEncoding("it starts with the UTF-8 byte order mark but is not valid UTF-8")
		}
	case bytes.HasPrefix(data, bomUTF16LE):
		out, enc = strict(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data[len(bomUTF16LE):]), UTF16LE
		if out == nil {
			return nil, "", unknownEncoding("it starts with the UTF-16 byte order mark but is not valid UTF-16")
		}
	case bytes.HasPrefix(data, bomUTF16BE):
		out, enc = strict(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), data[len(bomUTF16BE):]), UTF16BE
		if out == nil {
			return nil, "", unknownEncoding("it starts with the UTF-16 byte order mark but is not valid UTF-16")
		}
	case utf8.Valid(data):
		out, enc = data, UTF8
	default:
		out, enc = strict(simplifiedchinese.GB18030, data), GB18030
		if out == nil {
			return nil, "", unknownEncoding("it is neither UTF-8, UTF-16 with a byte order mark, nor GB18030/GBK")
		}
	}
	if bytes.IndexByte(out, 0) >= 0 {
		return nil, "", unknownEncoding("it holds NUL characters: it is not text, or it is UTF-16 without a byte order mark")
	}
	return out, enc, nil
}

// strict decodes data, or returns nil when data is not valid in enc. The decoders of x/text
// replace what they cannot read with U+FFFD; a file that does not come back byte for byte when
// its text is encoded again held such bytes. (Testing for U+FFFD in the output instead would
// refuse a file that spells that character properly.)
func strict(enc encoding.Encoding, data []byte) []byte {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil
	}
	back, err := enc.NewEncoder().Bytes(out)
	if err != nil || !bytes.Equal(back, data) {
		return nil
	}
	if out == nil {
		out = []byte{}
	}
	return out
}

func unknownEncoding(why string) *errs.Error {
	return errs.E(errs.Invalid, CodeUnknownEncoding, "the file cannot be read as text: "+why+"; save it as UTF-8")
}
