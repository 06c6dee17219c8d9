// Package org holds the PostgreSQL rows and repositories of the organisation module:
// organisations, memberships, invitations and the member directory that joins users to their
// memberships.
package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/postgres"
)

type orgRow struct {
	ID                      uuid.UUID `gorm:"primaryKey"`
	Name                    string
	DefaultLocale           string
	MaxDepartmentDepth      int
	MaxGroupMembers         int
	MaxDepartmentsPerMember int
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

func toOrgRow(o *org.Organisation) orgRow {
	l := o.Limits()
	return orgRow{o.ID(), o.Name(), string(o.DefaultLocale()), l.MaxDepartmentDepth, l.MaxGroupMembers, l.MaxDeptsPerMember, o.CreatedAt(), o.UpdatedAt()}
}

func (orgRow) TableName() string { return "organisations" }

// Orgs stores organisations.
type Orgs struct{ db *gorm.DB }

// NewOrgs returns the organisation repository.
func NewOrgs(db *gorm.DB) *Orgs { return &Orgs{db} }

// Create implements org.Repository.
func (r *Orgs) Create(ctx context.Context, o *org.Organisation) error {
	row := toOrgRow(o)
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements org.Repository.
func (r *Orgs) Get(ctx context.Context, id uuid.UUID) (*org.Organisation, error) {
	var row orgRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "id = ?", id).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

func (row orgRow) domain() *org.Organisation {
	return org.Rehydrate(row.ID, row.Name, identity.Locale(row.DefaultLocale),
		org.Limits{MaxDepartmentDepth: row.MaxDepartmentDepth, MaxGroupMembers: row.MaxGroupMembers, MaxDeptsPerMember: row.MaxDepartmentsPerMember},
		row.CreatedAt, row.UpdatedAt)
}

// List implements org.Repository.
func (r *Orgs) List(ctx context.Context) ([]*org.Organisation, error) {
	var rows []orgRow
	if err := postgres.Conn(ctx, r.db).Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*org.Organisation, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Limits implements appdir.LimitsSource: an organisation's directory limits.
func (r *Orgs) Limits(ctx context.Context, orgID uuid.UUID) (org.Limits, error) {
	o, err := r.Get(ctx, orgID)
	if err != nil {
		return org.Limits{}, err
	}
	return o.Limits(), nil
}

// Update implements org.Repository.
func (r *Orgs) Update(ctx context.Context, o *org.Organisation) error {
	row := toOrgRow(o)
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&orgRow{}).Where("id = ?", o.ID()).Updates(map[string]any{
		"name": row.Name, "default_locale": row.DefaultLocale, "max_department_depth": row.MaxDepartmentDepth,
		"max_group_members": row.MaxGroupMembers, "max_departments_per_member": row.MaxDepartmentsPerMember, "updated_at": row.UpdatedAt,
	}), "organisation")
}

type membershipRow struct {
	OrgID         uuid.UUID `gorm:"primaryKey"`
	UserID        uuid.UUID `gorm:"primaryKey"`
	Role          string
	Status        string
	JoinedAt      time.Time
	DeactivatedAt *time.Time
	ExternalID    *string
}

func membershipConflict(err error) error {
	if errs.Is(err, errs.Conflict) && strings.Contains(err.Error(), "memberships_external_id_key") {
		return errs.Wrap(errs.Conflict, "external_id_taken", "another member has this external id", err)
	}
	return err
}

func (membershipRow) TableName() string { return "memberships" }

// Memberships stores memberships.
type Memberships struct{ db *gorm.DB }

// NewMemberships returns the membership repository.
func NewMemberships(db *gorm.DB) *Memberships { return &Memberships{db} }

// Add implements org.MembershipRepository.
func (r *Memberships) Add(ctx context.Context, m *org.Membership) error {
	row := membershipRow{m.OrgID(), m.UserID(), string(m.Role()), string(m.Status()), m.JoinedAt(), m.DeactivatedAt(), postgres.Nullable(m.ExternalID())}
	err := membershipConflict(postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error))
	if errs.CodeOf(err) == "conflict" {
		return errs.E(errs.Conflict, "already_member", "already a member of this organisation")
	}
	return err
}

