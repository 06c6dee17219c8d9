package tasks

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	apptasks "canopy/app/tasks"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/web/server"
)

func (h *Handler) registerCore(r *server.Router) {
	o := "/orgs/:orgID"
	read, write := server.Needs(access.TasksRead), server.Needs(access.TasksWrite)
	l := o + "/tasklists/:listID"
	r.Add(read, http.MethodGet, o+"/tasklists", h.listLists)
	r.Add(write, http.MethodPost, o+"/tasklists", h.createList)
	r.Add(read, http.MethodGet, l, h.getList)
	r.Add(write, http.MethodPatch, l, h.updateList)
	r.Add(write, http.MethodDelete, l, h.deleteList)
	r.Add(write, http.MethodPost, l+"/restore", h.restoreList)
	r.Add(read, http.MethodGet, l+"/shares", h.listShares)
	r.Add(write, http.MethodPut, l+"/shares", h.shareList)
	r.Add(write, http.MethodDelete, l+"/shares/:principalType/:principalID", h.unshareList)
	r.Add(write, http.MethodPost, l+"/sections", h.createSection)
	r.Add(write, http.MethodPatch, l+"/sections/:sectionID", h.renameSection)
	r.Add(write, http.MethodPost, l+"/sections/:sectionID/move", h.moveSection)
	r.Add(write, http.MethodDelete, l+"/sections/:sectionID", h.deleteSection)
	r.Add(write, http.MethodPost, l+"/labels", h.createLabel)
	r.Add(write, http.MethodPatch, l+"/labels/:labelID", h.updateLabel)
	r.Add(write, http.MethodDelete, l+"/labels/:labelID", h.deleteLabel)
	r.Add(read, http.MethodGet, l+"/tasks", h.listTasks)
	r.Add(write, http.MethodPost, l+"/tasks", h.createTask)

	t := o + "/tasks/:taskID"
	r.Add(read, http.MethodGet, t, h.getTask)
	r.Add(write, http.MethodPatch, t, h.updateTask)
	r.Add(write, http.MethodDelete, t, h.deleteTask)
	r.Add(write, http.MethodPost, t+"/complete", h.completeTask)
	r.Add(write, http.MethodPost, t+"/reopen", h.reopenTask)
	r.Add(write, http.MethodPost, t+"/move", h.moveTask)
	r.Add(write, http.MethodPost, t+"/restore", h.restoreTask)
	r.Add(read, http.MethodGet, t+"/subtasks", h.subtasks)
	r.Add(write, http.MethodPost, t+"/dependencies", h.addDependency)
	r.Add(write, http.MethodDelete, t+"/dependencies/:blockerID", h.removeDependency)
	r.Add(read, http.MethodGet, t+"/blocking", h.blocking)
	r.Add(read, http.MethodGet, t+"/shares", h.taskShares)
	r.Add(write, http.MethodPut, t+"/shares", h.shareTask)
	r.Add(write, http.MethodDelete, t+"/shares/:principalType/:principalID", h.unshareTask)
	r.Add(read, http.MethodGet, t+"/activity", h.activity)
	r.Add(read, http.MethodGet, o+"/me/tasks", h.myTasks)
}

// PersonJSON is a member as the API names them.
type PersonJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

type labelJSON struct {
	ID    uuid.UUID `json:"id"`
	Name  string    `json:"name"`
	Color string    `json:"color"`
}

func toLabelJSON(l *tasks.Label) labelJSON {
	return labelJSON{ID: l.ID(), Name: l.Name(), Color: l.Color()}
}

type sectionJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Rank string    `json:"rank"`
}

