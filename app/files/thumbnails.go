package files

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"

	"canopy/domain/files"
)

// maxThumbnailInput is the largest image thumbnails are made of.
const maxThumbnailInput = 50 << 20

// Media reads what the module needs of a file's bytes.
type Media interface {
	// Sniff returns the content type of a file from its first SniffBytes bytes.
	Sniff(head []byte) string
	// Thumbnail returns a small JPEG of an image, or false when it cannot read it.
	Thumbnail(data []byte) ([]byte, bool)
}

// thumbnailable reports whether thumbnails are made of a content type: raster images the
// decoders above read. Video and other types show a type icon (no Debian tool is run here).
func thumbnailable(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// MakeThumbnails makes the thumbnails of up to limit pending versions (claimed so that
// replicas share the work) and returns how many it handled. A version it cannot make one of is
// marked as having none, so it is not tried again.
func (s *Service) MakeThumbnails(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		vs, err := s.store.ClaimThumbnails(ctx, limit)
		if err != nil {
			return err
		}
		for _, v := range vs {
			key := ""
			if thumbnailable(v.ContentType()) && v.Size() <= maxThumbnailInput {
				key = s.thumbnail(ctx, v)
			}
			if err := s.store.SetThumbnail(ctx, v.OrgID(), v.ID(), key); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// thumbnail makes and stores a version's thumbnail and returns its key, or "" when the image
// cannot be read.
func (s *Service) thumbnail(ctx context.Context, v *files.Version) string {
	obj, err := s.objects.OpenSeeker(ctx, v.ObjectKey().String(), v.ObjectVersion())
	if err != nil {
		slog.Warn("files: opening an image for its thumbnail failed", "version", v.ID(), "err", err)
		return ""
	}
	defer obj.Close()
	data, err := io.ReadAll(io.LimitReader(obj, maxThumbnailInput))
	if err != nil {
		return ""
	}
	out, ok := s.media.Thumbnail(data)
	if !ok {
		return ""
	}
	key := v.OrgID().String() + "/thumbnails/" + v.ID().String()
	if _, err := s.objects.Put(ctx, key, bytes.NewReader(out), int64(len(out)), "image/jpeg"); err != nil {
		slog.Warn("files: storing a thumbnail failed", "version", v.ID(), "err", err)
		return ""
	}
	return key
}
