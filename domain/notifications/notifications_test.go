package notifications

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

func TestQuietHoursWrapPastMidnight(t *testing.T) {
	q, err := NewQuietHours(22*60, 7*60)
	if err != nil {
		t.Fatal(err)
	}
	for minute, want := range map[int]bool{23 * 60: true, 0: true, 6*60 + 59: true, 7 * 60: false, 12 * 60: false, 22 * 60: true} {
		if got := q.Contains(minute); got != want {
			t.Errorf("Contains(%d) = %v, want %v", minute, got, want)
		}
	}
	day, _ := NewQuietHours(9*60, 17*60)
	if !day.Contains(9*60) || day.Contains(17*60) || day.Contains(8*60) {
		t.Error("a window within the day is [start, end)")
	}
}

func TestQuietHoursRefusesBadWindows(t *testing.T) {
	for _, c := range [][2]int{{-1, 60}, {60, MinutesPerDay}, {60, 60}} {
		if _, err := NewQuietHours(c[0], c[1]); !errs.Is(err, errs.Invalid) {
			t.Errorf("NewQuietHours(%d, %d) = %v, want Invalid", c[0], c[1], err)
		}
	}
}

func TestParse(t *testing.T) {
	if _, err := ParseChannel("channel", "sms"); !errs.Is(err, errs.Invalid) {
		t.Errorf("sms: %v", err)
	}
	if c, err := ParseChannel("channel", "off"); err != nil || c != ChannelOff {
		t.Errorf("off: %v %v", c, err)
	}
	if !Notifies("files.file_shared") || Notifies("files.file_uploaded") {
		t.Error("only files.file_shared notifies so far")
	}
}

func TestNewRefusesAKindThatDoesNotNotify(t *testing.T) {
	in := NewInput{OrgID: uuid.New(), UserID: uuid.New(), Kind: "files.file_uploaded", SubjectType: "file", SubjectID: uuid.New()}
	if _, err := New(in, time.Now()); err == nil {
		t.Fatal("a kind that does not notify made a notification")
	}
	in.Kind = KindFileShared
	n, err := New(in, time.Now())
	if err != nil || n.ReadAt() != nil || string(n.Payload()) != "{}" {
		t.Fatalf("New = %v, %v", n, err)
	}
}
