package moderation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appmoderation "canopy/app/moderation"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/moderation"
)

// memRules is a rule repository in memory that counts the reads checking does.
type memRules struct {
	mu       sync.Mutex
	rules    map[uuid.UUID][]*moderation.Rule
	versions map[uuid.UUID]int64
	lists    int
	reads    int // Version calls
}

func newMemRules() *memRules {
	return &memRules{rules: map[uuid.UUID][]*moderation.Rule{}, versions: map[uuid.UUID]int64{}}
}

func (m *memRules) Create(_ context.Context, r *moderation.Rule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.rules[r.OrgID()] {
		if x.Normalized() == r.Normalized() {
			return errs.E(errs.Conflict, "rule_exists", "exists")
		}
	}
	m.rules[r.OrgID()] = append(m.rules[r.OrgID()], r)
	return nil
}

func (m *memRules) Get(_ context.Context, orgID, id uuid.UUID) (*moderation.Rule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rules[orgID] {
		if r.ID() == id {
			return r, nil
		}
	}
	return nil, errs.NotFoundf("content rule")
}

func (m *memRules) Update(context.Context, *moderation.Rule) error { return nil }

func (m *memRules) Delete(_ context.Context, orgID, id uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := m.rules[orgID]
	for i, r := range rs {
		if r.ID() == id {
			m.rules[orgID] = append(rs[:i:i], rs[i+1:]...)
			return nil
		}
	}
	return errs.NotFoundf("content rule")
}

func (m *memRules) List(_ context.Context, orgID uuid.UUID) ([]*moderation.Rule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists++
	return append([]*moderation.Rule(nil), m.rules[orgID]...), nil
}

func (m *memRules) Count(_ context.Context, orgID uuid.UUID) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rules[orgID]), nil
}

func (m *memRules) Bump(_ context.Context, orgID uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.versions[orgID]++
	return nil
}

func (m *memRules) Version(_ context.Context, orgID uuid.UUID) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	return m.versions[orgID], nil
}

func (m *memRules) counts() (lists, reads int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lists, m.reads
}

type memFlags struct{ added []moderation.FlagRecord }

func (f *memFlags) Add(_ context.Context, fs []moderation.FlagRecord) error {
	f.added = append(f.added, fs...)
	return nil
}
func (f *memFlags) Get(context.Context, uuid.UUID, uuid.UUID) (moderation.FlagRecord, error) {
	return moderation.FlagRecord{}, errs.NotFoundf("content flag")
}
func (f *memFlags) Review(context.Context, moderation.FlagRecord) error { return nil }
func (f *memFlags) Query(context.Context, moderation.FlagQuery) ([]moderation.FlagRecord, int, error) {
	return nil, 0, nil
}

type tx struct{}

func (tx) Within(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// admins holds content_rules.manage for the users in it.
type admins map[uuid.UUID]bool

func (z admins) Can(_ context.Context, a authz.Actor, p access.Permission, _ string) (bool, error) {
	return z[a.UserID] && p == access.ContentRulesManage, nil
}
func (z admins) CanAnywhere(ctx context.Context, a authz.Actor, p access.Permission) (bool, error) {
	return z.Can(ctx, a, p, "")
}
func (z admins) Reach(context.Context, authz.Actor, access.Permission) (authz.Reach, error) {
	return authz.Reach{}, nil
}

type audit struct{ entries []access.AuditEntry }

func (a *audit) Append(_ context.Context, e access.AuditEntry) error {
	a.entries = append(a.entries, e)
	return nil
}

type fixture struct {
	svc    *appmoderation.Service
	rules  *memRules
	flags  *memFlags
	clock  *clock
	audit  *audit
	admin  authz.Actor
	member authz.Actor
}

func newFixture() fixture {
	orgID := uuid.New()
	admin, member := authz.Actor{OrgID: orgID}, authz.Actor{OrgID: orgID}
	admin.UserID, member.UserID = uuid.New(), uuid.New()
	f := fixture{rules: newMemRules(), flags: &memFlags{}, clock: &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}, audit: &audit{},
		admin: admin, member: member}
	f.svc = appmoderation.NewService(appmoderation.Config{CacheTTL: 3 * time.Second}, appmoderation.Deps{
		Tx: tx{}, Clock: f.clock, Authorizer: admins{admin.UserID: true}, Audit: f.audit, Rules: f.rules, Flags: f.flags,
	})
	return f
}

