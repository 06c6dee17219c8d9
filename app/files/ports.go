package files

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"

	"canopy/domain/files"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// StoredObject is an object written to the store that is not yet a version: its bytes are
// there, its row is not.
type StoredObject struct {
	Key         files.ObjectKey
	VersionID   string // the store's id of the object version
	Size        int64
	SHA256      string // lowercase hex
	ContentType string // sniffed from the bytes
}

// ObjectStore is the S3 bucket the versions live in. Every method returns errs.Unavailable
// when the store cannot be reached.
type ObjectStore interface {
	// Put streams r (exactly size bytes) under key with a fixed part size and returns the
	// object's version id. The object has no retention yet.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (string, error)
	// Lock gives the object version governance retention until until; only ever later.
	Lock(ctx context.Context, key, versionID string, until time.Time) error
	// SetLegalHold sets or clears the S3 legal hold of the object version.
	SetLegalHold(ctx context.Context, key, versionID string, on bool) error
	// Remove removes the object version without any bypass: the store refuses it (Conflict
	// retention_active or legal_hold_active) while it is locked or held.
	Remove(ctx context.Context, key, versionID string) error
	// RemoveOrphan removes every version of an object that never became a version's row, and
	// aborts any unfinished multipart upload under the key.
	RemoveOrphan(ctx context.Context, key string) error
	// OpenSeeker opens the object version for reading with seeks (for HTTP ranges).
	OpenSeeker(ctx context.Context, key, versionID string) (Object, error)
}

// Object is an opened object version.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ETag() string
	LastModified() time.Time
}

// Settings are an organisation's files settings.
type Settings struct {
	MinRetentionDays     int
	MaxRetentionDays     int // 0: none
	QuotaBytes           int64
	UsedBytes            int64
	TrashDays            int
	LinksAllowed         bool
	MaxLinkExpiryDays    int // 0: no limit
	LinkPasswordRequired bool
}

// DefaultSettings are an organisation's settings until it changes them.
func DefaultSettings() Settings {
	return Settings{MinRetentionDays: files.DefaultMinimumRetentionDays, TrashDays: 30, LinksAllowed: true}
}

// SpaceSettings are the settings a space adds to its organisation's, beside its retention and
// quota (which the files.Space holds).
type SpaceSettings struct {
	UsedBytes            int64
	LinksAllowed         *bool // nil: no rule of its own
	MaxLinkExpiryDays    int
	LinkPasswordRequired bool
	LegalHold            bool
}

// Store is what the service reads and writes in PostgreSQL beyond the domain repositories.
type Store interface {
	// Settings returns an organisation's files settings (the defaults when it has none).
	Settings(ctx context.Context, orgID uuid.UUID) (Settings, error)
	// SaveSettings writes them.
	SaveSettings(ctx context.Context, orgID uuid.UUID, s Settings) error
	// SpaceSettings returns a space's own settings.
	SpaceSettings(ctx context.Context, orgID, spaceID uuid.UUID) (SpaceSettings, error)
	// SaveSpaceSettings writes the sharing policy and hold of a space.
	SaveSpaceSettings(ctx context.Context, orgID, spaceID uuid.UUID, s SpaceSettings) error

	// LockUsage locks the space's and the organisation's usage rows until the transaction ends
	// and returns the bytes used plus those reserved by uploads in progress, for each.
	LockUsage(ctx context.Context, orgID, spaceID uuid.UUID) (space, org int64, err error)
	// AddUsage adds delta (negative to free) to the space's and the organisation's used bytes.
	AddUsage(ctx context.Context, orgID, spaceID uuid.UUID, delta int64) error

	// Reserve records an upload in progress (its length is reserved until it ends).
	Reserve(ctx context.Context, u Reservation) error
	// Release ends an upload's reservation.
	Release(ctx context.Context, orgID, uploadID uuid.UUID) error
	// Finish ends an upload's reservation as its file is committed: Conflict upload_gone when
	// the reservation is no longer there (it expired and the sweeper took it, and with it the
	// upload's object), so that no row is ever committed for an object that may be gone.
	Finish(ctx context.Context, orgID, uploadID uuid.UUID) error

	// Pending records that an object is about to be written, committed on its own before the
	// write, so that the sweeper finds it if its row never lands.
	Pending(ctx context.Context, orgID uuid.UUID, key files.ObjectKey, at time.Time) error
	// Landed forgets the pending object, in the transaction that commits its row.
	Landed(ctx context.Context, key files.ObjectKey) error
	// MarkLocked records the retention date last applied to a version's object.
	MarkLocked(ctx context.Context, orgID, versionID uuid.UUID, until time.Time) error

	// Entries returns a page of a folder's folders and files (folders first), or of the whole
	// space's matching q (by name or its pinyin) when q is set.
	Entries(ctx context.Context, q EntryQuery) ([]Entry, int, error)
	// FileViews returns files with their current versions, in the order of ids.
	FileViews(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]FileView, error)
	// FolderHeld reports whether a folder on a path (the folder itself or one above it) is
	// under a legal hold.
	FolderHeld(ctx context.Context, orgID uuid.UUID, folderPath string) (bool, error)
	// ClaimThumbnails locks up to limit versions whose thumbnail is pending, skipping those
	// another replica holds, until the transaction ends.
	ClaimThumbnails(ctx context.Context, limit int) ([]*files.Version, error)
	// SetThumbnail records a version's thumbnail key, or that it has none (key "").
	SetThumbnail(ctx context.Context, orgID, versionID uuid.UUID, key string) error
	// Thumbnail returns the key of a version's thumbnail ("" when there is none).
	Thumbnail(ctx context.Context, orgID, versionID uuid.UUID) (string, error)

	// RetentionStore holds the trash, legal holds and retention policies (retention.go).
	RetentionStore
	// SweepStore holds the sweeper's batches (sweeper.go).
	SweepStore
}

