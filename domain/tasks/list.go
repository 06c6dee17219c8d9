// Package tasks holds the tasks module's entities: task lists owned by a person, a group, a
// department or the organisation, their sections (kanban columns) and labels, the tasks with
// their subtasks, and the shares of a list or of a single task. Their order is kept by
// fractional rank keys (rank.go).
package tasks

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// OwnerKind says who a list belongs to, and so who its members are.
type OwnerKind string

// The kinds of owner. Their values are stored and appear in the API.
const (
	// OwnerPerson is one person's list; only they are its member.
	OwnerPerson OwnerKind = "person"
	// OwnerGroup is a sub-group's list: its owners manage it, its members write.
	OwnerGroup OwnerKind = "group"
	// OwnerDepartment is a department's list: the members of its subtree write.
	OwnerDepartment OwnerKind = "department"
	// OwnerOrganisation is the organisation's list: every member but guests writes.
	OwnerOrganisation OwnerKind = "organisation"
)

// ParseOwnerKind checks an owner kind given by a caller.
func ParseOwnerKind(s string) (OwnerKind, error) {
	switch k := OwnerKind(s); k {
	case OwnerPerson, OwnerGroup, OwnerDepartment, OwnerOrganisation:
		return k, nil
	}
	return "", errs.E(errs.Invalid, "invalid_owner_kind", "owner_kind: must be person, group, department or organisation")
}

// Limits of the text of lists, sections and labels.
const (
	MaxNameLength        = 200
	MaxDescriptionLength = 64 << 10
	MaxLabelNameLength   = 50
	// RestoreDays is how long a deleted list or task can be restored; the sweeper purges it after.
	RestoreDays = 30
)

// name checks and normalises a name of at most max characters.
func name(field, s string, max int) (string, error) {
	s, err := text.Name(field, s)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", errs.E(errs.Invalid, "invalid_name", field+": is required")
	}
	if utf8.RuneCountInString(s) > max {
		return "", errs.E(errs.Invalid, "invalid_name", field+": must be at most "+strconv.Itoa(max)+" characters")
	}
	return s, nil
}

// description checks free text of at most MaxDescriptionLength bytes.
func description(field, s string) error {
	if err := text.MultiLine(field, s); err != nil {
		return err
	}
	if len(s) > MaxDescriptionLength {
		return errs.E(errs.Invalid, "invalid_description", field+": must be at most 64 KiB")
	}
	return nil
}

// List is a task list of an organisation, owned by a person, a group, a department or the
// organisation itself.
type List struct {
	id          uuid.UUID
	orgID       uuid.UUID
	ownerKind   OwnerKind
	ownerID     uuid.UUID
	name        string
	description string
	createdBy   uuid.UUID
	createdAt   time.Time
	updatedAt   time.Time
	archivedAt  time.Time
	deletedAt   time.Time
	deletedBy   uuid.UUID
}

// NewList returns a list. An organisation's list is owned by the organisation, so ownerID must
// then be orgID.
func NewList(orgID uuid.UUID, kind OwnerKind, ownerID uuid.UUID, listName, desc string, createdBy uuid.UUID, now time.Time) (*List, error) {
	if _, err := ParseOwnerKind(string(kind)); err != nil {
		return nil, err
	}
	switch {
	case orgID == uuid.Nil:
		return nil, errs.E(errs.Invalid, "invalid_list", "org_id: is required")
	case ownerID == uuid.Nil:
		return nil, errs.E(errs.Invalid, "missing_field", "owner_id: is required")
	case kind == OwnerOrganisation && ownerID != orgID:
		return nil, errs.E(errs.Invalid, "invalid_owner", "owner_id: an organisation's list belongs to the organisation")
	}
	l := &List{id: uuid.New(), orgID: orgID, ownerKind: kind, ownerID: ownerID, createdBy: createdBy, createdAt: now.UTC(), updatedAt: now.UTC()}
	if err := l.Rename(listName, now); err != nil {
		return nil, err
	}
	if err := l.SetDescription(desc, now); err != nil {
		return nil, err
	}
	return l, nil
}

