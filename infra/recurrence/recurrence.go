// Package recurrence computes the occurrences of a repeating task from an RFC 5545 RRULE value,
// with github.com/teambition/rrule-go doing the calendar arithmetic.
//
// The rule is only the RRULE value ("FREQ=WEEKLY;BYDAY=MO"): the series starts at the task's due
// time, so DTSTART, RDATE, EXDATE and EXRULE are refused, and so is a leading "RRULE:" property
// name, because what is stored is exactly what the client sends back and the recurrence editor
// reads. Keys are matched without regard to case. Occurrences keep the wall-clock time of the
// start in the start's time zone: a 09:00 task in Europe/Berlin stays at 09:00 local across a
// daylight-saving change, so its UTC instant moves by an hour.
package recurrence

import (
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"canopy/domain/errs"
)

// MaxCount is the largest COUNT a rule may have; a longer series is refused.
const MaxCount = 1000

// maxInterval bounds INTERVAL so that a rule cannot jump beyond the calendar the library knows.
const maxInterval = 1000

// Rules is the recurrence engine. The zero value is ready to use and safe for concurrent use.
type Rules struct{}

// New returns the recurrence engine.
func New() Rules { return Rules{} }

// Validate checks a rule without a start. It returns errs.Invalid with the code invalid_rrule
// (not an RRULE value, or a part this engine does not take), rrule_too_frequent (SECONDLY,
// MINUTELY, HOURLY, or several BYHOUR/BYMINUTE/BYSECOND values, which repeat within a day),
// rrule_count_too_large (COUNT over MaxCount) or rrule_dtstart (DTSTART, RDATE, EXDATE or EXRULE:
// the series starts at the task's due time).
func (Rules) Validate(rule string) error {
	_, err := parse(rule, time.UTC)
	return err
}

// Next returns the first occurrence of the series that starts at start and repeats by rule,
// strictly after after; false when the series has ended (COUNT reached, or UNTIL passed).
// start's Location is the due time zone: occurrences keep its wall-clock time there, and an
// UNTIL without a "Z" is read in it. The result is in start's Location.
func (Rules) Next(rule string, start, after time.Time) (time.Time, bool, error) {
	opt, err := parse(rule, start.Location())
	if err != nil {
		return time.Time{}, false, err
	}
	opt.Dtstart = start
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return time.Time{}, false, invalid("invalid_rrule", "the recurrence rule is not valid: "+err.Error())
	}
	next := r.After(after, false)
	if next.IsZero() {
		return time.Time{}, false, nil
	}
	return next.In(start.Location()), true, nil
}

// parse checks the rule's parts and hands it to rrule-go.
func parse(rule string, loc *time.Location) (*rrule.ROption, error) {
	rule = strings.ToUpper(strings.TrimSpace(rule))
	if rule == "" {
		return nil, invalid("invalid_rrule", "the recurrence rule is empty")
	}
	if len(rule) > 512 {
		return nil, invalid("invalid_rrule", "the recurrence rule is too long")
	}
	for _, banned := range []string{"DTSTART", "RDATE", "EXDATE", "EXRULE"} {
		if strings.Contains(rule, banned) {
			return nil, invalid("rrule_dtstart", "the recurrence rule may not have "+banned+": the series starts at the task's due time")
		}
	}
	if strings.ContainsAny(rule, "\r\n:") {
		// "RRULE:..." and multi-line iCalendar text: only the bare value is stored.
		return nil, invalid("invalid_rrule", `the recurrence rule must be an RRULE value such as "FREQ=WEEKLY;BYDAY=MO", without "RRULE:"`)
	}
	for _, part := range strings.Split(rule, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return nil, invalid("invalid_rrule", "the recurrence rule part "+strconv.Quote(part)+" is not KEY=VALUE")
		}
		switch key {
		case "FREQ":
			switch value {
			case "SECONDLY", "MINUTELY", "HOURLY":
				return nil, invalid("rrule_too_frequent", "a task can repeat at most daily")
			}
		case "COUNT":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return nil, invalid("invalid_rrule", "COUNT must be a positive number")
			}
			if n > MaxCount {
				return nil, invalid("rrule_count_too_large", "COUNT may be at most "+strconv.Itoa(MaxCount))
			}
		case "INTERVAL":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > maxInterval {
				return nil, invalid("invalid_rrule", "INTERVAL must be between 1 and "+strconv.Itoa(maxInterval))
			}
		case "BYHOUR", "BYMINUTE", "BYSECOND":
			if strings.Contains(value, ",") {
				return nil, invalid("rrule_too_frequent", "a task can repeat at most daily")
			}
		case "BYEASTER":
			// An extension of the library, not RFC 5545.
			return nil, invalid("invalid_rrule", "unknown recurrence rule part BYEASTER")
		}
	}
	opt, err := rrule.StrToROptionInLocation(rule, loc)
	if err != nil {
		return nil, invalid("invalid_rrule", "the recurrence rule is not valid: "+err.Error())
	}
	if opt.Count > 0 && !opt.Until.IsZero() {
		return nil, invalid("invalid_rrule", "a recurrence rule may have COUNT or UNTIL, not both")
	}
	// Bounds (BYMONTHDAY 1..31 and so on) are the library's; checking them here keeps Validate
	// and Next in agreement.
	probe := *opt
	probe.Dtstart = time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	if _, err := rrule.NewRRule(probe); err != nil {
		return nil, invalid("invalid_rrule", "the recurrence rule is not valid: "+err.Error())
	}
	return opt, nil
}

func invalid(code, msg string) error { return errs.E(errs.Invalid, code, msg) }
