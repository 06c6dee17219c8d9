// Package org is the HTTP face of organisations: the caller's own organisations (and GET /me,
// which lists them), settings, members, invitations, and the admin API's user lifecycle, roles
// of members and ownership.
package org

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	webidentity "canopy/web/identity"
	"canopy/web/server"
)

// Service is what the handlers need of the organisation use cases. They return NotFound for
// what the actor cannot see, Forbidden, Invalid and Conflict as each use case says.
type Service interface {
	bulkService // bulk actions on people (bulk.go)
	Me(ctx context.Context, p appidentity.Principal) (apporg.Me, error)
	MyOrgs(ctx context.Context, p appidentity.Principal) ([]apporg.OrgMembership, error)
	CreateOrg(ctx context.Context, p appidentity.Principal, name, defaultLocale string) (apporg.OrgView, error)
	GetOrg(ctx context.Context, a authz.Actor) (apporg.OrgView, error)
	UpdateOrg(ctx context.Context, a authz.Actor, c org.SettingsChange) (apporg.OrgView, error)

	ListMembers(ctx context.Context, a authz.Actor, f apporg.MemberFilter) ([]apporg.Member, int, error)
	GetMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.Member, error)
	DeactivateMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.Member, error)
	ReactivateMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.Member, error)
	ChangeRole(ctx context.Context, a authz.Actor, userID uuid.UUID, role string) (apporg.Member, error)
	TransferOwnership(ctx context.Context, a authz.Actor, to uuid.UUID) error

	ListInvitations(ctx context.Context, a authz.Actor) ([]*org.Invitation, error)
	CreateInvitation(ctx context.Context, a authz.Actor, in apporg.CreateInvitationInput) (apporg.CreatedInvitation, error)
	RevokeInvitation(ctx context.Context, a authz.Actor, id uuid.UUID) error
	PreviewInvitation(ctx context.Context, token string, viewer *appidentity.Principal) (apporg.InvitationPreview, error)
	CheckInvitation(ctx context.Context, token string) error
	AcceptInvitation(ctx context.Context, in apporg.AcceptInput) (apporg.Accepted, error)

	AdminListMembers(ctx context.Context, a authz.Actor, f apporg.MemberFilter) ([]apporg.Member, int, error)
	AdminGetMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.Member, error)
	ProvisionMember(ctx context.Context, a authz.Actor, in apporg.ProvisionInput) (apporg.Provisioned, error)
	UpdateMember(ctx context.Context, a authz.Actor, userID uuid.UUID, c apporg.MemberChange) (apporg.Member, error)
	ListPeople(ctx context.Context, a authz.Actor, q apporg.PeopleQuery) (apporg.PeoplePage, error)
	DisableAccount(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.Member, error)
	ResetCredentials(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.ActivationLink, error)

	// Activation links (accounts.go).
	CreateActivationLink(ctx context.Context, a authz.Actor, userID uuid.UUID) (apporg.ActivationLink, error)
	CreateActivationLinks(ctx context.Context, a authz.Actor, userIDs []uuid.UUID) ([]apporg.ActivationLink, []apporg.SkippedActivation, error)
	CreateImportActivationLinks(ctx context.Context, a authz.Actor, importID uuid.UUID) ([]apporg.ActivationLink, []apporg.SkippedActivation, error)
	PreviewActivation(ctx context.Context, token, ip string) (apporg.ActivationPreview, error)
	Activate(ctx context.Context, token, password, ip string) (string, error)
	MyInvitations(ctx context.Context, p appidentity.Principal) ([]apporg.PendingInvitation, error)
	AcceptMyInvitation(ctx context.Context, p appidentity.Principal, id uuid.UUID) (apporg.Accepted, error)

	// The installation (installation.go).
	ListInstallationOrgs(ctx context.Context, i authz.Installer) ([]apporg.InstallationOrg, error)
	Domains(ctx context.Context, i authz.Installer, orgID uuid.UUID) ([]*org.EmailDomain, error)
	AssignDomain(ctx context.Context, i authz.Installer, orgID uuid.UUID, domain string) (apporg.AssignedDomain, error)
	UnassignDomain(ctx context.Context, i authz.Installer, orgID uuid.UUID, domain string) error
	SetAccountDisabled(ctx context.Context, i authz.Installer, userID uuid.UUID, disabled bool) (*identity.User, error)
	ListAccounts(ctx context.Context, i authz.Installer, f apporg.AccountFilter) ([]apporg.Account, int, error)
}

// Handler serves the organisation routes.
type Handler struct {
	svc       Service
	sessions  server.Sessions
	publicURL string
}

