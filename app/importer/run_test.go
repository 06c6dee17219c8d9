package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/org"
)

// Fakes for the runner: a store that keeps what it is given in maps, and a transaction manager
// that undoes a failed transaction or savepoint by restoring them.

type fakeState struct {
	depts   map[uuid.UUID]NewDepartment
	members map[uuid.UUID]MemberChange
	updates []DepartmentUpdate
	invited []string
}

func (s fakeState) clone() fakeState {
	return fakeState{maps.Clone(s.depts), maps.Clone(s.members), append([]DepartmentUpdate(nil), s.updates...), append([]string(nil), s.invited...)}
}

type fakeStore struct {
	snap      Snapshot
	st        fakeState
	failEmail string
	batches   []int // sizes of ApplyMembers calls
}

func (f *fakeStore) Snapshot(context.Context, uuid.UUID, []string) (Snapshot, error) {
	return f.snap, nil
}
func (f *fakeStore) LockTree(context.Context, uuid.UUID) error { return nil }

func (f *fakeStore) CreateDepartments(_ context.Context, _ uuid.UUID, ds []NewDepartment, _ time.Time) error {
	for _, d := range ds {
		if _, dup := f.st.depts[d.ID]; dup {
			return errs.E(errs.Conflict, "department_exists", "created twice")
		}
		f.st.depts[d.ID] = d
	}
	return nil
}

func (f *fakeStore) UpdateDepartments(_ context.Context, _ uuid.UUID, us []DepartmentUpdate, _ time.Time) error {
	f.st.updates = append(f.st.updates, us...)
	return nil
}

func (f *fakeStore) ApplyMembers(_ context.Context, _ uuid.UUID, cs []MemberChange, _ time.Time) error {
	f.batches = append(f.batches, len(cs))
	for _, c := range cs {
		if c.Account != nil && c.Account.Email == f.failEmail {
			return errs.E(errs.Conflict, "email_taken", "another account has this email")
		}
		for _, a := range c.Departments {
			if _, ok := f.st.depts[a.DepartmentID]; !ok && !f.existing(a.DepartmentID) {
				return errs.NotFoundf("department")
			}
		}
		f.st.members[c.UserID] = c
	}
	return nil
}

func (f *fakeStore) RecordAccounts(context.Context, uuid.UUID, uuid.UUID, []uuid.UUID) error {
	return nil
}

func (f *fakeStore) existing(id uuid.UUID) bool {
	for _, d := range f.snap.Departments {
		if d.ID() == id {
			return true
		}
	}
	return false
}

type fakeTx struct{ s *fakeStore }

func (t fakeTx) Within(ctx context.Context, fn func(context.Context) error) error {
	return t.Savepoint(ctx, fn)
}

func (t fakeTx) Savepoint(ctx context.Context, fn func(context.Context) error) error {
	saved := t.s.st.clone()
	if err := fn(ctx); err != nil {
		t.s.st = saved
		return err
	}
	return nil
}

type fakeQueue struct {
	counts importer.Counts
	issues []importer.Issue
}

func (q *fakeQueue) Claim(context.Context, time.Duration, int) (Claim, error) {
	return Claim{}, errs.NotFoundf("import")
}
func (q *fakeQueue) Renew(context.Context, Claim, time.Duration) error { return nil }
func (q *fakeQueue) Progress(_ context.Context, _ Claim, n importer.Counts, is []importer.Issue, _ time.Duration) error {
	q.counts, q.issues = n, append(q.issues, is...)
	return nil
}
func (q *fakeQueue) Finish(context.Context, Claim, importer.Status, string, string) error { return nil }
func (q *fakeQueue) Release(context.Context, Claim) error                                 { return nil }

type allow struct{}

func (allow) Can(context.Context, authz.Actor, access.Permission, string) (bool, error) {
	return true, nil
}
func (allow) CanAnywhere(context.Context, authz.Actor, access.Permission) (bool, error) {
	return true, nil
}
func (allow) Reach(context.Context, authz.Actor, access.Permission) (authz.Reach, error) {
	return authz.Reach{Org: true}, nil
}

type limits org.Limits

func (l limits) Limits(context.Context, uuid.UUID) (org.Limits, error) {
	return org.Limits(l), nil
}

type clockAt time.Time