func toSectionJSON(s *tasks.Section) sectionJSON {
	return sectionJSON{ID: s.ID(), Name: s.Name(), Rank: s.Rank()}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func optID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

type listJSON struct {
	ID          uuid.UUID     `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	OwnerKind   string        `json:"owner_kind"`
	OwnerID     uuid.UUID     `json:"owner_id"`
	OwnerName   string        `json:"owner_name"`
	Level       string        `json:"level"`
	Archived    bool          `json:"archived"`
	ArchivedAt  *time.Time    `json:"archived_at,omitempty"`
	DeletedAt   *time.Time    `json:"deleted_at,omitempty"`
	CreatedBy   PersonJSON    `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Sections    []sectionJSON `json:"sections"`
	Labels      []labelJSON   `json:"labels"`
	OpenCount   int           `json:"open_count"`
	DoneCount   int           `json:"done_count"`
}

func toListJSON(v apptasks.ListView) listJSON {
	l := v.List
	return listJSON{ID: l.ID(), Name: l.Name(), Description: l.Description(), OwnerKind: string(l.OwnerKind()), OwnerID: l.OwnerID(),
		OwnerName: v.OwnerName, Level: v.Level.String(), Archived: l.Archived(), ArchivedAt: optTime(l.ArchivedAt()), DeletedAt: optTime(l.DeletedAt()),
		CreatedBy: PersonJSON{ID: l.CreatedBy(), Name: v.CreatorName}, CreatedAt: l.CreatedAt(), UpdatedAt: l.UpdatedAt(),
		Sections: mapped(v.Sections, toSectionJSON), Labels: mapped(v.Labels, toLabelJSON), OpenCount: v.OpenCount, DoneCount: v.DoneCount}
}

type refJSON struct {
	ID     uuid.UUID `json:"id"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
}

func toRefJSON(r apptasks.Ref) refJSON {
	return refJSON{ID: r.ID, Title: r.Title, Status: string(r.Status)}
}

type taskJSON struct {
	ID              uuid.UUID    `json:"id"`
	ListID          uuid.UUID    `json:"list_id"`
	ListName        *string      `json:"list_name"`
	SectionID       uuid.UUID    `json:"section_id"`
	ParentID        *uuid.UUID   `json:"parent_id"`
	Depth           int          `json:"depth"`
	Title           string       `json:"title"`
	Description     string       `json:"description"`
	DescriptionHTML string       `json:"description_html"`
	Priority        int          `json:"priority"`
	Status          string       `json:"status"`
	CompletedBy     *PersonJSON  `json:"completed_by,omitempty"`
	CompletedAt     *time.Time   `json:"completed_at,omitempty"`
	Creator         PersonJSON   `json:"creator"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	StartAt         *time.Time   `json:"start_at,omitempty"`
	DueAt           *time.Time   `json:"due_at,omitempty"`
	AllDay          bool         `json:"all_day"`
	DueTZ           string       `json:"due_tz"`
	RRule           string       `json:"rrule"`
	SeriesID        *uuid.UUID   `json:"series_id,omitempty"`
	Rank            string       `json:"rank"`
	Assignees       []PersonJSON `json:"assignees"`
	Followers       []PersonJSON `json:"followers"`
	Labels          []labelJSON  `json:"labels"`
	SubtaskTotal    int          `json:"subtask_total"`
	SubtaskDone     int          `json:"subtask_done"`
	BlockedBy       []refJSON    `json:"blocked_by"`
	Level           string       `json:"level"`
	Bucket          string       `json:"bucket,omitempty"`
	DeletedAt       *time.Time   `json:"deleted_at,omitempty"`
}

func toPersonJSON(p apptasks.Person) PersonJSON { return PersonJSON{ID: p.ID, Name: p.Name} }

// TaskJSON is a task as the API shows it; the collab part of the module may answer with it.
func TaskJSON(v apptasks.TaskView) any { return toTaskJSON(v) }

func toTaskJSON(v apptasks.TaskView) taskJSON {
	t := v.Task
	sc := t.Schedule()
	out := taskJSON{ID: t.ID(), ListID: t.ListID(), ListName: v.ListName, SectionID: t.SectionID(), ParentID: optID(t.ParentID()), Depth: t.Depth(),
		Title: t.Title(), Description: t.Description(), DescriptionHTML: v.DescriptionHTML, Priority: t.Priority(), Status: string(t.Status()),
		CompletedAt: optTime(t.CompletedAt()), Creator: toPersonJSON(v.Creator), CreatedAt: t.CreatedAt(), UpdatedAt: t.UpdatedAt(),
		StartAt: optTime(sc.Start), DueAt: optTime(sc.Due), AllDay: sc.AllDay, DueTZ: sc.TZ, RRule: t.RRule(), SeriesID: optID(t.SeriesID()),
		Rank: t.Rank(), Assignees: mapped(v.Assignees, toPersonJSON), Followers: mapped(v.Followers, toPersonJSON), Labels: mapped(v.Labels, toLabelJSON),
		SubtaskTotal: v.SubtaskTotal, SubtaskDone: v.SubtaskDone, BlockedBy: mapped(v.BlockedBy, toRefJSON), Level: v.Level.String(), Bucket: v.Bucket,
		DeletedAt: optTime(t.DeletedAt())}
	if v.CompletedBy != nil {
		p := toPersonJSON(*v.CompletedBy)
		out.CompletedBy = &p
	}
	return out
}

type shareJSON struct {
	PrincipalType string    `json:"principal_type"`
	PrincipalID   uuid.UUID `json:"principal_id"`
	Name          string    `json:"name"`
	Role          string    `json:"role"`
}

func toShareJSON(v apptasks.ShareView) shareJSON {
	return shareJSON{PrincipalType: string(v.Share.Principal.Type), PrincipalID: v.Share.Principal.ID, Name: v.Name, Role: string(v.Share.Role)}
}

// bindIdempotent decodes a JSON body like server.BindJSON and, when the request carries an
// Idempotency-Key, returns it with the SHA-256 of the raw body.
func bindIdempotent(c echo.Context, dst any) (*apptasks.IdempotencyKey, error) {
	req := c.Request()
	key, has := req.Header[http.CanonicalHeaderKey("Idempotency-Key")]
	if !has {
		return nil, server.BindJSON(c, dst)
	}
	if len(key) != 1 {
		return nil, errs.E(errs.Invalid, "invalid_idempotency_key", "Idempotency-Key: send it once")
	}
	if err := apptasks.CheckIdempotencyKey(key[0]); err != nil {
		return nil, err
	}
	data, err := server.ReadBody(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	if err := server.BindJSON(c, dst); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return &apptasks.IdempotencyKey{Key: key[0], Hash: sum[:]}, nil
}

// parseTime parses an RFC 3339 time; "" is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.E(errs.Invalid, "invalid_date", field+": must be an RFC 3339 time such as 2026-05-01T09:00:00Z")
	}
	return t.UTC(), nil
}

