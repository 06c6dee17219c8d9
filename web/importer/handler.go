// Package importer is the HTTP face of bulk imports of users, departments and memberships:
// POST a JSON, CSV or .xlsx body, then follow the job it answers with; download the template
// and the people and department exports.
package importer

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appimport "canopy/app/importer"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/importer"
	webfiles "canopy/web/files"
	"canopy/web/server"
)

// Service is what the handlers need of the import use cases. They return Forbidden to a caller
// who may not manage members, Invalid for a request that cannot run at all, and NotFound for
// another organisation's job.
type Service interface {
	Submit(ctx context.Context, a authz.Actor, req appimport.Request) (*importer.Job, error)
	Jobs(ctx context.Context, a authz.Actor, limit, offset int) ([]*importer.Job, int, error)
	Job(ctx context.Context, a authz.Actor, id uuid.UUID, limit, offset int) (*importer.Job, []importer.Issue, int, error)
	// ParseXLSX reads a workbook; Invalid when it cannot.
	ParseXLSX(data []byte) (appimport.Request, error)
	// Template returns the import template; Invalid for an unknown format or language.
	Template(format, lang string) (appimport.Download, error)
	// ExportDepartments returns the department export; Forbidden to a caller who may not read
	// it, Invalid for an unknown format. (The people export is web/org's PeopleExports.)
	ExportDepartments(ctx context.Context, a authz.Actor, format string) (appimport.Download, error)
}

// Handler serves the import routes.
type Handler struct {
	svc Service
	// limit is the body limit of an import, which alone may pass the server's.
	limit int64
}

// New returns the import handlers; limitBytes is the most an import body may hold (64 MiB when
// it is 0 or less).
func New(svc Service, limitBytes int64) *Handler {
	if limitBytes <= 0 {
		limitBytes = 64 << 20
	}
	return &Handler{svc: svc, limit: limitBytes}
}

// Register adds the import routes.
func (h *Handler) Register(r *server.Router) {
	adm := "/admin/orgs/:orgID"
	r.AddOwnLimit(server.Needs(access.MembersManage), http.MethodPost, adm+"/imports", h.createImport)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/imports", h.listImports)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/imports/:importID", h.getImport)
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/imports/template", h.template)
	// GET .../people/export is web/org's (PeopleExports), which exports a selection too.
	r.Add(server.Needs(access.DirectoryManage), http.MethodGet, adm+"/departments/export", h.exportDepartments)
}

type importDepartmentJSON struct {
	ExternalID       string `json:"external_id"`
	Name             string `json:"name"`
	ParentExternalID string `json:"parent_external_id"`
	Path             string `json:"path"`
}

type importUserJSON struct {
	ExternalID        string   `json:"external_id"`
	Email             string   `json:"email"`
	DisplayName       string   `json:"display_name"`
	Departments       []string `json:"departments"`
	PrimaryDepartment string   `json:"primary_department"`
	LeaderOf          []string `json:"leader_of"`
	Locale            string   `json:"locale"`
	TimeZone          string   `json:"time_zone"`
	Active            *bool    `json:"active"`
	EmployeeNumber    string   `json:"employee_number"`
	JobTitle          string   `json:"job_title"`
	Mobile            string   `json:"mobile"`
	WorkLocation      string   `json:"work_location"`
	Manager           string   `json:"manager"`
	HireDate          string   `json:"hire_date"`
}

type importRequestJSON struct {
	Departments []importDepartmentJSON `json:"departments"`
	Users       []importUserJSON       `json:"users"`
}

func (r importRequestJSON) request() appimport.Request {
	out := appimport.Request{Format: importer.FormatJSON,
		Departments: make([]appimport.DepartmentRow, len(r.Departments)), Users: make([]appimport.UserRow, len(r.Users))}
	for i, d := range r.Departments {
		out.Departments[i] = appimport.DepartmentRow{Row: i + 1, ExternalID: d.ExternalID, Name: d.Name, ParentExternalID: d.ParentExternalID, Path: d.Path}
	}
	for i, u := range r.Users {
		out.Users[i] = appimport.UserRow{Row: i + 1, ExternalID: u.ExternalID, Email: u.Email, DisplayName: u.DisplayName,
			Departments: u.Departments, PrimaryDepartment: u.PrimaryDepartment, LeaderOf: u.LeaderOf,
			Locale: u.Locale, TimeZone: u.TimeZone, Active: u.Active,
			EmployeeNumber: u.EmployeeNumber, JobTitle: u.JobTitle, Mobile: u.Mobile, WorkLocation: u.WorkLocation,
			Manager: u.Manager, HireDate: u.HireDate}
	}
	return out
}

