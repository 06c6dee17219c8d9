package files

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// SniffBytes is how much of the start of a file the content type is sniffed from.
const SniffBytes = 3072

// StreamReservation is how long a streamed upload's reservation holds if its process dies
// before releasing it; the sweeper frees it after that.
const StreamReservation = 6 * time.Hour

// Target is where an upload goes: a space and, optionally, a folder in it, checked writable by
// the actor.
type Target struct {
	Space  *files.Space
	Folder *files.Folder // nil: the root of the space
}

// FolderID returns the target folder's id, or uuid.Nil for the root of the space.
func (t Target) FolderID() uuid.UUID {
	if t.Folder == nil {
		return uuid.Nil
	}
	return t.Folder.ID()
}

// ResolveTarget finds where an upload goes: id names a folder or a space of the actor's
// organisation; uuid.Nil means the actor's personal space, created on first use. The actor must
// be able to write there; a folder or space they cannot see is NotFound.
func (s *Service) ResolveTarget(ctx context.Context, a authz.Actor, id uuid.UUID) (Target, error) {
	if id == uuid.Nil {
		sp, err := s.personalSpace(ctx, a)
		if err != nil {
			return Target{}, err
		}
		return s.targetIn(ctx, a, sp, nil)
	}
	if sp, err := s.space(ctx, a, id); err == nil {
		return s.targetIn(ctx, a, sp, nil)
	} else if !errs.Is(err, errs.NotFound) {
		return Target{}, err
	}
	folder, pl, err := s.folderPlace(ctx, a, id)
	if err != nil {
		return Target{}, err
	}
	if err := pl.need(LevelWrite); err != nil {
		return Target{}, err
	}
	return Target{Space: pl.space, Folder: folder}, nil
}

// TargetIn resolves a space and an optional folder in it (uuid.Nil: the root) as an upload
// target; without either, the actor's personal space.
func (s *Service) TargetIn(ctx context.Context, a authz.Actor, spaceID, folderID uuid.UUID) (Target, error) {
	switch {
	case folderID != uuid.Nil:
		folder, pl, err := s.folderPlace(ctx, a, folderID)
		if err != nil {
			return Target{}, err
		}
		if spaceID != uuid.Nil && folder.SpaceID() != spaceID {
			return Target{}, errs.NotFoundf("folder")
		}
		if err := pl.need(LevelWrite); err != nil {
			return Target{}, err
		}
		return Target{Space: pl.space, Folder: folder}, nil
	case spaceID != uuid.Nil:
		sp, err := s.space(ctx, a, spaceID)
		if err != nil {
			return Target{}, err
		}
		return s.targetIn(ctx, a, sp, nil)
	}
	return s.ResolveTarget(ctx, a, uuid.Nil)
}

func (s *Service) targetIn(ctx context.Context, a authz.Actor, sp *files.Space, folder *files.Folder) (Target, error) {
	pl, err := s.where(ctx, a, sp, folder, uuid.Nil)
	if err != nil {
		return Target{}, err
	}
	if err := pl.need(LevelWrite); err != nil {
		return Target{}, err
	}
	return Target{Space: sp, Folder: folder}, nil
}

// CheckSize refuses a declared size the service does not accept, before any byte is read.
func (s *Service) CheckSize(size int64) error {
	switch {
	case size < 0:
		return errs.E(errs.Invalid, "length_required", "the upload's length must be declared")
	case size > s.maxUpload:
		return errs.E(errs.TooLarge, "too_large", "files may be at most "+strconv.FormatInt(s.maxUpload, 10)+" bytes")
	}
	return nil
}

// Reserve checks the declared length against the file size limit and the space's and the
// organisation's quotas, counting the uploads in progress, and records the upload as in
// progress, all under the usage rows' locks: two uploads that would together pass a quota
// cannot both be reserved. It stores nothing in the object store.
func (s *Service) Reserve(ctx context.Context, r Reservation) error {
	if err := s.CheckSize(r.Length); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		sp, err := s.spaces.Get(ctx, r.OrgID, r.SpaceID)
		if err != nil {
			return err
		}
		spaceUsed, orgUsed, err := s.store.LockUsage(ctx, r.OrgID, r.SpaceID)
		if err != nil {
			return err
		}
		if err := sp.CheckQuota(spaceUsed, r.Length); err != nil {
			return err
		}
		set, err := s.store.Settings(ctx, r.OrgID)
		if err != nil {
			return err
		}
		if err := files.CheckQuota("organisation", set.QuotaBytes, orgUsed, r.Length); err != nil {
			return err
		}
		return s.store.Reserve(ctx, r)
	})
}

