// Package moderation is the HTTP face of content rules: an organisation's phrases that block or
// flag messages and file names, and the review list of what was flagged, all for holders of
// content_rules.manage.
package moderation

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appmoderation "canopy/app/moderation"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/moderation"
	"canopy/web/server"
)

// Service is what the handlers need of the content rules use cases. Each returns Forbidden
// without content_rules.manage, NotFound for another organisation's ids and Invalid for bad
// input.
type Service interface {
	Rules(ctx context.Context, a authz.Actor) ([]*moderation.Rule, error)
	CreateRule(ctx context.Context, a authz.Actor, in appmoderation.RuleInput) (*moderation.Rule, error)
	UpdateRule(ctx context.Context, a authz.Actor, id uuid.UUID, c moderation.RuleChange) (*moderation.Rule, error)
	DeleteRule(ctx context.Context, a authz.Actor, id uuid.UUID) error
	Flags(ctx context.Context, a authz.Actor, reviewed *bool, limit, offset int) ([]moderation.FlagRecord, int, error)
	Review(ctx context.Context, a authz.Actor, id uuid.UUID, decision string) (moderation.FlagRecord, error)
}

// Handler serves the content rules routes.
type Handler struct{ svc Service }

// New returns the content rules handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the content rules routes.
func (h *Handler) Register(r *server.Router) {
	o, need := "/orgs/:orgID", server.Needs(access.ContentRulesManage)
	r.Add(need, http.MethodGet, o+"/content-rules", h.listRules)
	r.Add(need, http.MethodPost, o+"/content-rules", h.createRule)
	r.Add(need, http.MethodPatch, o+"/content-rules/:ruleID", h.updateRule)
	r.Add(need, http.MethodDelete, o+"/content-rules/:ruleID", h.deleteRule)
	r.Add(need, http.MethodGet, o+"/content-flags", h.listFlags)
	r.Add(need, http.MethodPost, o+"/content-flags/:flagID/review", h.review)
}

type ruleJSON struct {
	ID        string    `json:"id"`
	Phrase    string    `json:"phrase"`
	Action    string    `json:"action"`
	CreatedBy *string   `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func optionalID(id uuid.UUID) *string {
	if id == uuid.Nil {
		return nil
	}
	s := id.String()
	return &s
}

func toRuleJSON(r *moderation.Rule) ruleJSON {
	return ruleJSON{ID: r.ID().String(), Phrase: r.Phrase(), Action: string(r.Action()), CreatedBy: optionalID(r.CreatedBy()),
		CreatedAt: r.CreatedAt(), UpdatedAt: r.UpdatedAt()}
}

type flagJSON struct {
	ID         string     `json:"id"`
	RuleID     *string    `json:"rule_id"`
	Phrase     string     `json:"phrase"`
	ChatID     *string    `json:"chat_id"`
	MessageID  *string    `json:"message_id"`
	SenderID   string     `json:"sender_id"`
	SenderName string     `json:"sender_name"`
	Kind       string     `json:"kind"`
	Excerpt    string     `json:"excerpt"`
	CreatedAt  time.Time  `json:"created_at"`
	ReviewedAt *time.Time `json:"reviewed_at"`
	ReviewedBy *string    `json:"reviewed_by"`
	Decision   *string    `json:"decision"`
}

func toFlagJSON(f moderation.FlagRecord) flagJSON {
	var d *string
	if f.Decision != "" {
		s := string(f.Decision)
		d = &s
	}
	return flagJSON{ID: f.ID.String(), RuleID: optionalID(f.RuleID), Phrase: f.Phrase, ChatID: optionalID(f.ChatID),
		MessageID: optionalID(f.MessageID), SenderID: f.SenderID.String(), SenderName: f.SenderName, Kind: string(f.Kind),
		Excerpt: f.Excerpt, CreatedAt: f.CreatedAt, ReviewedAt: f.ReviewedAt, ReviewedBy: optionalID(f.ReviewedBy), Decision: d}
}

func (h *Handler) listRules(c echo.Context) error {
	rules, err := h.svc.Rules(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]ruleJSON, len(rules))
	for i, r := range rules {
		items[i] = toRuleJSON(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

type ruleRequest struct {
	Phrase *string `json:"phrase"`
	Action *string `json:"action"`
}

func (h *Handler) createRule(c echo.Context) error {
	var req ruleRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Phrase == nil {
		return server.Required("phrase")
	}
	if req.Action == nil {
		return server.Required("action")
	}
	r, err := h.svc.CreateRule(c.Request().Context(), server.Actor(c), appmoderation.RuleInput{Phrase: *req.Phrase, Action: *req.Action})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRuleJSON(r))
}

func (h *Handler) updateRule(c echo.Context) error {
	id, err := server.PathID(c, "ruleID", "content rule")
	if err != nil {
		return err
	}
	var req ruleRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.UpdateRule(c.Request().Context(), server.Actor(c), id, moderation.RuleChange{Phrase: req.Phrase, Action: req.Action})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRuleJSON(r))
}

func (h *Handler) deleteRule(c echo.Context) error {
	id, err := server.PathID(c, "ruleID", "content rule")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteRule(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) listFlags(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	var reviewed *bool
	switch v := c.QueryParam("reviewed"); v {
	case "":
	case "true", "false":
		b := v == "true"
		reviewed = &b
	default:
		return errs.Invalidf(`query parameter "reviewed" must be true or false`)
	}
	flags, total, err := h.svc.Flags(c.Request().Context(), server.Actor(c), reviewed, limit, offset)
	if err != nil {
		return err
	}
	items := make([]flagJSON, len(flags))
	for i, f := range flags {
		items[i] = toFlagJSON(f)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

type reviewRequest struct {
	Decision string `json:"decision"`
}

func (h *Handler) review(c echo.Context) error {
	id, err := server.PathID(c, "flagID", "content flag")
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Decision == "" {
		return server.Required("decision")
	}
	f, err := h.svc.Review(c.Request().Context(), server.Actor(c), id, req.Decision)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFlagJSON(f))
}
