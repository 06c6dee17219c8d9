package objectstore

import (
	"context"

	"github.com/minio/minio-go/v7"

	"canopy/domain/errs"
)

// RemoveVersions removes many object versions with the S3 multi-object delete (DeleteObjects, up
// to 1,000 a request), for the sweeper, which purges thousands at a time: one request instead of
// one per version. Like Remove it never sends the governance bypass, so the store refuses each
// version that is still retained or held. It returns one error per version, in order: nil where
// the version is gone (or already was), errs.Conflict where the store kept it, errs.Unavailable
// when the store cannot be reached.
func (s *Store) RemoveVersions(ctx context.Context, keys, versionIDs []string) []error {
	out := make([]error, len(keys))
	reported := make([]bool, len(keys))
	at := make(map[[2]string]int, len(keys))
	for i := range keys {
		at[[2]string{keys[i], versionIDs[i]}] = i
	}
	objects := make(chan minio.ObjectInfo)
	go func() {
		defer close(objects)
		for i := range keys {
			select {
			case objects <- minio.ObjectInfo{Key: keys[i], VersionID: versionIDs[i]}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for res := range s.client.RemoveObjectsWithResult(ctx, s.cfg.FileBucket, objects, minio.RemoveObjectsOptions{}) {
		i, ok := at[[2]string{res.ObjectName, res.ObjectVersionID}]
		if !ok {
			continue
		}
		reported[i] = true
		switch code := minio.ToErrorResponse(res.Err).Code; {
		case res.Err == nil, code == "NoSuchKey", code == "NoSuchVersion":
		default:
			if t := translate(res.Err, "remove objects"); errs.Is(t, errs.Unavailable) {
				out[i] = t
			} else {
				out[i] = errs.Wrap(errs.Conflict, "removal_refused", "the store kept the object", res.Err)
			}
		}
	}
	// minio-go reports nothing for a version that was already gone (and a store might not echo
	// version ids): those are removed one by one, which says which it was.
	for i := range keys {
		if !reported[i] {
			out[i] = s.Remove(ctx, keys[i], versionIDs[i])
		}
	}
	return out
}
