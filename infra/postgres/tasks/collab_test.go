package tasks_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/domain/org"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
	pgfiles "canopy/infra/postgres/files"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
	pgtasks "canopy/infra/postgres/tasks"
)

// collabOrg is an organisation with its owner, a list with one section, built with plain SQL so
// that these tests depend only on the schema.
type collabOrg struct {
	db      *gorm.DB
	ctx     context.Context
	orgID   uuid.UUID
	userID  uuid.UUID
	listID  uuid.UUID
	section uuid.UUID
	n       int
}

func newCollabOrg(t *testing.T, db *gorm.DB, email string) *collabOrg {
	t.Helper()
	u := pgtest.MustUser(t, db, email)
	o := pgtest.MustOrg(t, db, u)
	c := &collabOrg{db: db, ctx: context.Background(), orgID: o.ID(), userID: u.ID(), listID: uuid.New(), section: uuid.New()}
	c.exec(t, `INSERT INTO task_lists (id, org_id, owner_kind, owner_id, name, created_by, created_at, updated_at)
		VALUES (?, ?, 'organisation', ?, 'List', ?, now(), now())`, c.listID, c.orgID, c.orgID, c.userID)
	c.exec(t, `INSERT INTO task_sections (id, org_id, list_id, name, rank, created_at) VALUES (?, ?, ?, 'To do', 'V', now())`,
		c.section, c.orgID, c.listID)
	return c
}

func (c *collabOrg) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if err := c.db.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// member adds a new user to the organisation.
func (c *collabOrg) member(t *testing.T, email string) uuid.UUID {
	t.Helper()
	u := pgtest.MustUser(t, c.db, email)
	if err := pgorg.NewMemberships(c.db).Add(c.ctx, org.NewMembership(c.orgID, u.ID(), org.RoleMember, time.Now())); err != nil {
		t.Fatal(err)
	}
	return u.ID()
}

// task stores an open top-level task due at due (none when zero).
func (c *collabOrg) task(t *testing.T, due time.Time, allDay bool) uuid.UUID {
	t.Helper()
	c.n++
	id := uuid.New()
	var dueAt any
	tz := ""
	if !due.IsZero() {
		dueAt, tz = due.UTC(), "Asia/Shanghai"
	}
	c.exec(t, `INSERT INTO tasks (id, org_id, list_id, section_id, depth, title, rank, due_at, all_day, due_tz, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, now(), now())`,
		id, c.orgID, c.listID, c.section, "Task "+string(rune('A'+c.n%26)), "V"+string(rune('A'+c.n%26))+uuid.NewString()[:6],
		dueAt, allDay, tz, c.userID)
	return id
}