func (f fixture) mustRule(t *testing.T, phrase, action string) *moderation.Rule {
	t.Helper()
	r, err := f.svc.CreateRule(context.Background(), f.admin, appmoderation.RuleInput{Phrase: phrase, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f fixture) check(t *testing.T, text string) moderation.Verdict {
	t.Helper()
	v, err := f.svc.Check(context.Background(), f.admin.OrgID, text)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCheckingCostsNoQueryWhileFresh shows the cache: within the TTL a check reads nothing;
// after it, one version read, and the rules again only when the version moved.
func TestCheckingCostsNoQueryWhileFresh(t *testing.T) {
	f := newFixture()
	f.mustRule(t, "secret", "block")
	if v := f.check(t, "ＳＥＣＲＥＴ plan"); !v.Blocked || v.Phrase != "secret" {
		t.Fatalf("verdict %+v", v)
	}
	lists, reads := f.rules.counts()
	for range 100 {
		f.check(t, "a harmless message")
	}
	if l, r := f.rules.counts(); l != lists || r != reads {
		t.Fatalf("100 checks within the TTL read the rules %d and the version %d more times", l-lists, r-reads)
	}
	f.clock.add(4 * time.Second)
	f.check(t, "a harmless message")
	if l, r := f.rules.counts(); l != lists || r != reads+1 {
		t.Fatalf("after the TTL with no change: %d rule reads, %d version reads; want 0 and 1", l-lists, r-reads)
	}
	// Another replica changes the rules: this one sees it once its copy is older than the TTL.
	other := fixture{svc: appmoderation.NewService(appmoderation.Config{CacheTTL: 3 * time.Second}, appmoderation.Deps{
		Tx: tx{}, Clock: f.clock, Authorizer: admins{f.admin.UserID: true}, Audit: f.audit, Rules: f.rules, Flags: f.flags}), admin: f.admin}
	other.mustRule(t, "机密", "block")
	if v := other.check(t, "这是机密文件"); !v.Blocked {
		t.Fatal("the replica that made the rule does not apply it at once")
	}
	f.clock.add(4 * time.Second)
	if v := f.check(t, "这是机密文件"); !v.Blocked || v.Phrase != "机密" {
		t.Fatalf("the other replica does not apply the new rule after the TTL: %+v", v)
	}
}

func TestChangesApplyAtOnceOnTheReplica(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	if f.check(t, "top secret").Blocked {
		t.Fatal("blocked with no rules")
	}
	r := f.mustRule(t, "secret", "flag")
	v := f.check(t, "top secret")
	if v.Blocked || len(v.Flags) != 1 || v.Flags[0].RuleID != r.ID() {
		t.Fatalf("verdict %+v", v)
	}
	block := "block"
	if _, err := f.svc.UpdateRule(ctx, f.admin, r.ID(), moderation.RuleChange{Action: &block}); err != nil {
		t.Fatal(err)
	}
	if !f.check(t, "top secret").Blocked {
		t.Fatal("the update does not apply at once")
	}
	if err := f.svc.DeleteRule(ctx, f.admin, r.ID()); err != nil {
		t.Fatal(err)
	}
	if f.check(t, "top secret").Blocked {
		t.Fatal("the deletion does not apply at once")
	}
	var actions []string
	for _, e := range f.audit.entries {
		actions = append(actions, e.Action)
	}
	if len(actions) != 3 || actions[0] != "content_rule.create" || actions[1] != "content_rule.update" || actions[2] != "content_rule.delete" {
		t.Fatalf("audit %v", actions)
	}
}

func TestMemberCannotManage(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	r := f.mustRule(t, "secret", "block")
	if _, err := f.svc.CreateRule(ctx, f.member, appmoderation.RuleInput{Phrase: "x", Action: "block"}); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("create: %v", err)
	}
	if _, err := f.svc.Rules(ctx, f.member); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("list: %v", err)
	}
	if err := f.svc.DeleteRule(ctx, f.member, r.ID()); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("delete: %v", err)
	}
	if _, _, err := f.svc.Flags(ctx, f.member, nil, 10, 0); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("flags: %v", err)
	}
	if _, err := f.svc.Review(ctx, f.member, uuid.New(), "upheld"); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("review: %v", err)
	}
}

func TestFlagRecordsEachHit(t *testing.T) {
	f := newFixture()
	f.mustRule(t, "salary", "flag")
	f.mustRule(t, "转账", "flag")
	v := f.check(t, "SALARY 请转账")
	chat, msg, sender := uuid.New(), uuid.New(), uuid.New()
	err := f.svc.Flag(context.Background(), f.admin.OrgID, v.Flags, appmoderation.FlagInput{ChatID: chat, MessageID: msg, SenderID: sender,
		Kind: moderation.KindMessage, Excerpt: "SALARY 请转账"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.flags.added) != 2 || f.flags.added[0].MessageID != msg || f.flags.added[1].Phrase != "转账" || f.flags.added[0].Excerpt != "SALARY 请转账" {
		t.Fatalf("flags %+v", f.flags.added)
	}
}
