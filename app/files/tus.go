package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// Resumable uploads with the tus 1.0 protocol, written on the store's S3 multipart calls (see
// docs/decisions/0007-tus-on-minio-multipart.md). An upload is a reservation row (kind "tus")
// from its creation to its last byte: the row holds the offset, the S3 multipart upload and its
// parts, the SHA-256 state so far and the first bytes of the file, so that any replica can take
// the next PATCH. Each PATCH streams its body straight into parts of the store's part size; the
// bytes it ends with that do not fill a part (a client sending small chunks) wait as versions of
// a temporary object, "<key>.tail", and go first into the next part, so that every part but the
// last has the full size S3 asks for. A part the body breaks off in is dropped: the offset stays
// at the end of what was stored, and the client resumes from there.

// UploadExpiry is how long a tus upload lives after its creation or its last stored bytes; then
// it answers 404 and the sweeper aborts its parts and ends its reservation.
const UploadExpiry = 24 * time.Hour

// MaxUploadMetadata is the most bytes of Upload-Metadata an upload keeps (HEAD echoes them).
const MaxUploadMetadata = 4096

// The codes of the errors that are particular to tus uploads.
const (
	// CodeOffsetMismatch is a PATCH whose Upload-Offset is not the upload's offset.
	CodeOffsetMismatch = "offset_mismatch"
	// CodeUploadBusy is a PATCH or DELETE while another request is writing to the upload.
	CodeUploadBusy = "upload_busy"
	// CodeLengthExceeded is a PATCH that would take the upload past its declared length.
	CodeLengthExceeded = "length_exceeded"
	// CodeUploadGone is an upload whose stored parts the store no longer has.
	CodeUploadGone = "upload_gone"
)

const (
	// tusLease is how long a PATCH or a termination holds an upload without showing progress.
	// A request that stops receiving bytes, or a replica that dies mid-PATCH, lets the upload go
	// after it, so the client's retry can write.
	tusLease = 90 * time.Second
	// tusRenew is how often a PATCH that is receiving bytes extends its lease.
	tusRenew = 20 * time.Second
	// staleMultipartLimit is how many unfinished multipart uploads one sweep looks at.
	staleMultipartLimit = 1000
)

// TusDeps are the adapters of resumable uploads.
type TusDeps struct {
	Uploads   TusStore
	Multipart Multipart
}

// TusStore keeps the state of tus uploads in their reservation rows (the uploads table).
type TusStore interface {
	// Get returns the user's tus upload, expired or not. It returns NotFound for another
	// user's, another organisation's, a streamed upload's or a missing id alike.
	Get(ctx context.Context, orgID, userID, id uuid.UUID) (TusUpload, error)
	// SetMetadata records the Upload-Metadata of a new upload.
	SetMetadata(ctx context.Context, orgID, id uuid.UUID, metadata string) error
	// Claim takes the lease on the user's upload for one request, if the upload has not expired
	// at c.Now, no live lease is held, and (when c.Offset is not negative) it is at c.Offset.
	// ok is false, with no error, when any of that fails.
	Claim(ctx context.Context, c TusClaim) (u TusUpload, ok bool, err error)
	// Save records an upload's progress and moves its lease to until. It returns Conflict
	// (CodeUploadBusy) when the lease is no longer held (or the row is gone).
	Save(ctx context.Context, u TusUpload, lease uuid.UUID, until time.Time) error
	// Extend moves the lease to until; Conflict (CodeUploadBusy) when it is no longer held.
	Extend(ctx context.Context, orgID, id, lease uuid.UUID, until time.Time) error
	// Unlock gives the lease up, if it is still held.
	Unlock(ctx context.Context, orgID, id, lease uuid.UUID) error
	// ClaimExpired takes the lease on up to limit tus uploads of any organisation that expired
	// before now and hold no live lease, for the sweeper.
	ClaimExpired(ctx context.Context, now time.Time, lease uuid.UUID, until time.Time, limit int) ([]TusUpload, error)
	// Owned returns which of the object keys an upload in progress, tus or streamed, has.
	Owned(ctx context.Context, keys []string) (map[string]bool, error)
}

// TusClaim asks for the lease on an upload.
type TusClaim struct {
	OrgID, UserID, ID uuid.UUID
	Offset            int64 // negative: at any offset
	Lease             uuid.UUID
	Now, Until        time.Time
}

