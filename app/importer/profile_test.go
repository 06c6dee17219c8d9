package importer

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/importer"
	"canopy/domain/org"
)

// TestProfileRows: the profile columns are applied with the profile API's rules, each broken
// rule reported on its own row: a mobile that is not E.164, a date that is not one, an
// employee number another member holds (in the organisation or on a row above), a manager who
// is not a member yet or who reports to the row's person; empty cells leave the details as
// they are.
func TestProfileRows(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	// Already members: 王芳 (number 001) manages 赵强.
	wang, zhao := uuid.New(), uuid.New()
	mk := func(id uuid.UUID, ext, email, name string, p org.Profile) {
		m := org.NewMembership(orgID, id, org.RoleMember, time.Now())
		if err := m.SetExternalID(ext); err != nil {
			t.Fatal(err)
		}
		store.snap.Members = append(store.snap.Members, Member{Account: Account{UserID: id, Email: email, DisplayName: name, Locale: "en", TimeZone: "UTC"},
			Membership: m, Profile: p})
	}
	hired := time.Date(2020, 5, 6, 0, 0, 0, 0, time.UTC)
	mk(wang, "W1", "wang.fang@acme.example", "王芳", org.Profile{EmployeeNumber: "001", JobTitle: "总监", HireDate: &hired})
	mk(zhao, "Z1", "zhao.qiang@acme.example", "赵强", org.Profile{EmployeeNumber: "002", ManagerID: &wang})

	rows := []UserRow{
		{ExternalID: "E1", Email: "zhang.wei@acme.example", DisplayName: "张伟", EmployeeNumber: "003", JobTitle: "工程师",
			Mobile: "+86 138-0013-8000", WorkLocation: "上海", Manager: "Wang.Fang@acme.example", HireDate: "2024-03-01"},
		{ExternalID: "E2", Email: "li.na@acme.example", DisplayName: "李娜", Mobile: "13800138000"},                  // no country code
		{ExternalID: "E3", Email: "liu.yang@acme.example", DisplayName: "刘洋", EmployeeNumber: "001"},               // 王芳's
		{ExternalID: "E4", Email: "chen.jing@acme.example", DisplayName: "陈静", EmployeeNumber: "003"},              // row 2's
		{ExternalID: "E5", Email: "yang.li@acme.example", DisplayName: "杨丽", Manager: "zhou.min@acme.example"},     // on a row below
		{ExternalID: "E6", Email: "zhou.min@acme.example", DisplayName: "周敏", Manager: "zhang.wei@acme.example"},   // on a row above
		{ExternalID: "W1", Email: "wang.fang@acme.example", DisplayName: "王芳", Manager: "zhao.qiang@acme.example"}, // her own report
		{ExternalID: "E7", Email: "xu.lei@acme.example", DisplayName: "徐磊", HireDate: "2024-13-01"},
		{ExternalID: "Z1", Email: "zhao.qiang@acme.example", DisplayName: "赵强", JobTitle: "经理"}, // keeps number and manager
	}
	for i := range rows {
		rows[i].Row = i + 2
	}
	q := run(t, store, orgID, ownerID, Request{Format: importer.FormatXLSX, Users: rows}, 4)
	want := "user 3 invalid_mobile; user 4 employee_number_taken; user 5 employee_number_taken; user 6 invalid_manager; user 8 invalid_manager; user 9 invalid_date"
	if got := report(q); got != want {
		t.Fatalf("report:\n got %s\nwant %s", got, want)
	}
	if q.counts != (importer.Counts{Processed: 9, Applied: 3, Failed: 6, Created: 2, Updated: 1}) {
		t.Fatalf("counts: %+v", q.counts)
	}
	var zhang, zhou *MemberChange
	for _, c := range store.st.members {
		c := c
		if c.Account == nil {
			continue
		}
		switch c.Account.Email {
		case "zhang.wei@acme.example":
			zhang = &c
		case "zhou.min@acme.example":
			zhou = &c
		}
	}
	if zhang == nil || zhou == nil || zhang.Profile == nil || zhou.Profile == nil {
		t.Fatalf("members: %+v", store.st.members)
	}
	p := *zhang.Profile
	if p.EmployeeNumber != "003" || p.JobTitle != "工程师" || p.Mobile != "+8613800138000" || p.WorkLocation != "上海" ||
		p.ManagerID == nil || *p.ManagerID != wang || p.HireDate == nil || p.HireDate.Format(time.DateOnly) != "2024-03-01" || !zhang.ManagerChanged {
		t.Fatalf("张伟's profile: %+v", p)
	}
	if zhou.Profile.ManagerID == nil || *zhou.Profile.ManagerID != zhang.UserID {
		t.Fatalf("周敏's manager: %+v", zhou.Profile)
	}
	z, ok := store.st.members[zhao]
	if !ok || z.Profile == nil || z.Profile.JobTitle != "经理" || z.Profile.EmployeeNumber != "002" || z.Profile.ManagerID == nil ||
		*z.Profile.ManagerID != wang || z.ManagerChanged {
		t.Fatalf("赵强's change: %+v", z)
	}

	// The same details again change nothing.
	store.st.members = map[uuid.UUID]MemberChange{}
	q = run(t, store, orgID, ownerID, Request{Format: importer.FormatXLSX, Users: []UserRow{
		{Row: 2, ExternalID: "W1", Email: "wang.fang@acme.example", DisplayName: "王芳", EmployeeNumber: "001", JobTitle: "总监", HireDate: "2020-05-06"},
	}}, 4)
	if q.counts != (importer.Counts{Processed: 1, Applied: 1, Unchanged: 1}) || len(store.st.members) != 0 {
		t.Fatalf("counts: %+v, changes %+v", q.counts, store.st.members)
	}
}
