package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
)

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

func (s *Server) listMyOrgs(c echo.Context) error {
	p, _ := principal(c)
	ms, err := s.orgs.MyOrgs(ctxOf(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toOrgMemberships(ms)})
}

type createOrgRequest struct {
	Name          string `json:"name"`
	DefaultLocale string `json:"default_locale"`
}

func (s *Server) createOrg(c echo.Context) error {
	var req createOrgRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, _ := principal(c)
	v, err := s.orgs.CreateOrg(ctxOf(c), p, req.Name, req.DefaultLocale)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toOrgJSON(v))
}

func (s *Server) getOrg(c echo.Context) error {
	v, err := s.orgs.GetOrg(ctxOf(c), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgJSON(v))
}

type updateOrgRequest struct {
	Name          *string `json:"name"`
	DefaultLocale *string `json:"default_locale"`
}

func (s *Server) updateOrg(c echo.Context) error {
	var req updateOrgRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.orgs.UpdateOrg(ctxOf(c), actor(c), org.SettingsChange{Name: req.Name, DefaultLocale: req.DefaultLocale})
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
}

func toMemberJSON(m apporg.Member) memberJSON {
	return memberJSON{m.UserID.String(), m.Email, m.DisplayName, string(m.Role), string(m.Status), m.JoinedAt, m.DeactivatedAt}
}

func queryInt(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, errs.Invalidf("query parameter %q must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

// memberFilter reads the query of a member listing: q, status, limit and offset.
func memberFilter(c echo.Context) (apporg.MemberFilter, error) {
	limit, offset, err := page(c)
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

func (s *Server) listMembers(c echo.Context) error {
	f, err := memberFilter(c)
	if err != nil {
		return err
	}
	ms, total, err := s.orgs.ListMembers(ctxOf(c), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = toMemberJSON(m)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total})
}

func (s *Server) memberAction(c echo.Context, do func(authz.Actor, uuid.UUID) (apporg.Member, error)) error {
	id, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	m, err := do(actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberJSON(m))
}

func (s *Server) getMember(c echo.Context) error {
	return s.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) { return s.orgs.GetMember(ctxOf(c), a, id) })
}

func (s *Server) deactivateMember(c echo.Context) error {
	return s.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) {
		return s.orgs.DeactivateMember(ctxOf(c), a, id)
	})
}

func (s *Server) reactivateMember(c echo.Context) error {
	return s.memberAction(c, func(a authz.Actor, id uuid.UUID) (apporg.Member, error) {
		return s.orgs.ReactivateMember(ctxOf(c), a, id)
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
}

func toInvitationJSON(i *org.Invitation) invitationJSON {
	return invitationJSON{i.ID().String(), string(i.Role()), i.MaxUses(), i.Uses(), i.ExpiresAt(), i.RevokedAt() != nil, i.CreatedAt()}
}

func (s *Server) listInvitations(c echo.Context) error {
	is, err := s.orgs.ListInvitations(ctxOf(c), actor(c))
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

func (s *Server) invitationURL(token string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/invite/" + url.PathEscape(token)
}

func (s *Server) createInvitation(c echo.Context) error {
	var req createInvitationRequest
	if err := bindJSON(c, &req); err != nil {
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
	ci, err := s.orgs.CreateInvitation(ctxOf(c), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"invitation":  toInvitationJSON(ci.Invitation),
		"token":       ci.Token,
		"url":         s.invitationURL(ci.Token),
		"qr_code_url": "/api/v1/invitations/" + url.PathEscape(ci.Token) + "/qr.png",
	})
}

func (s *Server) revokeInvitation(c echo.Context) error {
	id, err := pathID(c, "invitationID", "invitation")
	if err != nil {
		return err
	}
	return noContent(c, s.orgs.RevokeInvitation(ctxOf(c), actor(c), id))
}

func (s *Server) previewInvitation(c echo.Context) error {
	p, err := s.orgs.PreviewInvitation(ctxOf(c), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"org_name": p.OrgName, "role": string(p.Role), "expires_at": p.ExpiresAt})
}

type acceptInvitationRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Locale      string `json:"locale"`
	TimeZone    string `json:"time_zone"`
}

func (s *Server) acceptInvitation(c echo.Context) error {
	var req acceptInvitationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := apporg.AcceptInput{Token: c.Param("token"), IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if p, ok := principal(c); ok {
		if err := s.checkCSRF(c, p); err != nil {
			return err
		}
		in.Principal = &p
	} else {
		switch {
		case req.Email == "":
			return required("email")
		case req.DisplayName == "":
			return required("display_name")
		case req.Password == "":
			return required("password")
		}
		in.Signup = &appidentity.RegisterInput{Email: req.Email, DisplayName: req.DisplayName, Password: req.Password, Locale: req.Locale, TimeZone: req.TimeZone}
	}
	res, err := s.orgs.AcceptInvitation(ctxOf(c), in)
	if err != nil {
		return err
	}
	body := map[string]any{"org_id": res.OrgID.String(), "user": toUserJSON(res.User)}
	if res.Session != nil {
		s.setSessionCookies(c, *res.Session)
		body["csrf_token"] = res.Session.CSRFToken
	}
	return c.JSON(http.StatusOK, body)
}

func (s *Server) invitationQR(c echo.Context) error {
	token := c.Param("token")
	if err := s.orgs.CheckInvitation(ctxOf(c), token); err != nil {
		return err
	}
	png, err := qrcode.Encode(s.invitationURL(token), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}
