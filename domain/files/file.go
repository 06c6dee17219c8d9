package files

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// ObjectKey is the name of a version's object in the store: "<orgID>/<uuid>". The server makes
// it; it is never built from a file's name, so no name can reach another object or organisation.
type ObjectKey string

// NewObjectKey returns a fresh key in the organisation's prefix. Uploads take it before the first
// byte is written, since the bytes are stored before the row that points at them.
func NewObjectKey(orgID uuid.UUID) ObjectKey {
	return ObjectKey(orgID.String() + "/" + uuid.NewString())
}

// ParseObjectKey checks that key is one the server made for the organisation.
func ParseObjectKey(orgID uuid.UUID, key string) (ObjectKey, error) {
	org, id, ok := strings.Cut(key, "/")
	if ok && org == orgID.String() {
		if u, err := uuid.Parse(id); err == nil && u.String() == id {
			return ObjectKey(key), nil
		}
	}
	return "", errs.E(errs.Invalid, "invalid_object_key", "object_key: must be <org id>/<uuid>")
}

// String returns the key.
func (k ObjectKey) String() string { return string(k) }

// File is a named file in a folder, or at the root of a space, with one or more versions. Its
// name is unique in its folder without regard to case; uploading to a taken name adds a version.
type File struct {
	id               uuid.UUID
	orgID            uuid.UUID
	spaceID          uuid.UUID
	folderID         uuid.UUID // uuid.Nil at the root of the space
	name             string
	currentVersionID uuid.UUID // uuid.Nil until the first version is added
	versionCount     int
	createdBy        uuid.UUID
	createdAt        time.Time
	updatedAt        time.Time
	deletedAt        time.Time // zero unless the file is in the trash
	deletedBy        uuid.UUID
}

// NewFile returns a file in space, in folder or, when folder is nil, at the root of the space.
// It has no version until AddVersion; both are stored in one transaction.
func NewFile(space *Space, folder *Folder, name string, createdBy uuid.UUID, now time.Time) (*File, error) {
	n, err := ParseName(name)
	if err != nil {
		return nil, err
	}
	f := &File{id: uuid.New(), orgID: space.orgID, spaceID: space.id, name: n, createdBy: createdBy, createdAt: now.UTC(), updatedAt: now.UTC()}
	if folder != nil {
		if err := f.checkFolder(folder); err != nil {
			return nil, err
		}
		f.folderID = folder.id
	}
	return f, nil
}

func (f *File) checkFolder(folder *Folder) error {
	if folder.orgID != f.orgID {
		return errs.NotFoundf("folder")
	}
	if folder.spaceID != f.spaceID {
		return errs.E(errs.Conflict, "other_space", "a file cannot be placed in another space")
	}
	return nil
}

// RehydrateFile rebuilds a stored file. It is for repository adapters only.
func RehydrateFile(id, orgID, spaceID, folderID uuid.UUID, name string, currentVersionID uuid.UUID, versionCount int, createdBy uuid.UUID, createdAt, updatedAt, deletedAt time.Time, deletedBy uuid.UUID) *File {
	return &File{id, orgID, spaceID, folderID, name, currentVersionID, versionCount, createdBy, createdAt, updatedAt, deletedAt, deletedBy}
}

// ID returns the file's id.
func (f *File) ID() uuid.UUID { return f.id }

// OrgID returns the organisation.
func (f *File) OrgID() uuid.UUID { return f.orgID }

// SpaceID returns the space the file is in.
func (f *File) SpaceID() uuid.UUID { return f.spaceID }

// FolderID returns the folder, or uuid.Nil at the root of the space.
func (f *File) FolderID() uuid.UUID { return f.folderID }

// Name returns the file's name.
func (f *File) Name() string { return f.name }

// NameKey returns the key that keeps names unique in the folder without regard to case.
func (f *File) NameKey() string { return NameKey(f.name) }

// CurrentVersionID returns the latest version, or uuid.Nil before the first.
func (f *File) CurrentVersionID() uuid.UUID { return f.currentVersionID }

// VersionCount returns how many versions have been added; the latest has this number.
func (f *File) VersionCount() int { return f.versionCount }

// CreatedBy returns the user who first uploaded the file.
func (f *File) CreatedBy() uuid.UUID { return f.createdBy }

// CreatedAt returns when the file was made.
func (f *File) CreatedAt() time.Time { return f.createdAt }

// UpdatedAt returns when it was last renamed, moved or given a version.
func (f *File) UpdatedAt() time.Time { return f.updatedAt }

// DeletedAt is when the file was moved to the trash; zero when it is not in the trash.
func (f *File) DeletedAt() time.Time { return f.deletedAt }

// DeletedBy is who moved the file to the trash.
func (f *File) DeletedBy() uuid.UUID { return f.deletedBy }