// RehydrateList rebuilds a stored list. It is for repository adapters only.
func RehydrateList(id, orgID uuid.UUID, kind OwnerKind, ownerID uuid.UUID, listName, desc string, createdBy uuid.UUID,
	createdAt, updatedAt, archivedAt, deletedAt time.Time, deletedBy uuid.UUID) *List {
	return &List{id, orgID, kind, ownerID, listName, desc, createdBy, createdAt, updatedAt, archivedAt, deletedAt, deletedBy}
}

// ID returns the list's id.
func (l *List) ID() uuid.UUID { return l.id }

// OrgID returns the organisation.
func (l *List) OrgID() uuid.UUID { return l.orgID }

// OwnerKind returns who the list belongs to.
func (l *List) OwnerKind() OwnerKind { return l.ownerKind }

// OwnerID returns the id of the person, group, department or organisation that owns it.
func (l *List) OwnerID() uuid.UUID { return l.ownerID }

// Name returns the list's name.
func (l *List) Name() string { return l.name }

// Description returns its description (Markdown).
func (l *List) Description() string { return l.description }

// CreatedBy returns who made it.
func (l *List) CreatedBy() uuid.UUID { return l.createdBy }

// CreatedAt returns when it was made.
func (l *List) CreatedAt() time.Time { return l.createdAt }

// UpdatedAt returns when it last changed.
func (l *List) UpdatedAt() time.Time { return l.updatedAt }

// ArchivedAt returns when it was archived, or the zero time.
func (l *List) ArchivedAt() time.Time { return l.archivedAt }

// Archived reports whether it is archived.
func (l *List) Archived() bool { return !l.archivedAt.IsZero() }

// DeletedAt returns when it was deleted, or the zero time.
func (l *List) DeletedAt() time.Time { return l.deletedAt }

// DeletedBy returns who deleted it.
func (l *List) DeletedBy() uuid.UUID { return l.deletedBy }

// Deleted reports whether it is deleted (restorable for RestoreDays).
func (l *List) Deleted() bool { return !l.deletedAt.IsZero() }

// Rename sets the list's name.
func (l *List) Rename(s string, now time.Time) error {
	s, err := name("name", s, MaxNameLength)
	if err != nil {
		return err
	}
	l.name, l.updatedAt = s, now.UTC()
	return nil
}

// SetDescription sets its description.
func (l *List) SetDescription(s string, now time.Time) error {
	if err := description("description", s); err != nil {
		return err
	}
	l.description, l.updatedAt = s, now.UTC()
	return nil
}

// SetArchived archives or unarchives it.
func (l *List) SetArchived(on bool, now time.Time) {
	switch {
	case on && l.archivedAt.IsZero():
		l.archivedAt = now.UTC()
	case !on:
		l.archivedAt = time.Time{}
	}
	l.updatedAt = now.UTC()
}

// Delete marks it deleted by who.
func (l *List) Delete(who uuid.UUID, now time.Time) {
	l.deletedAt, l.deletedBy, l.updatedAt = now.UTC(), who, now.UTC()
}

// Restore undoes Delete within RestoreDays; after that it is Conflict restore_expired.
func (l *List) Restore(now time.Time) error {
	if !l.Deleted() {
		return nil
	}
	if err := restorable(l.deletedAt, now); err != nil {
		return err
	}
	l.deletedAt, l.deletedBy, l.updatedAt = time.Time{}, uuid.Nil, now.UTC()
	return nil
}

// restorable is Conflict restore_expired once RestoreDays have passed since deletedAt.
func restorable(deletedAt, now time.Time) error {
	if now.Sub(deletedAt) > RestoreDays*24*time.Hour {
		return errs.E(errs.Conflict, "restore_expired", "it was deleted more than 30 days ago and can no longer be restored")
	}
	return nil
}