// New returns the organisation handlers. sessions signs in whoever accepts an invitation by
// signing up; publicURL is where invitation links point.
func New(svc Service, sessions server.Sessions, publicURL string) *Handler {
	return &Handler{svc: svc, sessions: sessions, publicURL: publicURL}
}

// Register adds the organisation routes.
func (h *Handler) Register(r *server.Router) {
	// Any token may read who it acts for (for a token, only its own organisation is listed).
	r.Add(server.Authenticated.WithInitialPassword().WithNarrowedTokens(), http.MethodGet, "/me", h.getMe)
	r.Add(server.Authenticated, http.MethodGet, "/orgs", h.listMyOrgs)
	r.Add(server.Authenticated, http.MethodPost, "/orgs", h.createOrg)
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID", h.getOrg)
	r.Add(server.Needs(access.SettingsManage), http.MethodPatch, "/orgs/:orgID", h.updateOrg)
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/members", h.listMembers)
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/members/:userID", h.getMember)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/members/:userID/deactivate", h.deactivateMember)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/members/:userID/reactivate", h.reactivateMember)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, "/orgs/:orgID/invitations", h.listInvitations)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/invitations", h.createInvitation)
	r.Add(server.Needs(access.MembersManage), http.MethodDelete, "/orgs/:orgID/invitations/:invitationID", h.revokeInvitation)

	// The admin API for IT: the user lifecycle, a member's role and the ownership.
	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/users", h.adminListUsers)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/users", h.adminCreateUser)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/users/:userID", h.adminGetUser)
	r.Add(server.Needs(access.MembersManage), http.MethodPatch, adm+"/users/:userID", h.adminUpdateUser)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/users/:userID/deactivate", h.adminDeactivateUser)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/people", h.listPeople)
	h.registerBulk(r)
	r.Add(server.Needs(access.MembersManage), http.MethodPut, adm+"/users/:userID/role", h.setMemberRole)
	r.Add(server.Needs(access.OwnershipTransfer), http.MethodPost, adm+"/ownership", h.transferOwnership)

	// Optional: the state of the invited account is told only to its person, signed in.
	r.Add(server.Optional, http.MethodGet, "/invitations/:token", h.previewInvitation)
	r.Add(server.Optional, http.MethodPost, "/invitations/:token/accept", h.acceptInvitation)
	r.Add(server.Public, http.MethodGet, "/invitations/:token/qr.png", h.invitationQR)

	h.registerAccounts(r)
	h.registerInstallation(r)
}

type orgMembershipJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

func toOrgMemberships(ms []apporg.OrgMembership) []orgMembershipJSON {
	out := make([]orgMembershipJSON, len(ms))
	for i, m := range ms {
		out[i] = orgMembershipJSON{m.OrgID.String(), m.Name, string(m.Role), string(m.Status)}
	}
	return out
}

type authJSON struct {
	Method     string `json:"method"`
	TokenOrgID string `json:"token_org_id,omitempty"`
}

type meJSON struct {
	User          webidentity.UserJSON `json:"user"`
	Organisations []orgMembershipJSON  `json:"organisations"`
	Auth          authJSON             `json:"auth"`
}

func (h *Handler) getMe(c echo.Context) error {
	p, _ := server.Principal(c)
	me, err := h.svc.Me(c.Request().Context(), p)
	if err != nil {
		return err
	}
	auth := authJSON{Method: string(p.Method)}
	if p.IsToken() {
		auth.TokenOrgID = p.TokenOrgID.String()
	}
	return c.JSON(http.StatusOK, meJSON{User: webidentity.ToUserJSON(me.User), Organisations: toOrgMemberships(me.Organisations), Auth: auth})
}

type orgJSON struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	DefaultLocale string    `json:"default_locale"`
	MemberCount   int       `json:"member_count"`
	CreatedAt     time.Time `json:"created_at"`
}

func toOrgJSON(v apporg.OrgView) orgJSON {
	return orgJSON{v.Org.ID().String(), v.Org.Name(), string(v.Org.DefaultLocale()), v.MemberCount, v.Org.CreatedAt()}
}

func (h *Handler) listMyOrgs(c echo.Context) error {
	p, _ := server.Principal(c)
	ms, err := h.svc.MyOrgs(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toOrgMemberships(ms)})
}

type createOrgRequest struct {
	Name          string `json:"name"`
	DefaultLocale string `json:"default_locale"`
}

func (h *Handler) createOrg(c echo.Context) error {
	var req createOrgRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, _ := server.Principal(c)
	v, err := h.svc.CreateOrg(c.Request().Context(), p, req.Name, req.DefaultLocale)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toOrgJSON(v))
}

func (h *Handler) getOrg(c echo.Context) error {
	v, err := h.svc.GetOrg(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgJSON(v))
}

