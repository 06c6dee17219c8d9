package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/postgres"
)

// Accounts reads the facts that decide who manages accounts (org.AccountTies); the rule itself
// is applied in Go, by the domain, and nowhere here.
type Accounts struct{ db *gorm.DB }

// NewAccounts returns the reader.
func NewAccounts(db *gorm.DB) *Accounts { return &Accounts{db} }

// tiesBatch bounds the ids of one query, so a large import reads its ties in a few statements.
const tiesBatch = 10_000

// InDomain implements apporg.Accounts.
func (r *Accounts) InDomain(ctx context.Context, domain string, orgID uuid.UUID) (int, int, error) {
	var n struct {
		Total     int
		Elsewhere int
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) AS total,
			count(*) FILTER (WHERE created_by_org_id IS DISTINCT FROM ?) AS elsewhere
		FROM users WHERE lower(substring(email from '@([^@]*)$')) = ?`, orgID, strings.ToLower(domain)).Scan(&n).Error
	if err != nil {
		return 0, 0, postgres.Translate(err)
	}
	return n.Total, n.Elsewhere, nil
}

// List implements apporg.Accounts. The query's LIKE wildcards are escaped, so that "%" and
// "_" match themselves.
func (r *Accounts) List(ctx context.Context, f apporg.AccountFilter) ([]apporg.Account, int, error) {
	q := postgres.Conn(ctx, r.db).Table("users u")
	if f.Query != "" {
		like := "%" + postgres.EscapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where(`(lower(u.display_name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\')`, like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []struct {
		ID                uuid.UUID
		Email             string
		DisplayName       string
		Status            string
		InstallationAdmin bool
		CreatedAt         time.Time
	}
	err := q.Select("u.id, u.email, u.display_name, u.status, u.installation_admin, u.created_at").
		Order("lower(u.display_name), lower(u.email), u.id").Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apporg.Account, len(rows))
	for i, a := range rows {
		out[i] = apporg.Account{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Status: identity.UserStatus(a.Status),
			InstallationAdmin: a.InstallationAdmin, CreatedAt: a.CreatedAt}
	}
	return out, int(total), nil
}

// Ties implements apporg.Accounts.
func (r *Accounts) Ties(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]org.AccountTies, error) {
	out := make(map[uuid.UUID]org.AccountTies, len(userIDs))
	c := postgres.Conn(ctx, r.db)
	for start := 0; start < len(userIDs); start += tiesBatch {
		batch := userIDs[start:min(start+tiesBatch, len(userIDs))]
		ids := make(pq.StringArray, len(batch))
		for i, id := range batch {
			ids[i] = id.String()
		}
		var accounts []struct {
			ID             uuid.UUID
			CreatedByOrgID *uuid.UUID
			DomainOrgID    *uuid.UUID
		}
		// The domain of an address is what follows its last "@".
		err := c.Raw(`SELECT u.id, u.created_by_org_id, d.org_id AS domain_org_id
			FROM users u LEFT JOIN org_domains d ON d.domain = lower(substring(u.email from '@([^@]*)$'))
			WHERE u.id = ANY (?::uuid[])`, ids).Scan(&accounts).Error
		if err != nil {
			return nil, postgres.Translate(err)
		}
		for _, a := range accounts {
			t := org.AccountTies{UserID: a.ID}
			if a.CreatedByOrgID != nil {
				t.CreatedByOrgID = *a.CreatedByOrgID
			}
			if a.DomainOrgID != nil {
				t.DomainOrgID = *a.DomainOrgID
			}
			out[a.ID] = t
		}
		var ms []struct {
			UserID uuid.UUID
			OrgID  uuid.UUID
			Role   string
			Status string
		}
		if err := c.Raw(`SELECT user_id, org_id, role, status FROM memberships WHERE user_id = ANY (?::uuid[])`, ids).Scan(&ms).Error; err != nil {
			return nil, postgres.Translate(err)
		}
		for _, m := range ms {
			t, ok := out[m.UserID]
			if !ok {
				continue
			}
			t.Memberships = append(t.Memberships, org.Tie{OrgID: m.OrgID, Role: org.Role(m.Role), Active: m.Status == string(org.MemberActive)})
			out[m.UserID] = t
		}
	}
	return out, nil
}

type domainRow struct {
	Domain    string `gorm:"primaryKey"`
	OrgID     uuid.UUID
	CreatedAt time.Time
}

func (domainRow) TableName() string { return "org_domains" }

func (r domainRow) domain() *org.EmailDomain {
	return org.RehydrateEmailDomain(r.OrgID, r.Domain, r.CreatedAt)
}

// Domains stores the email domains assigned to organisations.
type Domains struct{ db *gorm.DB }

// NewDomains returns the domain repository.
func NewDomains(db *gorm.DB) *Domains { return &Domains{db} }

// Assign implements org.DomainRepository.
func (r *Domains) Assign(ctx context.Context, d *org.EmailDomain) error {
	row := domainRow{d.Domain(), d.OrgID(), d.CreatedAt()}
	err := postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
	if errs.Is(err, errs.Conflict) {
		return errs.E(errs.Conflict, "domain_taken", "this domain is assigned to an organisation already")
	}
	return err
}

// Unassign implements org.DomainRepository.
func (r *Domains) Unassign(ctx context.Context, orgID uuid.UUID, domain string) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Where("org_id = ? AND domain = ?", orgID, domain).Delete(&domainRow{}), "domain")
}

// ListByOrg implements org.DomainRepository.
func (r *Domains) ListByOrg(ctx context.Context, orgID uuid.UUID) ([]*org.EmailDomain, error) {
	var rows []domainRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("domain").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*org.EmailDomain, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// ListAll implements org.DomainRepository.
func (r *Domains) ListAll(ctx context.Context) ([]*org.EmailDomain, error) {
	var rows []domainRow
	if err := postgres.Conn(ctx, r.db).Order("org_id, domain").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*org.EmailDomain, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// OrgOf implements org.DomainRepository.
func (r *Domains) OrgOf(ctx context.Context, domain string) (uuid.UUID, error) {
	var rows []domainRow
	if err := postgres.Conn(ctx, r.db).Where("domain = ?", strings.ToLower(domain)).Limit(1).Find(&rows).Error; err != nil {
		return uuid.Nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return uuid.Nil, nil
	}
	return rows[0].OrgID, nil
}
