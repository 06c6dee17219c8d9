// Package importer holds the bulk import's storage: the job queue and its report, and the
// set-based statements that apply a batch of rows. A batch is sent as a handful of arrays and
// spread out with unnest, so a thousand rows cost a few statements, not a few thousand.
package importer

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	"gorm.io/gorm"

	appimport "canopy/app/importer"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/org"
	"canopy/infra/postgres"
	pgdirectory "canopy/infra/postgres/directory"
	pgorg "canopy/infra/postgres/org"
)

// Jobs stores import jobs and hands them to workers.
type Jobs struct{ db *gorm.DB }

// NewJobs returns the job repository and queue.
func NewJobs(db *gorm.DB) *Jobs { return &Jobs{db} }

const importJobCols = `id, org_id, created_by, format, status, total_rows, processed_rows, applied_rows, failed_rows,
	created_rows, updated_rows, unchanged_rows, invited_rows, error_code, error_message, attempts, created_at, started_at, finished_at`

type importJobRow struct {
	ID            uuid.UUID
	OrgID         uuid.UUID
	CreatedBy     uuid.UUID
	Format        string
	Status        string
	TotalRows     int
	ProcessedRows int
	AppliedRows   int
	FailedRows    int
	CreatedRows   int
	UpdatedRows   int
	UnchangedRows int
	InvitedRows   int
	ErrorCode     *string
	ErrorMessage  *string
	Attempts      int
	ClaimToken    *uuid.UUID
	CreatedAt     time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	Payload       []byte
}

func (r importJobRow) domain() *importer.Job {
	var code, msg string
	if r.ErrorCode != nil {
		code = *r.ErrorCode
	}
	if r.ErrorMessage != nil {
		msg = *r.ErrorMessage
	}
	counts := importer.Counts{Processed: r.ProcessedRows, Applied: r.AppliedRows, Failed: r.FailedRows,
		Created: r.CreatedRows, Updated: r.UpdatedRows, Unchanged: r.UnchangedRows, Invited: r.InvitedRows}
	return importer.RehydrateJob(r.ID, r.OrgID, r.CreatedBy, importer.Format(r.Format), importer.Status(r.Status), r.TotalRows,
		counts, code, msg, r.CreatedAt, r.StartedAt, r.FinishedAt)
}

// Create implements importer.Repository.
func (r *Jobs) Create(ctx context.Context, j *importer.Job, payload []byte) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO import_jobs (id, org_id, created_by, format, status, total_rows, payload, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID(), j.OrgID(), j.CreatedBy(), string(j.Format()), string(j.Status()), j.Total(), payload, j.CreatedAt(), j.CreatedAt()).Error)
}

// Get implements importer.Repository.
func (r *Jobs) Get(ctx context.Context, orgID, id uuid.UUID) (*importer.Job, error) {
	var rows []importJobRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT `+importJobCols+` FROM import_jobs WHERE org_id = ? AND id = ?`, orgID, id).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("import")
	}
	return rows[0].domain(), nil
}

// List implements importer.Repository.
func (r *Jobs) List(ctx context.Context, orgID uuid.UUID, limit, offset int) ([]*importer.Job, int, error) {
	c := postgres.Conn(ctx, r.db)
	var total int64
	if err := c.Table("import_jobs").Where("org_id = ?", orgID).Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []importJobRow
	if err := c.Raw(`SELECT `+importJobCols+` FROM import_jobs WHERE org_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
		orgID, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]*importer.Job, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, int(total), nil
}

// Issues implements importer.Repository.
func (r *Jobs) Issues(ctx context.Context, orgID, id uuid.UUID, limit, offset int) ([]importer.Issue, int, error) {
	c := postgres.Conn(ctx, r.db)
	var total int64
	if err := c.Table("import_issues").Where("org_id = ? AND job_id = ?", orgID, id).Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []struct {
		Seq        int
		Kind       string
		RowNumber  int
		ExternalID string
		Code       string
		Message    string
	}
	if err := c.Raw(`SELECT seq, kind, row_number, external_id, code, message FROM import_issues
		WHERE org_id = ? AND job_id = ? ORDER BY seq LIMIT ? OFFSET ?`, orgID, id, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]importer.Issue, len(rows))
	for i, row := range rows {
		out[i] = importer.Issue{Seq: row.Seq, Kind: importer.Kind(row.Kind), Row: row.RowNumber, ExternalID: row.ExternalID, Code: row.Code, Message: row.Message}
	}
	return out, int(total), nil
}

