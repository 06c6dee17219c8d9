package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
	"canopy/domain/importer"
)

// Bulk imports: POST a JSON or CSV body, then follow the job it answers with.

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
			Locale: u.Locale, TimeZone: u.TimeZone, Active: u.Active}
	}
	return out
}

// csvColumns are the columns a CSV import may have; the first three are required.
var csvColumns = []string{"external_id", "email", "display_name", "departments", "primary_department", "leader_of", "locale", "time_zone", "active"}

// parseImportCSV reads a CSV import: a header row naming the columns, then one user per row.
// Departments are paths below the root separated by ";". The row number of each user is its
// line in the file.
func parseImportCSV(r io.Reader) (appimport.Request, error) {
	req := appimport.Request{Format: importer.FormatCSV}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return req, errs.E(errs.Invalid, "empty_import", "the CSV file is empty; its first line must name the columns")
	}
	if err != nil {
		return req, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return req, errs.E(errs.Invalid, "unknown_column", fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(csvColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			return req, errs.E(errs.Invalid, "duplicate_column", fmt.Sprintf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, c := range csvColumns[:3] {
		if _, ok := col[c]; !ok {
			return req, errs.E(errs.Invalid, "missing_column", fmt.Sprintf("the header must have the columns external_id, email and display_name; %q is missing", c))
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return req, nil
		}
		if err != nil {
			return req, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			return req, errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d has %d fields; the header has %d", line, len(rec), len(header)))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		u := appimport.UserRow{Row: line, ExternalID: get("external_id"), Email: get("email"), DisplayName: get("display_name"),
			Departments: splitList(get("departments")), PrimaryDepartment: get("primary_department"), LeaderOf: splitList(get("leader_of")),
			Locale: get("locale"), TimeZone: get("time_zone")}
		switch strings.ToLower(get("active")) {
		case "":
		case "true", "yes", "1", "active":
			t := true
			u.Active = &t
		case "false", "no", "0", "inactive", "deactivated":
			f := false
			u.Active = &f
		default:
			return req, errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d: active must be true or false", line))
		}
		req.Users = append(req.Users, u)
	}
}

// splitList splits "a;b" into its parts; an empty cell is nil, which leaves the field alone.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func csvError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d: %v", pe.Line, pe.Err))
	}
	return errs.E(errs.Invalid, "malformed_csv", "the body is not a valid CSV file")
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
		UnchangedRows: n.Unchanged, CreatedBy: j.CreatedBy().String(), CreatedAt: j.CreatedAt(), StartedAt: j.StartedAt(), FinishedAt: j.FinishedAt()}
	if code, msg := j.Error(); code != "" {
		out.Failure = &failureJSON{code, msg}
	}
	return out
}

// importsPath is the route of createImport, whose body may pass server.body_limit_bytes up to
// server.import_limit_bytes.
const importsPath = "/api/v1/admin/orgs/:orgID/imports"

func (s *Server) createImport(c echo.Context) error {
	limit := s.cfg.ImportLimitBytes
	if limit <= 0 {
		limit = 64 << 20
	}
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
		if err := bindJSON(c, &body); err != nil {
			return err
		}
		req = body.request()
	case "text/csv":
		var err error
		if req, err = parseImportCSV(r.Body); err != nil {
			return err
		}
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/json or text/csv")
	}
	j, err := s.imports.Submit(ctxOf(c), actor(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/admin/orgs/"+j.OrgID().String()+"/imports/"+j.ID().String())
	return c.JSON(http.StatusAccepted, toImportJobJSON(j))
}

func (s *Server) listImports(c echo.Context) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	jobs, total, err := s.imports.Jobs(ctxOf(c), actor(c), limit, offset)
	if err != nil {
		return err
	}
	items := make([]importJobJSON, len(jobs))
	for i, j := range jobs {
		items[i] = toImportJobJSON(j)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (s *Server) getImport(c echo.Context) error {
	id, err := pathID(c, "importID", "import")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, importer.MaxIssues)
	if err != nil {
		return err
	}
	j, issues, total, err := s.imports.Job(ctxOf(c), actor(c), id, limit, offset)
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