// Get implements org.MembershipRepository.
func (r *Memberships) Get(ctx context.Context, orgID, userID uuid.UUID) (*org.Membership, error) {
	var row membershipRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "org_id = ? AND user_id = ?", orgID, userID).Error; err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("member")
		}
		return nil, postgres.Translate(err)
	}
	var ext string
	if row.ExternalID != nil {
		ext = *row.ExternalID
	}
	return org.RehydrateMembership(row.OrgID, row.UserID, org.Role(row.Role), org.MemberStatus(row.Status), row.JoinedAt, row.DeactivatedAt, ext), nil
}

// Update implements org.MembershipRepository.
func (r *Memberships) Update(ctx context.Context, m *org.Membership) error {
	err := postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&membershipRow{}).
		Where("org_id = ? AND user_id = ?", m.OrgID(), m.UserID()).
		Updates(map[string]any{"role": string(m.Role()), "status": string(m.Status()), "deactivated_at": m.DeactivatedAt(), "external_id": postgres.Nullable(m.ExternalID())}), "member")
	return membershipConflict(err)
}

type invitationRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	OrgID     uuid.UUID
	TokenHash []byte
	Role      string
	MaxUses   int
	Uses      int
	ExpiresAt time.Time
	RevokedAt *time.Time
	CreatedBy uuid.UUID
	CreatedAt time.Time
	// Email binds the invitation to one person; NULL for a link anyone may use.
	Email *string
}

func (invitationRow) TableName() string { return "invitations" }

func (r invitationRow) domain() *org.Invitation {
	email := ""
	if r.Email != nil {
		email = *r.Email
	}
	return org.RehydrateInvitation(r.ID, r.OrgID, r.TokenHash, org.Role(r.Role), r.MaxUses, r.Uses, r.ExpiresAt, r.RevokedAt, r.CreatedBy, r.CreatedAt, email)
}

// Invitations stores invitations.
type Invitations struct{ db *gorm.DB }

// NewInvitations returns the invitation repository.
func NewInvitations(db *gorm.DB) *Invitations { return &Invitations{db} }

// Create implements org.InvitationRepository.
func (r *Invitations) Create(ctx context.Context, i *org.Invitation) error {
	row := invitationRow{i.ID(), i.OrgID(), i.TokenHash(), string(i.Role()), i.MaxUses(), i.Uses(), i.ExpiresAt(), i.RevokedAt(), i.CreatedBy(), i.CreatedAt(), postgres.Nullable(i.Email())}
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// GetByTokenHash implements org.InvitationRepository.
func (r *Invitations) GetByTokenHash(ctx context.Context, hash []byte) (*org.Invitation, error) {
	var row invitationRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "token_hash = ?", hash).Error; err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("invitation")
		}
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// List implements org.InvitationRepository.
func (r *Invitations) List(ctx context.Context, orgID uuid.UUID) ([]*org.Invitation, error) {
	var rows []invitationRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("created_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*org.Invitation, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Revoke implements org.InvitationRepository.
func (r *Invitations) Revoke(ctx context.Context, orgID, id uuid.UUID, at time.Time) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&invitationRow{}).Where("id = ? AND org_id = ?", id, orgID).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at.UTC())), "invitation")
}

// Use implements org.InvitationRepository: the conditional update is the check, so two accepts
// racing for the last use cannot both win.
func (r *Invitations) Use(ctx context.Context, id uuid.UUID, now time.Time) error {
	res := postgres.Conn(ctx, r.db).Model(&invitationRow{}).
		Where("id = ? AND uses < max_uses AND expires_at > ? AND revoked_at IS NULL", id, now.UTC()).
		Update("uses", gorm.Expr("uses + 1"))
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var row invitationRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "id = ?", id).Error; err != nil {
		return postgres.Translate(err)
	}
	if err := row.domain().Check(now); err != nil {
		return err
	}
	return errs.E(errs.Conflict, "invitation_used_up", "this invitation has been used up; ask for a new one")
}

// RevokeForEmail implements org.InvitationRepository.
func (r *Invitations) RevokeForEmail(ctx context.Context, orgID uuid.UUID, email string, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&invitationRow{}).
		Where("org_id = ? AND email = ? AND revoked_at IS NULL AND uses < max_uses", orgID, strings.ToLower(email)).
		Update("revoked_at", at.UTC()).Error)
}