// release ends a reservation on its own, after the upload failed; the sweeper frees it later
// if this fails too.
func (s *Service) release(orgID, id uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.store.Release(ctx, orgID, id); err != nil {
		slog.Warn("files: releasing an upload's reservation failed; the sweeper will", "upload", id, "err", err)
	}
}

// UploadInput is a streamed upload: the body is exactly Size bytes, or, with Size -1, at most
// MaxSize bytes (a multipart/form-data part, whose length only the request's bounds).
type UploadInput struct {
	SpaceID  uuid.UUID // uuid.Nil with FolderID uuid.Nil: the actor's personal space
	FolderID uuid.UUID
	Name     string
	Size     int64
	MaxSize  int64 // with Size -1: the most the body can be (reserved in the quota)
	Body     io.Reader
}

// Upload stores a file streamed in one request: it checks the target, the name, the size and
// the quotas before reading a byte, streams the body to the store in fixed parts (hashing it
// and sniffing its type on the way), and then commits the version's row. A file of that name
// in the folder gets a new version. If the store fails, nothing is committed; if the commit
// fails, the object is removed (or, failing that, by the sweeper).
func (s *Service) Upload(ctx context.Context, a authz.Actor, in UploadInput) (FileView, error) {
	t, err := s.TargetIn(ctx, a, in.SpaceID, in.FolderID)
	if err != nil {
		return FileView{}, err
	}
	name, err := files.ParseName(in.Name)
	if err != nil {
		return FileView{}, err
	}
	reserve := in.Size
	if in.Size < 0 {
		if in.MaxSize < 0 {
			return FileView{}, errs.E(errs.Invalid, "length_required", "the upload's length must be declared")
		}
		reserve = min(in.MaxSize, s.maxUpload)
	}
	res := Reservation{ID: uuid.New(), OrgID: a.OrgID, UserID: a.UserID, Kind: "stream", SpaceID: t.Space.ID(), FolderID: t.FolderID(),
		Filename: name, Length: reserve, ObjectKey: files.NewObjectKey(a.OrgID), CreatedAt: s.now(), ExpiresAt: s.now().Add(StreamReservation)}
	if err := s.Reserve(ctx, res); err != nil {
		return FileView{}, err
	}
	defer s.release(a.OrgID, res.ID)
	obj, err := s.write(ctx, a.OrgID, res.ObjectKey, in.Body, in.Size)
	if err != nil {
		return FileView{}, err
	}
	f, err := s.Commit(ctx, a, t, name, obj, res.ID)
	if err != nil {
		return FileView{}, err
	}
	return s.fileView(ctx, a.OrgID, f.ID())
}

// errShortBody marks a body that ended before its declared length; errLongBody one longer than
// the size limit.
var (
	errShortBody = errors.New("files: the body ended before its declared length")
	errLongBody  = errors.New("files: the body is longer than the size limit")
)

// countingReader passes r on, hashing and counting it. With a declared length (left >= 0) it
// passes exactly that many bytes and fails with errShortBody when r ends early; without one it
// fails with errLongBody past limit bytes.
type countingReader struct {
	r     io.Reader
	left  int64 // -1: not declared
	limit int64
	n     int64
	h     *asyncHash
}

func (e *countingReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	if e.left > 0 && int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.n += int64(n)
	e.h.Write(p[:n])
	if e.left > 0 {
		e.left -= int64(n)
		if err == io.EOF && e.left > 0 {
			return n, errShortBody
		}
		if err == io.EOF {
			err = nil
		}
	} else if e.n > e.limit {
		return n, errLongBody
	}
	return n, err
}