// claimLock is the advisory lock that serialises claims, so two workers never start two jobs of
// one organisation at once.
const claimLock = 0x696d706f7274 // "import"

func claimLost() error {
	return errs.E(errs.NotFound, "claim_lost", "the import was taken over by another worker")
}

// Claim implements appimport.Queue.
func (r *Jobs) Claim(ctx context.Context, lease time.Duration, maxAttempts int) (appimport.Claim, error) {
	var claimed []importJobRow
	err := postgres.NewTxManager(r.db).Within(ctx, func(ctx context.Context) error {
		c := postgres.Conn(ctx, r.db)
		if err := c.Exec(`SELECT pg_advisory_xact_lock(?)`, claimLock).Error; err != nil {
			return err
		}
		// A job whose worker died maxAttempts times is given up rather than tried forever.
		if err := c.Exec(`UPDATE import_jobs SET status = 'failed', error_code = 'abandoned',
				error_message = 'the import was interrupted too many times', finished_at = now(), lease_until = NULL, payload = NULL, updated_at = now()
			WHERE status = 'running' AND lease_until < now() AND attempts >= ?`, maxAttempts).Error; err != nil {
			return err
		}
		return c.Raw(`UPDATE import_jobs j SET status = 'running', attempts = j.attempts + 1, claim_token = gen_random_uuid(),
				lease_until = now() + make_interval(secs => ?), started_at = COALESCE(j.started_at, now()), updated_at = now()
			WHERE j.id = (
				SELECT c.id FROM import_jobs c
				WHERE (c.status = 'queued' OR (c.status = 'running' AND c.lease_until < now()))
				  AND NOT EXISTS (SELECT 1 FROM import_jobs o WHERE o.org_id = c.org_id AND o.id <> c.id
				                  AND o.status = 'running' AND o.lease_until >= now())
				ORDER BY c.created_at, c.id LIMIT 1
				FOR UPDATE SKIP LOCKED)
			RETURNING `+importJobCols+`, claim_token, payload`, lease.Seconds()).Scan(&claimed).Error
	})
	if err != nil {
		return appimport.Claim{}, postgres.Translate(err)
	}
	if len(claimed) == 0 {
		return appimport.Claim{}, errs.NotFoundf("import")
	}
	row := claimed[0]
	return appimport.Claim{Job: row.domain(), Token: *row.ClaimToken, Attempt: row.Attempts, Payload: row.Payload}, nil
}

// Renew implements appimport.Queue.
func (r *Jobs) Renew(ctx context.Context, c appimport.Claim, lease time.Duration) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE import_jobs SET lease_until = now() + make_interval(secs => ?)
		WHERE id = ? AND claim_token = ? AND status = 'running'`, lease.Seconds(), c.Job.ID(), c.Token)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return claimLost()
	}
	return nil
}

// Progress implements appimport.Queue.
func (r *Jobs) Progress(ctx context.Context, cl appimport.Claim, n importer.Counts, issues []importer.Issue, lease time.Duration) error {
	c := postgres.Conn(ctx, r.db)
	res := c.Exec(`UPDATE import_jobs SET processed_rows = ?, applied_rows = ?, failed_rows = ?, created_rows = ?, updated_rows = ?,
			unchanged_rows = ?, invited_rows = ?, lease_until = now() + make_interval(secs => ?), updated_at = now()
		WHERE id = ? AND claim_token = ? AND status = 'running'`,
		n.Processed, n.Applied, n.Failed, n.Created, n.Updated, n.Unchanged, n.Invited, lease.Seconds(), cl.Job.ID(), cl.Token)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return claimLost()
	}
	if len(issues) == 0 {
		return nil
	}
	seq, row := make(pq.Int64Array, len(issues)), make(pq.Int64Array, len(issues))
	kind, ext, code, msg := make(pq.StringArray, len(issues)), make(pq.StringArray, len(issues)), make(pq.StringArray, len(issues)), make(pq.StringArray, len(issues))
	for i, is := range issues {
		seq[i], row[i], kind[i], ext[i], code[i], msg[i] = int64(is.Seq), int64(is.Row), string(is.Kind), is.ExternalID, is.Code, is.Message
	}
	return postgres.Translate(c.Exec(`INSERT INTO import_issues (org_id, job_id, seq, kind, row_number, external_id, code, message)
		SELECT ?, ?, v.seq, v.kind, v.row_number, v.ext, v.code, v.msg
		FROM unnest(?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[]) AS v(seq, kind, row_number, ext, code, msg)
		ON CONFLICT (job_id, seq) DO NOTHING`,
		cl.Job.OrgID(), cl.Job.ID(), seq, kind, row, ext, code, msg).Error)
}

// Finish implements appimport.Queue.
func (r *Jobs) Finish(ctx context.Context, c appimport.Claim, status importer.Status, code, message string) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE import_jobs SET status = ?, error_code = NULLIF(?, ''), error_message = NULLIF(?, ''),
			finished_at = now(), lease_until = NULL, claim_token = NULL, payload = NULL, updated_at = now()
		WHERE id = ? AND claim_token = ? AND status = 'running'`, string(status), code, message, c.Job.ID(), c.Token)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return claimLost()
	}
	return nil
}