func (h *Handler) listLists(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	owner, err := server.QueryID(c, "owner_id", "owner")
	if err != nil {
		return err
	}
	q := apptasks.ListsQuery{Query: strings.TrimSpace(c.QueryParam("q")), OwnerKind: tasks.OwnerKind(c.QueryParam("owner_kind")), OwnerID: owner,
		Limit: limit, Offset: offset}
	switch c.QueryParam("archived") {
	case "", "false":
	case "true":
		q.Archived = true
	default:
		return errs.Invalidf("query parameter %q must be true or false", "archived")
	}
	switch c.QueryParam("deleted") {
	case "", "false":
	case "true":
		q.Deleted = true
	default:
		return errs.Invalidf("query parameter %q must be true or false", "deleted")
	}
	vs, total, err := h.svc.Lists(c.Request().Context(), server.Actor(c), q)
	if err != nil {
		return err
	}
	return list(c, vs, total, toListJSON)
}

type createListRequest struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	OwnerKind   string   `json:"owner_kind"`
	OwnerID     *string  `json:"owner_id"`
	Sections    []string `json:"sections"`
}

func (h *Handler) createList(c echo.Context) error {
	var req createListRequest
	key, err := bindIdempotent(c, &req)
	if err != nil {
		return err
	}
	if req.OwnerKind == "" {
		return server.Required("owner_kind")
	}
	owner, err := server.BodyID("owner_id", req.OwnerID)
	if err != nil {
		return err
	}
	v, err := h.svc.CreateList(c.Request().Context(), server.Actor(c), apptasks.CreateListInput{Name: req.Name, Description: req.Description,
		OwnerKind: tasks.OwnerKind(req.OwnerKind), OwnerID: owner, Sections: req.Sections, Idempotency: key})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toListJSON(v))
}