type updateOrgRequest struct {
	Name          *string `json:"name"`
	DefaultLocale *string `json:"default_locale"`
}

func (h *Handler) updateOrg(c echo.Context) error {
	var req updateOrgRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.svc.UpdateOrg(c.Request().Context(), server.Actor(c), org.SettingsChange{Name: req.Name, DefaultLocale: req.DefaultLocale})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgJSON(v))
}

type memberJSON struct {
	UserID        string     `json:"user_id"`
	Email         string     `json:"email"`
	DisplayName   string     `json:"display_name"`
	Role          string     `json:"role"`
	Status        string     `json:"status"`
	JoinedAt      time.Time  `json:"joined_at"`
	DeactivatedAt *time.Time `json:"deactivated_at"`
	// ActivationPending: the account has no password yet and is not disabled; its person waits
	// for an activation link.
	ActivationPending bool `json:"activation_pending"`
	profileJSON
	// PrimaryDepartment is what the member pickers show beside the name; null when the member
	// belongs to no department.
	PrimaryDepartment *departmentRefJSON `json:"primary_department"`
}

type departmentRefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// profileJSON is a member's employee details; mobile and hire_date are null for readers who
// may not see them (anyone but the person and holders of members.manage).
type profileJSON struct {
	EmployeeNumber *string      `json:"employee_number"`
	JobTitle       string       `json:"job_title"`
	Mobile         *string      `json:"mobile"`
	WorkLocation   string       `json:"work_location"`
	Manager        *managerJSON `json:"manager"`
	HireDate       *string      `json:"hire_date"`
}

type managerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func toProfileJSON(m apporg.Member) profileJSON {
	p := m.Profile
	out := profileJSON{EmployeeNumber: optString(p.EmployeeNumber), JobTitle: p.JobTitle, Mobile: optString(p.Mobile), WorkLocation: p.WorkLocation}
	if p.ManagerID != nil {
		out.Manager = &managerJSON{p.ManagerID.String(), m.ManagerName}
	}
	if p.HireDate != nil {
		out.HireDate = optString(p.HireDate.Format(time.DateOnly))
	}
	return out
}

func toMemberJSON(m apporg.Member) memberJSON {
	out := memberJSON{m.UserID.String(), m.Email, m.DisplayName, string(m.Role), string(m.Status), m.JoinedAt, m.DeactivatedAt, m.ActivationPending, toProfileJSON(m), nil}
	if d := m.PrimaryDepartment; d != nil {
		out.PrimaryDepartment = &departmentRefJSON{d.ID.String(), d.Name}
	}
	return out
}

// memberFilter reads the query of a member listing: q, status, limit and offset.
func memberFilter(c echo.Context) (apporg.MemberFilter, error) {
	limit, offset, err := server.Page(c)
	if err != nil {
		return apporg.MemberFilter{}, err
	}
	f := apporg.MemberFilter{Query: strings.TrimSpace(c.QueryParam("q")), Limit: limit, Offset: offset}
	if len(f.Query) > 200 {
		return f, errs.Invalidf("query parameter \"q\" must be at most 200 characters")
	}
	switch st := c.QueryParam("status"); st {
	case "":
	case string(org.MemberActive), string(org.MemberDeactivated):
		f.Status = org.MemberStatus(st)
	default:
		return f, errs.Invalidf("query parameter \"status\" must be \"active\" or \"deactivated\"")
	}
	return f, nil
}

func (h *Handler) listMembers(c echo.Context) error {
	f, err := memberFilter(c)
	if err != nil {
		return err
	}
	ms, total, err := h.svc.ListMembers(c.Request().Context(), server.Actor(c), f)
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = toMemberJSON(m)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total})
}

func (h *Handler) memberAction(c echo.Context, do func(authz.Actor, uuid.UUID) (apporg.Member, error)) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	m, err := do(server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberJSON(m))
}

func (h *Handler) getMember(c echo.Context) error {
	return h.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) {
		return h.svc.GetMember(c.Request().Context(), a, id)
	})
}

func (h *Handler) deactivateMember(c echo.Context) error {
	return h.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) {
		return h.svc.DeactivateMember(c.Request().Context(), a, id)
	})
}

func (h *Handler) reactivateMember(c echo.Context) error {
	return h.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) {
		return h.svc.ReactivateMember(c.Request().Context(), a, id)
	})
}

type invitationJSON struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"`
	MaxUses   int       `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked"`
	CreatedAt time.Time `json:"created_at"`
	// Email is the one person the invitation is for; null for a link anyone may use.
	Email *string `json:"email"`
}

