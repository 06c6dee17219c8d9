package importer

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/org"
)

// RunnerConfig tunes the background runner.
type RunnerConfig struct {
	// Lease is how long a claimed job is held without a sign of life from its worker; a job
	// whose replica died is taken up again once it lapses.
	Lease time.Duration
	// Poll is how often an idle runner looks for queued jobs.
	Poll time.Duration
	// Chunk is how many rows are applied per transaction.
	Chunk int
	// MaxAttempts is how many times a job is claimed before it is given up as failed.
	MaxAttempts int
}

// DefaultRunnerConfig is what canopy serve runs with.
var DefaultRunnerConfig = RunnerConfig{Lease: time.Minute, Poll: 2 * time.Second, Chunk: 1000, MaxAttempts: 3}

// RunnerDeps are the adapters the runner needs.
type RunnerDeps struct {
	Tx          TxManager
	Clock       Clock
	Queue       Queue
	Store       Store
	Limits      LimitsSource
	Credentials CredentialRevoker
	Invitations Inviter
	Authorizer  authz.Authorizer
	Audit       authz.Auditor
	Log         *slog.Logger
}

// Runner runs queued imports, one at a time per replica. Any number of replicas may run one:
// the queue gives each job to one of them, and one organisation's jobs run one after another.
type Runner struct {
	cfg  RunnerConfig
	d    RunnerDeps
	wake chan struct{}
}

// NewRunner builds a runner; zero settings take their defaults.
func NewRunner(cfg RunnerConfig, d RunnerDeps) *Runner {
	def := DefaultRunnerConfig
	if cfg.Lease <= 0 {
		cfg.Lease = def.Lease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = def.Poll
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = def.Chunk
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = def.MaxAttempts
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, d: d, wake: make(chan struct{}, 1)}
}

// Wake tells the runner a job is waiting.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run takes and runs jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	for {
		ran, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.d.Log.Warn("import runner", "error", err.Error())
		}
		if ran && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(r.cfg.Poll):
		}
	}
}

// RunOnce claims one job and runs it to its end; it reports false when there was none.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	c, err := r.d.Queue.Claim(ctx, r.cfg.Lease, r.cfg.MaxAttempts)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	log := r.d.Log.With("import_id", c.Job.ID().String(), "org_id", c.Job.OrgID().String(), "attempt", c.Attempt)
	log.Info("import started", "rows", c.Job.Total(), "resume_after", c.Job.Counts().Processed)
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lost atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.heartbeat(jctx, cancel, &lost, c)
	}()
	start := time.Now()
	counts, err := r.execute(jctx, c, log)
	cancel()
	wg.Wait()
	switch {
	case ctx.Err() != nil:
		// Shutting down: another replica, or this one when it is back, resumes the job.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.d.Queue.Release(rctx, c); err != nil {
			log.Warn("import not handed back; it resumes when its lease lapses", "error", err.Error())
		}
		return true, nil
	case lost.Load() || errs.CodeOf(err) == "claim_lost":
		log.Warn("import claim lost; another worker resumes it")
		return true, nil
	case errs.Is(err, errs.Unavailable):
		// The database went away: the lease lapses and the job is tried again.
		return true, err
	}
	status, code, msg := importer.StatusDone, "", ""
	if err != nil {
		status, code, msg = importer.StatusFailed, errs.CodeOf(err), "internal error"
		var e *errs.Error
		if errors.As(err, &e) && e.Kind != errs.Internal {
			msg = e.Message
		}
		log.Error("import failed", "error", err.Error())
	}
	ferr := r.d.Tx.Within(ctx, func(ctx context.Context) error {
		if err := r.d.Queue.Finish(ctx, c, status, code, msg); err != nil {
			return err
		}
		a := authz.Actor{Principal: appidentity.Principal{UserID: c.Job.CreatedBy()}, OrgID: c.Job.OrgID()}
		after := map[string]any{"status": status, "rows": c.Job.Total(), "applied": counts.Applied, "failed": counts.Failed,
			"created": counts.Created, "updated": counts.Updated, "unchanged": counts.Unchanged}
		if code != "" {
			after["error"] = code
		}
		return r.d.Audit.Append(ctx, a.Entry("import.finish", "import", c.Job.ID().String(), nil, after))
	})
	if ferr != nil {
		return true, ferr
	}
	log.Info("import finished", "status", status, "applied", counts.Applied, "failed", counts.Failed,
		"created", counts.Created, "updated", counts.Updated, "unchanged", counts.Unchanged, "seconds", time.Since(start).Seconds())
	return true, nil
}

func (r *Runner) heartbeat(ctx context.Context, cancel func(), lost *atomic.Bool, c Claim) {
	t := time.NewTicker(r.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := r.d.Queue.Renew(ctx, c, r.cfg.Lease)
		if errs.Is(err, errs.NotFound) {
			lost.Store(true)
			cancel()
			return
		}
	}
}

