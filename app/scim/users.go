package scim

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/app/authz"
	appdir "canopy/app/directory"
	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/domain/text"
)

// User is a member as an identity provider sees them.
type User struct {
	apporg.Member
	// Department is the path of names below the root to the member's primary department
	// ("Engineering/Backend"), or "" when they have none below the root.
	Department string
	// GivenName and FamilyName are the name parts the provider sent, as it sent them; "" when
	// it sent none.
	GivenName, FamilyName string
	// UpdatedAt is when the member last changed.
	UpdatedAt time.Time
}

// UserInput is a member an identity provider creates.
type UserInput struct {
	Email       string
	DisplayName string
	ExternalID  string
	// Password is optional: without one the member signs in by single sign-on, or once a
	// password is set.
	Password string
	Locale   string
	TimeZone string
	Active   bool
	// Department is the path below the root ("Engineering/Backend") of the member's primary
	// department, made when missing; "" places them in none.
	Department string
	// GivenName and FamilyName are kept as sent and returned to the provider ("" for none).
	GivenName, FamilyName string
	// Profile holds the employee details the provider sends (title, employeeNumber, manager,
	// the mobile phone number).
	Profile org.ProfileChange
}

// UserChange is what an identity provider changes about a member; nil leaves a field as it is.
type UserChange struct {
	Email       *string
	DisplayName *string
	ExternalID  *string
	Locale      *string
	TimeZone    *string
	Active      *bool
	// Department replaces the member's primary department with the one at this path below the
	// root, made when missing; their other departments stay. "" leaves departments as they are:
	// an identity provider that stops sending a department never takes anyone out of one.
	Department string
	// GivenName and FamilyName replace the name parts kept for the provider; "" removes one.
	GivenName, FamilyName *string
	// Profile changes the employee details the provider sends.
	Profile org.ProfileChange
}

// MaxNamePart is the longest given or family name kept, in characters.
const MaxNamePart = 200

// checkNamePart applies the rule for names to a name part (text.Name: no control characters,
// bidirectional overrides or invisible-only text) and bounds its length. The part is kept as the
// provider sent it, so that it gets back exactly what it wrote.
func checkNamePart(field string, v *string) error {
	if v == nil {
		return nil
	}
	if _, err := text.Name(field, *v); err != nil {
		return err
	}
	if utf8.RuneCountInString(*v) > MaxNamePart {
		return errs.E(errs.Invalid, "invalid_name", fmt.Sprintf("%s must be at most %d characters", field, MaxNamePart))
	}
	return nil
}

// setNames checks and stores the name parts given.
func (s *Service) setNames(ctx context.Context, orgID, userID uuid.UUID, given, family *string) error {
	if given == nil && family == nil {
		return nil
	}
	if err := checkNamePart("name.givenName", given); err != nil {
		return err
	}
	if err := checkNamePart("name.familyName", family); err != nil {
		return err
	}
	return s.store.SetNames(ctx, orgID, userID, given, family)
}

// Users returns a page of the organisation's members that match f (nil: all) and how many match.
func (s *Service) Users(ctx context.Context, a authz.Actor, f Expr, limit, offset int) ([]User, int, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return nil, 0, err
	}
	limit, offset = clampPage(limit, offset)
	return s.read.Users(ctx, a.OrgID, f, limit, offset)
}

// User returns one member; NotFound for anyone who is not a member of the organisation.
func (s *Service) User(ctx context.Context, a authz.Actor, id uuid.UUID) (User, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return User{}, err
	}
	return s.read.User(ctx, a.OrgID, id)
}