// Multipart is the store's S3 multipart API, and the temporary objects that hold the bytes of an
// upload between PATCHes. Every method returns errs.Unavailable when the store cannot be reached.
type Multipart interface {
	// PartSize is the size of every part but the last.
	PartSize() int64
	// NewMultipartUpload starts a multipart upload of the object key and returns its id.
	NewMultipartUpload(ctx context.Context, key, contentType string) (string, error)
	// PutObjectPart streams exactly size bytes of r as part number and returns its ETag; a part
	// whose reader fails is not kept. NotFound (CodeUploadGone) when the upload is gone.
	PutObjectPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (string, error)
	// CompleteMultipartUpload joins the parts (etags[i] is part i+1's) into the object and
	// returns its version id and its size as stored. NotFound (CodeUploadGone) when the upload
	// is gone.
	CompleteMultipartUpload(ctx context.Context, key, uploadID string, etags []string) (versionID string, size int64, err error)
	// AbortMultipartUpload drops the upload and its parts; one already gone is no error.
	AbortMultipartUpload(ctx context.Context, key, uploadID string) error
	// StaleMultipartUploads returns up to limit unfinished multipart uploads started before
	// before, as their ids by object key.
	StaleMultipartUploads(ctx context.Context, before time.Time, limit int) (map[string][]string, error)
	// PutTemporary streams exactly size bytes of r into a new version of a temporary object.
	PutTemporary(ctx context.Context, key string, r io.Reader, size int64) (versionID string, err error)
	// OpenTemporary reads one version of a temporary object.
	OpenTemporary(ctx context.Context, key, versionID string) (io.ReadCloser, error)
	// RemoveTemporary removes every version of a temporary object.
	RemoveTemporary(ctx context.Context, key string) error
}

// TusUpload is a tus upload in progress, as its row holds it.
type TusUpload struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	UserID    uuid.UUID
	SpaceID   uuid.UUID
	FolderID  uuid.UUID // uuid.Nil: the root of the space
	Filename  string
	Length    int64
	Offset    int64 // bytes stored: the parts' and the tail's
	ObjectKey files.ObjectKey
	// MultipartID is the S3 multipart upload the parts go into; "" until the first part.
	MultipartID string
	Parts       []TusPart
	// Tail holds the bytes after the last part, as versions of the temporary object TailKey, in
	// order; they go first into the next part.
	Tail []TusTail
	// HashState is the SHA-256 state after Offset bytes (crypto/sha256's MarshalBinary).
	HashState []byte
	// Head is the first min(Offset, SniffBytes) bytes, from which the content type is sniffed.
	Head      []byte
	Metadata  string
	ExpiresAt time.Time
}

// TusPart is a part stored in the S3 multipart upload.
type TusPart struct {
	Number int
	ETag   string
	Size   int64
}

// TusTail is a version of the upload's temporary object.
type TusTail struct {
	VersionID string
	Size      int64
}

// TailKey is the temporary object that holds the bytes after the last part: the upload's own
// key with a suffix, so it stays in the organisation's prefix and is never a version's key.
func (u TusUpload) TailKey() string { return u.ObjectKey.String() + ".tail" }

func (u TusUpload) partBytes() int64 {
	var n int64
	for _, p := range u.Parts {
		n += p.Size
	}
	return n
}

func (u TusUpload) state() UploadState {
	return UploadState{ID: u.ID, Offset: u.Offset, Length: u.Length, ExpiresAt: u.ExpiresAt, Metadata: u.Metadata}
}

// TusCreate is a new tus upload.
type TusCreate struct {
	Length   int64
	Filename string
	// Folder is a folder or a space of the actor's organisation; uuid.Nil their personal space.
	Folder uuid.UUID
	// Metadata is the Upload-Metadata as sent, kept for HEAD.
	Metadata string
}

// UploadState is where a tus upload stands.
type UploadState struct {
	ID        uuid.UUID
	Offset    int64
	Length    int64
	ExpiresAt time.Time
	Metadata  string
	// FileID is the file the upload became, once it is complete; uuid.Nil before.
	FileID uuid.UUID
}

// Complete reports whether every byte is stored and the file made.
func (st UploadState) Complete() bool { return st.FileID != uuid.Nil }

func (s *Service) tusReady() error {
	if s.tus.Uploads == nil || s.tus.Multipart == nil {
		return errs.Internalf("files: resumable uploads are not wired")
	}
	return nil
}

