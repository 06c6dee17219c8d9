package tasks

import (
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Section is a heading of a list, shown as a kanban column; every task of the list is in one.
type Section struct {
	id        uuid.UUID
	orgID     uuid.UUID
	listID    uuid.UUID
	name      string
	rank      string
	createdAt time.Time
}

// NewSection returns a section of a list at rank.
func NewSection(orgID, listID uuid.UUID, sectionName, rank string, now time.Time) (*Section, error) {
	s := &Section{id: uuid.New(), orgID: orgID, listID: listID, createdAt: now.UTC()}
	if err := s.Rename(sectionName); err != nil {
		return nil, err
	}
	if err := s.SetRank(rank); err != nil {
		return nil, err
	}
	return s, nil
}

// RehydrateSection rebuilds a stored section. It is for repository adapters only.
func RehydrateSection(id, orgID, listID uuid.UUID, sectionName, rank string, createdAt time.Time) *Section {
	return &Section{id, orgID, listID, sectionName, rank, createdAt}
}

// ID returns the section's id.
func (s *Section) ID() uuid.UUID { return s.id }

// OrgID returns the organisation.
func (s *Section) OrgID() uuid.UUID { return s.orgID }

// ListID returns its list.
func (s *Section) ListID() uuid.UUID { return s.listID }

// Name returns its name.
func (s *Section) Name() string { return s.name }

// Rank returns its place among the list's sections.
func (s *Section) Rank() string { return s.rank }

// CreatedAt returns when it was made.
func (s *Section) CreatedAt() time.Time { return s.createdAt }

// Rename sets its name.
func (s *Section) Rename(v string) error {
	v, err := name("name", v, MaxNameLength)
	if err != nil {
		return err
	}
	s.name = v
	return nil
}

// SetRank places it.
func (s *Section) SetRank(r string) error {
	if !ValidRank(r) {
		return errs.E(errs.Invalid, "invalid_rank", "rank: is not a rank key")
	}
	s.rank = r
	return nil
}
