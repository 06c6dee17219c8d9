package tasks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

func TestNewComment(t *testing.T) {
	org, task, author, li := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	c, err := NewComment(org, task, author, "看一下 **this**", []uuid.UUID{li, author, li}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The author is never mentioned; a repeat counts once.
	if !slices.Equal(c.Mentions(), []uuid.UUID{li}) {
		t.Fatalf("mentions = %v", c.Mentions())
	}
	bad := map[string]string{
		"":                                     "missing_field",
		"  \n\t":                               "missing_field",
		strings.Repeat("x", MaxCommentBytes+1): "comment_too_long",
		"a\x00b":                               "",
	}
	for body, code := range bad {
		_, err := NewComment(org, task, author, body, nil, time.Now())
		if !errs.Is(err, errs.Invalid) || (code != "" && errs.CodeOf(err) != code) {
			t.Errorf("body %.20q: %v, want Invalid %s", body, err, code)
		}
	}
	if _, err := NewComment(org, task, author, strings.Repeat("字", MaxCommentBytes/3), nil, time.Now()); err != nil {
		t.Errorf("a body of exactly the limit: %v", err)
	}
	many := make([]uuid.UUID, MaxMentions+1)
	for i := range many {
		many[i] = uuid.New()
	}
	if _, err := NewComment(org, task, author, "hi", many, time.Now()); errs.CodeOf(err) != "too_many_mentions" {
		t.Errorf("too many mentions: %v", err)
	}
	if _, err := NewComment(org, task, author, "hi", []uuid.UUID{uuid.Nil}, time.Now()); errs.CodeOf(err) != "unknown_member" {
		t.Errorf("nil mention: %v", err)
	}
	if err := c.Edit("", time.Now()); !errs.Is(err, errs.Invalid) || c.Body() != "看一下 **this**" {
		t.Errorf("a blank edit: %v, body %q", err, c.Body())
	}
	if err := c.Edit("new", time.Now()); err != nil || c.Body() != "new" || c.EditedAt().IsZero() {
		t.Errorf("edit: %v", err)
	}
}

func TestReminderOffsets(t *testing.T) {
	got, err := ReminderOffsets([]int{60, 0, 60, 1440})
	if err != nil || !slices.Equal(got, []int{0, 60, 1440}) {
		t.Fatalf("ReminderOffsets = %v, %v", got, err)
	}
	if got, err := ReminderOffsets(nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("none: %v, %v", got, err)
	}
	for _, bad := range [][]int{{-1}, {MaxReminderOffset + 1}, {1, 2, 3, 4, 5, 6}} {
		if _, err := ReminderOffsets(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := ReminderOffsets([]int{MaxReminderOffset, 1, 2, 3, 3, 4}); err != nil {
		t.Errorf("five after repeats are dropped: %v", err)
	}
}
