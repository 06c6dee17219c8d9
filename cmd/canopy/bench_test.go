package main

import (
	"fmt"
	"testing"
)

// The benchmarks run the real stack over loopback HTTP on the project's PostgreSQL: what they
// measure includes the network stack, JSON and the database round trips.

func BenchmarkGetMeWithSession(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Bench", "bench@bench.example")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.c.must(200, "GET", "/api/v1/me", nil)
	}
}

func BenchmarkGetOrgWithToken(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Bench", "bench@bench.example")
	secret := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "b"})["secret"].(string)
	tc := e.tokenClient(secret)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tc.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)
	}
}

// BenchmarkLogin is dominated by argon2id at the OWASP cost (19 MiB, t=2), by design.
func BenchmarkLogin(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Bench", "bench@bench.example")
	c := e.client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.pw})
	}
}

// BenchmarkSearchMembers searches an organisation of 2,000 members by name.
func BenchmarkSearchMembers(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Bench", "bench@bench.example")
	// Seeded in SQL: 2,000 argon2id hashes would take a minute and measure nothing.
	err := e.stack.db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'p' || i || '@bench.example', 'Person ' || lpad(i::text, 4, '0'), 'en', 'UTC', 'active', 'x', now(), now()
			FROM generate_series(1, 2000) i RETURNING id)
		INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u`, o.orgID).Error
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.c.must(200, "GET", fmt.Sprintf("/api/v1/orgs/%s/members?q=person+%03d&limit=50", o.orgID, i%200), nil)
	}
}
