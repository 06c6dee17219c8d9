package moderation_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/moderation"
	"canopy/infra/postgres"
	pgmoderation "canopy/infra/postgres/moderation"
	"canopy/infra/postgres/pgtest"
)

func TestRulesAndFlags(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@mod.example")
	o := pgtest.MustOrg(t, db, owner)
	other := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@other.example"))
	rules, flags := pgmoderation.NewRules(db), pgmoderation.NewFlags(db)

	if v, err := rules.Version(ctx, o.ID()); err != nil || v != 0 {
		t.Fatalf("version before any change: %d %v", v, err)
	}
	secret, _ := moderation.NewRule(o.ID(), owner.ID(), "Secret", "block", time.Now())
	if err := rules.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	dup, _ := moderation.NewRule(o.ID(), owner.ID(), "ＳＥＣＲＥＴ", "flag", time.Now())
	if err := rules.Create(ctx, dup); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != "rule_exists" {
		t.Fatalf("a second rule of the same normalized phrase: %v", err)
	}
	same, _ := moderation.NewRule(other.ID(), owner.ID(), "secret", "flag", time.Now())
	if err := rules.Create(ctx, same); err != nil {
		t.Fatalf("another organisation's rule of the same phrase: %v", err)
	}
	for range 2 {
		if err := rules.Bump(ctx, o.ID()); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := rules.Version(ctx, o.ID()); v != 2 {
		t.Fatalf("version after two bumps: %d", v)
	}
	if v, _ := rules.Version(ctx, other.ID()); v != 0 {
		t.Fatalf("another organisation's version moved: %d", v)
	}
	if _, err := rules.Get(ctx, other.ID(), secret.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's rule: %v", err)
	}
	if err := rules.Delete(ctx, other.ID(), secret.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("delete through another organisation: %v", err)
	}
	got, err := rules.List(ctx, o.ID())
	if err != nil || len(got) != 1 || got[0].Normalized() != "secret" || got[0].Phrase() != "Secret" || got[0].Action() != moderation.Block {
		t.Fatalf("list: %v %v", got, err)
	}

	// Flags: one per hit; the review list filters by review state; a deleted rule leaves its
	// flags with their phrase.
	hit := moderation.FlagRecord{ID: uuid.New(), OrgID: o.ID(), RuleID: secret.ID(), Phrase: "Secret", SenderID: owner.ID(),
		Kind: moderation.KindFileName, Excerpt: "secret.docx", CreatedAt: time.Now().UTC()}
	if err := flags.Add(ctx, []moderation.FlagRecord{hit}); err != nil {
		t.Fatal(err)
	}
	f, err := flags.Get(ctx, o.ID(), hit.ID)
	if err != nil || f.SenderName != "U" || f.Kind != moderation.KindFileName || f.ChatID != uuid.Nil || f.Decision != "" {
		t.Fatalf("flag %+v %v", f, err)
	}
	if _, err := flags.Get(ctx, other.ID(), hit.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's flag: %v", err)
	}
	now := time.Now().UTC()
	f.ReviewedAt, f.ReviewedBy, f.Decision = &now, owner.ID(), moderation.Upheld
	if err := flags.Review(ctx, f); err != nil {
		t.Fatal(err)
	}
	no, yes := false, true
	if fs, n, err := flags.Query(ctx, moderation.FlagQuery{OrgID: o.ID(), Reviewed: &no, Limit: 10}); err != nil || n != 0 || len(fs) != 0 {
		t.Fatalf("unreviewed: %v %d %v", fs, n, err)
	}
	if fs, n, err := flags.Query(ctx, moderation.FlagQuery{OrgID: o.ID(), Reviewed: &yes, Limit: 10}); err != nil || n != 1 || fs[0].Decision != moderation.Upheld {
		t.Fatalf("reviewed: %v %d %v", fs, n, err)
	}
	if err := rules.Delete(ctx, o.ID(), secret.ID()); err != nil {
		t.Fatal(err)
	}
	if f, err := flags.Get(ctx, o.ID(), hit.ID); err != nil || f.RuleID != uuid.Nil || f.Phrase != "Secret" {
		t.Fatalf("the flag of a deleted rule: %+v %v", f, err)
	}

	// A flag naming a message that is not there fails when its transaction commits (the
	// reference is checked at commit, so the send transaction may write it first).
	missing := hit
	missing.ID, missing.MessageID, missing.RuleID = uuid.New(), uuid.New(), uuid.Nil
	err = postgres.NewTxManager(db).Within(ctx, func(ctx context.Context) error {
		return flags.Add(ctx, []moderation.FlagRecord{missing})
	})
	if err == nil {
		t.Fatal("a flag of a missing message was stored")
	}
}
