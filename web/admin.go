package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
)

// The admin API for IT: user lifecycle under /api/v1/admin/orgs/{orgID}/users. Department and
// group management sits beside it under the same prefix (directory.go).

func (s *Server) adminListUsers(c echo.Context) error {
	f, err := memberFilter(c)
	if err != nil {
		return err
	}
	f.ExternalID, f.Email = c.QueryParam("external_id"), c.QueryParam("email")
	ms, total, err := s.orgs.AdminListMembers(ctxOf(c), actor(c), f)
	if err != nil {
		return err
	}
	items := make([]adminUserJSON, len(ms))
	for i, m := range ms {
		items[i] = toAdminUserJSON(m)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

type adminUserJSON struct {
	memberJSON
	ExternalID *string `json:"external_id"`
	Locale     string  `json:"locale"`
	TimeZone   string  `json:"time_zone"`
}

func toAdminUserJSON(m apporg.Member) adminUserJSON {
	return adminUserJSON{toMemberJSON(m), optString(m.ExternalID), m.Locale, m.TimeZone}
}

type adminCreateUserRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	ExternalID  string `json:"external_id"`
	Password    string `json:"password"`
	Locale      string `json:"locale"`
	TimeZone    string `json:"time_zone"`
	Role        string `json:"role"`
}

func (s *Server) adminCreateUser(c echo.Context) error {
	var req adminCreateUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return required("email")
	}
	if req.DisplayName == "" {
		return required("display_name")
	}
	role := org.Role(req.Role)
	switch role {
	case "", org.RoleMember, org.RoleAdmin, org.RoleOwner:
	default:
		return errs.E(errs.Invalid, "invalid_role", `role must be "owner", "admin" or "member"`)
	}
	m, err := s.orgs.ProvisionMember(ctxOf(c), actor(c), apporg.ProvisionInput{
		Email: req.Email, DisplayName: req.DisplayName, ExternalID: req.ExternalID, Password: req.Password,
		Locale: req.Locale, TimeZone: req.TimeZone, Role: role,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAdminUserJSON(m))
}

func (s *Server) adminGetUser(c echo.Context) error {
	id, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	m, err := s.orgs.AdminGetMember(ctxOf(c), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

type adminUpdateUserRequest struct {
	Email       *string `json:"email"`
	DisplayName *string `json:"display_name"`
	ExternalID  *string `json:"external_id"`
	Locale      *string `json:"locale"`
	TimeZone    *string `json:"time_zone"`
	Active      *bool   `json:"active"`
}

func (s *Server) adminUpdateUser(c echo.Context) error {
	id, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req adminUpdateUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := s.orgs.UpdateMember(ctxOf(c), actor(c), id, apporg.MemberChange{
		Email: req.Email, DisplayName: req.DisplayName, ExternalID: req.ExternalID, Locale: req.Locale, TimeZone: req.TimeZone, Active: req.Active,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func (s *Server) adminDeactivateUser(c echo.Context) error {
	id, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	inactive := false
	m, err := s.orgs.UpdateMember(ctxOf(c), actor(c), id, apporg.MemberChange{Active: &inactive})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}