// CreateUpload starts a tus upload of in.Length bytes called in.Filename into in.Folder. Before
// any byte is sent it checks the name, that the actor may write there (a folder or space they
// cannot see is NotFound), the size limit and the space's and the organisation's quotas (with
// the uploads in progress), and reserves the length. An empty file is complete at once, since
// tus clients send no PATCH for it: its state then carries the file's id.
func (s *Service) CreateUpload(ctx context.Context, a authz.Actor, in TusCreate) (UploadState, error) {
	if err := s.tusReady(); err != nil {
		return UploadState{}, err
	}
	if len(in.Metadata) > MaxUploadMetadata {
		return UploadState{}, errs.E(errs.Invalid, "metadata_too_long", fmt.Sprintf("Upload-Metadata: at most %d bytes", MaxUploadMetadata))
	}
	if in.Filename == "" {
		return UploadState{}, errs.E(errs.Invalid, "filename_required", "Upload-Metadata: filename is required")
	}
	name, err := files.ParseName(in.Filename)
	if err != nil {
		return UploadState{}, err
	}
	if err := s.CheckSize(in.Length); err != nil {
		return UploadState{}, err
	}
	t, err := s.ResolveTarget(ctx, a, in.Folder)
	if err != nil {
		return UploadState{}, err
	}
	now := s.now()
	r := Reservation{ID: uuid.New(), OrgID: a.OrgID, UserID: a.UserID, Kind: "tus", SpaceID: t.Space.ID(), FolderID: t.FolderID(),
		Filename: name, Length: in.Length, ObjectKey: files.NewObjectKey(a.OrgID), ExpiresAt: now.Add(UploadExpiry), CreatedAt: now}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.Reserve(ctx, r); err != nil {
			return err
		}
		return s.tus.Uploads.SetMetadata(ctx, a.OrgID, r.ID, in.Metadata)
	})
	if err != nil {
		return UploadState{}, err
	}
	st := UploadState{ID: r.ID, Length: in.Length, ExpiresAt: r.ExpiresAt, Metadata: in.Metadata}
	if in.Length > 0 {
		return st, nil
	}
	obj, err := s.write(ctx, a.OrgID, r.ObjectKey, bytes.NewReader(nil), 0)
	if err != nil {
		s.release(a.OrgID, r.ID)
		return UploadState{}, err
	}
	f, err := s.Commit(ctx, a, t, name, obj, r.ID)
	if err != nil {
		s.release(a.OrgID, r.ID)
		return UploadState{}, err
	}
	st.FileID = f.ID()
	return st, nil
}

// UploadState returns where the actor's upload stands. Another user's, another organisation's,
// an expired or a finished upload is NotFound.
func (s *Service) UploadState(ctx context.Context, a authz.Actor, id uuid.UUID) (UploadState, error) {
	if err := s.tusReady(); err != nil {
		return UploadState{}, err
	}
	u, err := s.tus.Uploads.Get(ctx, a.OrgID, a.UserID, id)
	if err != nil {
		return UploadState{}, err
	}
	if !u.ExpiresAt.After(s.now()) {
		return UploadState{}, errs.NotFoundf("upload")
	}
	return u.state(), nil
}

