package main

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// The directory's performance figures (docs/performance.md). They run only with -bench (make
// bench), never in make test.

var (
	benchSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	benchGiven    = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"}
	benchLatin    = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"}
)

func benchName(i int) string {
	if i%4 == 3 {
		return fmt.Sprintf("%s Tester %d", benchLatin[i%len(benchLatin)], i)
	}
	return benchSurnames[i%len(benchSurnames)] + benchGiven[(i/len(benchSurnames))%len(benchGiven)] + fmt.Sprint(i%97)
}

// bulkImport is 5,000 departments (a tree five levels deep, by parent external id) and 100,000
// users, each in one department and one in ten in a second, given by external id or by path.
func bulkImport(depts, users int) map[string]any {
	ds := make([]map[string]any, depts)
	names := make([]string, depts+1) // path of names by department number, 1-based
	for k := 1; k <= depts; k++ {
		name := fmt.Sprintf("Dept %04d", k)
		row := map[string]any{"external_id": fmt.Sprintf("D%04d", k), "name": name}
		if parent := (k - 1) / 10; parent > 0 {
			row["parent_external_id"] = fmt.Sprintf("D%04d", parent)
			names[k] = names[parent] + "/" + name
		} else {
			names[k] = name
		}
		ds[k-1] = row
	}
	us := make([]map[string]any, users)
	for i := 0; i < users; i++ {
		first := i%depts + 1
		ref := fmt.Sprintf("D%04d", first)
		if i%5 == 0 {
			ref = names[first] // by path
		}
		row := map[string]any{"external_id": fmt.Sprintf("E%06d", i), "email": fmt.Sprintf("user%06d@bench.example", i),
			"display_name": benchName(i), "departments": []string{ref}}
		if i%10 == 0 {
			second := (i*7)%depts + 1
			if second != first {
				row["departments"] = []string{ref, fmt.Sprintf("D%04d", second)}
				row["primary_department"] = ref
			}
		}
		us[i] = row
	}
	return map[string]any{"departments": ds, "users": us}
}

// BenchmarkBulkImport imports 100,000 users and 5,000 departments through the API, end to
// end: upload, validation, and the background job applying them; then the same import again,
// which changes nothing. Target: 60 s for the first.
func BenchmarkBulkImport(b *testing.B) {
	e := newTestEnv(b)
	e.startImports()
	t0 := time.Now()
	body := mustJSON(b, bulkImport(5000, 100_000))
	b.Logf("request: %.1f MiB, built in %s", float64(len(body))/(1<<20), time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o := e.mustOrg(fmt.Sprintf("Bulk%d", i), fmt.Sprintf("owner%d@bulk.example", i))
		b.StartTimer()
		start := time.Now()
		job := o.mustImport(b, "application/json", body)
		first := time.Since(start)
		if job["status"] != "done" || job["applied_rows"].(float64) != 105_000 {
			b.Fatalf("import: %s %v", counts(job), job["failure"])
		}
		start = time.Now()
		again := o.mustImport(b, "application/json", body)
		rerun := time.Since(start)
		if again["unchanged_rows"].(float64) != 105_000 {
			b.Fatalf("re-run: %s", counts(again))
		}
		b.ReportMetric(first.Seconds(), "s/import")
		b.ReportMetric(105_000/first.Seconds(), "rows/s")
		b.ReportMetric(rerun.Seconds(), "s/re-run")
		fmt.Printf("FIGURE bulk import of 5,000 departments and 100,000 users: %.1f s (%.0f rows/s); the same import again: %.1f s\n",
			first.Seconds(), 105_000/first.Seconds(), rerun.Seconds())
	}
}

