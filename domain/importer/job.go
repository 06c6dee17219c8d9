// Package importer holds bulk imports of an organisation's users, departments and memberships:
// the job that runs one in the background, its progress and its per-row report.
package importer

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// MaxRows is the most rows (departments and users together) one import may hold.
const MaxRows = 500_000

// MaxIssues is the most report lines kept for one import; the failed count stays exact past it.
const MaxIssues = 10_000

// Format is how the request was written.
type Format string

// The request formats.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	// FormatXLSX is an Excel workbook's first sheet, read as CSV's columns.
	FormatXLSX Format = "xlsx"
)

// Status is where a job is in its life.
type Status string

// The job statuses. A job goes queued → running → done, or to failed when it could not run at
// all (bad rows do not fail a job: they are reported and the others applied).
const (
	StatusQueued  Status = "queued"
	StatusRunning Status = "running"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
)

// Kind says what a row describes.
type Kind string

// The row kinds.
const (
	KindDepartment Kind = "department"
	KindUser       Kind = "user"
)

// Counts is a job's progress. Applied rows are Created, Updated, Unchanged or Invited; Failed
// rows each have an issue (up to MaxIssues of them are kept). An Invited row is a person whose
// email has an account the organisation does not manage: it made an invitation for them
// instead of a member, and has a report line (code CodeInvited) so IT knows whom to tell.
type Counts struct {
	Processed int
	Applied   int
	Failed    int
	Created   int
	Updated   int
	Unchanged int
	Invited   int
}

// CodeInvited is the code of the report line of an Invited row.
const CodeInvited = "invited"

// Add returns the sum of two counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.Processed + o.Processed, c.Applied + o.Applied, c.Failed + o.Failed, c.Created + o.Created, c.Updated + o.Updated, c.Unchanged + o.Unchanged, c.Invited + o.Invited}
}

// Issue is one line of the report: a row that was not applied, and why.
type Issue struct {
	// Seq is the row's place in processing order; the report is sorted by it.
	Seq  int
	Kind Kind
	// Row is the row's number: its line in a CSV file or its row in a workbook as Excel shows it
	// (the header is 1), or its 1-based
	// position in the JSON request's "departments" or "users".
	Row        int
	ExternalID string
	Code       string
	Message    string
}

// maxIssueExternalID is the most bytes of a row's external id a report line repeats; a longer
// one was refused anyway, and the report stays small.
const maxIssueExternalID = 256

// NewIssue returns a report line. Its external id and message may repeat what the row held,
// including the text it was refused for (a NUL, invalid UTF-8), so both are made printable
// (text.Printable): the report must be storable and readable whatever the row was.
func NewIssue(seq int, kind Kind, row int, externalID, code, message string) Issue {
	ext := text.Printable(externalID)
	if len(ext) > maxIssueExternalID {
		cut := maxIssueExternalID
		for cut > 0 && !utf8.RuneStart(ext[cut]) {
			cut--
		}
		ext = ext[:cut] + "…"
	}
	return Issue{Seq: seq, Kind: kind, Row: row, ExternalID: ext, Code: code, Message: text.Printable(message)}
}

// Job is one bulk import.
type Job struct {
	id         uuid.UUID
	orgID      uuid.UUID
	createdBy  uuid.UUID
	format     Format
	status     Status
	total      int
	counts     Counts
	errCode    string
	errMessage string
	createdAt  time.Time
	startedAt  *time.Time
	finishedAt *time.Time
}

// NewJob returns a queued job of total rows, made by a member of the organisation.
func NewJob(orgID, createdBy uuid.UUID, format Format, total int, now time.Time) (*Job, error) {
	if format != FormatJSON && format != FormatCSV && format != FormatXLSX {
		return nil, errs.Invalidf("unknown import format %q", format)
	}
	if total == 0 {
		return nil, errs.E(errs.Invalid, "empty_import", "the import has no rows")
	}
	if total > MaxRows {
		return nil, errs.E(errs.Invalid, "too_many_rows", "an import may hold at most "+strconv.Itoa(MaxRows)+" rows; split it")
	}
	return &Job{id: uuid.New(), orgID: orgID, createdBy: createdBy, format: format, status: StatusQueued, total: total, createdAt: now.UTC()}, nil
}

// RehydrateJob rebuilds a stored job. It is for repository adapters only.
func RehydrateJob(id, orgID, createdBy uuid.UUID, format Format, status Status, total int, counts Counts, errCode, errMessage string, createdAt time.Time, startedAt, finishedAt *time.Time) *Job {
	return &Job{id, orgID, createdBy, format, status, total, counts, errCode, errMessage, createdAt, startedAt, finishedAt}
}

// ID returns the job's id.
func (j *Job) ID() uuid.UUID { return j.id }

// OrgID returns the organisation imported into.
func (j *Job) OrgID() uuid.UUID { return j.orgID }

// CreatedBy returns the member who submitted it; the rows are applied with their rights.
func (j *Job) CreatedBy() uuid.UUID { return j.createdBy }

// Format returns how the request was written.
func (j *Job) Format() Format { return j.format }

// Status returns where the job is.
func (j *Job) Status() Status { return j.status }

// Total returns the number of rows.
func (j *Job) Total() int { return j.total }

// Counts returns the progress so far.
func (j *Job) Counts() Counts { return j.counts }

// Error returns why a failed job could not run, as a code and a message safe to show.
func (j *Job) Error() (code, message string) { return j.errCode, j.errMessage }

// CreatedAt returns when it was submitted.
func (j *Job) CreatedAt() time.Time { return j.createdAt }

// StartedAt returns when a worker first took it, or nil.
func (j *Job) StartedAt() *time.Time { return j.startedAt }

// FinishedAt returns when it ended, or nil.
func (j *Job) FinishedAt() *time.Time { return j.finishedAt }

// Finished reports whether the job has ended.
func (j *Job) Finished() bool { return j.status == StatusDone || j.status == StatusFailed }

// Repository stores import jobs and their reports.
type Repository interface {
	// Create stores a new job with its request.
	Create(ctx context.Context, j *Job, payload []byte) error
	// Get returns a job of the organisation; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Job, error)
	// List returns the organisation's jobs, newest first, and how many there are.
	List(ctx context.Context, orgID uuid.UUID, limit, offset int) ([]*Job, int, error)
	// Issues returns a page of a job's report in processing order, and how many lines it has.
	Issues(ctx context.Context, orgID, id uuid.UUID, limit, offset int) ([]Issue, int, error)
}
