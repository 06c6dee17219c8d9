package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// EmailDomain is an email domain that an installation admin assigned to an organisation: the
// organisation manages every account whose email is in it, and only that one organisation may,
// so a domain is assigned to at most one.
type EmailDomain struct {
	orgID     uuid.UUID
	domain    string
	createdAt time.Time
}

// ParseEmailDomain checks that s is a DNS name that email can be addressed to ("acme.com"),
// and returns it trimmed and lower-cased. International names are given in their ASCII (xn--)
// form, which is how they appear in normalised email addresses.
func ParseEmailDomain(s string) (string, error) {
	bad := errs.E(errs.Invalid, "invalid_domain", "domain must be a DNS name such as acme.com")
	d := strings.ToLower(strings.TrimSpace(s))
	d = strings.TrimSuffix(d, ".")
	if d == "" || len(d) > 253 {
		return "", bad
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", bad
			}
		}
	}
	// A top-level domain is never all digits; "10.0.0.1" is an address, not a domain.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", bad
	}
	return d, nil
}

// NewEmailDomain validates a domain and returns its assignment to an organisation.
func NewEmailDomain(orgID uuid.UUID, domain string, now time.Time) (*EmailDomain, error) {
	d, err := ParseEmailDomain(domain)
	if err != nil {
		return nil, err
	}
	return &EmailDomain{orgID: orgID, domain: d, createdAt: now.UTC()}, nil
}

// RehydrateEmailDomain rebuilds a stored assignment. It is for repository adapters only.
func RehydrateEmailDomain(orgID uuid.UUID, domain string, createdAt time.Time) *EmailDomain {
	return &EmailDomain{orgID, domain, createdAt}
}

// OrgID returns the organisation the domain is assigned to.
func (d *EmailDomain) OrgID() uuid.UUID { return d.orgID }

// Domain returns the lower-cased domain.
func (d *EmailDomain) Domain() string { return d.domain }

// CreatedAt returns when it was assigned.
func (d *EmailDomain) CreatedAt() time.Time { return d.createdAt }

// DomainRepository stores the assignments of email domains.
type DomainRepository interface {
	// Assign stores an assignment; Conflict (domain_taken) when the domain is assigned already,
	// to this organisation or another.
	Assign(ctx context.Context, d *EmailDomain) error
	// Unassign removes a domain from an organisation; NotFound if it is not assigned to it.
	Unassign(ctx context.Context, orgID uuid.UUID, domain string) error
	// ListByOrg returns an organisation's domains, by name.
	ListByOrg(ctx context.Context, orgID uuid.UUID) ([]*EmailDomain, error)
	// ListAll returns every assignment, by organisation and name.
	ListAll(ctx context.Context) ([]*EmailDomain, error)
	// OrgOf returns the organisation a domain is assigned to, or uuid.Nil when it is assigned
	// to none.
	OrgOf(ctx context.Context, domain string) (uuid.UUID, error)
}
