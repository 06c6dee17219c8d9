// Package notifications is the HTTP face of in-app notifications: a member's own list, unread
// count, marking read, and their preferences.
package notifications

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appnotifications "canopy/app/notifications"
	"canopy/domain/errs"
	"canopy/domain/notifications"
	"canopy/web/server"
)

// Service is what the handlers need of the notifications use cases. MarkRead returns NotFound
// for a notification that is not the caller's; SetSettings Invalid for bad input.
type Service interface {
	List(ctx context.Context, a authz.Actor, in appnotifications.ListInput) (appnotifications.Page, error)
	UnreadCount(ctx context.Context, a authz.Actor) (int, error)
	MarkRead(ctx context.Context, a authz.Actor, id uuid.UUID) error
	MarkAllRead(ctx context.Context, a authz.Actor) (int, error)
	Settings(ctx context.Context, a authz.Actor) (notifications.Settings, error)
	SetSettings(ctx context.Context, a authz.Actor, in appnotifications.SettingsInput) (notifications.Settings, error)
}

// Handler serves the notifications routes.
type Handler struct{ svc Service }

// New returns the notifications handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the notifications routes. Each acts on the caller's own notifications in the
// organisation of their membership, so every member may call them and none names a permission.
func (h *Handler) Register(r *server.Router) {
	o := "/orgs/:orgID"
	r.Add(server.SelfService, http.MethodGet, o+"/notifications", h.list)
	r.Add(server.SelfService, http.MethodGet, o+"/notifications/unread-count", h.unreadCount)
	r.Add(server.SelfService, http.MethodPost, o+"/notifications/read-all", h.markAllRead)
	r.Add(server.SelfService, http.MethodPost, o+"/notifications/:notificationID/read", h.markRead)
	r.Add(server.SelfService, http.MethodGet, o+"/notification-preferences", h.settings)
	r.Add(server.SelfService, http.MethodPut, o+"/notification-preferences", h.setSettings)
}

// NotificationJSON is a notification as the API shows it.
type NotificationJSON struct {
	ID          uuid.UUID       `json:"id"`
	Type        string          `json:"type"`
	EventID     int64           `json:"event_id"`
	SubjectType string          `json:"subject_type"`
	SubjectID   uuid.UUID       `json:"subject_id"`
	ActorID     *uuid.UUID      `json:"actor_id"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	ReadAt      *time.Time      `json:"read_at"`
}

func toJSON(n *notifications.Notification) NotificationJSON {
	out := NotificationJSON{ID: n.ID(), Type: string(n.Kind()), EventID: n.EventID(), SubjectType: n.SubjectType(), SubjectID: n.SubjectID(),
		Payload: n.Payload(), CreatedAt: n.CreatedAt(), ReadAt: n.ReadAt()}
	if a := n.ActorID(); a != uuid.Nil {
		out.ActorID = &a
	}
	return out
}

func (h *Handler) list(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	var unreadOnly bool
	switch c.QueryParam("unread") {
	case "", "false":
	case "true":
		unreadOnly = true
	default:
		return errs.Invalidf("query parameter %q must be true or false", "unread")
	}
	p, err := h.svc.List(c.Request().Context(), server.Actor(c), appnotifications.ListInput{UnreadOnly: unreadOnly, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]NotificationJSON, len(p.Items))
	for i, n := range p.Items {
		items[i] = toJSON(n)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": p.Total, "unread": p.Unread})
}

func (h *Handler) unreadCount(c echo.Context) error {
	n, err := h.svc.UnreadCount(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"unread": n})
}

func (h *Handler) markRead(c echo.Context) error {
	id, err := server.PathID(c, "notificationID", "notification")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.MarkRead(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) markAllRead(c echo.Context) error {
	n, err := h.svc.MarkAllRead(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"marked": n})
}

type preferenceJSON struct {
	Kind    string `json:"kind"`
	Channel string `json:"channel"`
}

type quietHoursJSON struct {
	StartMinute *int `json:"start_minute"`
	EndMinute   *int `json:"end_minute"`
}

type settingsJSON struct {
	Channels   []preferenceJSON `json:"channels"`
	QuietHours *quietHoursJSON  `json:"quiet_hours"`
	TimeZone   string           `json:"time_zone"`
}

func toSettingsJSON(st notifications.Settings) settingsJSON {
	out := settingsJSON{Channels: make([]preferenceJSON, len(st.Channels)), TimeZone: st.TimeZone}
	for i, p := range st.Channels {
		out.Channels[i] = preferenceJSON{Kind: string(p.Kind), Channel: string(p.Channel)}
	}
	if q := st.Quiet; q != nil {
		s, e := q.Start(), q.End()
		out.QuietHours = &quietHoursJSON{StartMinute: &s, EndMinute: &e}
	}
	return out
}

func (h *Handler) settings(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSettingsJSON(st))
}

// setSettingsRequest changes preferences: the kinds listed in channels get their channel;
// quiet_hours, when present, replaces the quiet hours, and null removes them.
type setSettingsRequest struct {
	Channels   []preferenceJSON `json:"channels"`
	QuietHours json.RawMessage  `json:"quiet_hours"`
}

func (h *Handler) setSettings(c echo.Context) error {
	var req setSettingsRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	in := appnotifications.SettingsInput{Channels: make([]notifications.Preference, len(req.Channels))}
	for i, p := range req.Channels {
		k, err := notifications.ParseKind(p.Kind)
		if err != nil {
			return errs.E(errs.Invalid, "unknown_kind", "channels["+itoa(i)+"].kind: unknown notification kind")
		}
		ch, err := notifications.ParseChannel("channels["+itoa(i)+"].channel", p.Channel)
		if err != nil {
			return err
		}
		in.Channels[i] = notifications.Preference{Kind: k, Channel: ch}
	}
	if len(req.QuietHours) > 0 {
		in.SetQuiet = true
		if !bytes.Equal(bytes.TrimSpace(req.QuietHours), []byte("null")) {
			var q quietHoursJSON
			if err := json.Unmarshal(req.QuietHours, &q); err != nil {
				return errs.E(errs.Invalid, "invalid_quiet_hours", "quiet_hours: must be an object with start_minute and end_minute, or null")
			}
			if q.StartMinute == nil {
				return server.Required("quiet_hours.start_minute")
			}
			if q.EndMinute == nil {
				return server.Required("quiet_hours.end_minute")
			}
			qh, err := notifications.NewQuietHours(*q.StartMinute, *q.EndMinute)
			if err != nil {
				return err
			}
			in.Quiet = &qh
		}
	}
	st, err := h.svc.SetSettings(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSettingsJSON(st))
}

func itoa(i int) string { return strconv.Itoa(i) }
