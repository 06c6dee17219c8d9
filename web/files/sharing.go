package files

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appfiles "canopy/app/files"
	"canopy/domain/access"
	"canopy/domain/files"
	"canopy/web/server"
)

// linkCookie holds the unlock grant of a password link. It is scoped to the link's own API
// path (/api/v1/links/<token>), so a browser sends it only to that link, HttpOnly so no script
// reads it, and SameSite=Strict so no other site's page can use it. Its value is a random secret
// whose SHA-256 the server keeps with the grant's expiry (share_link_grants): every replica
// checks it without a key of its own, and revoking the link ends it at once.
const linkCookie = "canopy_link"

func (h *Handler) registerSharing(r *server.Router) {
	o := "/orgs/:orgID"
	r.Add(server.Needs(access.FilesShare), http.MethodPost, o+"/shares", h.createShare)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/shares", h.listShares)
	r.Add(server.Needs(access.FilesShare), http.MethodDelete, o+"/shares/:shareID", h.deleteShare)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/shared-with-me", h.sharedWithMe)
	r.Add(server.Needs(access.FilesShare), http.MethodPost, o+"/links", h.createLink)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/links", h.listLinks)
	r.Add(server.Needs(access.FilesShare), http.MethodDelete, o+"/links/:linkID", h.revokeLink)

	// The public face of links. The parameter is named token, so logs show it redacted
	// (server.SecretParam).
	r.Add(server.Public, http.MethodGet, "/links/:token", h.linkInfo)
	r.Add(server.Public, http.MethodPost, "/links/:token/unlock", h.unlockLink)
	r.Add(server.Public, http.MethodGet, "/links/:token/content", h.linkContent)
}

type shareJSON struct {
	ID            uuid.UUID `json:"id"`
	TargetType    string    `json:"target_type"`
	TargetID      uuid.UUID `json:"target_id"`
	PrincipalType string    `json:"principal_type"`
	PrincipalID   uuid.UUID `json:"principal_id"`
	PrincipalName string    `json:"principal_name"`
	Role          string    `json:"role"`
	CreatedBy     uuid.UUID `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

func toShareJSON(v appfiles.ShareView) shareJSON {
	s := v.Share
	return shareJSON{ID: s.ID(), TargetType: string(s.Target().Type), TargetID: s.Target().ID, PrincipalType: string(s.Principal().Type),
		PrincipalID: s.Principal().ID, PrincipalName: v.PrincipalName, Role: string(s.Role()), CreatedBy: s.CreatedBy(), CreatedAt: s.CreatedAt()}
}

// target reads a target_type and target_id pair; a malformed id names nothing, so NotFound.
func target(typ string, id *string) (files.Target, error) {
	t, err := files.ParseTargetType(typ)
	if err != nil {
		return files.Target{}, err
	}
	if id == nil || *id == "" {
		return files.Target{}, server.Required("target_id")
	}
	tid, err := server.OptionalID(id, string(t))
	if err != nil {
		return files.Target{}, err
	}
	return files.Target{Type: t, ID: tid}, nil
}

// queryTargetOf reads the target_type and target_id query parameters of a listing.
func queryTargetOf(c echo.Context) (files.Target, error) {
	if c.QueryParam("target_type") == "" {
		return files.Target{}, server.Required("target_type")
	}
	id := c.QueryParam("target_id")
	return target(c.QueryParam("target_type"), &id)
}

type createShareRequest struct {
	TargetType    string  `json:"target_type"`
	TargetID      *string `json:"target_id"`
	PrincipalType string  `json:"principal_type"`
	PrincipalID   *string `json:"principal_id"`
	Role          string  `json:"role"`
}

func (h *Handler) createShare(c echo.Context) error {
	var req createShareRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	t, err := target(req.TargetType, req.TargetID)
	if err != nil {
		return err
	}
	pt, err := files.ParsePrincipalType(req.PrincipalType)
	if err != nil {
		return err
	}
	if req.PrincipalID == nil || *req.PrincipalID == "" {
		return server.Required("principal_id")
	}
	pid, err := server.OptionalID(req.PrincipalID, principalWhat(pt))
	if err != nil {
		return err
	}
	role, err := files.ParseRole(req.Role)
	if err != nil {
		return err
	}
	v, err := h.svc.Share(c.Request().Context(), server.Actor(c), appfiles.ShareInput{Target: t, Principal: files.Principal{Type: pt, ID: pid}, Role: role})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toShareJSON(v))
}

func principalWhat(t files.PrincipalType) string {
	if t == files.PrincipalUser {
		return "member"
	}
	return string(t)
}

func (h *Handler) listShares(c echo.Context) error {
	t, err := queryTargetOf(c)
	if err != nil {
		return err
	}
	vs, err := h.svc.Shares(c.Request().Context(), server.Actor(c), t)
	if err != nil {
		return err
	}
	return list(c, vs, len(vs), toShareJSON)
}

func (h *Handler) deleteShare(c echo.Context) error {
	id, err := server.PathID(c, "shareID", "share")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Unshare(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) sharedWithMe(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	es, total, err := h.svc.SharedWithMe(c.Request().Context(), server.Actor(c), limit, offset)
	if err != nil {
		return err
	}
	return list(c, es, total, toEntryJSON)
}

type linkJSON struct {
	ID               uuid.UUID  `json:"id"`
	TargetType       string     `json:"target_type"`
	TargetID         uuid.UUID  `json:"target_id"`
	Token            string     `json:"token,omitempty"`
	URL              string     `json:"url,omitempty"`
	State            string     `json:"state"`
	ExpiresAt        *time.Time `json:"expires_at"`
	MaxDownloads     int        `json:"max_downloads"`
	Downloads        int        `json:"downloads"`
	PasswordRequired bool       `json:"password_required"`
	RevokedAt        *time.Time `json:"revoked_at"`
	CreatedBy        uuid.UUID  `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
}