func (h *Handler) getList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	v, err := h.svc.List(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListJSON(v))
}

type updateListRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Archived    *bool   `json:"archived"`
}

func (h *Handler) updateList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	var req updateListRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.svc.UpdateList(c.Request().Context(), server.Actor(c), id, apptasks.ListChange{Name: req.Name, Description: req.Description, Archived: req.Archived})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListJSON(v))
}

func (h *Handler) deleteList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteList(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) restoreList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	v, err := h.svc.RestoreList(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListJSON(v))
}

func (h *Handler) listShares(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.ListShares(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toShareJSON)
}

type shareRequest struct {
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Role          string `json:"role"`
}

// principal reads a share request's principal and role.
func (req shareRequest) parse(forTask bool) (tasks.Principal, tasks.Role, error) {
	if req.PrincipalID == "" {
		return tasks.Principal{}, "", server.Required("principal_id")
	}
	id, err := uuid.Parse(req.PrincipalID)
	if err != nil {
		return tasks.Principal{}, "", errs.E(errs.Invalid, "invalid_field", "principal_id: must be an id")
	}
	p, err := tasks.ParsePrincipal(req.PrincipalType, id, forTask)
	if err != nil {
		return tasks.Principal{}, "", err
	}
	role, err := tasks.ParseRole(req.Role, forTask)
	return p, role, err
}

func (h *Handler) shareList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	var req shareRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, role, err := req.parse(false)
	if err != nil {
		return err
	}
	v, err := h.svc.ShareList(c.Request().Context(), server.Actor(c), id, p, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toShareJSON(v))
}

// pathPrincipal reads a principal from the path; an unknown one names nothing, so NotFound.
func pathPrincipal(c echo.Context, forTask bool) (tasks.Principal, error) {
	id, err := server.PathID(c, "principalID", "share")
	if err != nil {
		return tasks.Principal{}, err
	}
	p, err := tasks.ParsePrincipal(c.Param("principalType"), id, forTask)
	if err != nil {
		return tasks.Principal{}, errs.NotFoundf("share")
	}
	return p, nil
}

func (h *Handler) unshareList(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	p, err := pathPrincipal(c, false)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.UnshareList(c.Request().Context(), server.Actor(c), id, p))
}

type sectionRequest struct {
	Name    string  `json:"name"`
	AfterID *string `json:"after_id"`
}

func (h *Handler) createSection(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	var req sectionRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	var after *uuid.UUID
	if req.AfterID != nil && *req.AfterID != "" {
		a, err := server.BodyID("after_id", req.AfterID)
		if err != nil {
			return err
		}
		after = &a
	}
	s, err := h.svc.CreateSection(c.Request().Context(), server.Actor(c), id, req.Name, after)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toSectionJSON(s))
}

type renameRequest struct {
	Name string `json:"name"`
}

func (h *Handler) renameSection(c echo.Context) error {
	ids, err := server.PathIDs(c, "listID", "sectionID")
	if err != nil {
		return err
	}
	var req renameRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	s, err := h.svc.RenameSection(c.Request().Context(), server.Actor(c), ids[0], ids[1], req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSectionJSON(s))
}

type afterRequest struct {
	AfterID *string `json:"after_id"`
}

func (h *Handler) moveSection(c echo.Context) error {
	ids, err := server.PathIDs(c, "listID", "sectionID")
	if err != nil {
		return err
	}
	var req afterRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	after, err := server.BodyID("after_id", req.AfterID)
	if err != nil {
		return err
	}
	s, err := h.svc.MoveSection(c.Request().Context(), server.Actor(c), ids[0], ids[1], after)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSectionJSON(s))
}

func (h *Handler) deleteSection(c echo.Context) error {
	ids, err := server.PathIDs(c, "listID", "sectionID")
	if err != nil {
		return err
	}
	moveTo := uuid.Nil
	if v := c.QueryParam("move_to"); v != "" {
		if moveTo, err = uuid.Parse(v); err != nil {
			return errs.E(errs.Invalid, "unknown_section", "move_to: not a section of this list")
		}
	}
	return server.NoContent(c, h.svc.DeleteSection(c.Request().Context(), server.Actor(c), ids[0], ids[1], moveTo))
}