type importJobJSON struct {
	ID            string         `json:"id"`
	Status        string         `json:"status"`
	Format        string         `json:"format"`
	TotalRows     int            `json:"total_rows"`
	ProcessedRows int            `json:"processed_rows"`
	AppliedRows   int            `json:"applied_rows"`
	FailedRows    int            `json:"failed_rows"`
	CreatedRows   int            `json:"created_rows"`
	UpdatedRows   int            `json:"updated_rows"`
	UnchangedRows int            `json:"unchanged_rows"`
	Failure       *failureJSON   `json:"failure"`
	CreatedBy     string         `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	StartedAt     *time.Time     `json:"started_at"`
	FinishedAt    *time.Time     `json:"finished_at"`
	Issues        *issuePageJSON `json:"issues,omitempty"`

	// InvitedRows are rows whose email has an account the organisation does not manage: each
	// made an invitation, and has a report line with code "invited".
	InvitedRows int `json:"invited_rows"`
}

type failureJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type issueJSON struct {
	Row        int    `json:"row"`
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

type issuePageJSON struct {
	Items []issueJSON `json:"items"`
	Total int         `json:"total"`
	// Truncated says the report stopped at its cap; failed_rows still counts every row.
	Truncated bool `json:"truncated"`
}

func toImportJobJSON(j *importer.Job) importJobJSON {
	n := j.Counts()
	out := importJobJSON{ID: j.ID().String(), Status: string(j.Status()), Format: string(j.Format()), TotalRows: j.Total(),
		ProcessedRows: n.Processed, AppliedRows: n.Applied, FailedRows: n.Failed, CreatedRows: n.Created, UpdatedRows: n.Updated,
		UnchangedRows: n.Unchanged, InvitedRows: n.Invited, CreatedBy: j.CreatedBy().String(), CreatedAt: j.CreatedAt(), StartedAt: j.StartedAt(), FinishedAt: j.FinishedAt()}
	if code, msg := j.Error(); code != "" {
		out.Failure = &failureJSON{code, msg}
	}
	return out
}

func (h *Handler) createImport(c echo.Context) error {
	limit := h.limit
	r := c.Request()
	if r.ContentLength > limit {
		return echo.ErrStatusRequestEntityTooLarge
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var req appimport.Request
	switch mt {
	case echo.MIMEApplicationJSON:
		var body importRequestJSON
		if err := server.BindJSON(c, &body); err != nil {
			return err
		}
		req = body.request()
	case "text/csv", appimport.MediaXLSX, "application/octet-stream":
		// A spreadsheet is told by its content (a zip archive), whatever the browser called it.
		data, err := io.ReadAll(r.Body)
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return echo.ErrStatusRequestEntityTooLarge
		case err != nil:
			return errs.Wrap(errs.Invalid, "malformed_csv", "the body could not be read", err)
		}
		if appimport.IsXLSX(data) || mt == appimport.MediaXLSX {
			req, err = h.svc.ParseXLSX(data)
		} else {
			req, err = appimport.ParseCSV(data)
		}
		if err != nil {
			return err
		}
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/json, text/csv or "+appimport.MediaXLSX)
	}
	j, err := h.svc.Submit(c.Request().Context(), server.Actor(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/admin/orgs/"+j.OrgID().String()+"/imports/"+j.ID().String())
	return c.JSON(http.StatusAccepted, toImportJobJSON(j))
}

func (h *Handler) listImports(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	jobs, total, err := h.svc.Jobs(c.Request().Context(), server.Actor(c), limit, offset)
	if err != nil {
		return err
	}
	items := make([]importJobJSON, len(jobs))
	for i, j := range jobs {
		items[i] = toImportJobJSON(j)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (h *Handler) getImport(c echo.Context) error {
	id, err := server.PathID(c, "importID", "import")
	if err != nil {
		return err
	}
	limit, err := server.QueryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	offset, err := server.QueryInt(c, "offset", 0, 0, importer.MaxIssues)
	if err != nil {
		return err
	}
	j, issues, total, err := h.svc.Job(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	out := toImportJobJSON(j)
	page := &issuePageJSON{Items: make([]issueJSON, len(issues)), Total: total, Truncated: j.Counts().Failed > total}
	for i, is := range issues {
		page.Items[i] = issueJSON{is.Row, string(is.Kind), is.ExternalID, is.Code, is.Message}
	}
	out.Issues = page
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) template(c echo.Context) error {
	d, err := h.svc.Template(c.QueryParam("format"), c.QueryParam("lang"))
	if err != nil {
		return err
	}
	return send(c, d)
}

func (h *Handler) exportDepartments(c echo.Context) error {
	d, err := h.svc.ExportDepartments(c.Request().Context(), server.Actor(c), c.QueryParam("format"))
	if err != nil {
		return err
	}
	return send(c, d)
}

// send writes a download. The status and headers go out with the first bytes, so a failure
// before them (the first page of an export) is an ordinary error response; a failure after
// them aborts the response, and the client sees the download fail rather than a well-formed
// file that silently stops short.
func send(c echo.Context, d appimport.Download) error {
	// An export reads its pages as it writes them, on the request's context, past the request
	// timeout.
	server.LongResponse(c, server.ExportTimeout)
	w := &lazyWriter{c: c, d: d}
	if err := d.Write(w); err != nil {
		if !w.started {
			return err
		}
		server.Logger(c).Error("download aborted part-way", "error", err.Error())
		panic(http.ErrAbortHandler)
	}
	if !w.started {
		w.start()
	}
	return nil
}

type lazyWriter struct {
	c       echo.Context
	d       appimport.Download
	started bool
}

func (w *lazyWriter) start() {
	w.started = true
	hd := w.c.Response().Header()
	hd.Set(echo.HeaderContentType, w.d.ContentType)
	hd.Set(echo.HeaderContentDisposition, webfiles.ContentDisposition("attachment", w.d.Name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.c.Response().WriteHeader(http.StatusOK)
}

func (w *lazyWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.start()
	}
	return w.c.Response().Write(p)
}
