package files

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// SpaceKind says who a space belongs to, and so who its members are.
type SpaceKind string

// The kinds of space. Their values are stored and appear in the API.
const (
	// KindOrganisation is the organisation's space; its owner is the organisation itself.
	KindOrganisation SpaceKind = "organisation"
	// KindDepartment is a department's space; its members are those of the department's subtree.
	KindDepartment SpaceKind = "department"
	// KindGroup is a sub-group's space; its members are the group's.
	KindGroup SpaceKind = "group"
	// KindPersonal is one person's space, made on first use.
	KindPersonal SpaceKind = "personal"
)

// ParseSpaceKind checks a kind given by a caller.
func ParseSpaceKind(s string) (SpaceKind, error) {
	switch k := SpaceKind(s); k {
	case KindOrganisation, KindDepartment, KindGroup, KindPersonal:
		return k, nil
	}
	return "", errs.E(errs.Invalid, "invalid_space_kind", "kind: must be organisation, department, group or personal")
}

// Retention limits, in days.
const (
	// DefaultMinimumRetentionDays is a new organisation's minimum retention.
	DefaultMinimumRetentionDays = 3
	// MaxRetentionDays bounds every retention setting (100 years), so that a date computed from
	// one always fits the database and the object store.
	MaxRetentionDays = 36500
)

// Space is a root of files and folders that belongs to an organisation, a department, a group
// or a person. Its retention settings may lengthen the organisation's minimum, never shorten it.
type Space struct {
	id               uuid.UUID
	orgID            uuid.UUID
	kind             SpaceKind
	ownerID          uuid.UUID // the organisation, department, group or user
	minRetentionDays int       // 0: none of its own
	maxRetentionDays int       // 0: none
	quotaBytes       int64     // 0: no quota of its own
	createdAt        time.Time
	updatedAt        time.Time
}

// NewSpace returns a space of the given kind. An organisation's space is owned by the
// organisation itself, so ownerID must then be orgID.
func NewSpace(orgID uuid.UUID, kind SpaceKind, ownerID uuid.UUID, now time.Time) (*Space, error) {
	if _, err := ParseSpaceKind(string(kind)); err != nil {
		return nil, err
	}
	switch {
	case orgID == uuid.Nil:
		return nil, errs.E(errs.Invalid, "invalid_space", "org_id: is required")
	case ownerID == uuid.Nil:
		return nil, errs.E(errs.Invalid, "invalid_space", "owner_id: is required")
	case kind == KindOrganisation && ownerID != orgID:
		return nil, errs.E(errs.Invalid, "invalid_space", "owner_id: an organisation's space belongs to the organisation")
	}
	now = now.UTC()
	return &Space{id: uuid.New(), orgID: orgID, kind: kind, ownerID: ownerID, createdAt: now, updatedAt: now}, nil
}

// RehydrateSpace rebuilds a stored space. It is for repository adapters only.
func RehydrateSpace(id, orgID uuid.UUID, kind SpaceKind, ownerID uuid.UUID, minRetentionDays, maxRetentionDays int, quotaBytes int64, createdAt, updatedAt time.Time) *Space {
	return &Space{id, orgID, kind, ownerID, minRetentionDays, maxRetentionDays, quotaBytes, createdAt, updatedAt}
}

// ID returns the space's id.
func (s *Space) ID() uuid.UUID { return s.id }

// OrgID returns the organisation.
func (s *Space) OrgID() uuid.UUID { return s.orgID }

// Kind returns who the space belongs to.
func (s *Space) Kind() SpaceKind { return s.kind }

// OwnerID returns the id of the organisation, department, group or user that owns the space.
func (s *Space) OwnerID() uuid.UUID { return s.ownerID }

// MinRetentionDays returns the space's own minimum retention, or 0 for none. AvailableUntil
// ignores it where it is below the organisation's.
func (s *Space) MinRetentionDays() int { return s.minRetentionDays }

// MaxRetentionDays returns the space's maximum retention, or 0 for none.
func (s *Space) MaxRetentionDays() int { return s.maxRetentionDays }

// QuotaBytes returns the space's quota, or 0 for none of its own.
func (s *Space) QuotaBytes() int64 { return s.quotaBytes }

// CreatedAt returns when the space was made.
func (s *Space) CreatedAt() time.Time { return s.createdAt }

// UpdatedAt returns when its settings last changed.
func (s *Space) UpdatedAt() time.Time { return s.updatedAt }

// SetRetention sets the space's own minimum and maximum retention in days (0: none). A minimum
// may only lengthen the organisation's, so one below orgMinimumDays is refused rather than
// silently ignored; a maximum below the minimum that applies would contradict the floor. Since
// the organisation's minimum may later grow past a stored value, AvailableUntil still treats
// the organisation's minimum as the floor.
func (s *Space) SetRetention(minDays, maxDays, orgMinimumDays int, now time.Time) error {
	switch {
	case minDays < 0 || minDays > MaxRetentionDays:
		return errs.E(errs.Invalid, "invalid_retention", "min_retention_days: must be between 0 and "+strconv.Itoa(MaxRetentionDays))
	case maxDays < 0 || maxDays > MaxRetentionDays:
		return errs.E(errs.Invalid, "invalid_retention", "max_retention_days: must be between 0 and "+strconv.Itoa(MaxRetentionDays))
	case minDays != 0 && minDays < orgMinimumDays:
		return errs.E(errs.Invalid, "retention_below_floor", "min_retention_days: may only lengthen the organisation's minimum of "+strconv.Itoa(orgMinimumDays)+" days")
	case maxDays != 0 && maxDays < max(minDays, orgMinimumDays):
		return errs.E(errs.Invalid, "invalid_retention", "max_retention_days: must not be shorter than the minimum retention")
	}
	s.minRetentionDays, s.maxRetentionDays, s.updatedAt = minDays, maxDays, now.UTC()
	return nil
}

// SetQuota sets the space's quota in bytes (0: none of its own).
func (s *Space) SetQuota(bytes int64, now time.Time) error {
	if bytes < 0 {
		return errs.E(errs.Invalid, "invalid_quota", "quota_bytes: must not be negative")
	}
	s.quotaBytes, s.updatedAt = bytes, now.UTC()
	return nil
}

// CheckQuota refuses adding bytes to a space that already uses used bytes when the sum would
// pass its quota: Conflict quota_exceeded. The caller checks before storing any byte, with the
// usage read under a lock so that concurrent uploads cannot together pass it.
func (s *Space) CheckQuota(used, adding int64) error {
	return CheckQuota("space", s.quotaBytes, used, adding)
}

// CheckQuota is the one quota rule, for a space's or an organisation's quota (0: none).
func CheckQuota(what string, quota, used, adding int64) error {
	if quota > 0 && (adding > quota || used > quota-adding) {
		return errs.E(errs.Conflict, "quota_exceeded", "the "+what+"'s quota of "+strconv.FormatInt(quota, 10)+" bytes would be exceeded")
	}
	return nil
}

// SpaceRepository stores spaces.
type SpaceRepository interface {
	// Create stores a space; Conflict if its owner already has one.
	Create(ctx context.Context, s *Space) error
	// Get returns a space of the organisation; NotFound otherwise, also for another
	// organisation's id.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Space, error)
	// ByOwner returns the space of an owner; NotFound if it has none yet.
	ByOwner(ctx context.Context, orgID uuid.UUID, kind SpaceKind, ownerID uuid.UUID) (*Space, error)
	// Update stores changed retention or quota settings; NotFound if the space is gone.
	Update(ctx context.Context, s *Space) error
}