// write streams body under key (exactly size bytes, or up to the size limit when size is -1):
// recorded as pending first (so the sweeper removes it if its row never lands), its type
// sniffed from the first bytes, its SHA-256 taken on the way.
func (s *Service) write(ctx context.Context, orgID uuid.UUID, key files.ObjectKey, body io.Reader, size int64) (StoredObject, error) {
	if err := s.store.Pending(ctx, orgID, key, s.now()); err != nil {
		return StoredObject{}, err
	}
	in := &countingReader{r: body, left: size, limit: s.maxUpload, h: newAsyncHash()}
	defer in.h.stop()
	headSize := int64(SniffBytes)
	if size >= 0 {
		headSize = min(size, SniffBytes)
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(in, head)
	if err != nil && !(size < 0 && (err == io.EOF || err == io.ErrUnexpectedEOF)) {
		return StoredObject{}, bodyError(err)
	}
	head = head[:n]
	contentType := s.media.Sniff(head)
	version, err := s.objects.Put(ctx, string(key), io.MultiReader(bytes.NewReader(head), in), size, contentType)
	if err != nil {
		s.removeOrphan(key)
		return StoredObject{}, bodyError(err)
	}
	return StoredObject{Key: key, VersionID: version, Size: in.n, SHA256: hex.EncodeToString(in.h.Sum()), ContentType: contentType}, nil
}

// bodyError turns a body that ended early into Invalid; other errors pass through.
func bodyError(err error) error {
	switch {
	case errors.Is(err, errShortBody) || errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "incomplete_body", "the body ended before its declared length")
	case errors.Is(err, errLongBody):
		return errs.E(errs.TooLarge, "too_large", "the file is larger than the size limit")
	}
	return err
}

// removeOrphan removes an object whose row will not land; the sweeper retries what fails.
func (s *Service) removeOrphan(key files.ObjectKey) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.objects.RemoveOrphan(ctx, string(key)); err != nil {
		slog.Warn("files: removing an unfinished upload's object failed; the sweeper will", "key", key, "err", err)
	}
}

// Commit makes a stored object a version of the file called name in the target: a new file, or
// a new version of the live file of that name there. It ends the upload's reservation and
// counts the bytes as used in the same transaction, with the audit entry; then it applies the
// version's retention to its object in the store (re-applied by the sweeper if the store fails
// now). uploadID is the reservation to end (uuid.Nil for none).
func (s *Service) Commit(ctx context.Context, a authz.Actor, t Target, name string, obj StoredObject, uploadID uuid.UUID) (*files.File, error) {
	var (
		f *files.File
		v *files.Version
	)
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if uploadID != uuid.Nil {
			if err := s.store.Finish(ctx, a.OrgID, uploadID); err != nil {
				return access.AuditEntry{}, err
			}
		}
		if err := s.store.AddUsage(ctx, a.OrgID, t.Space.ID(), obj.Size); err != nil {
			return access.AuditEntry{}, err
		}
		minimums, err := s.minimums(ctx, t.Space)
		if err != nil {
			return access.AuditEntry{}, err
		}
		held, err := s.heldAt(ctx, t.Space, t.Folder)
		if err != nil {
			return access.AuditEntry{}, err
		}
		up := files.Upload{ObjectKey: obj.Key, ObjectVersion: obj.VersionID, Size: obj.Size, SHA256: obj.SHA256, ContentType: obj.ContentType,
			UploadedBy: a.UserID, UploadedAt: s.now()}
		existing, err := s.files.ByName(ctx, a.OrgID, t.Space.ID(), t.FolderID(), name)
		switch {
		case err == nil && !existing.Trashed():
			f = existing
			if v, err = f.AddVersion(up, minimums.org, minimums.path); err != nil {
				return access.AuditEntry{}, err
			}
			// A hold on the file itself covers the versions added to it later (holds.go).
			if !held {
				if held, err = s.store.FileHeld(ctx, a.OrgID, f.ID()); err != nil {
					return access.AuditEntry{}, err
				}
			}
			v.SetLegalHold(held)
			if err := s.files.AddVersion(ctx, f, v); err != nil {
				return access.AuditEntry{}, err
			}
		case err == nil || errs.Is(err, errs.NotFound):
			if f, err = files.NewFile(t.Space, t.Folder, name, a.UserID, s.now()); err != nil {
				return access.AuditEntry{}, err
			}
			if v, err = f.AddVersion(up, minimums.org, minimums.path); err != nil {
				return access.AuditEntry{}, err
			}
			v.SetLegalHold(held)
			if err := s.files.Create(ctx, f, v); err != nil {
				return access.AuditEntry{}, err
			}
		default:
			return access.AuditEntry{}, err
		}
		if err := s.store.Landed(ctx, obj.Key); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.upload", "file", f.ID().String(), nil, map[string]any{
			"name": f.Name(), "version": v.Number(), "size": v.Size(), "sha256": v.SHA256(), "space_id": f.SpaceID(),
			"available_until": v.AvailableUntil()}), nil
	})
	if err != nil {
		s.removeOrphan(obj.Key)
		return nil, err
	}
	s.lock(ctx, v)
	return f, nil
}

