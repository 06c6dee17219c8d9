package recurrence

import (
	"testing"
	"time"

	"canopy/domain/errs"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// series returns the first n occurrences strictly after start (start counts as the first
// occurrence of a series, so it is what a completed first task hands over).
func series(t *testing.T, rule string, start time.Time, n int) []time.Time {
	t.Helper()
	var out []time.Time
	after := start
	for range n {
		next, ok, err := New().Next(rule, start, after)
		if err != nil {
			t.Fatalf("Next(%q): %v", rule, err)
		}
		if !ok {
			break
		}
		if !next.After(after) {
			t.Fatalf("Next(%q, after %v) = %v, not strictly after", rule, after, next)
		}
		out = append(out, next)
		after = next
	}
	return out
}

func TestEveryWeekdaySkipsTheWeekend(t *testing.T) {
	loc := mustLoc(t, "Asia/Shanghai")
	start := time.Date(2026, 3, 5, 9, 0, 0, 0, loc) // Thursday
	got := series(t, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", start, 6)
	want := []int{6, 9, 10, 11, 12, 13} // Fri, then Mon..Fri; 7 and 8 are the weekend
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, d := range want {
		if got[i].Day() != d || got[i].Hour() != 9 || got[i].Weekday() == time.Saturday || got[i].Weekday() == time.Sunday {
			t.Errorf("occurrence %d = %v, want March %d 09:00", i, got[i], d)
		}
	}
	// From a Saturday (the task was moved there), the next is Monday.
	next, ok, err := New().Next("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", start, time.Date(2026, 3, 7, 12, 0, 0, 0, loc))
	if err != nil || !ok || next.Weekday() != time.Monday || next.Day() != 9 {
		t.Fatalf("after Saturday: %v %v %v", next, ok, err)
	}
}

func TestMonthlyOnTheLastFriday(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	start := time.Date(2026, 1, 30, 17, 0, 0, 0, loc) // last Friday of January 2026 (a 5-Friday month)
	got := series(t, "FREQ=MONTHLY;BYDAY=-1FR", start, 5)
	// February and March 2026 have 4 Fridays, May 5 (1, 8, 15, 22, 29).
	want := []time.Time{
		time.Date(2026, 2, 27, 17, 0, 0, 0, loc),
		time.Date(2026, 3, 27, 17, 0, 0, 0, loc),
		time.Date(2026, 4, 24, 17, 0, 0, 0, loc),
		time.Date(2026, 5, 29, 17, 0, 0, 0, loc),
		time.Date(2026, 6, 26, 17, 0, 0, 0, loc),
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("occurrence %d = %v, want %v", i, got[i], want[i])
		}
		// Independent check: a Friday, and a week later is the next month.
		if got[i].Weekday() != time.Friday || got[i].AddDate(0, 0, 7).Month() == got[i].Month() {
			t.Errorf("occurrence %d = %v is not the month's last Friday", i, got[i])
		}
	}
}

func TestWeeklyKeepsLocalTimeAcrossDST(t *testing.T) {
	cases := []struct {
		zone           string
		beforeUTC      [2]int // hour UTC before / after the spring change
		afterSpringUTC int
		afterAutumnUTC int
	}{
		// Europe/Berlin: CET (UTC+1) until 29 March 2026, CEST (UTC+2) until 25 October 2026.
		{"Europe/Berlin", [2]int{8, 0}, 7, 8},
		// Asia/Shanghai has no daylight saving: 09:00 local is 01:00 UTC all year.
		{"Asia/Shanghai", [2]int{1, 0}, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			loc := mustLoc(t, c.zone)
			start := time.Date(2026, 3, 23, 9, 0, 0, 0, loc) // Monday before the spring change
			if start.UTC().Hour() != c.beforeUTC[0] {
				t.Fatalf("start = %v UTC", start.UTC())
			}
			spring, ok, err := New().Next("FREQ=WEEKLY", start, start)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			if spring.Day() != 30 || spring.Hour() != 9 || spring.UTC().Hour() != c.afterSpringUTC {
				t.Errorf("after spring change: %v (UTC %v)", spring, spring.UTC())
			}
			// The same series in October, across the autumn change.
			before := time.Date(2026, 10, 19, 9, 0, 0, 0, loc)
			autumn, ok, err := New().Next("FREQ=WEEKLY", start, before)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			if autumn.Month() != time.October || autumn.Day() != 26 || autumn.Hour() != 9 || autumn.UTC().Hour() != c.afterAutumnUTC {
				t.Errorf("after autumn change: %v (UTC %v)", autumn, autumn.UTC())
			}
			// Passing start in UTC instead would have kept the UTC hour: the Location matters.
			if c.zone == "Europe/Berlin" {
				utc, _, _ := New().Next("FREQ=WEEKLY", start.UTC(), start.UTC())
				if utc.Equal(spring) {
					t.Errorf("a UTC start gave the local answer %v; the test would not catch a lost Location", utc)
				}
			}
		})
	}
}