// Release implements appimport.Queue.
func (r *Jobs) Release(ctx context.Context, c appimport.Claim) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE import_jobs SET status = 'queued', attempts = attempts - 1, lease_until = NULL, claim_token = NULL, updated_at = now()
		WHERE id = ? AND claim_token = ? AND status = 'running'`, c.Job.ID(), c.Token)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return claimLost()
	}
	return nil
}

// Accounts implements apporg.ImportedAccounts: the accounts an import of the organisation
// created; NotFound for another organisation's import.
func (r *Jobs) Accounts(ctx context.Context, orgID, id uuid.UUID) ([]uuid.UUID, error) {
	if _, err := r.Get(ctx, orgID, id); err != nil {
		return nil, err
	}
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT user_id FROM import_accounts WHERE job_id = ? AND org_id = ? ORDER BY user_id`, id, orgID).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Store reads an organisation for an import and applies batches of rows.
type Store struct {
	db       *gorm.DB
	keys     postgres.SearchKeys
	depts    *pgdirectory.Departments
	accounts *pgorg.Accounts
}

// NewStore returns the import store; keys fills the pinyin search keys of the names it
// writes.
func NewStore(db *gorm.DB, keys postgres.SearchKeys) *Store {
	return &Store{db: db, keys: keys, depts: pgdirectory.NewDepartments(db, keys), accounts: pgorg.NewAccounts(db)}
}

// RecordAccounts implements appimport.Store.
func (s *Store) RecordAccounts(ctx context.Context, orgID, jobID uuid.UUID, userIDs []uuid.UUID) error {
	if len(userIDs) == 0 {
		return nil
	}
	id := ids(len(userIDs))
	for i, u := range userIDs {
		id[i] = u.String()
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`INSERT INTO import_accounts (job_id, org_id, user_id)
		SELECT ?, ?, v.id FROM unnest(?::uuid[]) AS v(id) ON CONFLICT DO NOTHING`, jobID, orgID, id).Error)
}

// LockTree implements appimport.Store with the directory's own tree lock.
func (s *Store) LockTree(ctx context.Context, orgID uuid.UUID) error {
	return s.depts.LockTree(ctx, orgID)
}