func (c clockAt) Now() time.Time { return time.Time(c) }

type noRevoke struct{}

func (noRevoke) RevokeMemberCredentials(context.Context, uuid.UUID, uuid.UUID) error { return nil }

// fakeInviter records the emails rows invite, undone with the transaction like the store.
type fakeInviter struct{ s *fakeStore }

func (f fakeInviter) InviteEmail(_ context.Context, _ authz.Actor, email string) error {
	f.s.st.invited = append(f.s.st.invited, email)
	return nil
}

// newFixture is an organisation with its root and its owner, who submits the imports.
func newFixture(t *testing.T) (*fakeStore, uuid.UUID, uuid.UUID) {
	t.Helper()
	orgID, ownerID := uuid.New(), uuid.New()
	root, err := directory.NewRoot(orgID, "Acme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	owner := Member{Account: Account{UserID: ownerID, Email: "owner@acme.example", DisplayName: "Owner", Locale: "en", TimeZone: "UTC"},
		Membership: org.NewMembership(orgID, ownerID, org.RoleOwner, time.Now())}
	return &fakeStore{snap: Snapshot{Departments: []*directory.Department{root}, Members: []Member{owner}},
		st: fakeState{depts: map[uuid.UUID]NewDepartment{}, members: map[uuid.UUID]MemberChange{}}}, orgID, ownerID
}

