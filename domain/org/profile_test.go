package org

import (
	"testing"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

func TestNormalizeMobile(t *testing.T) {
	for in, want := range map[string]string{
		"+86 138-0013-8000":  "+8613800138000",
		"+1 (415) 555-0100":  "+14155550100",
		"+44.20.7946.0958":   "+442079460958",
		"  +8613800138000  ": "+8613800138000",
		"":                   "",
	} {
		got, err := NormalizeMobile(in)
		if err != nil || got != want {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"13800138000", "+86 138 0013 800O", "+0 555 0100 000", "+123", "+1234567890123456", "++8613800138000", "+86/13800138000", "tel:+8613800138000"} {
		if _, err := NormalizeMobile(in); errs.CodeOf(err) != "invalid_mobile" {
			t.Errorf("NormalizeMobile(%q) = %v; want invalid_mobile", in, err)
		}
	}
}

func TestProfileApply(t *testing.T) {
	self, boss := uuid.New(), uuid.New()
	s := func(v string) *string { return &v }
	p, err := Profile{}.Apply(self, ProfileChange{EmployeeNumber: s(" E-001 "), JobTitle: s("工程师"), Mobile: s("+86 138-0013-8000"),
		WorkLocation: s("上海"), ManagerID: s(boss.String()), HireDate: s("2024-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	if p.EmployeeNumber != "E-001" || p.JobTitle != "工程师" || p.Mobile != "+8613800138000" || p.WorkLocation != "上海" ||
		p.ManagerID == nil || *p.ManagerID != boss || p.HireDate == nil || p.HireDate.Format("2006-01-02") != "2024-03-01" {
		t.Fatalf("Apply = %+v", p)
	}
	cleared, err := p.Apply(self, ProfileChange{ManagerID: s(""), HireDate: s(""), Mobile: s("")})
	if err != nil || cleared.ManagerID != nil || cleared.HireDate != nil || cleared.Mobile != "" || cleared.EmployeeNumber != "E-001" {
		t.Fatalf("clearing = %+v, %v", cleared, err)
	}
	long := make([]rune, 129)
	for i := range long {
		long[i] = '长'
	}
	for _, c := range []struct {
		change ProfileChange
		code   string
	}{
		{ProfileChange{ManagerID: s(self.String())}, "invalid_manager"},
		{ProfileChange{ManagerID: s("boss")}, "invalid_manager"},
		{ProfileChange{HireDate: s("2024-02-30")}, "invalid_date"},
		{ProfileChange{HireDate: s("01/03/2024")}, "invalid_date"},
		{ProfileChange{JobTitle: s(string(long))}, "invalid_field"},
		{ProfileChange{EmployeeNumber: s(string(long[:65]))}, "invalid_field"},
		{ProfileChange{WorkLocation: s("a\nb")}, "control_character"},
		{ProfileChange{Mobile: s("138 0013 8000")}, "invalid_mobile"},
	} {
		if _, err := p.Apply(self, c.change); errs.CodeOf(err) != c.code {
			t.Errorf("Apply(%+v) = %v; want %s", c.change, err, c.code)
		}
	}
	if _, err := p.Apply(self, ProfileChange{JobTitle: s(string(long[:128]))}); err != nil {
		t.Errorf("128 characters: %v", err)
	}
}