// ListForEmail implements org.InvitationRepository.
func (r *Invitations) ListForEmail(ctx context.Context, email string, now time.Time) ([]*org.Invitation, error) {
	var rows []invitationRow
	err := postgres.Conn(ctx, r.db).Where("email = ? AND revoked_at IS NULL AND uses < max_uses AND expires_at > ?", strings.ToLower(email), now.UTC()).
		Order("created_at DESC").Limit(100).Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*org.Invitation, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// GetForEmail implements org.InvitationRepository.
func (r *Invitations) GetForEmail(ctx context.Context, id uuid.UUID, email string) (*org.Invitation, error) {
	var rows []invitationRow
	if err := postgres.Conn(ctx, r.db).Where("id = ? AND email = ?", id, strings.ToLower(email)).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("invitation")
	}
	return rows[0].domain(), nil
}

// Directory answers member queries that join users and memberships.
type Directory struct{ db *gorm.DB }

// NewDirectory returns the member directory.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db} }

type memberRow struct {
	UserID        uuid.UUID
	Email         string
	DisplayName   string
	Role          string
	Status        string
	JoinedAt      time.Time
	DeactivatedAt *time.Time
	ExternalID    *string
	Locale        string
	TimeZone      string
	// ActivationPending: the account has no password and is not disabled.
	ActivationPending bool
	Profile           profileRow `gorm:"embedded"`
	ManagerName       *string
	// The primary department, read by the listings that join primaryJoin.
	PrimaryDepartmentID   *uuid.UUID
	PrimaryDepartmentName *string
}

func (r memberRow) member() apporg.Member {
	var ext string
	if r.ExternalID != nil {
		ext = *r.ExternalID
	}
	m := apporg.Member{UserID: r.UserID, Email: r.Email, DisplayName: r.DisplayName, Role: org.Role(r.Role),
		Status: org.MemberStatus(r.Status), JoinedAt: r.JoinedAt, DeactivatedAt: r.DeactivatedAt, ExternalID: ext,
		Locale: r.Locale, TimeZone: r.TimeZone, ActivationPending: r.ActivationPending, Profile: r.Profile.profile(), ManagerName: deref(r.ManagerName)}
	if r.PrimaryDepartmentID != nil {
		m.PrimaryDepartment = &apporg.DepartmentRef{ID: *r.PrimaryDepartmentID, Name: deref(r.PrimaryDepartmentName)}
	}
	return m
}

const memberSelect = `m.user_id, u.email, u.display_name, m.role, m.status, m.joined_at, m.deactivated_at, m.external_id, u.locale, u.time_zone,
	(u.password_hash = '' AND u.status = 'active') AS activation_pending,
	m.employee_number, m.job_title, m.mobile, m.work_location, m.manager_id, m.hire_date, mu.display_name AS manager_name`

// managerJoin joins the manager's account (mu) for memberSelect.
const managerJoin = "LEFT JOIN users mu ON mu.id = m.manager_id"

// primaryJoin joins the member's primary department (pd), of which primarySelect reads the id
// and name: a member has at most one (department_members_primary_key).
const primaryJoin = `LEFT JOIN department_members pdm ON pdm.org_id = m.org_id AND pdm.user_id = m.user_id AND pdm.is_primary
	LEFT JOIN departments pd ON pd.org_id = pdm.org_id AND pd.id = pdm.department_id`

const primarySelect = ", pd.id AS primary_department_id, pd.name AS primary_department_name"

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ListMembers implements apporg.Directory.
func (d *Directory) ListMembers(ctx context.Context, orgID uuid.UUID, f apporg.MemberFilter) ([]apporg.Member, int, error) {
	q := postgres.Conn(ctx, d.db).Table("memberships m").Joins("JOIN users u ON u.id = m.user_id").Where("m.org_id = ?", orgID)
	if f.Query != "" {
		// By name, email, the name's pinyin or its initials ("zw" finds 张伟), as the
		// directory's search, or the employee number from its start: every member picker asks
		// here.
		like := "%" + postgres.EscapeLike(strings.ToLower(f.Query)) + "%"
		prefix := postgres.EscapeLike(strings.ToLower(strings.ReplaceAll(f.Query, " ", ""))) + "%"
		number := postgres.EscapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where(`(lower(u.display_name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\'
			OR u.name_pinyin LIKE ? ESCAPE '\' OR u.name_initials LIKE ? ESCAPE '\'
			OR (m.employee_number IS NOT NULL AND lower(m.employee_number) LIKE ? ESCAPE '\'))`, like, like, prefix, prefix, number)
	}
	if f.Status != "" {
		q = q.Where("m.status = ?", string(f.Status))
	}
	if f.ExternalID != "" {
		q = q.Where("m.external_id = ?", f.ExternalID)
	}
	if f.Email != "" {
		q = q.Where("lower(u.email) = lower(?)", f.Email)
	}
	if f.Subtrees != nil {
		q = q.Where(inSubtrees, postgres.UUIDArray(f.Subtrees))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []memberRow
	if err := q.Joins(managerJoin).Joins(primaryJoin).Select(memberSelect + primarySelect).Order("u.name_pinyin, lower(u.display_name), u.id").Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apporg.Member, len(rows))
	for i, r := range rows {
		out[i] = r.member()
	}
	return out, int(total), nil
}