// AppendUpload stores the n bytes of body at offset of the actor's upload: the upload must be
// at offset (Conflict CodeOffsetMismatch otherwise) and not being written by another request
// (Conflict CodeUploadBusy). The body streams straight into the store, never held in memory. If
// it breaks off, what was stored stays (whole parts, and whole earlier chunks) and the upload's
// offset says where to resume; the error is then Invalid incomplete_body. The PATCH that brings
// the last byte completes the upload: the store joins the parts, the size and the SHA-256 are
// checked and recorded, and the file (or a new version of it) is made; the state then carries
// its id.
func (s *Service) AppendUpload(ctx context.Context, a authz.Actor, id uuid.UUID, offset int64, body io.Reader, n int64) (UploadState, error) {
	if err := s.tusReady(); err != nil {
		return UploadState{}, err
	}
	if offset < 0 {
		return UploadState{}, errs.E(errs.Invalid, "invalid_offset", "Upload-Offset must be a number of bytes")
	}
	if n < 0 {
		return UploadState{}, errs.E(errs.Invalid, "length_required", "a PATCH needs a Content-Length")
	}
	u, lease, err := s.claimUpload(ctx, a, id, offset)
	if err != nil {
		return UploadState{}, err
	}
	defer s.unlockUpload(u, lease)
	if n > u.Length-u.Offset {
		return UploadState{}, errs.E(errs.TooLarge, CodeLengthExceeded,
			fmt.Sprintf("the upload has %d bytes left to send; this PATCH has %d", u.Length-u.Offset, n))
	}
	final := u.Offset+n == u.Length
	var t Target
	if final {
		// Where the file goes is checked again before its last bytes are stored: the folder may
		// have gone, or the actor lost the right to write there, since the upload began.
		if t, err = s.TargetIn(ctx, a, u.SpaceID, u.FolderID); err != nil {
			if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
				s.discardQuietly(u)
			}
			return UploadState{}, err
		}
	}
	h, head, err := s.appendBytes(ctx, &u, lease, body, n, final)
	if err == nil && final {
		var st UploadState
		if st, err = s.completeUpload(ctx, a, u, t, h, head); err == nil {
			return st, nil
		}
	}
	if err != nil {
		if errs.CodeOf(err) == CodeUploadGone {
			s.discardQuietly(u)
			return UploadState{}, errs.Wrap(errs.NotFound, CodeUploadGone, "the upload's stored bytes are gone; start it again", err)
		}
		return UploadState{}, err
	}
	return u.state(), nil
}

// TerminateUpload ends the actor's upload before it is complete: its parts and temporary bytes
// are removed and its reservation ends. Another user's or organisation's upload is NotFound; one
// another request is writing to is Conflict (CodeUploadBusy).
func (s *Service) TerminateUpload(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := s.tusReady(); err != nil {
		return err
	}
	u, lease, err := s.claimUpload(ctx, a, id, -1)
	if err != nil {
		return err
	}
	if err := s.discardUpload(ctx, u); err != nil {
		s.unlockUpload(u, lease)
		return err
	}
	return nil
}

// SweepUploads ends the tus uploads that expired before now: it aborts their multipart uploads,
// removes their temporary bytes (and an object a completion left without its row) and ends their
// reservations. It then aborts the multipart uploads the store has held for longer than an
// upload lives that no upload in progress owns (a process that died at the wrong moment). It
// returns how many expired uploads it ended; one the store fails for stays, for the next pass.
func (s *Service) SweepUploads(ctx context.Context, now time.Time) (int, error) {
	if s.tus.Uploads == nil || s.tus.Multipart == nil {
		return 0, nil
	}
	lease := uuid.New()
	swept := 0
	var failed []error
	for ctx.Err() == nil {
		// Each claimed upload keeps the sweeper's lease until long after this pass, so one that
		// fails is not claimed again by the next round.
		batch, err := s.tus.Uploads.ClaimExpired(ctx, now, lease, now.Add(tusLease), 100)
		if err != nil {
			return swept, err
		}
		for _, u := range batch {
			if err := s.discardUpload(ctx, u); err != nil {
				slog.Warn("files: ending an expired upload failed; the next sweep retries", "upload", u.ID, "err", err)
				failed = append(failed, err)
				continue
			}
			swept++
		}
		if len(batch) < 100 {
			break
		}
	}
	stale, err := s.tus.Multipart.StaleMultipartUploads(ctx, now.Add(-UploadExpiry), staleMultipartLimit)
	if err != nil {
		return swept, errors.Join(append(failed, err)...)
	}
	if len(stale) > 0 {
		keys := make([]string, 0, len(stale))
		for k := range stale {
			keys = append(keys, k)
		}
		owned, err := s.tus.Uploads.Owned(ctx, keys)
		if err != nil {
			return swept, errors.Join(append(failed, err)...)
		}
		for key, ids := range stale {
			if owned[key] {
				continue
			}
			for _, id := range ids {
				if err := s.tus.Multipart.AbortMultipartUpload(ctx, key, id); err != nil {
					failed = append(failed, err)
				}
			}
		}
	}
	if len(failed) > 0 {
		return swept, fmt.Errorf("files: %d store calls of the upload sweep failed: %w", len(failed), errors.Join(failed...))
	}
	return swept, nil
}

