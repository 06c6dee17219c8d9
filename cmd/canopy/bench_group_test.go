package main

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkGroupAddDepartment adds a 900-person department to an empty group through the API in
// one request (docs/performance.md, target 2 s). The department's members are seeded in SQL; a
// group is made for each iteration outside the timer.
func BenchmarkGroupAddDepartment(b *testing.B) {
	const people = 900
	e := newTestEnv(b)
	o := e.mustOrg("Bench groups", "bench@groups.example")
	admin := func(path string) string { return "/api/v1/admin/orgs/" + o.orgID + path }
	dept := o.c.must(201, "POST", admin("/departments"), map[string]any{"name": "Sales"})["id"].(string)
	err := e.stack.db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'p' || i || '@groups.example', 'Person ' || lpad(i::text, 4, '0'), 'en', 'UTC', 'active', '', now(), now()
			FROM generate_series(1, ?) i RETURNING id),
		m AS (INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u RETURNING user_id)
		INSERT INTO department_members (org_id, department_id, user_id, is_primary, is_leader, added_at)
		SELECT ?, ?, user_id, true, false, now() FROM m`, people, o.orgID, o.orgID, dept).Error
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range []string{"users", "memberships", "department_members"} {
		if err := e.stack.db.Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
			b.Fatal(err)
		}
	}
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g := o.c.must(201, "POST", admin("/groups"), map[string]any{"name": fmt.Sprintf("All of sales %d", i)})["id"].(string)
		b.StartTimer()
		start := time.Now()
		res := o.c.must(200, "POST", admin("/groups/"+g+"/members/bulk"), map[string]any{"department_id": dept, "include_subtree": true})
		if took := time.Since(start); took > worst {
			worst = took
		}
		if res["added"] != float64(people) {
			b.Fatalf("added %v; want %d", res["added"], people)
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}