// seedTree makes a tree of n departments below the root (node k's parent is node (k-1)/10, so
// 10 divisions, 100 departments, 1,000 teams and the rest leaves) and spreads members over them,
// one in five in a second department. It returns the department ids by level, root first.
func seedTree(b *testing.B, e *testEnv, orgID string, n, members int) [][]string {
	b.Helper()
	var root struct {
		ID   string
		Path string
	}
	if err := e.stack.db.Raw(`SELECT id::text, path FROM departments WHERE org_id = ? AND parent_id IS NULL`, orgID).Scan(&root).Error; err != nil {
		b.Fatal(err)
	}
	ids, paths := make([]string, n+1), make([]string, n+1)
	depth := make([]int, n+1)
	ids[0], paths[0], depth[0] = root.ID, root.Path, 1
	var id, parent, path, name pq.StringArray
	var dep pq.Int64Array
	levels := [][]string{{root.ID}}
	for k := 1; k <= n; k++ {
		p := (k - 1) / 10
		ids[k] = uuid.NewString()
		paths[k] = paths[p] + ids[k] + "/"
		depth[k] = depth[p] + 1
		id, parent, path, name = append(id, ids[k]), append(parent, ids[p]), append(path, paths[k]), append(name, fmt.Sprintf("Unit %05d", k))
		dep = append(dep, int64(depth[k]))
		for len(levels) < depth[k] {
			levels = append(levels, nil)
		}
		levels[depth[k]-1] = append(levels[depth[k]-1], ids[k])
	}
	err := e.stack.db.Exec(`INSERT INTO departments (id, org_id, parent_id, path, depth, name, name_pinyin, name_initials, sort_order, created_at, updated_at)
		SELECT v.id, ?, v.parent, v.path, v.depth, v.name, lower(replace(v.name, ' ', '')), 'u', 0, now(), now()
		FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::int[], ?::text[]) AS v(id, parent, path, depth, name)`,
		orgID, id, parent, path, dep, name).Error
	if err != nil {
		b.Fatal(err)
	}
	err = e.stack.db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, name_pinyin, name_initials, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'm' || i || '@tree.example', 'Member ' || lpad(((i * 7919) % 100000)::text, 5, '0'), 'member' || i, 'm', 'en', 'UTC', 'active', '', now(), now()
			FROM generate_series(1, ?) i RETURNING id, split_part(split_part(email, '@', 1), 'm', 2)::int AS i),
		ms AS (INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u RETURNING user_id)
		INSERT INTO department_members (org_id, department_id, user_id, is_primary, is_leader, added_at)
		SELECT ?, d.id, u.id, k = 0, false, now()
		FROM u CROSS JOIN LATERAL (VALUES (0, u.i % ?), (1, (u.i * 31) % ?)) AS pick(k, n)
		JOIN LATERAL (SELECT (?::uuid[])[pick.n + 1] AS id) d ON true
		WHERE pick.k = 0 OR u.i % 5 = 0
		ON CONFLICT DO NOTHING`,
		members, orgID, orgID, n, n, pq.StringArray(ids[1:])).Error
	if err != nil {
		b.Fatal(err)
	}
	// As autovacuum leaves them in a running system.
	for _, t := range []string{"departments", "department_members", "users", "memberships"} {
		if err := e.stack.db.Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
			b.Fatal(err)
		}
	}
	return levels
}

// BenchmarkSubtreeMembers lists the first page (50) of the members of a department's whole
// subtree, through the API, in an organisation of 10,000 departments and 50,000 members: for
// the root (every member), a division (about 5,500), a department (about 550), a team (about
// 55) and a leaf. Target: p99 at most 20 ms.
func BenchmarkSubtreeMembers(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Tree", "owner@tree.example")
	t0 := time.Now()
	levels := seedTree(b, e, o.orgID, 9_999, 50_000)
	b.Logf("seeded 10,000 departments and 50,000 members in %s", time.Since(t0).Round(time.Millisecond))
	names := []string{"root", "division", "department", "team", "leaf"}
	for lvl, name := range names {
		depts := levels[lvl]
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			lat := make([]time.Duration, 0, b.N)
			var total float64
			for i := 0; i < b.N; i++ {
				d := depts[rng.Intn(len(depts))]
				start := time.Now()
				res := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/departments/"+d+"/members?subtree=true&limit=50", nil)
				lat = append(lat, time.Since(start))
				total += res["total"].(float64)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			p50, p99 := lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(total/float64(b.N), "members")
			if b.N >= 100 {
				fmt.Printf("FIGURE subtree members, %s (about %.0f members, %d requests): p50 %.1f ms, p99 %.1f ms\n",
					name, total/float64(b.N), b.N, float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000)
			}
		})
	}
}