// claimUpload takes the lease on the actor's upload at offset (any when negative), or says why
// it cannot: NotFound, Conflict offset_mismatch or upload_busy.
func (s *Service) claimUpload(ctx context.Context, a authz.Actor, id uuid.UUID, offset int64) (TusUpload, uuid.UUID, error) {
	lease, now := uuid.New(), s.now()
	u, ok, err := s.tus.Uploads.Claim(ctx, TusClaim{OrgID: a.OrgID, UserID: a.UserID, ID: id, Offset: offset, Lease: lease, Now: now, Until: now.Add(tusLease)})
	if err != nil || ok {
		return u, lease, err
	}
	u, err = s.tus.Uploads.Get(ctx, a.OrgID, a.UserID, id)
	switch {
	case err != nil:
		return TusUpload{}, lease, err
	case !u.ExpiresAt.After(now):
		return TusUpload{}, lease, errs.NotFoundf("upload")
	case offset >= 0 && u.Offset != offset:
		return TusUpload{}, lease, errs.E(errs.Conflict, CodeOffsetMismatch,
			fmt.Sprintf("Upload-Offset is %d but the upload is at %d; HEAD it and resume from there", offset, u.Offset))
	default:
		return TusUpload{}, lease, errs.E(errs.Conflict, CodeUploadBusy, "another request is writing to this upload; retry shortly")
	}
}

// unlockUpload gives the lease up after the request, whatever became of it (its context may be
// cancelled by then); should it fail, the lease runs out on its own.
func (s *Service) unlockUpload(u TusUpload, lease uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.tus.Uploads.Unlock(ctx, u.OrgID, u.ID, lease); err != nil {
		slog.Warn("files: releasing an upload's lease failed; it runs out by itself", "upload", u.ID, "err", err)
	}
}

// patchReader passes on exactly left bytes of a PATCH body, hashing them as they go to the store,
// and extends the upload's lease while they flow. It records its own failures, so that the
// store's error for a part cut off by the client is not mistaken for the store's fault.
type patchReader struct {
	r       io.Reader
	left    int64
	h       hash.Hash
	now     func() time.Time
	renewed time.Time
	renew   func() error
	// bodyErr is the body's failure (the connection dropped, or it ended early); leaseErr the
	// lease's loss.
	bodyErr, leaseErr error
}

func (p *patchReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	p.h.Write(b[:n])
	switch {
	case err == io.EOF && p.left > 0:
		p.bodyErr = io.ErrUnexpectedEOF
		return n, p.bodyErr
	case err != nil && err != io.EOF:
		p.bodyErr = err
		return n, err
	}
	if t := p.now(); t.Sub(p.renewed) >= tusRenew {
		p.renewed = t
		// Only a lease that another request now holds stops the write; a renewal that fails
		// otherwise is tried again, and the lease outlasts a few failures.
		if err := p.renew(); errs.Is(err, errs.Conflict) {
			p.leaseErr = err
			return n, err
		} else if err != nil {
			slog.Warn("files: extending an upload's lease failed", "err", err)
		}
	}
	return n, nil
}

// failure names why a write failed: the body's failure or the lease's loss come before the
// store's error, which is then only their echo.
func (p *patchReader) failure(err error) error {
	switch {
	case p.leaseErr != nil:
		return p.leaseErr
	case p.bodyErr != nil:
		return errs.Wrap(errs.Invalid, "incomplete_body", "the body ended before its Content-Length; HEAD the upload to resume from what was stored", p.bodyErr)
	}
	return err
}

// tailReader reads the upload's temporary versions one after the other, opening each when it is
// reached.
type tailReader struct {
	ctx    context.Context
	mp     Multipart
	key    string
	pieces []TusTail
	cur    io.ReadCloser
	rd     io.Reader
	err    error
}

func (t *tailReader) Read(b []byte) (int, error) {
	for {
		if t.rd == nil {
			if len(t.pieces) == 0 {
				return 0, io.EOF
			}
			rc, err := t.mp.OpenTemporary(t.ctx, t.key, t.pieces[0].VersionID)
			if err != nil {
				if errs.Is(err, errs.NotFound) {
					err = errs.Wrap(errs.NotFound, CodeUploadGone, "the upload's stored bytes are gone", err)
				}
				t.err = err
				return 0, err
			}
			t.cur, t.rd = rc, io.LimitReader(rc, t.pieces[0].Size)
			t.pieces = t.pieces[1:]
		}
		n, err := t.rd.Read(b)
		if err == io.EOF {
			t.close()
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			t.err = err
		}
		return n, err
	}
}