func toInvitationJSON(i *org.Invitation) invitationJSON {
	return invitationJSON{i.ID().String(), string(i.Role()), i.MaxUses(), i.Uses(), i.ExpiresAt(), i.RevokedAt() != nil, i.CreatedAt(), optString(i.Email())}
}

func (h *Handler) listInvitations(c echo.Context) error {
	is, err := h.svc.ListInvitations(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	out := make([]invitationJSON, len(is))
	for i, inv := range is {
		out[i] = toInvitationJSON(inv)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

type createInvitationRequest struct {
	Role           string `json:"role"`
	MaxUses        *int   `json:"max_uses"`
	ExpiresInHours *int   `json:"expires_in_hours"`
}

func (h *Handler) invitationURL(token string) string {
	return strings.TrimRight(h.publicURL, "/") + "/invite/" + url.PathEscape(token)
}

func (h *Handler) createInvitation(c echo.Context) error {
	var req createInvitationRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	in := apporg.CreateInvitationInput{Role: req.Role}
	if req.MaxUses != nil {
		if *req.MaxUses < 1 {
			return errs.E(errs.Invalid, "invalid_max_uses", "max_uses must be between 1 and 10000")
		}
		in.MaxUses = *req.MaxUses
	}
	if req.ExpiresInHours != nil {
		if *req.ExpiresInHours < 1 || *req.ExpiresInHours > 720 {
			return errs.E(errs.Invalid, "invalid_expiry", "expires_in_hours must be between 1 and 720")
		}
		in.TTL = time.Duration(*req.ExpiresInHours) * time.Hour
	}
	ci, err := h.svc.CreateInvitation(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h.createdInvitationJSON(ci))
}

// createdInvitationJSON shows a new invitation with its link, shown only this once.
func (h *Handler) createdInvitationJSON(ci apporg.CreatedInvitation) map[string]any {
	return map[string]any{
		"invitation":  toInvitationJSON(ci.Invitation),
		"token":       ci.Token,
		"url":         h.invitationURL(ci.Token),
		"qr_code_url": "/api/v1/invitations/" + url.PathEscape(ci.Token) + "/qr.png",
	}
}

func (h *Handler) revokeInvitation(c echo.Context) error {
	id, err := server.PathID(c, "invitationID", "invitation")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RevokeInvitation(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) previewInvitation(c echo.Context) error {
	var viewer *appidentity.Principal
	if p, ok := server.Principal(c); ok {
		viewer = &p
	}
	p, err := h.svc.PreviewInvitation(c.Request().Context(), c.Param("token"), viewer)
	if err != nil {
		return err
	}
	// What it says depends on who asks.
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.JSON(http.StatusOK, map[string]any{"org_name": p.OrgName, "role": string(p.Role), "expires_at": p.ExpiresAt,
		"email": optString(p.Email), "account_state": string(p.AccountState)})
}

type acceptInvitationRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Locale      string `json:"locale"`
	TimeZone    string `json:"time_zone"`
}

func (h *Handler) acceptInvitation(c echo.Context) error {
	var req acceptInvitationRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	in := apporg.AcceptInput{Token: c.Param("token"), IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if p, ok := server.Principal(c); ok {
		if err := h.sessions.CheckCSRF(c, p); err != nil {
			return err
		}
		in.Principal = &p
	} else {
		switch {
		case req.Email == "":
			return server.Required("email")
		case req.DisplayName == "":
			return server.Required("display_name")
		case req.Password == "":
			return server.Required("password")
		}
		in.Signup = &appidentity.RegisterInput{Email: req.Email, DisplayName: req.DisplayName, Password: req.Password, Locale: req.Locale, TimeZone: req.TimeZone}
	}
	res, err := h.svc.AcceptInvitation(c.Request().Context(), in)
	if err != nil {
		return err
	}
	body := map[string]any{"org_id": res.OrgID.String(), "user": webidentity.ToUserJSON(res.User)}
	if res.Session != nil {
		h.sessions.Set(c, *res.Session)
		body["csrf_token"] = res.Session.CSRFToken
	}
	return c.JSON(http.StatusOK, body)
}

func (h *Handler) invitationQR(c echo.Context) error {
	token := c.Param("token")
	if err := h.svc.CheckInvitation(c.Request().Context(), token); err != nil {
		return err
	}
	png, err := qrcode.Encode(h.invitationURL(token), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

func (h *Handler) setMemberRole(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	m, err := h.svc.ChangeRole(c.Request().Context(), server.Actor(c), id, req.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func (h *Handler) transferOwnership(c echo.Context) error {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	to, err := uuid.Parse(req.UserID)
	if err != nil {
		return errs.NotFoundf("member")
	}
	return server.NoContent(c, h.svc.TransferOwnership(c.Request().Context(), server.Actor(c), to))
}