func toLinkJSON(l *files.Link, state files.LinkState) linkJSON {
	return linkJSON{ID: l.ID(), TargetType: string(l.Target().Type), TargetID: l.Target().ID, State: string(state),
		ExpiresAt: optTime(l.Terms().ExpiresAt()), MaxDownloads: l.Terms().MaxDownloads(), Downloads: l.Downloads(),
		PasswordRequired: l.Terms().PasswordRequired(), RevokedAt: optTime(l.RevokedAt()), CreatedBy: l.CreatedBy(), CreatedAt: l.CreatedAt()}
}

// linkURL is the app's public page of a link.
func (h *Handler) linkURL(token string) string {
	return strings.TrimRight(h.publicURL, "/") + "/s/" + token
}

type createLinkRequest struct {
	TargetType   string     `json:"target_type"`
	TargetID     *string    `json:"target_id"`
	Password     string     `json:"password"`
	ExpiresAt    *time.Time `json:"expires_at"`
	MaxDownloads int        `json:"max_downloads"`
}

func (h *Handler) createLink(c echo.Context) error {
	var req createLinkRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	t, err := target(req.TargetType, req.TargetID)
	if err != nil {
		return err
	}
	in := appfiles.LinkInput{Target: t, Password: req.Password, MaxDownloads: req.MaxDownloads}
	if req.ExpiresAt != nil {
		in.ExpiresAt = req.ExpiresAt.UTC()
	}
	v, err := h.svc.CreateLink(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	out := toLinkJSON(v.Link, files.LinkActive)
	out.Token, out.URL = v.Token, h.linkURL(v.Token)
	return c.JSON(http.StatusCreated, out)
}

func (h *Handler) listLinks(c echo.Context) error {
	t, err := queryTargetOf(c)
	if err != nil {
		return err
	}
	vs, err := h.svc.Links(c.Request().Context(), server.Actor(c), t)
	if err != nil {
		return err
	}
	items := make([]linkJSON, len(vs))
	for i, v := range vs {
		items[i] = toLinkJSON(v.Link, v.State)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

func (h *Handler) revokeLink(c echo.Context) error {
	id, err := server.PathID(c, "linkID", "link")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RevokeLink(c.Request().Context(), server.Actor(c), id))
}

// visit is the public request to a link: its token, the grant cookie it carries, its address.
func visit(c echo.Context) appfiles.Visit {
	v := appfiles.Visit{Token: c.Param("token"), IP: c.RealIP()}
	if ck, err := c.Cookie(linkCookie); err == nil {
		v.Grant = ck.Value
	}
	return v
}

// privateLink marks a public answer about a link as for this visitor only: never cached by a
// shared cache, and never sending the page's address (with its token) on to another site.
func privateLink(c echo.Context) {
	hd := c.Response().Header()
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Referrer-Policy", "no-referrer")
}

type linkEntryJSON struct {
	ID           uuid.UUID `json:"id"`
	Type         string    `json:"type"`
	Name         string    `json:"name"`
	Path         []string  `json:"path"`
	Size         int64     `json:"size"`
	ContentType  string    `json:"content_type"`
	UpdatedAt    time.Time `json:"updated_at"`
	HasThumbnail bool      `json:"has_thumbnail"`
}

type publicLinkJSON struct {
	Type             string           `json:"type"`
	PasswordRequired bool             `json:"password_required"`
	Unlocked         bool             `json:"unlocked"`
	ExpiresAt        *time.Time       `json:"expires_at"`
	Name             string           `json:"name,omitempty"`
	Size             *int64           `json:"size,omitempty"`
	ContentType      string           `json:"content_type,omitempty"`
	Entries          *[]linkEntryJSON `json:"entries,omitempty"`
	Truncated        bool             `json:"truncated,omitempty"`
}

func (h *Handler) linkInfo(c echo.Context) error {
	privateLink(c)
	p, err := h.svc.LinkInfo(c.Request().Context(), visit(c))
	if err != nil {
		return err
	}
	l := p.Link
	out := publicLinkJSON{Type: string(l.Target().Type), PasswordRequired: l.Terms().PasswordRequired(), Unlocked: p.Unlocked,
		ExpiresAt: optTime(l.Terms().ExpiresAt())}
	switch {
	case p.File != nil:
		size := p.File.Current.Size()
		out.Name, out.Size, out.ContentType = p.File.File.Name(), &size, p.File.Current.ContentType()
	case p.Folder != nil:
		var size int64
		out.Name, out.Truncated = p.Folder.Name(), p.Truncated
		entries := make([]linkEntryJSON, len(p.Entries))
		out.Entries = &entries
		for i, e := range p.Entries {
			f, cur := e.File.File, e.File.Current
			entries[i] = linkEntryJSON{ID: f.ID(), Type: "file", Name: f.Name(), Path: append([]string{}, e.Path...), Size: cur.Size(),
				ContentType: cur.ContentType(), UpdatedAt: f.UpdatedAt(), HasThumbnail: e.File.HasThumbnail}
			size += cur.Size()
		}
		out.Size = &size
	}
	return c.JSON(http.StatusOK, out)
}

type unlockRequest struct {
	Password string `json:"password"`
}

func (h *Handler) unlockLink(c echo.Context) error {
	privateLink(c)
	var req unlockRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	v := visit(c)
	g, err := h.svc.Unlock(c.Request().Context(), v, req.Password)
	if err != nil {
		return err
	}
	if g.Secret != "" {
		c.SetCookie(&http.Cookie{Name: linkCookie, Value: g.Secret, Path: "/api/v1/links/" + v.Token, Expires: g.ExpiresAt,
			MaxAge: max(1, int(time.Until(g.ExpiresAt).Seconds())), HttpOnly: true, Secure: strings.HasPrefix(h.publicURL, "https://"),
			SameSite: http.SameSiteStrictMode})
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) linkContent(c echo.Context) error {
	privateLink(c)
	fileID, err := server.QueryID(c, "file_id", "file")
	if err != nil {
		return err
	}
	ct, err := h.svc.LinkContent(c.Request().Context(), visit(c), fileID, countsAsDownload(c.Request()))
	if err != nil {
		return err
	}
	defer ct.Object.Close()
	h.longTransfer(c)
	return ServeContent(c, ct, c.QueryParam("download") == "1")
}

// countsAsDownload reports whether a request for a link's content is a download of its own: a
// GET from the first byte (no Range, or a range starting at 0). Later ranges (a video seeking,
// a download resuming) belong to a download already counted. A suffix range ("bytes=-N") counts
// too, since it can ask for the whole file.
func countsAsDownload(r *http.Request) bool {
	rg := strings.TrimSpace(r.Header.Get("Range"))
	if rg == "" {
		return true
	}
	spec, ok := strings.CutPrefix(rg, "bytes=")
	if !ok {
		// Not a byte range: ServeContent ignores it and sends the whole file.
		return true
	}
	for _, part := range strings.Split(spec, ",") {
		if start, _, _ := strings.Cut(strings.TrimSpace(part), "-"); strings.TrimLeft(strings.TrimSpace(start), "0") == "" {
			return true
		}
	}
	return false
}