func (t *tailReader) close() {
	if t.cur != nil {
		_ = t.cur.Close()
	}
	t.cur, t.rd = nil, nil
}

// appendBytes streams the n bytes of body into u: whole parts, the last part when final, and
// the rest as a tail version when not. It records the state after each stored write (but not
// the last part, which completeUpload records with the file) and returns the hash and the head
// after all n bytes.
func (s *Service) appendBytes(ctx context.Context, u *TusUpload, lease uuid.UUID, body io.Reader, n int64, final bool) (hash.Hash, []byte, error) {
	h := sha256.New()
	if u.Offset > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(u.HashState); err != nil {
			return nil, nil, errs.Internalf("files: upload %s: restoring its SHA-256 state: %w", u.ID, err)
		}
	}
	head := append([]byte(nil), u.Head...)
	if u.Offset < SniffBytes && n > 0 {
		// The content type is taken from the first bytes when the multipart upload starts, so
		// they are read ahead (a few KiB at most); they still go through the hash in order.
		pre := make([]byte, min(SniffBytes-u.Offset, n))
		if _, err := io.ReadFull(body, pre); err != nil {
			return nil, nil, errs.Wrap(errs.Invalid, "incomplete_body", "the body ended before its Content-Length", err)
		}
		head = append(head, pre...)
		body = io.MultiReader(bytes.NewReader(pre), body)
	}
	in := &patchReader{r: body, left: n, h: h, now: s.now, renewed: s.now(), renew: func() error {
		return s.tus.Uploads.Extend(ctx, u.OrgID, u.ID, lease, s.now().Add(tusLease))
	}}
	partSize := s.tus.Multipart.PartSize()
	for in.left > 0 {
		stored := u.Offset - u.partBytes() // in the tail
		need := partSize - stored
		var err error
		switch {
		case in.left >= need:
			err = s.putPart(ctx, u, lease, in, head, partSize)
		case final:
			err = s.putPart(ctx, u, lease, in, head, stored+in.left)
		default:
			err = s.putTail(ctx, u, lease, in, head)
		}
		if err != nil {
			return nil, nil, in.failure(err)
		}
	}
	return h, head, nil
}

// putPart stores the next part, size bytes: the tail's, then the body's.
func (s *Service) putPart(ctx context.Context, u *TusUpload, lease uuid.UUID, in *patchReader, head []byte, size int64) error {
	mp, key := s.tus.Multipart, u.ObjectKey.String()
	if u.MultipartID == "" {
		id, err := mp.NewMultipartUpload(ctx, key, s.media.Sniff(head))
		if err != nil {
			return err
		}
		// Recorded before any part goes in, so that the sweeper can always abort it.
		u.MultipartID = id
		if err := s.saveUpload(ctx, *u, lease); err != nil {
			if aerr := mp.AbortMultipartUpload(context.WithoutCancel(ctx), key, id); aerr != nil {
				slog.Warn("files: aborting an unrecorded multipart upload failed; the sweeper will", "key", key, "err", aerr)
			}
			u.MultipartID = ""
			return err
		}
	}
	tail := u.Tail
	tailSize := u.Offset - u.partBytes()
	tails := &tailReader{ctx: ctx, mp: mp, key: u.TailKey(), pieces: tail}
	defer tails.close()
	number := len(u.Parts) + 1
	etag, err := mp.PutObjectPart(ctx, key, u.MultipartID, number, io.MultiReader(tails, io.LimitReader(in, size-tailSize)), size)
	if err != nil {
		if tails.err != nil {
			return tails.err
		}
		return err
	}
	u.Parts = append(u.Parts, TusPart{Number: number, ETag: etag, Size: size})
	u.Tail = nil
	u.Offset += size - tailSize
	if u.Offset == u.Length {
		// The last part is recorded with the file: were it recorded now and the completion to
		// fail, HEAD would tell the client the upload is done.
		return nil
	}
	if err := s.recordProgress(ctx, u, lease, in.h, head); err != nil {
		return err
	}
	if len(tail) > 0 {
		s.removeTail(ctx, *u)
	}
	return nil
}