// execution is one run of one job.
type execution struct {
	r      *Runner
	claim  Claim
	orgID  uuid.UUID
	now    time.Time
	log    *slog.Logger
	counts importer.Counts
	// state holds what became of the new departments of the plan.
	state map[*node]deptState
	// actor is the member who submitted the job, as the rows are applied.
	actor authz.Actor
}

type deptState uint8

const (
	deptPending deptState = iota
	deptCreated
	deptFailed
)

func (r *Runner) execute(ctx context.Context, c Claim, log *slog.Logger) (importer.Counts, error) {
	x := &execution{r: r, claim: c, orgID: c.Job.OrgID(), now: r.d.Clock.Now(), log: log, counts: c.Job.Counts(), state: map[*node]deptState{}}
	var req Request
	if err := json.Unmarshal(c.Payload, &req); err != nil {
		return x.counts, errs.Internalf("import: decode request: %w", err)
	}
	t0 := time.Now()
	rows, err := x.plan(ctx, req)
	if err != nil {
		return x.counts, err
	}
	log.Info("import planned", "rows", len(rows), "seconds", time.Since(t0).Seconds())
	for start := x.counts.Processed; start < len(rows); start += r.cfg.Chunk {
		end := min(start+r.cfg.Chunk, len(rows))
		if err := x.chunk(ctx, rows[start:end]); err != nil {
			return x.counts, err
		}
	}
	return x.counts, nil
}

// plan reads the organisation and validates every row against it, with the rights of the
// member who submitted the job as they are now.
func (x *execution) plan(ctx context.Context, req Request) ([]*rowPlan, error) {
	emails := make([]string, 0, len(req.Users))
	for _, u := range req.Users {
		emails = append(emails, u.Email)
	}
	snap, err := x.r.d.Store.Snapshot(ctx, x.orgID, emails)
	if err != nil {
		return nil, err
	}
	var by *org.Membership
	for _, m := range snap.Members {
		if m.UserID == x.claim.Job.CreatedBy() {
			by = m.Membership
		}
	}
	// The rows are applied with the rights the member who submitted them has now.
	denied := errs.E(errs.Forbidden, "forbidden", "the member who submitted the import may no longer change the members and the directory")
	if by == nil || !by.Active() {
		return nil, denied
	}
	a := authz.Actor{Principal: appidentity.Principal{UserID: by.UserID()}, OrgID: x.orgID, Membership: by}
	if err := requireImporter(ctx, x.r.d.Authorizer, a); err != nil {
		if errs.Is(err, errs.Forbidden) {
			return nil, denied
		}
		return nil, err
	}
	lim, err := x.r.d.Limits.Limits(ctx, x.orgID)
	if err != nil {
		return nil, err
	}
	transfer, err := x.r.d.Authorizer.Can(ctx, a, access.OwnershipTransfer, "")
	if err != nil {
		return nil, err
	}
	grantable := map[org.Role]bool{}
	for _, r := range []org.Role{org.RoleOwner, org.RoleAdmin, org.RoleMember, org.RoleGuest} {
		err := authz.RequireRoleGrantable(ctx, x.r.d.Authorizer, a, r)
		if err != nil && !errs.Is(err, errs.Forbidden) {
			return nil, err
		}
		grantable[r] = err == nil
	}
	x.actor = a
	p, err := newPlanner(x.orgID, by, transfer, grantable, lim, snap, x.now)
	if err != nil {
		return nil, err
	}
	rows := p.plan(req)
	if len(rows) != x.claim.Job.Total() {
		return nil, errs.Internalf("import: %d rows planned, the job has %d", len(rows), x.claim.Job.Total())
	}
	return rows, nil
}

// chunk applies rows in one transaction, with set-based statements. When that fails it applies
// them again one by one, each in a savepoint, so a row that cannot be applied is reported and
// undone without blocking the others.
func (x *execution) chunk(ctx context.Context, rows []*rowPlan) error {
	tx := x.r.d.Tx
	var created []*node
	var counts importer.Counts
	err := tx.Within(ctx, func(ctx context.Context) error {
		if err := x.r.d.Store.LockTree(ctx, x.orgID); err != nil {
			return err
		}
		failed := map[*rowPlan]error{}
		var batch []*rowPlan
		for _, rp := range rows {
			if rp.err != nil {
				continue
			}
			if err := x.blocked(rp); err != nil {
				failed[rp] = err
				continue
			}
			batch = append(batch, rp)
		}
		var err error
		if created, err = x.apply(ctx, batch); err != nil {
			return err
		}
		var issues []importer.Issue
		counts, issues = x.tally(rows, failed)
		return x.r.d.Queue.Progress(ctx, x.claim, x.counts.Add(counts), issues, x.r.cfg.Lease)
	})
	if err == nil {
		for _, n := range created {
			x.state[n] = deptCreated
		}
		x.counts = x.counts.Add(counts)
		return nil
	}
	if ctx.Err() != nil || errs.CodeOf(err) == "claim_lost" {
		return err
	}
	x.log.Info("import chunk applied row by row", "first_seq", rows[0].seq, "reason", err.Error())
	return tx.Within(ctx, func(ctx context.Context) error {
		if err := x.r.d.Store.LockTree(ctx, x.orgID); err != nil {
			return err
		}
		failed := map[*rowPlan]error{}
		for _, rp := range rows {
			if rp.err != nil {
				continue
			}
			if err := x.blocked(rp); err != nil {
				failed[rp] = err
				continue
			}
			var made []*node
			err := tx.Savepoint(ctx, func(ctx context.Context) error {
				var err error
				made, err = x.apply(ctx, []*rowPlan{rp})
				return err
			})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				failed[rp] = err
				if rp.own != nil && rp.own.isNew && x.state[rp.own] == deptPending {
					x.state[rp.own] = deptFailed
				}
				continue
			}
			// If this transaction fails the job stops, and a new run plans afresh, so the
			// departments can be counted as made already.
			for _, n := range made {
				x.state[n] = deptCreated
			}
		}
		counts, issues := x.tally(rows, failed)
		if err := x.r.d.Queue.Progress(ctx, x.claim, x.counts.Add(counts), issues, x.r.cfg.Lease); err != nil {
			return err
		}
		x.counts = x.counts.Add(counts)
		return nil
	})
}

