package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestScaleImageFitsTheSide(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 1000, 250))
	for x := 0; x < 1000; x++ {
		for y := 0; y < 250; y++ {
			src.Set(x, y, color.RGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	var in bytes.Buffer
	if err := png.Encode(&in, src); err != nil {
		t.Fatal(err)
	}
	out, ok := (Media{}).Thumbnail(in.Bytes())
	if !ok {
		t.Fatal("a PNG was not scaled")
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != ThumbnailSide || b.Dy() != 80 {
		t.Fatalf("thumbnail is %dx%d, want %dx80", b.Dx(), b.Dy(), ThumbnailSide)
	}
}

func TestScaleImageRefusesWhatItCannotRead(t *testing.T) {
	// Not an image, and a PNG header claiming a 100,000 x 100,000 canvas (a decompression bomb):
	// neither is decoded.
	bomb := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00\x00\x00\x00\x00")
	for _, data := range [][]byte{[]byte("plain text"), bomb} {
		if _, ok := (Media{}).Thumbnail(data); ok {
			t.Fatalf("scaled %q", data[:8])
		}
	}
	if got := (Media{}).Sniff([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")); got != "image/png" {
		t.Fatalf("sniffed %q", got)
	}
}