// Trashed reports whether the file is in the trash.
func (f *File) Trashed() bool { return !f.deletedAt.IsZero() }

// Trash moves the file to the trash, once every version may be deleted (see CheckDeletable).
// A file already in the trash is NotFound, as it is to every other change.
func (f *File) Trash(by uuid.UUID, now time.Time, versions []*Version) error {
	if f.Trashed() {
		return errs.NotFoundf("file")
	}
	if err := f.CheckDeletable(now, versions); err != nil {
		return err
	}
	f.deletedAt, f.deletedBy, f.updatedAt = now.UTC(), by, now.UTC()
	return nil
}

// Restore takes the file out of the trash, into folder (nil: the root of its space) under name,
// which the caller has chosen free.
func (f *File) Restore(folder *Folder, name string, now time.Time) error {
	if !f.Trashed() {
		return errs.E(errs.Conflict, "not_in_trash", "the file is not in the trash")
	}
	if err := f.Move(folder, now); err != nil {
		return err
	}
	if err := f.Rename(name, now); err != nil {
		return err
	}
	f.deletedAt, f.deletedBy = time.Time{}, uuid.Nil
	return nil
}

// Rename changes the name. Uniqueness in the folder is the repository's to enforce.
func (f *File) Rename(name string, now time.Time) error {
	n, err := ParseName(name)
	if err != nil {
		return err
	}
	f.name, f.updatedAt = n, now.UTC()
	return nil
}

// Move puts the file into folder, or at the root of its space when folder is nil. A folder of
// another space is Conflict other_space; one of another organisation is NotFound.
func (f *File) Move(folder *Folder, now time.Time) error {
	id := uuid.Nil
	if folder != nil {
		if err := f.checkFolder(folder); err != nil {
			return err
		}
		id = folder.id
	}
	f.folderID, f.updatedAt = id, now.UTC()
	return nil
}

// CheckDeletable reports whether the file, with all of versions, may be deleted at now: Conflict
// legal_hold while any version is held, Conflict retention_active (naming the latest date)
// while any version is still within its retention. versions must be all of the file's.
func (f *File) CheckDeletable(now time.Time, versions []*Version) error {
	var until time.Time
	held := false
	for _, v := range versions {
		if v.fileID != f.id {
			return errs.Internalf("files: version %s is not of file %s", v.id, f.id)
		}
		held = held || v.legalHold
		if v.availableUntil.After(until) {
			until = v.availableUntil
		}
	}
	return checkDeletable(now, until, held)
}