// lock applies a version's retention and hold to its object and records it; when the store
// fails, the sweeper re-applies it.
func (s *Service) lock(ctx context.Context, v *files.Version) {
	// A version whose date has passed (a 0-day minimum) needs no retention; a hold still applies.
	if !v.AvailableUntil().After(s.now()) {
		if v.LegalHold() {
			if err := s.objects.SetLegalHold(ctx, v.ObjectKey().String(), v.ObjectVersion(), true); err != nil {
				slog.Warn("files: holding a version's object failed", "version", v.ID(), "err", err)
			}
		}
		return
	}
	if err := s.objects.Lock(ctx, v.ObjectKey().String(), v.ObjectVersion(), v.AvailableUntil()); err != nil {
		slog.Warn("files: locking a version's object failed; the sweeper will", "version", v.ID(), "err", err)
		return
	}
	if v.LegalHold() {
		if err := s.objects.SetLegalHold(ctx, v.ObjectKey().String(), v.ObjectVersion(), true); err != nil {
			slog.Warn("files: holding a version's object failed", "version", v.ID(), "err", err)
		}
	}
	if err := s.store.MarkLocked(ctx, v.OrgID(), v.ID(), v.AvailableUntil()); err != nil {
		slog.Warn("files: recording a version's lock failed; the sweeper will", "version", v.ID(), "err", err)
	}
}

// minimumsOf are the retention minimums that apply to a space: the organisation's and those
// on its path (the space's own and, for a department's, its ancestors' spaces).
type minimumsOf struct {
	org  int
	path []int
}

func (s *Service) minimums(ctx context.Context, sp *files.Space) (minimumsOf, error) {
	set, err := s.store.Settings(ctx, sp.OrgID())
	if err != nil {
		return minimumsOf{}, err
	}
	m := minimumsOf{org: set.MinRetentionDays, path: []int{sp.MinRetentionDays()}}
	if sp.Kind() == files.KindDepartment {
		d, err := s.directory.Department(ctx, sp.OrgID(), sp.OwnerID())
		if err != nil && !errs.Is(err, errs.NotFound) {
			return minimumsOf{}, err
		}
		for _, seg := range folderPathIDs(d.Path) {
			if seg == sp.OwnerID() {
				continue
			}
			if up, err := s.spaces.ByOwner(ctx, sp.OrgID(), files.KindDepartment, seg); err == nil {
				m.path = append(m.path, up.MinRetentionDays())
			} else if !errs.Is(err, errs.NotFound) {
				return minimumsOf{}, err
			}
		}
	}
	return m, nil
}

// heldAt reports whether a new version in the folder of the space is under a legal hold: the
// space's or a folder's on its path.
func (s *Service) heldAt(ctx context.Context, sp *files.Space, folder *files.Folder) (bool, error) {
	set, err := s.store.SpaceSettings(ctx, sp.OrgID(), sp.ID())
	if err != nil || set.LegalHold || folder == nil {
		return set.LegalHold, err
	}
	return s.store.FolderHeld(ctx, sp.OrgID(), folder.Path())
}