// inSubtrees keeps the members (m) who belong to a department in the subtree of one of the
// departments given (an array parameter): that department or one whose path starts with its.
const inSubtrees = `EXISTS (SELECT 1 FROM department_members dm
	JOIN departments sd ON sd.org_id = dm.org_id AND sd.id = dm.department_id
	JOIN departments top ON top.org_id = dm.org_id AND top.id = ANY (?::uuid[])
	WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id AND starts_with(sd.path, top.path))`

// InSubtrees implements apporg.Directory.
func (d *Directory) InSubtrees(ctx context.Context, orgID, userID uuid.UUID, departments []uuid.UUID) (bool, error) {
	var n int64
	err := postgres.Conn(ctx, d.db).Table("memberships m").Where("m.org_id = ? AND m.user_id = ?", orgID, userID).
		Where(inSubtrees, postgres.UUIDArray(departments)).Count(&n).Error
	return n > 0, postgres.Translate(err)
}

// GetMember implements apporg.Directory.
func (d *Directory) GetMember(ctx context.Context, orgID, userID uuid.UUID) (apporg.Member, error) {
	var rows []memberRow
	err := postgres.Conn(ctx, d.db).Table("memberships m").Joins("JOIN users u ON u.id = m.user_id").Joins(managerJoin).Joins(primaryJoin).
		Where("m.org_id = ? AND m.user_id = ?", orgID, userID).Select(memberSelect + primarySelect).Scan(&rows).Error
	if err != nil {
		return apporg.Member{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return apporg.Member{}, errs.NotFoundf("member")
	}
	return rows[0].member(), nil
}

// CountOwners implements apporg.Directory.
func (d *Directory) CountOwners(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, d.db).Table("memberships").Where("org_id = ? AND status = 'active' AND role = 'owner'", orgID).Count(&n).Error
	return int(n), postgres.Translate(err)
}

// CountActiveMembers implements apporg.Directory.
func (d *Directory) CountActiveMembers(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, d.db).Table("memberships").Where("org_id = ? AND status = 'active'", orgID).Count(&n).Error
	return int(n), postgres.Translate(err)
}

// ListUserOrgs implements apporg.Directory.
func (d *Directory) ListUserOrgs(ctx context.Context, userID uuid.UUID) ([]apporg.OrgMembership, error) {
	var rows []struct {
		OrgID  uuid.UUID
		Name   string
		Role   string
		Status string
	}
	err := postgres.Conn(ctx, d.db).Table("memberships m").Joins("JOIN organisations o ON o.id = m.org_id").
		Where("m.user_id = ?", userID).Select("m.org_id, o.name, m.role, m.status").Order("lower(o.name), o.id").Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]apporg.OrgMembership, len(rows))
	for i, r := range rows {
		out[i] = apporg.OrgMembership{OrgID: r.OrgID, Name: r.Name, Role: org.Role(r.Role), Status: org.MemberStatus(r.Status)}
	}
	return out, nil
}

// MemberNames returns the display names of those of ids who are members of the organisation (in
// any state), by id: what the modules show beside a person. An empty ids reads nothing.
func MemberNames(ctx context.Context, db *gorm.DB, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
	}
	if err := postgres.Conn(ctx, db).Raw(`SELECT u.id, u.display_name FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.org_id = ? AND u.id = ANY(CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(ids)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	for _, r := range rows {
		out[r.ID] = strings.TrimSpace(r.DisplayName)
	}
	return out, nil
}
