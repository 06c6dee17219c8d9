package scim

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appdir "canopy/app/directory"
	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/org"
)

// User is a member as an identity provider sees them.
type User struct {
	apporg.Member
	// Department is the path of names below the root to the member's primary department
	// ("Engineering/Backend"), or "" when they have none below the root.
	Department string
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

// CreateUser provisions a member, with a new account or the existing account of the email, and
// places them in their department, all in one transaction. A member with the same email or
// external id is a conflict.
func (s *Service) CreateUser(ctx context.Context, a authz.Actor, in UserInput) (User, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return User{}, err
	}
	var id uuid.UUID
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		m, err := s.orgs.ProvisionMember(ctx, a, apporg.ProvisionInput{
			Email: in.Email, DisplayName: in.DisplayName, ExternalID: in.ExternalID, Password: in.Password,
			Locale: in.Locale, TimeZone: in.TimeZone, Role: org.RoleMember,
		})
		if err != nil {
			return err
		}
		id = m.UserID
		if !in.Active {
			inactive := false
			if _, err := s.orgs.UpdateMember(ctx, a, id, apporg.MemberChange{Active: &inactive}); err != nil {
				return err
			}
		}
		return s.place(ctx, a, id, "", in.Department)
	})
	if err != nil {
		return User{}, err
	}
	return s.read.User(ctx, a.OrgID, id)
}

// UpdateUser changes a member in one transaction. Deactivating ends their sessions and revokes
// their API tokens at once. Values equal to the current ones are left alone, so a provider that
// sends the whole user on every sync writes only what changed.
func (s *Service) UpdateUser(ctx context.Context, a authz.Actor, id uuid.UUID, c UserChange) (User, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return User{}, err
	}
	err := s.tx.Within(ctx, func(ctx context.Context) error {
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
		if mc != (apporg.MemberChange{}) {
			if _, err := s.orgs.UpdateMember(ctx, a, id, mc); err != nil {
				return err
			}
		}
		return s.place(ctx, a, id, cur.Department, c.Department)
	})
	if err != nil {
		return User{}, err
	}
	return s.read.User(ctx, a.OrgID, id)
}

// DeactivateUser is what a SCIM DELETE does: the member is deactivated, not removed, so their
// files, messages and tasks stay with the organisation. Deactivating twice is not an error.
func (s *Service) DeactivateUser(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	inactive := false
	_, err := s.UpdateUser(ctx, a, id, UserChange{Active: &inactive})
	return err
}

func same(a, b string) bool { return a == b }

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
