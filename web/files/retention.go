package files

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appfiles "canopy/app/files"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/web/server"
)

// registerRetention adds the routes of deletion, the trash, legal holds and the files policies.
// Deleting needs write access at the file or folder, which the service checks; the trash needs
// managing its space (or it being one's own); holds need files.legal_hold; an organisation's
// policy files.policy, a space's files.manage over it (a department admin's subtree) or
// files.policy, which the service checks.
func (h *Handler) registerRetention(r *server.Router) {
	o := "/orgs/:orgID"
	r.Add(server.Needs(access.FilesWrite), http.MethodDelete, o+"/files/:fileID", h.deleteFile)
	r.Add(server.Needs(access.FilesWrite), http.MethodDelete, o+"/folders/:folderID", h.deleteFolder)
	r.Add(server.Needs(access.FilesWrite), http.MethodGet, o+"/trash", h.listTrash)
	r.Add(server.Needs(access.FilesWrite), http.MethodPost, o+"/trash/:fileID/restore", h.restore)
	r.Add(server.Needs(access.FilesLegalHold), http.MethodGet, o+"/holds", h.listHolds)
	r.Add(server.Needs(access.FilesLegalHold), http.MethodPut, o+"/holds/:targetType/:targetID", h.setHold)
	r.Add(server.Needs(access.FilesLegalHold), http.MethodDelete, o+"/holds/:targetType/:targetID", h.releaseHold)

	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.FilesPolicy), http.MethodGet, adm+"/files/policy", h.getOrgPolicy)
	r.Add(server.Needs(access.FilesPolicy), http.MethodPut, adm+"/files/policy", h.putOrgPolicy)
	r.Add(server.Needs(access.FilesManage), http.MethodGet, adm+"/spaces", h.listAdminSpaces)
	r.Add(server.Needs(access.FilesManage), http.MethodGet, adm+"/spaces/:spaceID/policy", h.getSpacePolicy)
	r.Add(server.Needs(access.FilesManage), http.MethodPut, adm+"/spaces/:spaceID/policy", h.putSpacePolicy)
}