// CreateUser provisions a member as every door does (apporg.Service.ProvisionMember) and places
// them in their department, all in one transaction. A member with the same email or external id
// is a conflict; so is an email whose account the organisation does not manage: the person is
// invited, and the provider gets Conflict invited (apporg.ErrInvited), since SCIM has no way to
// answer "created" without a member.
//
// A member the provider deleted (DeleteUser) and now creates again, by the same email, is
// restored: the same membership, with the attributes sent, under the same id.
func (s *Service) CreateUser(ctx context.Context, a authz.Actor, in UserInput) (User, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return User{}, err
	}
	if err := checkNamePart("name.givenName", &in.GivenName); err != nil {
		return User{}, err
	}
	if err := checkNamePart("name.familyName", &in.FamilyName); err != nil {
		return User{}, err
	}
	var id uuid.UUID
	invited := false
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.knownManager(ctx, a, &in.Profile); err != nil {
			return err
		}
		if email, err := identity.NormalizeEmail(in.Email); err == nil {
			gone, err := s.store.Deleted(ctx, a.OrgID, email)
			switch {
			case err == nil:
				id = gone
				return s.restore(ctx, a, gone, in)
			case !errs.Is(err, errs.NotFound):
				return err
			}
		}
		p, err := s.orgs.ProvisionMember(ctx, a, apporg.ProvisionInput{
			Email: in.Email, DisplayName: in.DisplayName, ExternalID: in.ExternalID, Password: in.Password,
			Locale: in.Locale, TimeZone: in.TimeZone, Role: org.RoleMember, Profile: in.Profile,
		})
		if err != nil {
			return err
		}
		if p.Invitation != nil {
			// The invitation is kept (the transaction commits); the provider hears only that
			// the user exists, which is what SCIM can say.
			invited = true
			return nil
		}
		id = p.Member.UserID
		if !in.Active {
			inactive := false
			if _, err := s.orgs.UpdateMember(ctx, a, id, apporg.MemberChange{Active: &inactive}); err != nil {
				return err
			}
		}
		if err := s.setNames(ctx, a.OrgID, id, &in.GivenName, &in.FamilyName); err != nil {
			return err
		}
		return s.place(ctx, a, id, "", in.Department)
	})
	if err != nil {
		return User{}, err
	}
	if invited {
		return User{}, apporg.ErrInvited()
	}
	return s.read.User(ctx, a.OrgID, id)
}

// restore brings back a member the provider deleted, as the whole user it sends again. The
// password, if any, is not used: the account has its own, or an activation link.
func (s *Service) restore(ctx context.Context, a authz.Actor, id uuid.UUID, in UserInput) error {
	if err := s.store.Restore(ctx, a.OrgID, id); err != nil {
		return err
	}
	c := UserChange{Email: &in.Email, DisplayName: &in.DisplayName, ExternalID: &in.ExternalID, Active: &in.Active,
		Department: in.Department, GivenName: &in.GivenName, FamilyName: &in.FamilyName, Profile: in.Profile}
	if in.Locale != "" {
		c.Locale = &in.Locale
	}
	if in.TimeZone != "" {
		c.TimeZone = &in.TimeZone
	}
	return s.update(ctx, a, id, c)
}

// UpdateUser changes a member in one transaction. Deactivating ends their sessions and revokes
// their API tokens at once. Values equal to the current ones are left alone, so a provider that
// sends the whole user on every sync writes only what changed.
func (s *Service) UpdateUser(ctx context.Context, a authz.Actor, id uuid.UUID, c UserChange) (User, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return User{}, err
	}
	if err := s.tx.Within(ctx, func(ctx context.Context) error { return s.update(ctx, a, id, c) }); err != nil {
		return User{}, err
	}
	return s.read.User(ctx, a.OrgID, id)
}

// update is UpdateUser within the caller's transaction.
func (s *Service) update(ctx context.Context, a authz.Actor, id uuid.UUID, c UserChange) error {
	cur, err := s.read.User(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	mc := apporg.MemberChange{
		Email:       changed(c.Email, cur.Email, strings.EqualFold),
		DisplayName: changed(c.DisplayName, cur.DisplayName, same),
		ExternalID:  changed(c.ExternalID, cur.ExternalID, same),
		Locale:      changed(c.Locale, cur.Locale, same),
		TimeZone:    changed(c.TimeZone, cur.TimeZone, same),
	}
	if c.Active != nil && *c.Active != (cur.Status == org.MemberActive) {
		mc.Active = c.Active
	}
	if err := s.knownManager(ctx, a, &c.Profile); err != nil {
		return err
	}
	mc.Profile = changedProfile(c.Profile, cur.Profile)
	if mc != (apporg.MemberChange{}) {
		if _, err := s.orgs.UpdateMember(ctx, a, id, mc); err != nil {
			return err
		}
	}
	given, family := c.GivenName, c.FamilyName
	if given != nil && *given == cur.GivenName {
		given = nil
	}
	if family != nil && *family == cur.FamilyName {
		family = nil
	}
	if err := s.setNames(ctx, a.OrgID, id, given, family); err != nil {
		return err
	}
	return s.place(ctx, a, id, cur.Department, c.Department)
}

// DeleteUser is what a SCIM DELETE does. For the provider the member is gone: every later
// request for the id answers NotFound (RFC 7644 section 3.6), they leave the lists and filters,
// and creating them again by email restores them (CreateUser). For Canopy they are deactivated,
// not removed, so their files, messages and tasks stay with the organisation, and the audit log
// keeps what happened; their external id is released, for the provider to give to someone else.
func (s *Service) DeleteUser(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		cur, err := s.read.User(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		var mc apporg.MemberChange
		if cur.Status == org.MemberActive {
			inactive := false
			mc.Active = &inactive
		}
		if cur.ExternalID != "" {
			none := ""
			mc.ExternalID = &none
		}
		if mc != (apporg.MemberChange{}) {
			if _, err := s.orgs.UpdateMember(ctx, a, id, mc); err != nil {
				return err
			}
		}
		return s.store.Delete(ctx, a.OrgID, id)
	})
}

