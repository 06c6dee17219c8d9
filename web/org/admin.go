package org

import (
	"net/http"

	"github.com/labstack/echo/v4"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/web/server"
)

// The admin API for IT: user lifecycle under /api/v1/admin/orgs/{orgID}/users. Department and
// group management sits beside it under the same prefix (web/directory).

func (h *Handler) adminListUsers(c echo.Context) error {
	f, err := memberFilter(c)
	if err != nil {
		return err
	}
	f.ExternalID, f.Email = c.QueryParam("external_id"), c.QueryParam("email")
	ms, total, err := h.svc.AdminListMembers(c.Request().Context(), server.Actor(c), f)
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
	profileRequest
}

// profileRequest is the employee details a request sets; an absent or null field is left as
// it is, and "" clears it.
type profileRequest struct {
	EmployeeNumber *string `json:"employee_number"`
	JobTitle       *string `json:"job_title"`
	Mobile         *string `json:"mobile"`
	WorkLocation   *string `json:"work_location"`
	ManagerID      *string `json:"manager_id"`
	HireDate       *string `json:"hire_date"`
}

func (r profileRequest) change() org.ProfileChange {
	return org.ProfileChange{EmployeeNumber: r.EmployeeNumber, JobTitle: r.JobTitle, Mobile: r.Mobile, WorkLocation: r.WorkLocation, ManagerID: r.ManagerID, HireDate: r.HireDate}
}

func (h *Handler) adminCreateUser(c echo.Context) error {
	var req adminCreateUserRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return server.Required("email")
	}
	if req.DisplayName == "" {
		return server.Required("display_name")
	}
	role := org.Role(req.Role)
	switch role {
	case "", org.RoleMember, org.RoleAdmin, org.RoleOwner:
	default:
		return errs.E(errs.Invalid, "invalid_role", `role must be "owner", "admin" or "member"`)
	}
	p, err := h.svc.ProvisionMember(c.Request().Context(), server.Actor(c), apporg.ProvisionInput{
		Email: req.Email, DisplayName: req.DisplayName, ExternalID: req.ExternalID, Password: req.Password,
		Locale: req.Locale, TimeZone: req.TimeZone, Role: role, Profile: req.change(),
	})
	if err != nil {
		return err
	}
	if p.Invitation != nil {
		// The email's account is not the organisation's to attach: the person was invited, and
		// the answer says nothing about their account.
		body := h.createdInvitationJSON(*p.Invitation)
		body["status"] = "invited"
		return c.JSON(http.StatusAccepted, body)
	}
	return c.JSON(http.StatusCreated, toAdminUserJSON(p.Member))
}

func (h *Handler) adminGetUser(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	m, err := h.svc.AdminGetMember(c.Request().Context(), server.Actor(c), id)
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
	profileRequest
}

func (h *Handler) adminUpdateUser(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req adminUpdateUserRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	m, err := h.svc.UpdateMember(c.Request().Context(), server.Actor(c), id, apporg.MemberChange{
		Email: req.Email, DisplayName: req.DisplayName, ExternalID: req.ExternalID, Locale: req.Locale, TimeZone: req.TimeZone, Active: req.Active,
		Profile: req.change(),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func (h *Handler) adminDeactivateUser(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	inactive := false
	m, err := h.svc.UpdateMember(c.Request().Context(), server.Actor(c), id, apporg.MemberChange{Active: &inactive})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
