package tasks

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	apptasks "canopy/app/tasks"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/web/server"
)

// registerCollab adds the routes of comments, attachments and reminders: reads need tasks.read,
// changes tasks.write; the service checks the task itself.
func (h *Handler) registerCollab(r *server.Router) {
	t := "/orgs/:orgID/tasks/:taskID"
	r.Add(server.Needs(access.TasksRead), http.MethodGet, t+"/comments", h.listComments)
	r.Add(server.Needs(access.TasksWrite), http.MethodPost, t+"/comments", h.addComment)
	r.Add(server.Needs(access.TasksWrite), http.MethodPatch, t+"/comments/:commentID", h.editComment)
	r.Add(server.Needs(access.TasksWrite), http.MethodDelete, t+"/comments/:commentID", h.deleteComment)
	r.Add(server.Needs(access.TasksRead), http.MethodGet, t+"/attachments", h.listAttachments)
	r.Add(server.Needs(access.TasksWrite), http.MethodPost, t+"/attachments", h.attach)
	r.Add(server.Needs(access.TasksWrite), http.MethodDelete, t+"/attachments/:fileID", h.detach)
	r.Add(server.Needs(access.TasksRead), http.MethodGet, t+"/reminders", h.reminders)
	r.Add(server.Needs(access.TasksWrite), http.MethodPut, t+"/reminders", h.setReminders)
}

// collabPerson is a PersonRef: a member's id and name.
type collabPerson struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

func toCollabPerson(p apptasks.Person) collabPerson { return collabPerson{ID: p.ID, Name: p.Name} }

type commentJSON struct {
	ID        uuid.UUID      `json:"id"`
	Author    collabPerson   `json:"author"`
	Body      string         `json:"body"`
	BodyHTML  string         `json:"body_html"`
	Mentions  []collabPerson `json:"mentions"`
	CreatedAt time.Time      `json:"created_at"`
	EditedAt  *time.Time     `json:"edited_at,omitempty"`
}

func toCommentJSON(v apptasks.CommentView) commentJSON {
	c := v.Comment
	j := commentJSON{ID: c.ID(), Author: toCollabPerson(v.Author), Body: c.Body(), BodyHTML: v.BodyHTML,
		Mentions: mapped(v.Mentions, toCollabPerson), CreatedAt: c.CreatedAt()}
	if t := c.EditedAt(); !t.IsZero() {
		j.EditedAt = &t
	}
	return j
}

// taskID reads the task of the path; a malformed id is NotFound, as a missing task.
func taskID(c echo.Context) (uuid.UUID, error) { return server.PathID(c, "taskID", "task") }

func (h *Handler) listComments(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.Comments(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toCommentJSON)
}

type commentRequest struct {
	Body       *string  `json:"body"`
	MentionIDs []string `json:"mention_ids"`
}

func (h *Handler) addComment(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	var req commentRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return server.Required("body")
	}
	mentions := make([]uuid.UUID, 0, len(req.MentionIDs))
	for _, s := range req.MentionIDs {
		m, err := uuid.Parse(s)
		if err != nil {
			// Not an id of anyone: as an id of nobody in the organisation.
			return errs.E(errs.Invalid, "unknown_member", "mention_ids: "+strconv.Quote(s)+" is not a member of the organisation")
		}
		mentions = append(mentions, m)
	}
	v, err := h.svc.AddComment(c.Request().Context(), server.Actor(c), id, apptasks.CommentInput{Body: *req.Body, MentionIDs: mentions})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCommentJSON(v))
}

func (h *Handler) editComment(c echo.Context) error {
	ids, err := server.PathIDs(c, "taskID", "commentID")
	if err != nil {
		return err
	}
	var req commentRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return server.Required("body")
	}
	v, err := h.svc.EditComment(c.Request().Context(), server.Actor(c), ids[0], ids[1], *req.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommentJSON(v))
}

func (h *Handler) deleteComment(c echo.Context) error {
	ids, err := server.PathIDs(c, "taskID", "commentID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteComment(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

type attachmentJSON struct {
	FileID      uuid.UUID    `json:"file_id"`
	Name        string       `json:"name"`
	Size        int64        `json:"size"`
	ContentType string       `json:"content_type"`
	AddedBy     collabPerson `json:"added_by"`
	AddedAt     time.Time    `json:"added_at"`
}

func toAttachmentJSON(v apptasks.AttachmentView) attachmentJSON {
	return attachmentJSON{FileID: v.File.ID, Name: v.File.Name, Size: v.File.Size, ContentType: v.File.ContentType,
		AddedBy: toCollabPerson(v.AddedBy), AddedAt: v.AddedAt}
}

func (h *Handler) listAttachments(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Attachments(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": mapped(p.Items, toAttachmentJSON), "total": p.Total, "space_id": p.SpaceID})
}

type attachRequest struct {
	FileID *string `json:"file_id"`
}

func (h *Handler) attach(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	var req attachRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.FileID == nil || *req.FileID == "" {
		return server.Required("file_id")
	}
	fileID, err := server.OptionalID(req.FileID, "file")
	if err != nil {
		return err
	}
	v, err := h.svc.Attach(c.Request().Context(), server.Actor(c), id, fileID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAttachmentJSON(v))
}

func (h *Handler) detach(c echo.Context) error {
	ids, err := server.PathIDs(c, "taskID", "fileID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Detach(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

type remindersJSON struct {
	OffsetsMinutes []int `json:"offsets_minutes"`
}

func toRemindersJSON(offs []int) remindersJSON {
	if offs == nil {
		offs = []int{}
	}
	return remindersJSON{OffsetsMinutes: offs}
}

func (h *Handler) reminders(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	offs, err := h.svc.Reminders(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRemindersJSON(offs))
}

func (h *Handler) setReminders(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	var req struct {
		OffsetsMinutes *[]int `json:"offsets_minutes"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.OffsetsMinutes == nil {
		return server.Required("offsets_minutes")
	}
	offs, err := h.svc.SetReminders(c.Request().Context(), server.Actor(c), id, *req.OffsetsMinutes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRemindersJSON(offs))
}