type labelRequest struct {
	Name  *string `json:"name"`
	Color *string `json:"color"`
}

func (h *Handler) createLabel(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	var req labelRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return server.Required("name")
	}
	if req.Color == nil {
		return server.Required("color")
	}
	l, err := h.svc.CreateLabel(c.Request().Context(), server.Actor(c), id, *req.Name, *req.Color)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toLabelJSON(l))
}

func (h *Handler) updateLabel(c echo.Context) error {
	ids, err := server.PathIDs(c, "listID", "labelID")
	if err != nil {
		return err
	}
	var req labelRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	l, err := h.svc.UpdateLabel(c.Request().Context(), server.Actor(c), ids[0], ids[1], req.Name, req.Color)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toLabelJSON(l))
}

func (h *Handler) deleteLabel(c echo.Context) error {
	ids, err := server.PathIDs(c, "listID", "labelID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteLabel(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

// queryStatus reads status: open, done or all (def when absent).
func queryStatus(c echo.Context, def tasks.Status) (tasks.Status, error) {
	switch v := c.QueryParam("status"); v {
	case "":
		return def, nil
	case "all":
		return "", nil
	case "open", "done":
		return tasks.Status(v), nil
	}
	return "", errs.E(errs.Invalid, "invalid_status", "status: must be open, done or all")
}

func (h *Handler) listTasks(c echo.Context) error {
	id, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	var q apptasks.TasksQuery
	if q.SectionID, err = server.QueryID(c, "section_id", "section"); err != nil {
		return err
	}
	if q.ParentID, err = server.QueryID(c, "parent_id", "task"); err != nil {
		return err
	}
	if q.AssigneeID, err = server.QueryID(c, "assignee_id", "member"); err != nil {
		return err
	}
	if q.LabelID, err = server.QueryID(c, "label_id", "label"); err != nil {
		return err
	}
	if q.Status, err = queryStatus(c, ""); err != nil {
		return err
	}
	if q.DueFrom, err = server.QueryTime(c, "due_from"); err != nil {
		return err
	}
	if q.DueTo, err = server.QueryTime(c, "due_to"); err != nil {
		return err
	}
	q.Query, q.Limit, q.Offset = strings.TrimSpace(c.QueryParam("q")), limit, offset
	vs, total, err := h.svc.ListTasks(c.Request().Context(), server.Actor(c), id, q)
	if err != nil {
		return err
	}
	return list(c, vs, total, toTaskJSON)
}

type createTaskRequest struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	SectionID   *string  `json:"section_id"`
	ParentID    *string  `json:"parent_id"`
	AssigneeIDs []string `json:"assignee_ids"`
	FollowerIDs []string `json:"follower_ids"`
	LabelIDs    []string `json:"label_ids"`
	Priority    int      `json:"priority"`
	StartAt     *string  `json:"start_at"`
	DueAt       *string  `json:"due_at"`
	AllDay      bool     `json:"all_day"`
	DueTZ       string   `json:"due_tz"`
	RRule       string   `json:"rrule"`
	AfterID     *string  `json:"after_id"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (h *Handler) createTask(c echo.Context) error {
	listID, err := server.PathID(c, "listID", "task list")
	if err != nil {
		return err
	}
	var req createTaskRequest
	key, err := bindIdempotent(c, &req)
	if err != nil {
		return err
	}
	in := apptasks.TaskInput{Title: req.Title, Description: req.Description, Priority: req.Priority, RRule: req.RRule, Idempotency: key,
		Schedule: tasks.Schedule{AllDay: req.AllDay, TZ: req.DueTZ}}
	if in.SectionID, err = server.BodyID("section_id", req.SectionID); err != nil {
		return err
	}
	if in.ParentID, err = server.BodyID("parent_id", req.ParentID); err != nil {
		return err
	}
	if req.AfterID != nil && *req.AfterID != "" {
		after, err := server.BodyID("after_id", req.AfterID)
		if err != nil {
			return err
		}
		in.AfterID = &after
	}
	if in.AssigneeIDs, err = server.BodyIDs("assignee_ids", req.AssigneeIDs); err != nil {
		return err
	}
	if in.FollowerIDs, err = server.BodyIDs("follower_ids", req.FollowerIDs); err != nil {
		return err
	}
	if in.LabelIDs, err = server.BodyIDs("label_ids", req.LabelIDs); err != nil {
		return err
	}
	if in.Schedule.Start, err = parseTime("start_at", deref(req.StartAt)); err != nil {
		return err
	}
	if in.Schedule.Due, err = parseTime("due_at", deref(req.DueAt)); err != nil {
		return err
	}
	v, err := h.svc.CreateTask(c.Request().Context(), server.Actor(c), listID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTaskJSON(v))
}

func (h *Handler) getTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	v, err := h.svc.Task(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

type updateTaskRequest struct {
	Title       *string          `json:"title"`
	Description *string          `json:"description"`
	SectionID   *string          `json:"section_id"`
	AssigneeIDs *[]string        `json:"assignee_ids"`
	FollowerIDs *[]string        `json:"follower_ids"`
	LabelIDs    *[]string        `json:"label_ids"`
	Priority    *int             `json:"priority"`
	StartAt     *json.RawMessage `json:"start_at"`
	DueAt       *json.RawMessage `json:"due_at"`
	AllDay      *bool            `json:"all_day"`
	DueTZ       *string          `json:"due_tz"`
	RRule       *json.RawMessage `json:"rrule"`
}

// optionalString reads a field that may be absent (not set), null or "" (cleared), or a string.
func optionalString(field string, raw *json.RawMessage) (set bool, v string, err error) {
	if raw == nil {
		return false, "", nil
	}
	var s *string
	if err := json.Unmarshal(*raw, &s); err != nil {
		return false, "", errs.E(errs.Invalid, "invalid_field", field+": must be a string or null")
	}
	return true, deref(s), nil
}

func (h *Handler) updateTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	var req updateTaskRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	ch := apptasks.TaskChange{Title: req.Title, Description: req.Description, Priority: req.Priority, AllDay: req.AllDay, DueTZ: req.DueTZ}
	if req.SectionID != nil {
		sid, err := server.BodyID("section_id", req.SectionID)
		if err != nil {
			return err
		}
		if sid == uuid.Nil {
			return server.Required("section_id")
		}
		ch.SectionID = &sid
	}
	for _, f := range []struct {
		name string
		in   *[]string
		out  **[]uuid.UUID
	}{{"assignee_ids", req.AssigneeIDs, &ch.AssigneeIDs}, {"follower_ids", req.FollowerIDs, &ch.FollowerIDs}, {"label_ids", req.LabelIDs, &ch.LabelIDs}} {
		if f.in == nil {
			continue
		}
		v, err := server.BodyIDs(f.name, *f.in)
		if err != nil {
			return err
		}
		*f.out = &v
	}
	for _, f := range []struct {
		name string
		in   *json.RawMessage
		out  *apptasks.OptionalTime
	}{{"start_at", req.StartAt, &ch.StartAt}, {"due_at", req.DueAt, &ch.DueAt}} {
		set, s, err := optionalString(f.name, f.in)
		if err != nil {
			return err
		}
		if set {
			t, err := parseTime(f.name, s)
			if err != nil {
				return err
			}
			*f.out = apptasks.OptionalTime{Set: true, Value: t}
		}
	}
	if set, s, err := optionalString("rrule", req.RRule); err != nil {
		return err
	} else if set {
		ch.RRule = &s
	}
	v, err := h.svc.UpdateTask(c.Request().Context(), server.Actor(c), id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

func (h *Handler) deleteTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteTask(c.Request().Context(), server.Actor(c), id))
}

type completeRequest struct {
	Force bool `json:"force"`
}

// bindOptional decodes a JSON body that may be left out entirely.
func bindOptional(c echo.Context, dst any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return server.BindJSON(c, dst)
}

func (h *Handler) completeTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	var req completeRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	done, err := h.svc.CompleteTask(c.Request().Context(), server.Actor(c), id, req.Force)
	if err != nil {
		return err
	}
	out := map[string]any{"task": toTaskJSON(done.Task)}
	if done.Next != nil {
		out["next"] = toTaskJSON(*done.Next)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) reopenTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	v, err := h.svc.ReopenTask(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

type moveRequest struct {
	SectionID *string `json:"section_id"`
	AfterID   *string `json:"after_id"`
}

func (h *Handler) moveTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	var req moveRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	var in apptasks.MoveInput
	if in.SectionID, err = server.BodyID("section_id", req.SectionID); err != nil {
		return err
	}
	if in.AfterID, err = server.BodyID("after_id", req.AfterID); err != nil {
		return err
	}
	v, err := h.svc.MoveTask(c.Request().Context(), server.Actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

func (h *Handler) restoreTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	v, err := h.svc.RestoreTask(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

func (h *Handler) subtasks(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.Subtasks(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toTaskJSON)
}

type dependencyRequest struct {
	BlockedByID string `json:"blocked_by_id"`
}

func (h *Handler) addDependency(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	var req dependencyRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.BlockedByID == "" {
		return server.Required("blocked_by_id")
	}
	blocker, err := uuid.Parse(req.BlockedByID)
	if err != nil {
		return errs.NotFoundf("task")
	}
	r, err := h.svc.AddDependency(c.Request().Context(), server.Actor(c), id, blocker)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRefJSON(r))
}

func (h *Handler) removeDependency(c echo.Context) error {
	ids, err := server.PathIDs(c, "taskID", "blockerID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RemoveDependency(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

func (h *Handler) blocking(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	refs, total, err := h.svc.Blocking(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, refs, total, toRefJSON)
}

func (h *Handler) taskShares(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.TaskShares(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toShareJSON)
}

func (h *Handler) shareTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	var req shareRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, role, err := req.parse(true)
	if err != nil {
		return err
	}
	v, err := h.svc.ShareTask(c.Request().Context(), server.Actor(c), id, p, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toShareJSON(v))
}

func (h *Handler) unshareTask(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	p, err := pathPrincipal(c, true)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.UnshareTask(c.Request().Context(), server.Actor(c), id, p))
}

type activityJSON struct {
	ID        int64           `json:"id"`
	Actor     PersonJSON      `json:"actor"`
	Action    string          `json:"action"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	CreatedAt time.Time       `json:"created_at"`
}

func rawJSON(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null")
	case json.RawMessage:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func toActivityJSON(v apptasks.ActivityView) activityJSON {
	return activityJSON{ID: v.ID, Actor: PersonJSON{ID: v.ActorID, Name: v.ActorName}, Action: v.Action, Before: rawJSON(v.Before),
		After: rawJSON(v.After), CreatedAt: v.CreatedAt}
}

func (h *Handler) activity(c echo.Context) error {
	id, err := server.PathID(c, "taskID", "task")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	vs, total, err := h.svc.History(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	return list(c, vs, total, toActivityJSON)
}

func (h *Handler) myTasks(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	q := apptasks.ViewQuery{View: c.QueryParam("view"), TZ: c.QueryParam("tz"), Query: strings.TrimSpace(c.QueryParam("q")), Limit: limit, Offset: offset}
	if q.ListID, err = server.QueryID(c, "list_id", "task list"); err != nil {
		return err
	}
	if q.LabelID, err = server.QueryID(c, "label_id", "label"); err != nil {
		return err
	}
	if q.Status, err = queryStatus(c, tasks.StatusOpen); err != nil {
		return err
	}
	if q.DueFrom, err = server.QueryTime(c, "due_from"); err != nil {
		return err
	}
	if q.DueTo, err = server.QueryTime(c, "due_to"); err != nil {
		return err
	}
	vs, total, err := h.svc.MyTasks(c.Request().Context(), server.Actor(c), q)
	if err != nil {
		return err
	}
	return list(c, vs, total, toTaskJSON)
}
