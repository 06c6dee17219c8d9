// Package org holds organisations, the tenants of Canopy, with their memberships and invitations.
package org

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/text"
)

// Organisation is a tenant. Every tenant-owned row carries its id.
type Organisation struct {
	id            uuid.UUID
	name          string
	defaultLocale identity.Locale
	limits        Limits
	createdAt     time.Time
	updatedAt     time.Time
}

// Limits are an organisation's own directory limits, each at most the hard cap.
type Limits struct {
	MaxDepartmentDepth int
	MaxGroupMembers    int
	MaxDeptsPerMember  int
}

// Hard caps and defaults of the limits.
const (
	HardMaxDepartmentDepth = 25
	HardMaxGroupMembers    = 1000
	HardMaxDeptsPerMember  = 500
	DefaultDeptsPerMember  = 50
)

// DefaultLimits are a new organisation's limits.
func DefaultLimits() Limits {
	return Limits{MaxDepartmentDepth: HardMaxDepartmentDepth, MaxGroupMembers: HardMaxGroupMembers, MaxDeptsPerMember: DefaultDeptsPerMember}
}

func (l Limits) check() error {
	switch {
	case l.MaxDepartmentDepth < 1 || l.MaxDepartmentDepth > HardMaxDepartmentDepth:
		return errs.E(errs.Invalid, "invalid_limit", "max_department_depth must be between 1 and 25")
	case l.MaxGroupMembers < 1 || l.MaxGroupMembers > HardMaxGroupMembers:
		return errs.E(errs.Invalid, "invalid_limit", "max_group_members must be between 1 and 1000")
	case l.MaxDeptsPerMember < 1 || l.MaxDeptsPerMember > HardMaxDeptsPerMember:
		return errs.E(errs.Invalid, "invalid_limit", "max_departments_per_member must be between 1 and 500")
	}
	return nil
}

// ParseName normalises an organisation name by the text rule for names (text.Name) and checks
// its length.
func ParseName(s string) (string, error) {
	s, err := text.Name("name", s)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > 100 {
		return "", errs.E(errs.Invalid, "invalid_org_name", "name must be 1 to 100 characters")
	}
	return s, nil
}

// New validates and returns a new organisation. An empty locale means English.
func New(name, defaultLocale string, now time.Time) (*Organisation, error) {
	n, err := ParseName(name)
	if err != nil {
		return nil, err
	}
	if defaultLocale == "" {
		defaultLocale = string(identity.LocaleEN)
	}
	loc, err := identity.ParseLocale(defaultLocale)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Organisation{id: uuid.New(), name: n, defaultLocale: loc, limits: DefaultLimits(), createdAt: now, updatedAt: now}, nil
}

// Rehydrate rebuilds a stored organisation. It is for repository adapters only.
func Rehydrate(id uuid.UUID, name string, defaultLocale identity.Locale, limits Limits, createdAt, updatedAt time.Time) *Organisation {
	return &Organisation{id, name, defaultLocale, limits, createdAt, updatedAt}
}

// Limits returns the organisation's directory limits.
func (o *Organisation) Limits() Limits { return o.limits }

// ID returns the organisation's id.
func (o *Organisation) ID() uuid.UUID { return o.id }

// Name returns the organisation's name.
func (o *Organisation) Name() string { return o.name }

// DefaultLocale returns the language new members start with.
func (o *Organisation) DefaultLocale() identity.Locale { return o.defaultLocale }

// CreatedAt returns when the organisation was made.
func (o *Organisation) CreatedAt() time.Time { return o.createdAt }

// UpdatedAt returns when the settings last changed.
func (o *Organisation) UpdatedAt() time.Time { return o.updatedAt }

// SettingsChange holds the settings to change; nil leaves one as it is.
type SettingsChange struct {
	Name          *string
	DefaultLocale *string
	Limits        *Limits
}

// ChangeSettings applies a validated change; on error nothing changes.
func (o *Organisation) ChangeSettings(c SettingsChange, now time.Time) error {
	name, loc := o.name, o.defaultLocale
	var err error
	if c.Name != nil {
		if name, err = ParseName(*c.Name); err != nil {
			return err
		}
	}
	if c.DefaultLocale != nil {
		if loc, err = identity.ParseLocale(*c.DefaultLocale); err != nil {
			return err
		}
	}
	lim := o.limits
	if c.Limits != nil {
		if err := c.Limits.check(); err != nil {
			return err
		}
		lim = *c.Limits
	}
	o.name, o.defaultLocale, o.limits, o.updatedAt = name, loc, lim, now.UTC()
	return nil
}

// Repository stores organisations.
type Repository interface {
	// Create stores a new organisation.
	Create(ctx context.Context, o *Organisation) error
	// Get returns an organisation; NotFound if there is none.
	Get(ctx context.Context, id uuid.UUID) (*Organisation, error)
	// Update stores changed settings; NotFound if it is gone.
	Update(ctx context.Context, o *Organisation) error
	// List returns every organisation of the installation, by name.
	List(ctx context.Context) ([]*Organisation, error)
}