// Reservation is an upload in progress, holding its length in the quota.
type Reservation struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	UserID    uuid.UUID
	Kind      string // "stream" or "tus"
	SpaceID   uuid.UUID
	FolderID  uuid.UUID
	Filename  string
	Length    int64
	ObjectKey files.ObjectKey
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Principals are who a user is in an organisation for sharing: themselves, their groups and
// their departments with every ancestor.
type Principals struct {
	UserID      uuid.UUID
	Groups      []uuid.UUID
	Departments []Department // the departments they are in, and all above them
	Guest       bool
}

// Department is a department as the files module needs it.
type Department struct {
	ID   uuid.UUID
	Path string
	Name string
}

// Directory answers what the files module asks of the organisation's structure.
type Directory interface {
	// Principals returns who the user is for access to spaces and shares.
	Principals(ctx context.Context, orgID, userID uuid.UUID) (Principals, error)
	// Department returns a department; NotFound when the organisation has none with that id.
	Department(ctx context.Context, orgID, id uuid.UUID) (Department, error)
	// GroupName returns a group's name and whether the user owns it; NotFound when missing.
	Group(ctx context.Context, orgID, groupID, userID uuid.UUID) (name string, owner bool, err error)
	// UserName returns a member's display name.
	UserName(ctx context.Context, orgID, userID uuid.UUID) (string, error)
	// OrgName returns the organisation's name.
	OrgName(ctx context.Context, orgID uuid.UUID) (string, error)
}

// Level is what someone may do with a space, folder or file.
type Level int

// The levels, each including those before it.
const (
	LevelNone Level = iota
	LevelRead
	LevelWrite
	LevelManage
)

// Shares tells what shares give a user on a file or folder; the sharing part of the module
// implements it.
type Shares interface {
	// Level returns the highest role that shares of the file (fileID, or uuid.Nil for a folder)
	// or of any of the folders give the principals.
	Level(ctx context.Context, orgID uuid.UUID, p Principals, fileID uuid.UUID, folderIDs []uuid.UUID) (Level, error)
}

// EntryQuery asks for a page of a space's entries.
type EntryQuery struct {
	OrgID    uuid.UUID
	SpaceID  uuid.UUID
	FolderID uuid.UUID // uuid.Nil: the root of the space
	Query    string    // search the whole space by name
	Sort     string    // name, updated_at or size
	Desc     bool
	Limit    int
	Offset   int
}

// Entry is a folder or a file in a listing.
type Entry struct {
	Folder *files.Folder
	File   *FileView
}

// FileView is a file with its current version.
type FileView struct {
	File    *files.File
	Current *files.Version
	// AvailableUntil is the latest available_until of its versions; LegalHold whether any is held.
	AvailableUntil time.Time
	LegalHold      bool
	HasThumbnail   bool
}

// FileWithVersions is a file with all its versions.
type FileWithVersions struct {
	File     *files.File
	Versions []*files.Version
}

// Hold is a legal hold in place.
type Hold struct {
	OrgID      uuid.UUID
	TargetType string // file, folder or space
	TargetID   uuid.UUID
	Name       string // the file's or folder's; a space's is its owner's, filled in by the service
	SetBy      uuid.UUID
	SetAt      time.Time
}