// file stores a file in the organisation's space.
func (c *collabOrg) file(t *testing.T, name string) uuid.UUID {
	t.Helper()
	sp, err := files.NewSpace(c.orgID, files.KindOrganisation, c.orgID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	spaces := pgfiles.NewSpaces(c.db)
	if existing, err := spaces.ByOwner(c.ctx, c.orgID, files.KindOrganisation, c.orgID); err == nil {
		sp = existing
	} else if err := spaces.Create(c.ctx, sp); err != nil {
		t.Fatal(err)
	}
	f, err := files.NewFile(sp, nil, name, c.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(name))
	v, err := f.AddVersion(files.Upload{ObjectKey: files.NewObjectKey(c.orgID), Size: 3, SHA256: hex.EncodeToString(sum[:]),
		ContentType: "text/plain", UploadedBy: c.userID, UploadedAt: time.Now()}, files.DefaultMinimumRetentionDays, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgfiles.NewFiles(c.db, nil).Create(c.ctx, f, v); err != nil {
		t.Fatal(err)
	}
	return f.ID()
}

func mustComment(t *testing.T, c *collabOrg, taskID uuid.UUID, body string, mentions ...uuid.UUID) *tasks.Comment {
	t.Helper()
	cm, err := tasks.NewComment(c.orgID, taskID, c.userID, body, mentions, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := pgtasks.NewComments(c.db).AddComment(c.ctx, cm); err != nil {
		t.Fatalf("add comment: %v", err)
	}
	return cm
}

// TestComments: comments round-trip with their mentions in order, list oldest first and page,
// an edit and a delete are stored (a deleted one is neither listed nor found), another
// organisation's comment is NotFound, and a mention of a non-member is refused by the schema.
func TestComments(t *testing.T) {
	db := pgtest.MustDB(t)
	c, other := newCollabOrg(t, db, "a@collab.example"), newCollabOrg(t, db, "b@collab.example")
	repo := pgtasks.NewComments(db)
	task := c.task(t, time.Time{}, false)
	li, han := c.member(t, "li@collab.example"), c.member(t, "han@collab.example")

	first := mustComment(t, c, task, "**一**", han, li)
	time.Sleep(time.Millisecond) // created_at orders them
	second := mustComment(t, c, task, "two")
	got, err := repo.Comment(c.ctx, c.orgID, task, first.ID())
	if err != nil || got.Body() != "**一**" || !slices.Equal(got.Mentions(), []uuid.UUID{han, li}) || got.AuthorID() != c.userID {
		t.Fatalf("Comment = %+v, %v", got, err)
	}
	page, total, err := repo.Comments(c.ctx, c.orgID, task, 1, 1)
	if err != nil || total != 2 || len(page) != 1 || page[0].ID() != second.ID() {
		t.Fatalf("page 2 = %v total %d, %v", page, total, err)
	}

	if err := first.Edit("edited", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := repo.UpdateComment(c.ctx, first); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Comment(c.ctx, c.orgID, task, first.ID()); got.Body() != "edited" || got.EditedAt().IsZero() {
		t.Fatalf("after edit: %+v", got)
	}
	second.Delete(time.Now())
	if err := repo.UpdateComment(c.ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Comment(c.ctx, c.orgID, task, second.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("deleted comment: %v", err)
	}
	if _, total, _ := repo.Comments(c.ctx, c.orgID, task, 50, 0); total != 1 {
		t.Fatalf("total after delete = %d", total)
	}

	// Tenancy: the other organisation's view of this comment, and a comment of theirs pointing
	// at this organisation's task.
	if _, err := repo.Comment(c.ctx, other.orgID, task, first.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("other org reads the comment: %v", err)
	}
	if _, total, _ := repo.Comments(c.ctx, other.orgID, task, 50, 0); total != 0 {
		t.Fatalf("other org lists %d comments", total)
	}
	cross, _ := tasks.NewComment(other.orgID, task, other.userID, "x", nil, time.Now())
	if err := repo.AddComment(c.ctx, cross); !errs.Is(err, errs.NotFound) {
		t.Fatalf("comment on another organisation's task: %v", err)
	}
	// A mention of someone who is not a member (the other organisation's owner).
	bad, _ := tasks.NewComment(c.orgID, task, c.userID, "hi", []uuid.UUID{other.userID}, time.Now())
	err = postgres.NewTxManager(db).Within(c.ctx, func(ctx context.Context) error { return repo.AddComment(ctx, bad) })
	if !errs.Is(err, errs.NotFound) {
		t.Fatalf("mention of a non-member: %v", err)
	}
	if _, err := repo.Comment(c.ctx, c.orgID, task, bad.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatal("the comment with a bad mention was stored")
	}
}

// TestAttachments: a link round-trips once per file, another organisation's file is NotFound,
// removing twice is NotFound, and purging the file removes the link (its retention is the files
// module's).
func TestAttachments(t *testing.T) {
	db := pgtest.MustDB(t)
	c, other := newCollabOrg(t, db, "a@att.example"), newCollabOrg(t, db, "b@att.example")
	repo := pgtasks.NewAttachments(db)
	task := c.task(t, time.Time{}, false)
	f1, f2, foreign := c.file(t, "a.txt"), c.file(t, "b.txt"), other.file(t, "theirs.txt")

	for _, f := range []uuid.UUID{f1, f2} {
		a, _ := tasks.NewAttachment(c.orgID, task, f, c.userID, time.Now())
		if err := repo.AddAttachment(c.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	again, _ := tasks.NewAttachment(c.orgID, task, f1, c.userID, time.Now())
	if err := repo.AddAttachment(c.ctx, again); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != "already_attached" {
		t.Fatalf("twice: %v", err)
	}
	cross, _ := tasks.NewAttachment(c.orgID, task, foreign, c.userID, time.Now())
	if err := repo.AddAttachment(c.ctx, cross); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's file: %v", err)
	}
	as, err := repo.Attachments(c.ctx, c.orgID, task)
	if err != nil || len(as) != 2 || as[0].FileID() != f1 || as[0].AddedBy() != c.userID {
		t.Fatalf("Attachments = %v, %v", as, err)
	}
	if as, _ := repo.Attachments(c.ctx, other.orgID, task); len(as) != 0 {
		t.Fatal("another organisation sees the attachments")
	}
	if err := repo.RemoveAttachment(c.ctx, other.orgID, task, f2); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation removes: %v", err)
	}
	if err := repo.RemoveAttachment(c.ctx, c.orgID, task, f2); err != nil {
		t.Fatal(err)
	}
	if err := repo.RemoveAttachment(c.ctx, c.orgID, task, f2); !errs.Is(err, errs.NotFound) {
		t.Fatalf("second removal: %v", err)
	}
	// The files sweeper's purge of f1 takes the link with it.
	err = postgres.NewTxManager(db).Within(c.ctx, func(ctx context.Context) error {
		tx := postgres.Conn(ctx, db)
		if err := tx.Exec(`DELETE FROM file_versions WHERE file_id = ?`, f1).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM files WHERE id = ?`, f1).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := repo.Attachments(c.ctx, c.orgID, task); len(as) != 0 {
		t.Fatalf("after the purge: %v", as)
	}
}

// claim runs a claim in a transaction of its own.
func claim(t *testing.T, db *gorm.DB, fn func(ctx context.Context) ([]tasks.DueNotice, error)) []tasks.DueNotice {
	t.Helper()
	var ns []tasks.DueNotice
	err := postgres.NewTxManager(db).Within(context.Background(), func(ctx context.Context) error {
		var err error
		ns, err = fn(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestReminderOffsets: a person's offsets are replaced, others' stay, and a kept offset keeps
// its sent mark (setting the same reminders again sends nothing twice).
func TestReminderOffsets(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCollabOrg(t, db, "a@rem.example")
	repo := pgtasks.NewReminders(db)
	li := c.member(t, "li@rem.example")
	now := time.Now().UTC().Truncate(time.Second)
	task := c.task(t, now.Add(30*time.Minute), false)

	if err := repo.SetReminderOffsets(c.ctx, c.orgID, task, c.userID, []int{60, 10}); err != nil {
		t.Fatal(err)
	}
	if err := repo.SetReminderOffsets(c.ctx, c.orgID, task, li, []int{5}); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, task, c.userID); !slices.Equal(got, []int{10, 60}) {
		t.Fatalf("offsets = %v", got)
	}
	// The 60-minute reminder is due now: claimed once.
	ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) })
	if len(ns) != 1 || ns[0].UserID != c.userID || ns[0].TaskID != task || ns[0].ListID != c.listID || !ns[0].DueAt.Equal(now.Add(30*time.Minute)) {
		t.Fatalf("claimed %+v", ns)
	}
	if err := repo.SetReminderOffsets(c.ctx, c.orgID, task, c.userID, []int{60, 15}); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, task, c.userID); !slices.Equal(got, []int{15, 60}) {
		t.Fatalf("offsets after replacing = %v", got)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, task, li); !slices.Equal(got, []int{5}) {
		t.Fatalf("li's offsets = %v", got)
	}
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) }); len(ns) != 0 {
		t.Fatalf("the kept reminder was claimed again: %+v", ns)
	}
	// The next occurrence gets everyone's reminders, unsent.
	next := c.task(t, now.Add(24*time.Hour+30*time.Minute), false)
	if err := repo.CopyReminders(c.ctx, c.orgID, task, next); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, next, c.userID); !slices.Equal(got, []int{15, 60}) {
		t.Fatalf("copied offsets = %v", got)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, next, li); !slices.Equal(got, []int{5}) {
		t.Fatalf("li's copied offsets = %v", got)
	}
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) {
		return repo.ClaimReminders(ctx, now.Add(24*time.Hour), 100)
	}); len(ns) != 1 || ns[0].TaskID != next {
		t.Fatalf("the copy's reminders a day later: %+v", ns)
	}
	if err := repo.SetReminderOffsets(c.ctx, c.orgID, task, c.userID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.ReminderOffsets(c.ctx, c.orgID, task, c.userID); len(got) != 0 {
		t.Fatalf("offsets after clearing = %v", got)
	}
	if _, err := repo.ReminderOffsets(c.ctx, c.orgID, task, c.userID); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.ClaimReminders(c.ctx, now, 1); err == nil {
		t.Fatal("a claim outside a transaction was allowed")
	}
}

// TestClaimReminders: only reminders of open, live tasks whose time came are claimed, each once
// per due time; a new due time arms them again; a due time long past is not reminded of.
func TestClaimReminders(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCollabOrg(t, db, "a@claim.example")
	repo := pgtasks.NewReminders(db)
	now := time.Now().UTC().Truncate(time.Second)
	due := c.task(t, now.Add(30*time.Minute), false)
	notYet := c.task(t, now.Add(3*time.Hour), false)
	done := c.task(t, now.Add(10*time.Minute), false)
	deleted := c.task(t, now.Add(10*time.Minute), false)
	stale := c.task(t, now.Add(-2*time.Hour), false)
	undated := c.task(t, time.Time{}, false)
	c.exec(t, `UPDATE tasks SET status = 'done', completed_at = now(), completed_by = created_by WHERE id = ?`, done)
	c.exec(t, `UPDATE tasks SET deleted_at = now(), deleted_by = created_by WHERE id = ?`, deleted)
	for _, id := range []uuid.UUID{due, notYet, done, deleted, stale, undated} {
		if err := repo.SetReminderOffsets(c.ctx, c.orgID, id, c.userID, []int{60}); err != nil {
			t.Fatal(err)
		}
	}
	ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) })
	if len(ns) != 1 || ns[0].TaskID != due {
		t.Fatalf("claimed %+v, want only the task due in 30 minutes", ns)
	}
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) }); len(ns) != 0 {
		t.Fatalf("claimed twice: %+v", ns)
	}
	// The due time moves: the reminder is armed for the new one.
	c.exec(t, `UPDATE tasks SET due_at = ? WHERE id = ?`, now.Add(45*time.Minute), due)
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) }); len(ns) != 1 {
		t.Fatalf("after the due time moved: %+v", ns)
	}
	// Later, the 3-hour task's reminder comes due.
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) {
		return repo.ClaimReminders(ctx, now.Add(2*time.Hour+time.Minute), 100)
	}); len(ns) != 1 || ns[0].TaskID != notYet {
		t.Fatalf("two hours later: %+v", ns)
	}
	// A deleted list's tasks are not reminded of.
	c.exec(t, `UPDATE tasks SET due_at = ? WHERE id = ?`, now.Add(50*time.Minute), due)
	c.exec(t, `UPDATE task_lists SET deleted_at = now(), deleted_by = created_by WHERE id = ?`, c.listID)
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimReminders(ctx, now, 100) }); len(ns) != 0 {
		t.Fatalf("a deleted list's task: %+v", ns)
	}
}

// TestClaimRemindersRace: many workers claiming the same due reminders at once, each in its own
// transaction, claim every one exactly once between them, a task's reminders due together in
// one claim.
func TestClaimRemindersRace(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCollabOrg(t, db, "a@race.example")
	repo := pgtasks.NewReminders(db)
	now := time.Now().UTC().Truncate(time.Second)
	const n = 30
	for range n {
		id := c.task(t, now.Add(5*time.Minute), false)
		// Two reminders of one person due together: one worker claims both.
		if err := repo.SetReminderOffsets(c.ctx, c.orgID, id, c.userID, []int{10, 20}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var ns []tasks.DueNotice
				err := postgres.NewTxManager(db).Within(context.Background(), func(ctx context.Context) error {
					var err error
					ns, err = repo.ClaimReminders(ctx, now, 4)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(ns) == 0 {
					return
				}
				mine := map[uuid.UUID]int{}
				for _, x := range ns {
					mine[x.TaskID]++
				}
				mu.Lock()
				for id, k := range mine {
					if k != 2 {
						t.Errorf("a claim took %d of task %s's 2 due reminders", k, id)
					}
					seen[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d reminders claimed", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("task %s claimed %d times", id, k)
		}
	}
}

// TestClaimOverdue: open tasks past their due time are claimed once per due time, to their
// assignees or else their creator; an all-day task only once its day is over; archived lists'
// tasks and tasks overdue for more than a week are left alone.
func TestClaimOverdue(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCollabOrg(t, db, "a@over.example")
	repo := pgtasks.NewReminders(db)
	li, han := c.member(t, "li@over.example"), c.member(t, "han@over.example")
	now := time.Now().UTC().Truncate(time.Second)
	assigned := c.task(t, now.Add(-time.Minute), false)
	unassigned := c.task(t, now.Add(-time.Hour), false)
	future := c.task(t, now.Add(time.Hour), false)
	allDayToday := c.task(t, now.Add(-2*time.Hour), true)      // its day is not over
	allDayYesterday := c.task(t, now.Add(-25*time.Hour), true) // it is
	old := c.task(t, now.Add(-8*24*time.Hour), false)
	c.exec(t, `INSERT INTO task_assignees (org_id, task_id, user_id) VALUES (?, ?, ?), (?, ?, ?)`, c.orgID, assigned, li, c.orgID, assigned, han)

	ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimOverdue(ctx, now, 100) })
	got := map[uuid.UUID][]uuid.UUID{}
	for _, n := range ns {
		got[n.TaskID] = n.Recipients
	}
	if len(got) != 3 || !slices.Equal(sorted(got[assigned]), sorted([]uuid.UUID{li, han})) ||
		!slices.Equal(got[unassigned], []uuid.UUID{c.userID}) || got[allDayYesterday] == nil {
		t.Fatalf("claimed %v", got)
	}
	for _, id := range []uuid.UUID{future, allDayToday, old} {
		if _, ok := got[id]; ok {
			t.Errorf("claimed %s too early or too late", id)
		}
	}
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimOverdue(ctx, now, 100) }); len(ns) != 0 {
		t.Fatalf("claimed twice: %+v", ns)
	}
	// A new due time, passed too, is a new notice; not in an archived list.
	c.exec(t, `UPDATE tasks SET due_at = ? WHERE id = ?`, now.Add(-30*time.Second), unassigned)
	c.exec(t, `UPDATE task_lists SET archived_at = now() WHERE id = ?`, c.listID)
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimOverdue(ctx, now, 100) }); len(ns) != 0 {
		t.Fatalf("archived list: %+v", ns)
	}
	c.exec(t, `UPDATE task_lists SET archived_at = NULL WHERE id = ?`, c.listID)
	if ns := claim(t, db, func(ctx context.Context) ([]tasks.DueNotice, error) { return repo.ClaimOverdue(ctx, now, 100) }); len(ns) != 1 || ns[0].TaskID != unassigned {
		t.Fatalf("after the due time moved: %+v", ns)
	}
}

func sorted(v []uuid.UUID) []uuid.UUID {
	out := slices.Clone(v)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}