// run plans and applies req in chunks of chunk rows, as a runner does.
func run(t *testing.T, store *fakeStore, orgID, ownerID uuid.UUID, req Request, chunk int) *fakeQueue {
	t.Helper()
	q := &fakeQueue{}
	r := NewRunner(RunnerConfig{Chunk: chunk}, RunnerDeps{
		Tx: fakeTx{store}, Clock: clockAt(time.Now()), Queue: q, Store: store, Credentials: noRevoke{}, Invitations: fakeInviter{store},
		Limits: limits{MaxDepartmentDepth: 5, MaxDeptsPerMember: 3}, Authorizer: allow{},
	})
	payload, _ := json.Marshal(req)
	job, err := importer.NewJob(orgID, ownerID, importer.FormatJSON, req.Rows(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.execute(context.Background(), Claim{Job: job, Attempt: 1, Payload: payload}, r.d.Log); err != nil {
		t.Fatal(err)
	}
	return q
}

func report(q *fakeQueue) string {
	var out []string
	for _, is := range q.issues {
		out = append(out, fmt.Sprintf("%s %d %s", is.Kind, is.Row, is.Code))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func user(ext, email string, depts ...string) UserRow {
	return UserRow{ExternalID: ext, Email: email, DisplayName: strings.ToUpper(ext), Departments: depts}
}

// TestChunkFallsBackRowByRow: when a chunk's set-based statements fail, its rows are applied
// one by one; only the row that fails is reported and undone, and a department it would have
// created is made by the next row that needs it.
func TestChunkFallsBackRowByRow(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	store.failEmail = "boom@acme.example"
	req := Request{Users: []UserRow{
		user("U1", "u1@acme.example", "Ops"),
		user("U2", "boom@acme.example", "Ops/Night"),
		user("U3", "u3@acme.example", "Ops/Night"),
		user("U4", "u4@acme.example"),
		user("U5", "u5@acme.example", "Sales"),
	}}
	for i := range req.Users {
		req.Users[i].Row = i + 1
	}
	q := run(t, store, orgID, ownerID, req, 3)
	if got := report(q); got != "user 2 email_taken" {
		t.Fatalf("report: %s", got)
	}
	if q.counts != (importer.Counts{Processed: 5, Applied: 4, Failed: 1, Created: 4}) {
		t.Fatalf("counts: %+v", q.counts)
	}
	if len(store.st.members) != 4 {
		t.Fatalf("%d members applied", len(store.st.members))
	}
	var names []string
	for _, d := range store.st.depts {
		names = append(names, d.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "Night,Ops,Sales" {
		t.Fatalf("departments: %v", names)
	}
	// The first chunk went row by row (one-row batches); the second was one batch again.
	if fmt.Sprint(store.batches) != "[3 1 1 1 2]" {
		t.Fatalf("batches: %v", store.batches)
	}
}

func TestDepartmentRows(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	req := Request{Departments: []DepartmentRow{
		{Row: 1, ExternalID: "A", Name: "A", ParentExternalID: "B"},
		{Row: 2, ExternalID: "B", Name: "B", ParentExternalID: "A"},
		{Row: 3, ExternalID: "C", Name: "C", ParentExternalID: "A"},
		{Row: 4, ExternalID: "D", Name: "D", ParentExternalID: "E"},
		{Row: 5, ExternalID: "E", Path: "Top/E"},
		{Row: 6, ExternalID: "F", Path: "Top/F", Name: "Other"},
		{Row: 7, ExternalID: "G", Path: "Top", ParentExternalID: "E"},
		{Row: 8, ExternalID: "H", Name: "E", ParentExternalID: "Top"},
		{Row: 9, ExternalID: "I", Path: "Top/E/D/x/y"},
		{Row: 10, Name: "a/b"},
		{Row: 11, ExternalID: strings.Repeat("x", 201), Name: "Long"},
	}}
	q := run(t, store, orgID, ownerID, req, 100)
	want := "department 1 cycle; department 10 path_separator; department 11 invalid_external_id; department 2 cycle; " +
		"department 3 parent_failed; department 6 path_name_mismatch; department 7 invalid_request; department 8 unknown_parent; department 9 too_deep"
	if got := report(q); got != want {
		t.Fatalf("report:\n got %s\nwant %s", got, want)
	}
	// D comes after E, its parent, though it is written before it.
	var made []string
	for _, d := range store.st.depts {
		made = append(made, d.Name+"="+d.ExternalID)
	}
	sort.Strings(made)
	if strings.Join(made, ",") != "D=D,E=E,Top=" {
		t.Fatalf("created: %v", made)
	}
}

// TestMovesAreChecked: a department cannot move into its own subtree or past the depth limit.
func TestMovesAreChecked(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	q := run(t, store, orgID, ownerID, Request{Departments: []DepartmentRow{
		{Row: 1, ExternalID: "A", Path: "A"},
		{Row: 2, ExternalID: "B", Path: "A/B"},
		{Row: 3, ExternalID: "C", Path: "A/B/C"},
		{Row: 4, ExternalID: "A", Name: "A", ParentExternalID: "C"},
	}}, 100)
	if got := report(q); got != "department 4 duplicate_external_id" {
		t.Fatalf("report: %s", got)
	}
	// Against the tree as stored: A/B/C/D exists; moves are planned against it.
	root := store.snap.Departments[0]
	mk := func(parent *directory.Department, name, ext string) *directory.Department {
		d, err := directory.NewDepartment(parent, name, ext, 25, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		store.snap.Departments = append(store.snap.Departments, d)
		return d
	}
	a := mk(root, "A", "A")
	b := mk(a, "B", "B")
	c := mk(b, "C", "C")
	d := mk(c, "D", "D")
	mk(root, "X", "X")
	store.st = fakeState{depts: map[uuid.UUID]NewDepartment{}, members: map[uuid.UUID]MemberChange{}}
	q = run(t, store, orgID, ownerID, Request{Departments: []DepartmentRow{
		{Row: 1, ExternalID: "A", Name: "A", ParentExternalID: "C"}, // into its own subtree
		{Row: 2, ExternalID: "B", Name: "B", ParentExternalID: "C"}, // under its own child
		{Row: 3, ExternalID: "B", Name: "B", ParentExternalID: "X"}, // duplicate of row 2
		{Row: 4, ExternalID: "D", Name: "D", Path: "X/Y/D"},         // a leaf to depth 4: allowed
	}}, 100)
	if got := report(q); got != "department 1 cycle; department 2 cycle; department 3 duplicate_external_id" {
		t.Fatalf("report: %s", got)
	}
	if len(store.st.updates) != 1 || store.st.updates[0].ID != d.ID() || store.st.updates[0].NewParentID == uuid.Nil {
		t.Fatalf("updates: %+v", store.st.updates)
	}
	q = run(t, store, orgID, ownerID, Request{Departments: []DepartmentRow{
		{Row: 1, ExternalID: "C", Path: "X/Y/Z/C"}, // X/Y/Z/C/D: depth 6, too deep
	}}, 100)
	if got := report(q); got != "department 1 too_deep" {
		t.Fatalf("report: %s", got)
	}
}