// Snapshot implements appimport.Store.
func (s *Store) Snapshot(ctx context.Context, orgID uuid.UUID, emails []string) (appimport.Snapshot, error) {
	var snap appimport.Snapshot
	var err error
	if snap.Departments, err = s.depts.All(ctx, orgID); err != nil {
		return snap, err
	}
	c := postgres.Conn(ctx, s.db)
	rows, err := c.Raw(`SELECT ms.user_id, ms.role, ms.status, ms.joined_at, ms.deactivated_at, COALESCE(ms.external_id, ''),
			u.email, u.display_name, u.locale, u.time_zone,
			COALESCE(ms.employee_number, ''), ms.job_title, COALESCE(ms.mobile, ''), ms.work_location, ms.manager_id,
			COALESCE(to_char(ms.hire_date, 'YYYY-MM-DD'), '')
		FROM memberships ms JOIN users u ON u.id = ms.user_id WHERE ms.org_id = ?`, orgID).Rows()
	if err != nil {
		return snap, postgres.Translate(err)
	}
	index := map[uuid.UUID]int{}
	for rows.Next() {
		var m appimport.Member
		var role, status, ext string
		var joined time.Time
		var deactivated *time.Time
		var hired string
		p := &m.Profile
		if err := rows.Scan(&m.UserID, &role, &status, &joined, &deactivated, &ext, &m.Email, &m.DisplayName, &m.Locale, &m.TimeZone,
			&p.EmployeeNumber, &p.JobTitle, &p.Mobile, &p.WorkLocation, &p.ManagerID, &hired); err != nil {
			rows.Close()
			return snap, postgres.Translate(err)
		}
		if hired != "" {
			d, err := time.Parse(time.DateOnly, hired)
			if err != nil {
				rows.Close()
				return snap, errs.Internalf("import: hire date %q: %w", hired, err)
			}
			p.HireDate = &d
		}
		m.Membership = org.RehydrateMembership(orgID, m.UserID, org.Role(role), org.MemberStatus(status), joined, deactivated, ext)
		index[m.UserID] = len(snap.Members)
		snap.Members = append(snap.Members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, postgres.Translate(err)
	}
	rows, err = c.Raw(`SELECT user_id, department_id, is_primary, is_leader FROM department_members
		WHERE org_id = ? ORDER BY user_id, is_primary DESC, added_at`, orgID).Rows()
	if err != nil {
		return snap, postgres.Translate(err)
	}
	for rows.Next() {
		var user uuid.UUID
		var a directory.Assignment
		if err := rows.Scan(&user, &a.DepartmentID, &a.Primary, &a.Leader); err != nil {
			rows.Close()
			return snap, postgres.Translate(err)
		}
		if i, ok := index[user]; ok {
			snap.Members[i].Departments = append(snap.Members[i].Departments, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, postgres.Translate(err)
	}
	wanted := make(pq.StringArray, 0, len(emails))
	seen := make(map[string]bool, len(emails))
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && !seen[e] {
			seen[e] = true
			wanted = append(wanted, e)
		}
	}
	if len(wanted) > 0 {
		if err := s.accountsOf(ctx, wanted, index, &snap); err != nil {
			return snap, err
		}
		// Whose domain each email is in decides who may make its account.
		var ds []struct {
			Domain string
			OrgID  uuid.UUID
		}
		err := c.Raw(`SELECT domain, org_id FROM org_domains
			WHERE domain IN (SELECT DISTINCT substring(e from '@([^@]*)$') FROM unnest(?::text[]) AS e)`, wanted).Scan(&ds).Error
		if err != nil {
			return snap, postgres.Translate(err)
		}
		snap.DomainOrgs = make(map[string]uuid.UUID, len(ds))
		for _, d := range ds {
			snap.DomainOrgs[d.Domain] = d.OrgID
		}
	}
	// Who manages each account decides which rows may attach or change it.
	known := make([]uuid.UUID, 0, len(snap.Members)+len(snap.Accounts))
	for _, m := range snap.Members {
		known = append(known, m.UserID)
	}
	for _, a := range snap.Accounts {
		known = append(known, a.UserID)
	}
	snap.Ties, err = s.accounts.Ties(ctx, known)
	return snap, err
}

// accountsOf adds to snap the accounts with the emails wanted whose owners are not members.
func (s *Store) accountsOf(ctx context.Context, wanted pq.StringArray, members map[uuid.UUID]int, snap *appimport.Snapshot) error {
	rows, err := postgres.Conn(ctx, s.db).Raw(`SELECT id, email, display_name, locale, time_zone FROM users WHERE lower(email) = ANY (?::text[])`, wanted).Rows()
	if err != nil {
		return postgres.Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a appimport.Account
		if err := rows.Scan(&a.UserID, &a.Email, &a.DisplayName, &a.Locale, &a.TimeZone); err != nil {
			return postgres.Translate(err)
		}
		if _, member := members[a.UserID]; !member {
			snap.Accounts = append(snap.Accounts, a)
		}
	}
	return postgres.Translate(rows.Err())
}

func ids(n int) pq.StringArray { return make(pq.StringArray, n) }

// CreateDepartments implements appimport.Store. Departments whose parents are in the same batch
// wait for them: each generation is one INSERT that takes the path and depth from the parent
// as stored, so a path is always its parent's path and its own id.
func (s *Store) CreateDepartments(ctx context.Context, orgID uuid.UUID, ds []appimport.NewDepartment, now time.Time) error {
	gen := make(map[uuid.UUID]int, len(ds))
	var generations [][]appimport.NewDepartment
	for _, d := range ds {
		g := 0
		if pg, ok := gen[d.ParentID]; ok {
			g = pg + 1
		}
		gen[d.ID] = g
		for len(generations) <= g {
			generations = append(generations, nil)
		}
		generations[g] = append(generations[g], d)
	}
	c := postgres.Conn(ctx, s.db)
	for _, batch := range generations {
		id, parent, name, full, ini, ext := ids(len(batch)), ids(len(batch)), ids(len(batch)), ids(len(batch)), ids(len(batch)), ids(len(batch))
		order := make(pq.Int64Array, len(batch))
		for i, d := range batch {
			id[i], parent[i], name[i], ext[i], order[i] = d.ID.String(), d.ParentID.String(), d.Name, d.ExternalID, int64(d.SortOrder)
			full[i], ini[i] = s.keys(d.Name)
		}
		res := c.Exec(`INSERT INTO departments (id, org_id, parent_id, path, depth, name, name_pinyin, name_initials, sort_order, external_id, created_at, updated_at)
			SELECT v.id, p.org_id, p.id, p.path || v.id::text || '/', p.depth + 1, v.name, v.py, v.ini, v.ord, NULLIF(v.ext, ''), ?, ?
			FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[]) AS v(id, parent_id, name, py, ini, ord, ext)
			JOIN departments p ON p.id = v.parent_id AND p.org_id = ?`,
			now.UTC(), now.UTC(), id, parent, name, full, ini, order, ext, orgID)
		if res.Error != nil {
			return pgdirectory.DepartmentConflict(postgres.Translate(res.Error))
		}
		if int(res.RowsAffected) != len(batch) {
			return errs.E(errs.NotFound, "unknown_parent", "a parent department is gone")
		}
	}
	return nil
}

// UpdateDepartments implements appimport.Store: runs of renames are one UPDATE each; a move
// rewrites its subtree's paths in one statement.
func (s *Store) UpdateDepartments(ctx context.Context, orgID uuid.UUID, us []appimport.DepartmentUpdate, now time.Time) error {
	var run []appimport.DepartmentUpdate
	for _, u := range us {
		if u.NewParentID == uuid.Nil {
			run = append(run, u)
			continue
		}
		if err := s.rename(ctx, orgID, run, now); err != nil {
			return err
		}
		run = run[:0]
		if err := s.move(ctx, orgID, u, now); err != nil {
			return err
		}
	}
	return s.rename(ctx, orgID, run, now)
}

func (s *Store) rename(ctx context.Context, orgID uuid.UUID, us []appimport.DepartmentUpdate, now time.Time) error {
	if len(us) == 0 {
		return nil
	}
	id, name, full, ini, ext := ids(len(us)), ids(len(us)), ids(len(us)), ids(len(us)), ids(len(us))
	for i, u := range us {
		id[i], name[i], ext[i] = u.ID.String(), u.Name, u.ExternalID
		full[i], ini[i] = s.keys(u.Name)
	}
	res := postgres.Conn(ctx, s.db).Exec(`UPDATE departments d SET name = v.name, name_pinyin = v.py, name_initials = v.ini,
			external_id = NULLIF(v.ext, ''), updated_at = ?
		FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, name, py, ini, ext)
		WHERE d.org_id = ? AND d.id = v.id`, now.UTC(), id, name, full, ini, ext, orgID)
	if res.Error != nil {
		return pgdirectory.DepartmentConflict(postgres.Translate(res.Error))
	}
	if int(res.RowsAffected) != len(us) {
		return errs.NotFoundf("department")
	}
	return nil
}

func (s *Store) move(ctx context.Context, orgID uuid.UUID, u appimport.DepartmentUpdate, now time.Time) error {
	c := postgres.Conn(ctx, s.db)
	var at []struct {
		ID    uuid.UUID
		Path  string
		Depth int
	}
	if err := c.Raw(`SELECT id, path, depth FROM departments WHERE org_id = ? AND id IN (?, ?)`, orgID, u.ID, u.NewParentID).Scan(&at).Error; err != nil {
		return postgres.Translate(err)
	}
	var old, parent string
	var oldDepth, parentDepth int
	for _, a := range at {
		if a.ID == u.ID {
			old, oldDepth = a.Path, a.Depth
		} else {
			parent, parentDepth = a.Path, a.Depth
		}
	}
	if old == "" || parent == "" || oldDepth == 1 {
		return errs.NotFoundf("department")
	}
	if strings.HasPrefix(parent, old) {
		return errs.E(errs.Conflict, "cycle", "a department cannot move under itself or its own subtree")
	}
	full, ini := s.keys(u.Name)
	// The department's own segment "<id>/" is the last 37 characters of its old path.
	res := c.Exec(`UPDATE departments t SET
			path = ? || substr(t.path, ?), depth = t.depth + ?,
			parent_id = CASE WHEN t.id = ? THEN ?::uuid ELSE t.parent_id END,
			name = CASE WHEN t.id = ? THEN ? ELSE t.name END,
			name_pinyin = CASE WHEN t.id = ? THEN ? ELSE t.name_pinyin END,
			name_initials = CASE WHEN t.id = ? THEN ? ELSE t.name_initials END,
			external_id = CASE WHEN t.id = ? THEN NULLIF(?, '') ELSE t.external_id END,
			updated_at = ?
		WHERE t.org_id = ? AND t.path LIKE ? ESCAPE '\'`,
		parent, len(old)-36, parentDepth+1-oldDepth,
		u.ID, u.NewParentID, u.ID, u.Name, u.ID, full, u.ID, ini, u.ID, u.ExternalID,
		now.UTC(), orgID, postgres.EscapeLike(old)+"%")
	return pgdirectory.DepartmentConflict(postgres.NotFoundIfNone(res, "department"))
}

// ApplyMembers implements appimport.Store.
func (s *Store) ApplyMembers(ctx context.Context, orgID uuid.UUID, cs []appimport.MemberChange, now time.Time) error {
	c := postgres.Conn(ctx, s.db)
	now = now.UTC()
	var newAcc, changedAcc, newMem, changedMem []appimport.MemberChange
	var replace, profiles []appimport.MemberChange
	for _, m := range cs {
		if m.Profile != nil {
			profiles = append(profiles, m)
		}
		switch {
		case m.Account != nil && m.NewAccount:
			newAcc = append(newAcc, m)
		case m.Account != nil:
			changedAcc = append(changedAcc, m)
		}
		switch {
		case m.Membership != nil && m.NewMembership:
			newMem = append(newMem, m)
		case m.Membership != nil:
			changedMem = append(changedMem, m)
		}
		if m.SetDepartments {
			replace = append(replace, m)
		}
	}
	if err := s.writeAccounts(c, orgID, newAcc, true, now); err != nil {
		return err
	}
	if err := s.writeAccounts(c, orgID, changedAcc, false, now); err != nil {
		return err
	}
	if err := s.writeMemberships(c, orgID, newMem, true, now); err != nil {
		return err
	}
	if err := s.writeMemberships(c, orgID, changedMem, false, now); err != nil {
		return err
	}
	if err := s.writeProfiles(c, orgID, profiles); err != nil {
		return err
	}
	return s.replaceAssignments(c, orgID, replace, now)
}

// writeProfiles stores members' employee details whole. New managers are checked again under
// the lock of the organisation's manager graph that the profile API takes (infra/postgres/org
// SetProfile), so that an import and a change in the console cannot close a cycle between
// them: each must be an active member, and no member may come back to themself up the chain.
func (s *Store) writeProfiles(c *gorm.DB, orgID uuid.UUID, ms []appimport.MemberChange) error {
	if len(ms) == 0 {
		return nil
	}
	user, num, title, mobile, loc, mgr, hire := ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms))
	var moved pq.StringArray
	setManager := make(pq.BoolArray, len(ms))
	for i, m := range ms {
		p := m.Profile
		user[i], num[i], title[i], mobile[i], loc[i] = m.UserID.String(), p.EmployeeNumber, p.JobTitle, p.Mobile, p.WorkLocation
		// The manager is written only when the row changes it, and then checked below: a
		// manager copied from the job's snapshot could undo a change made since, past the check.
		setManager[i] = m.ManagerChanged
		if p.ManagerID != nil {
			mgr[i] = p.ManagerID.String()
			if m.ManagerChanged {
				moved = append(moved, m.UserID.String())
			}
		}
		if p.HireDate != nil {
			hire[i] = p.HireDate.Format(time.DateOnly)
		}
	}
	if len(moved) > 0 {
		if err := c.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('canopy.managers:' || ?::text, 0))`, orgID).Error; err != nil {
			return postgres.Translate(err)
		}
	}
	res := c.Exec(`UPDATE memberships m SET employee_number = NULLIF(v.num, ''), job_title = v.title, mobile = NULLIF(v.mobile, ''),
			work_location = v.loc, manager_id = CASE WHEN v.set_mgr THEN NULLIF(v.mgr, '')::uuid ELSE m.manager_id END,
			hire_date = NULLIF(v.hire, '')::date
		FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[])
			AS v(user_id, num, title, mobile, loc, mgr, set_mgr, hire)
		WHERE m.org_id = ? AND m.user_id = v.user_id`, user, num, title, mobile, loc, mgr, setManager, hire, orgID)
	if res.Error != nil {
		return memberConflict(res.Error)
	}
	if int(res.RowsAffected) != len(ms) {
		return errs.NotFoundf("member")
	}
	if len(moved) == 0 {
		return nil
	}
	var bad []struct {
		Inactive bool
		Cycle    bool
	}
	err := c.Raw(`SELECT inactive, cycle FROM (
			SELECT mg.status IS DISTINCT FROM 'active' AS inactive,
				EXISTS (WITH RECURSIVE up(id) AS (
					SELECT m.manager_id
					UNION
					SELECT x.manager_id FROM memberships x JOIN up ON x.user_id = up.id
					WHERE x.org_id = @org AND x.manager_id IS NOT NULL)
				SELECT 1 FROM up WHERE up.id = v.id) AS cycle
			FROM unnest(CAST(@users AS uuid[])) AS v(id)
			JOIN memberships m ON m.org_id = @org AND m.user_id = v.id
			LEFT JOIN memberships mg ON mg.org_id = @org AND mg.user_id = m.manager_id) t
		WHERE inactive OR cycle`,
		map[string]any{"org": orgID, "users": moved}).Scan(&bad).Error
	if err != nil {
		return postgres.Translate(err)
	}
	for _, b := range bad {
		if b.Inactive {
			return errs.E(errs.Invalid, "invalid_manager", "the manager must be an active member of the organisation")
		}
		return errs.E(errs.Invalid, "invalid_manager", "the manager reports to this member, directly or through others; a manager cannot be below the person they manage")
	}
	return nil
}

func (s *Store) writeAccounts(c *gorm.DB, orgID uuid.UUID, ms []appimport.MemberChange, create bool, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	id, email, name, full, ini, locale, tz := ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms))
	for i, m := range ms {
		a := m.Account
		id[i], email[i], name[i], locale[i], tz[i] = m.UserID.String(), a.Email, a.DisplayName, a.Locale, a.TimeZone
		full[i], ini[i] = s.keys(a.DisplayName)
	}
	var res *gorm.DB
	if create {
		// Imported accounts have no password: their people activate them with activation
		// links. The organisation made them, so it manages them (org.AccountTies).
		res = c.Exec(`INSERT INTO users (id, email, display_name, name_pinyin, name_initials, locale, time_zone, status, password_hash, created_by_org_id, created_at, updated_at)
			SELECT v.id, v.email, v.name, v.py, v.ini, v.locale, v.tz, 'active', '', ?, ?, ?
			FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, email, name, py, ini, locale, tz)`,
			orgID, now, now, id, email, name, full, ini, locale, tz)
	} else {
		// The plan changes only accounts the organisation manages (org.AccountTies.CheckChange).
		res = c.Exec(`UPDATE users u SET email = v.email, display_name = v.name, name_pinyin = v.py, name_initials = v.ini,
				locale = v.locale, time_zone = v.tz, updated_at = ?
			FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, email, name, py, ini, locale, tz)
			WHERE u.id = v.id`, now, id, email, name, full, ini, locale, tz)
	}
	if res.Error != nil {
		return memberConflict(res.Error)
	}
	if create && int(res.RowsAffected) != len(ms) {
		return errs.NotFoundf("user")
	}
	return nil
}

func (s *Store) writeMemberships(c *gorm.DB, orgID uuid.UUID, ms []appimport.MemberChange, create bool, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	user, role, status, ext, deact := ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms)), ids(len(ms))
	for i, m := range ms {
		mm := m.Membership
		user[i], role[i], status[i], ext[i] = m.UserID.String(), string(mm.Role()), string(mm.Status()), mm.ExternalID()
		if at := mm.DeactivatedAt(); at != nil {
			deact[i] = at.UTC().Format(time.RFC3339Nano)
		}
	}
	var res *gorm.DB
	if create {
		res = c.Exec(`INSERT INTO memberships (org_id, user_id, role, status, joined_at, deactivated_at, external_id)
			SELECT ?, v.user_id, v.role, v.status, ?, NULLIF(v.deact, '')::timestamptz, NULLIF(v.ext, '')
			FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(user_id, role, status, ext, deact)`,
			orgID, now, user, role, status, ext, deact)
	} else {
		res = c.Exec(`UPDATE memberships m SET status = v.status, deactivated_at = NULLIF(v.deact, '')::timestamptz, external_id = NULLIF(v.ext, '')
			FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(user_id, role, status, ext, deact)
			WHERE m.org_id = ? AND m.user_id = v.user_id`, user, role, status, ext, deact, orgID)
	}
	if res.Error != nil {
		return memberConflict(res.Error)
	}
	if int(res.RowsAffected) != len(ms) {
		return errs.NotFoundf("member")
	}
	return nil
}

// replaceAssignments sets each member's departments to exactly the given ones. Rows the member
// keeps are updated in place, so they keep their added_at.
func (s *Store) replaceAssignments(c *gorm.DB, orgID uuid.UUID, ms []appimport.MemberChange, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	var existing pq.StringArray
	var user, dept pq.StringArray
	var primary, leader pq.BoolArray
	for _, m := range ms {
		if !m.NewMembership {
			existing = append(existing, m.UserID.String())
		}
		for _, a := range m.Departments {
			user, dept = append(user, m.UserID.String()), append(dept, a.DepartmentID.String())
			primary, leader = append(primary, a.Primary), append(leader, a.Leader)
		}
	}
	if len(existing) > 0 {
		// The primary flag moves last: one member has one primary department at any moment.
		if err := c.Exec(`UPDATE department_members SET is_primary = false WHERE org_id = ? AND user_id = ANY (?::uuid[]) AND is_primary`,
			orgID, existing).Error; err != nil {
			return memberConflict(err)
		}
		if err := c.Exec(`DELETE FROM department_members dm WHERE dm.org_id = ? AND dm.user_id = ANY (?::uuid[])
				AND NOT EXISTS (SELECT 1 FROM unnest(?::uuid[], ?::uuid[]) AS v(user_id, department_id)
				                WHERE v.user_id = dm.user_id AND v.department_id = dm.department_id)`,
			orgID, existing, nonNil(user), nonNil(dept)).Error; err != nil {
			return memberConflict(err)
		}
	}
	if len(user) == 0 {
		return nil
	}
	res := c.Exec(`INSERT INTO department_members (org_id, department_id, user_id, is_primary, is_leader, added_at)
		SELECT ?, v.department_id, v.user_id, v.is_primary, v.is_leader, ?
		FROM unnest(?::uuid[], ?::uuid[], ?::bool[], ?::bool[]) AS v(user_id, department_id, is_primary, is_leader)
		JOIN departments d ON d.id = v.department_id AND d.org_id = ?
		ON CONFLICT (department_id, user_id) DO UPDATE SET is_primary = EXCLUDED.is_primary, is_leader = EXCLUDED.is_leader`,
		orgID, now, user, dept, primary, leader, orgID)
	if res.Error != nil {
		return memberConflict(res.Error)
	}
	if int(res.RowsAffected) != len(user) {
		return errs.NotFoundf("department")
	}
	return nil
}

func nonNil(a pq.StringArray) pq.StringArray {
	if a == nil {
		return pq.StringArray{}
	}
	return a
}

// memberConflict names the constraint a member change ran into.
func memberConflict(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "23505" || pg.Code == "23503") {
		switch pg.ConstraintName {
		case "users_email_key":
			return errs.Wrap(errs.Conflict, "email_taken", "another account has this email", err)
		case "memberships_external_id_key":
			return errs.Wrap(errs.Conflict, "external_id_taken", "another member has this external id", err)
		case "memberships_employee_number_key":
			return errs.Wrap(errs.Conflict, "employee_number_taken", "another member of the organisation has this employee number", err)
		case "memberships_manager_fkey":
			return errs.Wrap(errs.Invalid, "invalid_manager", "the manager must be a member of the organisation", err)
		case "memberships_pkey":
			return errs.Wrap(errs.Conflict, "already_member", "the account is already a member", err)
		case "department_members_department_id_fkey":
			return errs.Wrap(errs.NotFound, "unknown_department", "a department is gone", err)
		}
	}
	return postgres.Translate(err)
}