func (h *Handler) deleteFile(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteFile(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) deleteFolder(c echo.Context) error {
	id, err := server.PathID(c, "folderID", "folder")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteFolder(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) listTrash(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.Trash(c.Request().Context(), server.Actor(c), limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toFileJSON)
}

func (h *Handler) restore(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	v, err := h.svc.Restore(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFileJSON(v))
}

type holdJSON struct {
	TargetType string    `json:"target_type"`
	TargetID   uuid.UUID `json:"target_id"`
	Name       string    `json:"name"`
	SetBy      uuid.UUID `json:"set_by"`
	SetAt      time.Time `json:"set_at"`
}

func (h *Handler) listHolds(c echo.Context) error {
	hs, err := h.svc.Holds(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]holdJSON, len(hs))
	for i, x := range hs {
		items[i] = holdJSON{TargetType: x.TargetType, TargetID: x.TargetID, Name: x.Name, SetBy: x.SetBy, SetAt: x.SetAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// holdTarget reads a hold's target from the path. A type other than file, folder or space
// names nothing, so it is NotFound like a malformed id.
func holdTarget(c echo.Context) (string, uuid.UUID, error) {
	t := c.Param("targetType")
	switch t {
	case appfiles.HoldFile, appfiles.HoldFolder, appfiles.HoldSpace:
	default:
		return "", uuid.Nil, errs.NotFoundf("hold target")
	}
	id, err := server.PathID(c, "targetID", t)
	return t, id, err
}

func (h *Handler) setHold(c echo.Context) error {
	t, id, err := holdTarget(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.SetHold(c.Request().Context(), server.Actor(c), t, id))
}

func (h *Handler) releaseHold(c echo.Context) error {
	t, id, err := holdTarget(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.ReleaseHold(c.Request().Context(), server.Actor(c), t, id))
}

type orgPolicyJSON struct {
	MinRetentionDays     int   `json:"min_retention_days"`
	MaxRetentionDays     int   `json:"max_retention_days"`
	QuotaBytes           int64 `json:"quota_bytes"`
	LinksAllowed         bool  `json:"links_allowed"`
	MaxLinkExpiryDays    int   `json:"max_link_expiry_days"`
	LinkPasswordRequired bool  `json:"link_password_required"`
	TrashDays            int   `json:"trash_days"`
	UsedBytes            int64 `json:"used_bytes"`
}

func toOrgPolicyJSON(p appfiles.Settings) orgPolicyJSON {
	return orgPolicyJSON{MinRetentionDays: p.MinRetentionDays, MaxRetentionDays: p.MaxRetentionDays, QuotaBytes: p.QuotaBytes,
		LinksAllowed: p.LinksAllowed, MaxLinkExpiryDays: p.MaxLinkExpiryDays, LinkPasswordRequired: p.LinkPasswordRequired,
		TrashDays: p.TrashDays, UsedBytes: p.UsedBytes}
}

// policyRequest is a policy to set. A field left out keeps its current value.
type policyRequest struct {
	MinRetentionDays     *int   `json:"min_retention_days"`
	MaxRetentionDays     *int   `json:"max_retention_days"`
	QuotaBytes           *int64 `json:"quota_bytes"`
	LinksAllowed         *bool  `json:"links_allowed"`
	MaxLinkExpiryDays    *int   `json:"max_link_expiry_days"`
	LinkPasswordRequired *bool  `json:"link_password_required"`
	TrashDays            *int   `json:"trash_days"`
}

func set[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (h *Handler) getOrgPolicy(c echo.Context) error {
	p, err := h.svc.OrgPolicy(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgPolicyJSON(p))
}

func (h *Handler) putOrgPolicy(c echo.Context) error {
	ctx, a := c.Request().Context(), server.Actor(c)
	var req policyRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, err := h.svc.OrgPolicy(ctx, a)
	if err != nil {
		return err
	}
	set(&p.MinRetentionDays, req.MinRetentionDays)
	set(&p.MaxRetentionDays, req.MaxRetentionDays)
	set(&p.QuotaBytes, req.QuotaBytes)
	set(&p.LinksAllowed, req.LinksAllowed)
	set(&p.MaxLinkExpiryDays, req.MaxLinkExpiryDays)
	set(&p.LinkPasswordRequired, req.LinkPasswordRequired)
	set(&p.TrashDays, req.TrashDays)
	if p, err = h.svc.SetOrgPolicy(ctx, a, p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgPolicyJSON(p))
}

type spacePolicyJSON struct {
	MinRetentionDays     int   `json:"min_retention_days"`
	MaxRetentionDays     int   `json:"max_retention_days"`
	QuotaBytes           int64 `json:"quota_bytes"`
	LinksAllowed         bool  `json:"links_allowed"`
	MaxLinkExpiryDays    int   `json:"max_link_expiry_days"`
	LinkPasswordRequired bool  `json:"link_password_required"`
}

func toSpacePolicyJSON(p appfiles.SpacePolicy) spacePolicyJSON {
	return spacePolicyJSON{MinRetentionDays: p.MinRetentionDays, MaxRetentionDays: p.MaxRetentionDays, QuotaBytes: p.QuotaBytes,
		LinksAllowed: p.LinksAllowed, MaxLinkExpiryDays: p.MaxLinkExpiryDays, LinkPasswordRequired: p.LinkPasswordRequired}
}

func (h *Handler) getSpacePolicy(c echo.Context) error {
	id, err := server.PathID(c, "spaceID", "space")
	if err != nil {
		return err
	}
	p, err := h.svc.SpacePolicy(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSpacePolicyJSON(p))
}

func (h *Handler) putSpacePolicy(c echo.Context) error {
	ctx, a := c.Request().Context(), server.Actor(c)
	id, err := server.PathID(c, "spaceID", "space")
	if err != nil {
		return err
	}
	var req policyRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, err := h.svc.SpacePolicy(ctx, a, id)
	if err != nil {
		return err
	}
	if req.TrashDays != nil {
		return errs.E(errs.Invalid, "invalid_policy", "trash_days: is set for the whole organisation, not per space")
	}
	set(&p.MinRetentionDays, req.MinRetentionDays)
	set(&p.MaxRetentionDays, req.MaxRetentionDays)
	set(&p.QuotaBytes, req.QuotaBytes)
	set(&p.LinksAllowed, req.LinksAllowed)
	set(&p.MaxLinkExpiryDays, req.MaxLinkExpiryDays)
	set(&p.LinkPasswordRequired, req.LinkPasswordRequired)
	if p, err = h.svc.SetSpacePolicy(ctx, a, id, p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSpacePolicyJSON(p))
}

func (h *Handler) listAdminSpaces(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	kind := files.SpaceKind(c.QueryParam("kind"))
	vs, total, err := h.svc.AdminSpaces(c.Request().Context(), server.Actor(c), kind, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toSpaceJSON)
}
