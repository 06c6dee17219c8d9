// Package media reads what the files module needs to know of a file's bytes: its content type,
// sniffed from its first bytes (gabriel-vasile/mimetype), and a thumbnail of an image.
package media

import (
	"bytes"
	"image"
	"image/jpeg"

	// The decoders of the image types thumbnails are made of.
	_ "image/gif"
	_ "image/png"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Thumbnail limits: the longest side of a thumbnail, and the most pixels decoded (so a small
// file that claims a huge canvas is never decoded).
const (
	ThumbnailSide = 320
	maxPixels     = 50_000_000
)

// Media implements the files service's media port.
type Media struct{}

// Sniff returns the content type of a file from its first bytes; the client's claim is never
// asked.
func (Media) Sniff(head []byte) string { return mimetype.Detect(head).String() }

// Thumbnail decodes an image (JPEG, PNG, GIF, WebP) and returns a JPEG of it that fits
// ThumbnailSide, or false when it is not an image it can read or has too many pixels.
func (Media) Thumbnail(data []byte) ([]byte, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, false
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	w, h := cfg.Width, cfg.Height
	if w > ThumbnailSide || h > ThumbnailSide {
		if w >= h {
			w, h = ThumbnailSide, max(1, h*ThumbnailSide/w)
		} else {
			w, h = max(1, w*ThumbnailSide/h), ThumbnailSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}
