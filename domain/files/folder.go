package files

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// MaxFolderDepth is how deep folders nest: a folder at the root of its space is at depth 1.
const MaxFolderDepth = 32

// Folder holds files and folders within one space. Its path lists the folder ids from the top
// of the space down to itself ("/top/…/self/"), as a department's does, so a whole subtree is
// one indexed prefix query and a cycle is a prefix test.
type Folder struct {
	id        uuid.UUID
	orgID     uuid.UUID
	spaceID   uuid.UUID
	parentID  uuid.UUID // uuid.Nil at the root of the space
	path      string
	depth     int
	name      string
	createdBy uuid.UUID
	createdAt time.Time
	updatedAt time.Time
}

func tooDeep() *errs.Error {
	return errs.E(errs.Conflict, "too_deep", "folders may nest at most "+strconv.Itoa(MaxFolderDepth)+" levels deep")
}

// NewFolder returns a folder in space, under parent or, when parent is nil, at the root of the
// space. A parent in another space is refused; one of another organisation is NotFound, as a
// missing one would be.
func NewFolder(space *Space, parent *Folder, name string, createdBy uuid.UUID, now time.Time) (*Folder, error) {
	n, err := ParseName(name)
	if err != nil {
		return nil, err
	}
	id := uuid.New()
	f := &Folder{id: id, orgID: space.orgID, spaceID: space.id, path: "/" + id.String() + "/", depth: 1, name: n, createdBy: createdBy}
	if parent != nil {
		if err := f.checkParent(parent); err != nil {
			return nil, err
		}
		if parent.depth+1 > MaxFolderDepth {
			return nil, tooDeep()
		}
		f.parentID, f.path, f.depth = parent.id, parent.path+id.String()+"/", parent.depth+1
	}
	f.createdAt = now.UTC()
	f.updatedAt = f.createdAt
	return f, nil
}

func (f *Folder) checkParent(parent *Folder) error {
	if parent.orgID != f.orgID {
		return errs.NotFoundf("folder")
	}
	if parent.spaceID != f.spaceID {
		return errs.E(errs.Conflict, "other_space", "a folder cannot be placed in another space")
	}
	return nil
}

// RehydrateFolder rebuilds a stored folder. It is for repository adapters only.
func RehydrateFolder(id, orgID, spaceID, parentID uuid.UUID, path string, depth int, name string, createdBy uuid.UUID, createdAt, updatedAt time.Time) *Folder {
	return &Folder{id, orgID, spaceID, parentID, path, depth, name, createdBy, createdAt, updatedAt}
}

// ID returns the folder's id.
func (f *Folder) ID() uuid.UUID { return f.id }

// OrgID returns the organisation.
func (f *Folder) OrgID() uuid.UUID { return f.orgID }

// SpaceID returns the space the folder is in.
func (f *Folder) SpaceID() uuid.UUID { return f.spaceID }

// ParentID returns the parent folder's id, or uuid.Nil at the root of the space.
func (f *Folder) ParentID() uuid.UUID { return f.parentID }

// Path returns the ids from the top of the space down to this folder, as "/id/…/id/".
func (f *Folder) Path() string { return f.path }

// Depth returns the level: 1 at the root of the space.
func (f *Folder) Depth() int { return f.depth }

// Name returns the folder's name.
func (f *Folder) Name() string { return f.name }

// NameKey returns the key that keeps names unique in the parent without regard to case.
func (f *Folder) NameKey() string { return NameKey(f.name) }

// CreatedBy returns the user who made the folder.
func (f *Folder) CreatedBy() uuid.UUID { return f.createdBy }

// CreatedAt returns when the folder was made.
func (f *Folder) CreatedAt() time.Time { return f.createdAt }

// UpdatedAt returns when it was last renamed or moved.
func (f *Folder) UpdatedAt() time.Time { return f.updatedAt }

// Contains reports whether other is this folder or lies in its subtree.
func (f *Folder) Contains(other *Folder) bool { return strings.HasPrefix(other.path, f.path) }

// AncestorIDs returns the ids from the top of the space down to the parent, for the retention
// and sharing settings along the path.
func (f *Folder) AncestorIDs() []uuid.UUID {
	parts := strings.Split(strings.Trim(f.path, "/"), "/")
	out := make([]uuid.UUID, 0, len(parts)-1)
	for _, p := range parts[:len(parts)-1] {
		if id, err := uuid.Parse(p); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Rename changes the name. Uniqueness in the parent is the repository's to enforce.
func (f *Folder) Rename(name string, now time.Time) error {
	n, err := ParseName(name)
	if err != nil {
		return err
	}
	f.name, f.updatedAt = n, now.UTC()
	return nil
}

// Move re-parents the folder with its subtree under newParent, or to the root of its space when
// newParent is nil. height is the number of levels of the subtree (1 for a folder without
// subfolders). A move into itself or its own subtree would make a cycle (Conflict cycle); one
// that pushes the subtree past MaxFolderDepth is Conflict too_deep; a move to another space is
// Conflict other_space, since it changes the retention and quota that apply.
func (f *Folder) Move(newParent *Folder, height int, now time.Time) error {
	if height < 1 {
		height = 1
	}
	parentPath, depth, parentID := "/", 0, uuid.Nil
	if newParent != nil {
		if err := f.checkParent(newParent); err != nil {
			return err
		}
		if f.Contains(newParent) {
			return errs.E(errs.Conflict, "cycle", "a folder cannot move into itself or its own subfolders")
		}
		parentPath, depth, parentID = newParent.path, newParent.depth, newParent.id
	}
	if depth+height > MaxFolderDepth {
		return tooDeep()
	}
	f.parentID, f.path, f.depth, f.updatedAt = parentID, parentPath+f.id.String()+"/", depth+1, now.UTC()
	return nil
}

// FolderRepository stores folders.
type FolderRepository interface {
	// Create stores a folder; Conflict name_taken if its parent already holds a file or folder
	// of the same name without regard to case.
	Create(ctx context.Context, f *Folder) error
	// Get returns a folder of the organisation; NotFound otherwise, also for another
	// organisation's id.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Folder, error)
	// Height returns the number of levels of f's subtree, 1 for a folder without subfolders.
	Height(ctx context.Context, f *Folder) (int, error)
	// Update stores a new name; Conflict name_taken as Create.
	Update(ctx context.Context, f *Folder) error
	// Move stores f's new parent and rewrites the paths and depths of its subtree from oldPath
	// in one statement; Conflict name_taken as Create.
	Move(ctx context.Context, f *Folder, oldPath string) error
}