func TestAllDaySeriesStaysAtLocalMidnight(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	start := time.Date(2026, 3, 28, 0, 0, 0, 0, loc)
	got := series(t, "FREQ=DAILY", start, 3)
	for i, g := range got {
		if g.Hour() != 0 || g.Minute() != 0 || g.Day() != 29+i {
			t.Errorf("occurrence %d = %v, want local midnight of March %d", i, g, 29+i)
		}
	}
	// 29 March is still UTC+1 at midnight; 30 March is UTC+2.
	if got[0].UTC().Hour() != 23 || got[1].UTC().Hour() != 22 {
		t.Errorf("UTC instants %v %v", got[0].UTC(), got[1].UTC())
	}
}

func TestCountEndsTheSeries(t *testing.T) {
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	got := series(t, "FREQ=DAILY;COUNT=3", start, 10)
	// COUNT includes the start: two more occurrences, then the series ends.
	if len(got) != 2 || got[1].Day() != 6 {
		t.Fatalf("got %v", got)
	}
	_, ok, err := New().Next("FREQ=DAILY;COUNT=3", start, got[1])
	if err != nil || ok {
		t.Fatalf("after the last: ok=%v err=%v", ok, err)
	}
}

func TestUntilEndsTheSeries(t *testing.T) {
	loc := mustLoc(t, "Asia/Shanghai")
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, loc)
	got := series(t, "FREQ=DAILY;UNTIL=20260507T010000Z", start, 10)
	if len(got) != 3 || got[2].Day() != 7 {
		t.Fatalf("UTC until: got %v", got)
	}
	// An UNTIL without Z is local to the due time zone: 08:59 on the 7th excludes the 09:00 one.
	got = series(t, "FREQ=DAILY;UNTIL=20260507T085900", start, 10)
	if len(got) != 2 {
		t.Fatalf("local until: got %v", got)
	}
}

func TestValidate(t *testing.T) {
	ok := []string{
		"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=MONTHLY;BYDAY=-1FR",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=WEEKLY;INTERVAL=2;COUNT=1000", "freq=weekly;byday=mo",
		"FREQ=DAILY;UNTIL=20301231T000000Z", "FREQ=MONTHLY;BYMONTHDAY=-1",
	}
	for _, r := range ok {
		if err := New().Validate(r); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", r, err)
		}
	}
	bad := map[string]string{
		"FREQ=DAILY;COUNT=1001":                      "rrule_count_too_large",
		"FREQ=SECONDLY":                              "rrule_too_frequent",
		"FREQ=MINUTELY;COUNT=5":                      "rrule_too_frequent",
		"FREQ=HOURLY":                                "rrule_too_frequent",
		"FREQ=DAILY;BYHOUR=9,10":                     "rrule_too_frequent",
		"DTSTART=20260101T000000Z;FREQ=DAILY":        "rrule_dtstart",
		"DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY": "rrule_dtstart",
		"FREQ=DAILY;RDATE=20260101T000000Z":          "rrule_dtstart",
		"FREQ=DAILY;EXDATE=20260101T000000Z":         "rrule_dtstart",
		"RRULE:FREQ=DAILY":                           "invalid_rrule",
		"":                                           "invalid_rrule",
		"garbage":                                    "invalid_rrule",
		"FREQ=FORTNIGHTLY":                           "invalid_rrule",
		"FREQ=DAILY;COUNT=0":                         "invalid_rrule",
		"FREQ=DAILY;COUNT=x":                         "invalid_rrule",
		"FREQ=DAILY;INTERVAL=0":                      "invalid_rrule",
		"BYDAY=MO":                                   "invalid_rrule",
		"FREQ=MONTHLY;BYMONTHDAY=32":                 "invalid_rrule",
		"FREQ=WEEKLY;BYDAY=XX":                       "invalid_rrule",
		"FREQ=DAILY;COUNT=3;UNTIL=20301231T000000Z":  "invalid_rrule",
		"FREQ=DAILY;;":                               "invalid_rrule",
		"FREQ=YEARLY;BYEASTER=0":                     "invalid_rrule",
		"FREQ=DAILY;FOO=1":                           "invalid_rrule",
	}
	for r, code := range bad {
		err := New().Validate(r)
		if !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != code {
			t.Errorf("Validate(%q) = %v, want Invalid %s", r, err, code)
		}
		// Next refuses exactly what Validate refuses.
		if _, _, nerr := New().Next(r, time.Now(), time.Now()); errs.CodeOf(nerr) != code {
			t.Errorf("Next(%q) = %v, want %s", r, nerr, code)
		}
	}
}