// Upload is what the server measured of a new version's stored bytes. No field comes from the
// client's claims: the size and checksum are counted as the bytes pass, and the content type is
// sniffed from them.
type Upload struct {
	ObjectKey ObjectKey
	// ObjectVersion is the store's id of the object version written under ObjectKey.
	ObjectVersion string
	Size          int64
	SHA256        string // lowercase hex
	ContentType   string
	UploadedBy    uuid.UUID
	UploadedAt    time.Time
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (u Upload) check(orgID uuid.UUID) error {
	if _, err := ParseObjectKey(orgID, string(u.ObjectKey)); err != nil {
		return err
	}
	switch {
	case u.Size < 0:
		return errs.E(errs.Invalid, "invalid_version", "size: must not be negative")
	case !sha256Hex.MatchString(u.SHA256):
		return errs.E(errs.Invalid, "invalid_version", "sha256: must be 64 lowercase hexadecimal digits")
	case u.UploadedBy == uuid.Nil:
		return errs.E(errs.Invalid, "invalid_version", "uploaded_by: is required")
	case u.UploadedAt.IsZero():
		return errs.E(errs.Invalid, "invalid_version", "uploaded_at: is required")
	}
	if err := text.Line("content_type", u.ContentType); err != nil {
		return err
	}
	if !strings.Contains(u.ContentType, "/") || len(u.ContentType) > 255 {
		return errs.E(errs.Invalid, "invalid_version", "content_type: must be a media type such as image/png")
	}
	return nil
}

// AddVersion records a new version of the file from its stored bytes. Its available_until is
// fixed here by AvailableUntil from the organisation's minimum and the minimums on the file's
// path, so no caller can store a shorter one.
func (f *File) AddVersion(u Upload, orgMinimumDays int, pathMinimums []int) (*Version, error) {
	if err := u.check(f.orgID); err != nil {
		return nil, err
	}
	at := u.UploadedAt.UTC()
	v := &Version{
		id: uuid.New(), orgID: f.orgID, fileID: f.id, number: f.versionCount + 1, objectKey: u.ObjectKey, objectVersion: u.ObjectVersion,
		size: u.Size, sha256: u.SHA256, contentType: u.ContentType, uploadedBy: u.UploadedBy, uploadedAt: at,
		availableUntil: AvailableUntil(at, orgMinimumDays, pathMinimums),
	}
	f.versionCount, f.currentVersionID, f.updatedAt = v.number, v.id, at
	return v, nil
}

// Version is one immutable object in the store. Only its availability date, which moves only
// later, and its legal hold ever change.
type Version struct {
	id             uuid.UUID
	orgID          uuid.UUID
	fileID         uuid.UUID
	number         int
	objectKey      ObjectKey
	objectVersion  string
	size           int64
	sha256         string
	contentType    string
	uploadedBy     uuid.UUID
	uploadedAt     time.Time
	availableUntil time.Time
	legalHold      bool
}

// RehydrateVersion rebuilds a stored version. It is for repository adapters only.
func RehydrateVersion(id, orgID, fileID uuid.UUID, number int, objectKey ObjectKey, objectVersion string, size int64, sha256, contentType string, uploadedBy uuid.UUID, uploadedAt, availableUntil time.Time, legalHold bool) *Version {
	return &Version{id, orgID, fileID, number, objectKey, objectVersion, size, sha256, contentType, uploadedBy, uploadedAt, availableUntil, legalHold}
}

// ID returns the version's id.
func (v *Version) ID() uuid.UUID { return v.id }

// OrgID returns the organisation.
func (v *Version) OrgID() uuid.UUID { return v.orgID }

// FileID returns the file.
func (v *Version) FileID() uuid.UUID { return v.fileID }

// Number returns the version's place among the file's versions, from 1.
func (v *Version) Number() int { return v.number }

// ObjectKey returns the key of its object in the store.
func (v *Version) ObjectKey() ObjectKey { return v.objectKey }

// ObjectVersion is the store's id of the version's object: retention and holds are set on it.
func (v *Version) ObjectVersion() string { return v.objectVersion }

// Size is the version's length in bytes.
func (v *Version) Size() int64 { return v.size }

// SHA256 returns the checksum of its bytes in lowercase hex.
func (v *Version) SHA256() string { return v.sha256 }

// ContentType returns the media type sniffed from its bytes.
func (v *Version) ContentType() string { return v.contentType }

// UploadedBy returns the user who uploaded it.
func (v *Version) UploadedBy() uuid.UUID { return v.uploadedBy }

// UploadedAt returns when it was stored, in UTC.
func (v *Version) UploadedAt() time.Time { return v.uploadedAt }

// AvailableUntil returns the date before which it cannot be deleted, in UTC.
func (v *Version) AvailableUntil() time.Time { return v.availableUntil }

// LegalHold reports whether a legal hold blocks its deletion.
func (v *Version) LegalHold() bool { return v.legalHold }

// ExtendAvailability moves available_until to t when t is later, and reports whether it moved;
// an earlier t is ignored, so lengthening and then shortening a policy never shortens a version.
// The caller extends the object's lock in the store when it moved.
func (v *Version) ExtendAvailability(t time.Time) bool {
	if !t.After(v.availableUntil) {
		return false
	}
	v.availableUntil = t.UTC()
	return true
}

// SetLegalHold places or releases a legal hold.
func (v *Version) SetLegalHold(held bool) { v.legalHold = held }

// CheckDeletable reports whether the version may be deleted or purged at now: Conflict
// legal_hold while held, Conflict retention_active naming the date while now is before
// available_until.
func (v *Version) CheckDeletable(now time.Time) error {
	return checkDeletable(now, v.availableUntil, v.legalHold)
}

// FileRepository stores files and their versions.
type FileRepository interface {
	// Create stores a new file with its first version; Conflict name_taken if its folder already
	// holds a file or folder of the same name without regard to case.
	Create(ctx context.Context, f *File, first *Version) error
	// Get returns a file of the organisation; NotFound otherwise, also for another
	// organisation's id.
	Get(ctx context.Context, orgID, id uuid.UUID) (*File, error)
	// ByName returns the file named name (without regard to case) in a folder, or at the root
	// of the space when folderID is uuid.Nil; NotFound if there is none.
	ByName(ctx context.Context, orgID, spaceID, folderID uuid.UUID, name string) (*File, error)
	// AddVersion stores a new version and the file's new current version; NotFound if the file
	// is gone.
	AddVersion(ctx context.Context, f *File, v *Version) error
	// Versions returns all of a file's versions, newest first.
	Versions(ctx context.Context, orgID, fileID uuid.UUID) ([]*Version, error)
	// Update stores a new name or folder; Conflict name_taken as Create.
	Update(ctx context.Context, f *File) error
	// UpdateVersion stores a version's later available_until or its legal hold; NotFound if it
	// is gone.
	UpdateVersion(ctx context.Context, v *Version) error
}
