// Package announcements is the HTTP face of announcements: publishing, a member's
// announcements and their acknowledgement, and the publisher's view of who acknowledged, the
// reminder and the CSV export.
package announcements

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appannouncements "canopy/app/announcements"
	"canopy/domain/access"
	"canopy/domain/announcements"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Handler serves the announcements routes.
type Handler struct{ svc *appannouncements.Service }

// New returns the announcements handlers.
func New(svc *appannouncements.Service) *Handler { return &Handler{svc: svc} }

// Register adds the announcements routes. Reading and acknowledging one's announcements needs
// messages.read, which every member and guest holds; what concerns the publisher needs
// announcements.publish somewhere (the service checks it over the announcement's target).
func (h *Handler) Register(r *server.Router) {
	o := "/orgs/:orgID"
	read, publish := server.Needs(access.MessagesRead), server.Needs(access.AnnouncementsPublish)
	a := o + "/announcements/:announcementID"
	r.Add(read, http.MethodGet, o+"/announcements", h.mine)
	r.Add(publish, http.MethodPost, o+"/announcements", h.publish)
	r.Add(publish, http.MethodGet, o+"/admin/announcements", h.admin)
	r.Add(read, http.MethodGet, a, h.get)
	r.Add(publish, http.MethodDelete, a, h.delete)
	r.Add(read, http.MethodPost, a+"/ack", h.ack)
	r.Add(publish, http.MethodGet, a+"/acks", h.acks)
	r.Add(publish, http.MethodGet, a+"/acks.csv", h.export)
	r.Add(publish, http.MethodPost, a+"/remind", h.remind)
}

type announcementJSON struct {
	ID              uuid.UUID  `json:"id"`
	Title           string     `json:"title"`
	Body            string     `json:"body"`
	BodyHTML        string     `json:"body_html"`
	RequiresAck     bool       `json:"requires_ack"`
	Scope           string     `json:"scope"`
	TargetID        uuid.UUID  `json:"target_id"`
	TargetName      string     `json:"target_name"`
	PublishedBy     uuid.UUID  `json:"published_by"`
	PublishedByName string     `json:"published_by_name"`
	PublishedAt     time.Time  `json:"published_at"`
	Recipient       bool       `json:"recipient"`
	AckedAt         *time.Time `json:"acked_at"`
	Pending         bool       `json:"pending"`
	CanManage       bool       `json:"can_manage"`
	// The counts, for those who manage it.
	RecipientCount *int `json:"recipient_count,omitempty"`
	AckedCount     *int `json:"acked_count,omitempty"`
	PendingCount   *int `json:"pending_count,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func toJSON(v appannouncements.View) announcementJSON {
	a := v.Announcement
	out := announcementJSON{ID: a.ID(), Title: a.Title(), Body: a.Body(), BodyHTML: a.BodyHTML(), RequiresAck: a.RequiresAck(), Scope: string(a.Scope()),
		TargetID: a.TargetID(), TargetName: v.TargetName, PublishedBy: a.PublishedBy(), PublishedByName: v.PublishedByName, PublishedAt: a.PublishedAt().UTC(),
		Recipient: v.Recipient, AckedAt: optTime(v.AckedAt), Pending: v.Recipient && a.RequiresAck() && v.AckedAt.IsZero(), CanManage: v.Manage}
	if v.Manage {
		total, acked, pending := v.Total, v.Acked, v.Total-v.Acked
		out.RecipientCount, out.AckedCount, out.PendingCount = &total, &acked, &pending
	}
	return out
}

func page(c echo.Context, vs []appannouncements.View, total int) error {
	items := make([]announcementJSON, len(vs))
	for i, v := range vs {
		items[i] = toJSON(v)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (h *Handler) mine(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	in := appannouncements.MineInput{Limit: limit, Offset: offset}
	switch c.QueryParam("pending") {
	case "", "false":
	case "true":
		in.PendingOnly = true
	default:
		return errs.Invalidf("query parameter %q must be true or false", "pending")
	}
	vs, total, err := h.svc.Mine(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	return page(c, vs, total)
}

func (h *Handler) admin(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.Admin(c.Request().Context(), server.Actor(c), appannouncements.AdminInput{Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return page(c, vs, total)
}

type publishRequest struct {
	Scope       string  `json:"scope"`
	TargetID    *string `json:"target_id"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
	RequiresAck bool    `json:"requires_ack"`
}

func (h *Handler) publish(c echo.Context) error {
	var req publishRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Scope == "" {
		return server.Required("scope")
	}
	var target uuid.UUID
	if req.TargetID != nil && *req.TargetID != "" {
		id, err := uuid.Parse(*req.TargetID)
		if err != nil {
			return errs.E(errs.Invalid, "invalid_field", "target_id: must be an id")
		}
		target = id
	}
	v, err := h.svc.Publish(c.Request().Context(), server.Actor(c), appannouncements.PublishInput{Scope: req.Scope, TargetID: target,
		Title: req.Title, Body: req.Body, RequiresAck: req.RequiresAck})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toJSON(v))
}

func (h *Handler) id(c echo.Context) (uuid.UUID, error) {
	return server.PathID(c, "announcementID", "announcement")
}

func (h *Handler) get(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	v, err := h.svc.Get(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(v))
}

func (h *Handler) delete(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Delete(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) ack(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	at, err := h.svc.Ack(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "acked_at": at.UTC()})
}

type recipientJSON struct {
	UserID     uuid.UUID  `json:"user_id"`
	Name       string     `json:"name"`
	Department string     `json:"department"`
	AckedAt    *time.Time `json:"acked_at"`
}

func (h *Handler) acks(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	state, err := announcements.ParseAckState(c.QueryParam("state"))
	if err != nil {
		return err
	}
	p, err := h.svc.Acks(c.Request().Context(), server.Actor(c), id, announcements.RecipientQuery{State: state, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]recipientJSON, len(p.Items))
	for i, r := range p.Items {
		items[i] = recipientJSON{UserID: r.UserID, Name: r.Name, Department: r.Department, AckedAt: optTime(r.AckedAt)}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": p.Total, "acked_count": p.AckedCount, "pending_count": p.PendingCount})
}

func (h *Handler) remind(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	n, err := h.svc.Remind(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"reminded": n})
}

// export answers every recipient of an announcement as CSV, each cell neutralised
// (server.CSVCell); it is read whole before anything is sent, so a failure is an ordinary
// error response.
func (h *Handler) export(c echo.Context) error {
	id, err := h.id(c)
	if err != nil {
		return err
	}
	ann, rs, err := h.svc.Export(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	server.LongResponse(c, server.ExportTimeout)
	w := c.Response()
	w.Header().Set("Content-Disposition", `attachment; filename="announcement-`+ann.ID().String()+`-acks.csv"`)
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"user_id", "name", "department", "state", "acked_at"})
	for _, r := range rs {
		state, at := "pending", ""
		if !r.AckedAt.IsZero() {
			state, at = "acked", r.AckedAt.UTC().Format(time.RFC3339)
		}
		row := []string{r.UserID.String(), r.Name, r.Department, state, at}
		for i := range row {
			row[i] = server.CSVCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			server.Logger(c).Error("announcement export aborted part-way", "error", err.Error(), "rows", strconv.Itoa(len(rs)))
			panic(http.ErrAbortHandler)
		}
	}
	cw.Flush()
	return cw.Error()
}
