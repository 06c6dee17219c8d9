package org

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Profile holds a member's employee details in one organisation: what HR knows of them there,
// beside the account's name and email. Empty strings, a nil ManagerID and a zero HireDate are
// details not given.
type Profile struct {
	// EmployeeNumber is unique within the organisation when set.
	EmployeeNumber string
	JobTitle       string
	// Mobile is in E.164 form ("+8613800138000").
	Mobile       string
	WorkLocation string
	// ManagerID is another member of the organisation; the chain of managers has no cycle.
	ManagerID *uuid.UUID
	// HireDate is a calendar date (midnight UTC).
	HireDate *time.Time
}

// ProfileChange holds changes to a Profile; nil leaves a field as it is, and an empty string
// clears it (ManagerID and HireDate included).
type ProfileChange struct {
	EmployeeNumber *string
	JobTitle       *string
	Mobile         *string
	WorkLocation   *string
	// ManagerID is the manager's user id.
	ManagerID *string
	// HireDate is a date such as "2024-03-01".
	HireDate *string
}

// Empty reports whether the change changes nothing.
func (c ProfileChange) Empty() bool {
	return c.EmployeeNumber == nil && c.JobTitle == nil && c.Mobile == nil && c.WorkLocation == nil && c.ManagerID == nil && c.HireDate == nil
}

// ManagerChanged reports whether the change names a manager (or clears it).
func (c ProfileChange) ManagerChanged() bool { return c.ManagerID != nil }

// The most characters of each free-text detail.
const (
	MaxEmployeeNumber = 64
	MaxJobTitle       = 128
	MaxWorkLocation   = 128
)

// Apply returns the profile of member userID with the change made, each field validated:
// Invalid invalid_field (with the field named) for text too long or with control characters,
// invalid_mobile for a phone number that is not E.164, invalid_date for a hire date that is not
// a date, invalid_manager for a manager id that is not one or is the member themself. Whether
// the manager is an active member and makes no cycle is the repository's to check.
func (p Profile) Apply(userID uuid.UUID, c ProfileChange) (Profile, error) {
	var err error
	if c.EmployeeNumber != nil {
		if p.EmployeeNumber, err = line("employee_number", *c.EmployeeNumber, MaxEmployeeNumber); err != nil {
			return p, err
		}
	}
	if c.JobTitle != nil {
		if p.JobTitle, err = line("job_title", *c.JobTitle, MaxJobTitle); err != nil {
			return p, err
		}
	}
	if c.WorkLocation != nil {
		if p.WorkLocation, err = line("work_location", *c.WorkLocation, MaxWorkLocation); err != nil {
			return p, err
		}
	}
	if c.Mobile != nil {
		if p.Mobile, err = NormalizeMobile(*c.Mobile); err != nil {
			return p, err
		}
	}
	if c.HireDate != nil {
		if p.HireDate, err = parseDate("hire_date", *c.HireDate); err != nil {
			return p, err
		}
	}
	if c.ManagerID != nil {
		v := strings.TrimSpace(*c.ManagerID)
		if v == "" {
			p.ManagerID = nil
		} else {
			id, err := uuid.Parse(v)
			if err != nil {
				return p, errs.E(errs.Invalid, "invalid_manager", "manager_id must be a member's user id")
			}
			if id == userID {
				return p, errs.E(errs.Invalid, "invalid_manager", "a member cannot be their own manager")
			}
			p.ManagerID = &id
		}
	}
	return p, nil
}

func line(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if err := text.Line(field, s); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > max {
		return "", errs.E(errs.Invalid, "invalid_field", field+" must be at most "+strconv.Itoa(max)+" characters")
	}
	return s, nil
}

func parseDate(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 1900 || d.Year() > 9999 {
		return nil, errs.E(errs.Invalid, "invalid_date", field+" must be a date such as 2024-03-01")
	}
	return &d, nil
}

// NormalizeMobile turns a phone number as people type it into E.164: a "+", the country code
// and the number, 8 to 15 digits in all. Spaces, dashes, dots and parentheses between the
// digits are dropped ("+86 138-0013-8000" is "+8613800138000"); anything else, a number
// without its country code included, is Invalid invalid_mobile. "" stays "" (no number).
func NormalizeMobile(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := errs.E(errs.Invalid, "invalid_mobile", `mobile must be an international number in E.164 form, such as "+8613800138000"`)
	if !strings.HasPrefix(s, "+") {
		return "", bad
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", bad
		}
	}
	out := b.String()
	if n := len(out) - 1; n < 8 || n > 15 || out[1] == '0' {
		return "", bad
	}
	return out, nil
}

// ProfileRepository stores members' profiles.
type ProfileRepository interface {
	// GetProfile returns a member's profile, locked for the caller's transaction to change; NotFound if
	// they are not a member.
	GetProfile(ctx context.Context, orgID, userID uuid.UUID) (Profile, error)
	// SetProfile stores a member's profile; Conflict employee_number_taken when another
	// member of the organisation has the employee number, Invalid invalid_manager when the
	// manager is not an active member of the organisation, or when the member manages the
	// manager directly or through others (a cycle). It serialises changes of managers within
	// the organisation, so that two concurrent changes cannot close a cycle between them.
	SetProfile(ctx context.Context, orgID, userID uuid.UUID, p Profile, managerChanged bool) error
}