// putTail stores the rest of the body, short of a part, as a new tail version.
func (s *Service) putTail(ctx context.Context, u *TusUpload, lease uuid.UUID, in *patchReader, head []byte) error {
	size := in.left
	version, err := s.tus.Multipart.PutTemporary(ctx, u.TailKey(), in, size)
	if err != nil {
		return err
	}
	u.Tail = append(u.Tail, TusTail{VersionID: version, Size: size})
	u.Offset += size
	return s.recordProgress(ctx, u, lease, in.h, head)
}

// recordProgress saves the state after a stored write: the offset, the parts and tail, the hash
// and the head so far, and a new expiry. It is saved even when the client has gone meanwhile, so
// that what was stored counts.
func (s *Service) recordProgress(ctx context.Context, u *TusUpload, lease uuid.UUID, h hash.Hash, head []byte) error {
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return errs.Internalf("files: upload %s: saving its SHA-256 state: %w", u.ID, err)
	}
	u.HashState = state
	u.Head = head[:min(int64(len(head)), u.Offset)]
	u.ExpiresAt = s.now().Add(UploadExpiry)
	return s.saveUpload(ctx, *u, lease)
}

func (s *Service) saveUpload(ctx context.Context, u TusUpload, lease uuid.UUID) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return s.tus.Uploads.Save(ctx, u, lease, s.now().Add(tusLease))
}

// removeTail removes the tail's versions once a part holds their bytes; what fails here is
// removed with the upload.
func (s *Service) removeTail(ctx context.Context, u TusUpload) {
	if err := s.tus.Multipart.RemoveTemporary(context.WithoutCancel(ctx), u.TailKey()); err != nil {
		slog.Warn("files: removing an upload's temporary bytes failed; they go with the upload", "upload", u.ID, "err", err)
	}
}

// completeUpload joins the parts into the object, checks its size, and commits it as a version
// of the file named at the upload's creation in its target. Should the commit fail, the
// object has gone with it and the upload cannot be resumed: it ends.
func (s *Service) completeUpload(ctx context.Context, a authz.Actor, u TusUpload, t Target, h hash.Hash, head []byte) (UploadState, error) {
	// The object comes into being with the completion; recorded first, like every other write,
	// so that the sweeper removes it if its row never lands.
	if err := s.store.Pending(ctx, a.OrgID, u.ObjectKey, s.now()); err != nil {
		return UploadState{}, err
	}
	etags := make([]string, len(u.Parts))
	for i, p := range u.Parts {
		etags[i] = p.ETag
	}
	version, size, err := s.tus.Multipart.CompleteMultipartUpload(ctx, u.ObjectKey.String(), u.MultipartID, etags)
	if err != nil {
		return UploadState{}, err
	}
	if size != u.Length {
		s.discardQuietly(u)
		return UploadState{}, errs.Internalf("files: upload %s: the store holds %d bytes, %d were declared", u.ID, size, u.Length)
	}
	s.removeTail(ctx, u)
	obj := StoredObject{Key: u.ObjectKey, VersionID: version, Size: size, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: s.media.Sniff(head)}
	f, err := s.Commit(ctx, a, t, u.Filename, obj, u.ID)
	if err != nil {
		s.release(a.OrgID, u.ID)
		return UploadState{}, err
	}
	st := u.state()
	st.Offset, st.FileID = u.Length, f.ID()
	return st, nil
}

// discardUpload removes everything an unfinished upload stored (its multipart upload, its tail,
// and an object a completion may have left without its row: while the upload's row exists, no
// version names its key) and then ends its reservation. If the store fails, the row stays, for
// the sweeper to try again.
func (s *Service) discardUpload(ctx context.Context, u TusUpload) error {
	mp, key := s.tus.Multipart, u.ObjectKey.String()
	if u.MultipartID != "" {
		if err := mp.AbortMultipartUpload(ctx, key, u.MultipartID); err != nil {
			return err
		}
	}
	if err := mp.RemoveTemporary(ctx, u.TailKey()); err != nil {
		return err
	}
	if err := s.objects.RemoveOrphan(ctx, key); err != nil {
		return err
	}
	return s.store.Release(ctx, u.OrgID, u.ID)
}

// discardQuietly ends an upload that cannot complete, on its own context; what fails is left to
// the sweeper.
func (s *Service) discardQuietly(u TusUpload) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.discardUpload(ctx, u); err != nil {
		slog.Warn("files: ending an upload that cannot complete failed; the sweeper will", "upload", u.ID, "err", err)
	}
}
