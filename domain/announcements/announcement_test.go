package announcements

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

func TestNewChecksItsFields(t *testing.T) {
	org, me := uuid.New(), uuid.New()
	ok := NewInput{OrgID: org, Scope: ScopeOrg, Title: "  Holiday  ", Body: "Closed **Friday**", PublishedBy: me}
	a, err := New(ok, "<p>Closed</p>", time.Now())
	if err != nil || a.Title() != "Holiday" || a.TargetID() != org || a.BodyHTML() != "<p>Closed</p>" {
		t.Fatalf("New: %v %v", a, err)
	}
	for name, c := range map[string]struct {
		in   func(NewInput) NewInput
		code string
	}{
		"an empty title":              {func(in NewInput) NewInput { in.Title = " "; return in }, "missing_field"},
		"a long title":                {func(in NewInput) NewInput { in.Title = strings.Repeat("公", 201); return in }, "invalid_title"},
		"a two-line title":            {func(in NewInput) NewInput { in.Title = "a\nb"; return in }, "control_character"},
		"a body past 16 KiB":          {func(in NewInput) NewInput { in.Body = strings.Repeat("x", MaxBodyBytes+1); return in }, "body_too_long"},
		"an unknown scope":            {func(in NewInput) NewInput { in.Scope = "planet"; return in }, "invalid_scope"},
		"a department with no target": {func(in NewInput) NewInput { in.Scope = ScopeDepartment; return in }, "missing_field"},
	} {
		_, err := New(c.in(ok), "", time.Now())
		if !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	if _, err := New(func() NewInput { in := ok; in.Body = strings.Repeat("x", MaxBodyBytes); return in }(), "", time.Now()); err != nil {
		t.Errorf("a body of exactly 16 KiB: %v", err)
	}
}

func TestRemindWaitsTenMinutes(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a, err := New(NewInput{OrgID: uuid.New(), Scope: ScopeOrg, Title: "t", RequiresAck: true, PublishedBy: uuid.New()}, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Remind(now); err != nil {
		t.Fatal(err)
	}
	err = a.Remind(now.Add(4 * time.Minute))
	var e *errs.Error
	if !errs.Is(err, errs.TooManyRequests) || !errors.As(err, &e) || e.RetryAfter != 6*time.Minute {
		t.Fatalf("a second reminder after 4 minutes: %v", err)
	}
	if err := a.Remind(now.Add(10 * time.Minute)); err != nil || !a.LastRemindedAt().Equal(now.Add(10*time.Minute)) {
		t.Fatalf("after 10 minutes: %v", err)
	}
	b, _ := New(NewInput{OrgID: uuid.New(), Scope: ScopeOrg, Title: "t", PublishedBy: uuid.New()}, "", now)
	if err := b.Remind(now); errs.CodeOf(err) != "ack_not_required" {
		t.Fatalf("reminding without acknowledgement: %v", err)
	}
}