// blocked says why a row cannot be applied because a department it needs failed.
func (x *execution) blocked(rp *rowPlan) error {
	for _, n := range rp.needs {
		if x.state[n] == deptFailed && n != rp.own {
			return errs.E(errs.Conflict, "department_failed", "department "+quoteName(n.name)+" could not be created")
		}
	}
	return nil
}

func quoteName(s string) string { return `"` + s + `"` }

// apply makes the changes of rows and returns the departments it created.
func (x *execution) apply(ctx context.Context, rows []*rowPlan) ([]*node, error) {
	var made []*node
	var creates []NewDepartment
	var updates []DepartmentUpdate
	var members []MemberChange
	seen := map[*node]bool{}
	for _, rp := range rows {
		for _, n := range rp.needs {
			if x.state[n] == deptPending && !seen[n] {
				seen[n] = true
				made = append(made, n)
				creates = append(creates, n.create)
			}
		}
		if rp.update != nil {
			updates = append(updates, *rp.update)
		}
		if rp.member != nil {
			members = append(members, *rp.member)
		}
		if rp.invite != "" {
			if err := x.r.d.Invitations.InviteEmail(ctx, x.actor, rp.invite); err != nil {
				return nil, err
			}
		}
	}
	s := x.r.d.Store
	if len(creates) > 0 {
		if err := s.CreateDepartments(ctx, x.orgID, creates, x.now); err != nil {
			return nil, err
		}
	}
	if len(updates) > 0 {
		if err := s.UpdateDepartments(ctx, x.orgID, updates, x.now); err != nil {
			return nil, err
		}
	}
	if len(members) > 0 {
		if err := s.ApplyMembers(ctx, x.orgID, members, x.now); err != nil {
			return nil, err
		}
		var accounts []uuid.UUID
		for _, m := range members {
			if m.NewAccount {
				accounts = append(accounts, m.UserID)
			}
		}
		if err := s.RecordAccounts(ctx, x.orgID, x.claim.Job.ID(), accounts); err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Revoke {
				if err := x.r.d.Credentials.RevokeMemberCredentials(ctx, x.orgID, m.UserID); err != nil {
					return nil, err
				}
			}
		}
	}
	return made, nil
}

// tally counts the rows of a chunk and writes the report lines of those that failed, up to
// importer.MaxIssues for the job.
func (x *execution) tally(rows []*rowPlan, failed map[*rowPlan]error) (importer.Counts, []importer.Issue) {
	var c importer.Counts
	var issues []importer.Issue
	for _, rp := range rows {
		c.Processed++
		err := rp.err
		if err == nil {
			err = failed[rp]
		}
		if err == nil {
			c.Applied++
			switch rp.outcome {
			case outcomeCreated:
				c.Created++
			case outcomeUpdated:
				c.Updated++
			case outcomeInvited:
				c.Invited++
				if x.counts.Failed+x.counts.Invited+c.Failed+c.Invited <= importer.MaxIssues {
					issues = append(issues, importer.NewIssue(rp.seq, rp.kind, rp.row, rp.ext, importer.CodeInvited,
						"this email's account is not this organisation's to make or manage; an invitation was sent"))
				}
			default:
				c.Unchanged++
			}
			continue
		}
		c.Failed++
		if x.counts.Failed+x.counts.Invited+c.Failed+c.Invited > importer.MaxIssues {
			continue
		}
		code, msg := errs.CodeOf(err), "internal error"
		var e *errs.Error
		if errors.As(err, &e) && e.Kind != errs.Internal {
			msg = e.Message
		} else {
			x.log.Error("import row failed", "seq", rp.seq, "row", rp.row, "error", err.Error())
		}
		issues = append(issues, importer.NewIssue(rp.seq, rp.kind, rp.row, rp.ext, code, msg))
	}
	return c, issues
}