func same(a, b string) bool { return a == b }

// knownManager drops a manager that is not an active member of the organisation: a provider
// may name a manager it has not provisioned yet (or by an id of its own), and the user is still
// made or updated; its next sync sets the manager. A manager below the user is still refused.
func (s *Service) knownManager(ctx context.Context, a authz.Actor, c *org.ProfileChange) error {
	if c.ManagerID == nil || strings.TrimSpace(*c.ManagerID) == "" {
		return nil
	}
	id, err := uuid.Parse(strings.TrimSpace(*c.ManagerID))
	if err != nil {
		c.ManagerID = nil
		return nil
	}
	m, err := s.read.User(ctx, a.OrgID, id)
	if errs.Is(err, errs.NotFound) || (err == nil && m.Status != org.MemberActive) {
		c.ManagerID = nil
		return nil
	}
	return err
}

// changedProfile leaves out of c what the member's profile already says, so that a provider
// that sends the whole user on every sync changes (and audits) only what changed.
func changedProfile(c org.ProfileChange, cur org.Profile) org.ProfileChange {
	manager := ""
	if cur.ManagerID != nil {
		manager = cur.ManagerID.String()
	}
	mobile := c.Mobile
	if mobile != nil {
		if n, err := org.NormalizeMobile(*mobile); err == nil && n == cur.Mobile {
			mobile = nil
		}
	}
	return org.ProfileChange{
		EmployeeNumber: changed(c.EmployeeNumber, cur.EmployeeNumber, same),
		JobTitle:       changed(c.JobTitle, cur.JobTitle, same),
		Mobile:         mobile,
		WorkLocation:   changed(c.WorkLocation, cur.WorkLocation, same),
		ManagerID:      changed(c.ManagerID, manager, strings.EqualFold),
		HireDate:       c.HireDate,
	}
}

// changed returns v unless it says what cur already is.
func changed(v *string, cur string, eq func(a, b string) bool) *string {
	if v == nil || eq(strings.TrimSpace(*v), cur) {
		return nil
	}
	return v
}

// place makes the department at path the member's primary one, in place of their current
// primary; their other departments stay. The identity provider owns the primary department,
// and admins the rest.
func (s *Service) place(ctx context.Context, a authz.Actor, userID uuid.UUID, current, path string) error {
	if strings.TrimSpace(path) == "" {
		return nil
	}
	names, err := appdir.SplitPath(path)
	if err != nil {
		return err
	}
	if strings.EqualFold(strings.Join(names, "/"), current) {
		return nil
	}
	d, err := s.dir.ResolvePath(ctx, a, path, true)
	if err != nil {
		return err
	}
	card, err := s.dir.Person(ctx, a, userID)
	if err != nil {
		return err
	}
	as := make([]directory.Assignment, 0, len(card.Departments)+1)
	found := false
	for _, pd := range card.Departments {
		switch id := pd.Department.ID(); {
		case id == d.ID():
			as = append(as, directory.Assignment{DepartmentID: id, Primary: true, Leader: pd.Leader})
			found = true
		case pd.Primary:
			// The old primary department gives way to the new one.
		default:
			as = append(as, directory.Assignment{DepartmentID: id, Leader: pd.Leader})
		}
	}
	if !found {
		as = append(as, directory.Assignment{DepartmentID: d.ID(), Primary: true})
	}
	return s.dir.SetAssignments(ctx, a, userID, as)
}
