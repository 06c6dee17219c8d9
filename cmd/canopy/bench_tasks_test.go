package main

import (
	"fmt"
	"math/rand"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"canopy/domain/tasks"
	"canopy/infra/pinyin"
)

// The tasks module's performance figures (docs/performance.md, issue 11): "My tasks" in an
// organisation of 1,000,000 tasks, and moving a card in a 5,000-card column. They run only with
// -bench (make bench), never in make test.

// benchTaskTitles are the titles tasks are given: a verb and an object, in English or in
// Chinese, so that a text search matches a few per cent of them, by word or by pinyin.
func benchTaskTitles() []string {
	enVerbs := []string{"Review", "Fix", "Write", "Update", "Plan", "Test", "Prepare", "Check", "Draft", "Ship"}
	enThings := []string{"the login page", "quarterly report", "budget sheet", "onboarding guide", "release notes", "customer feedback",
		"API docs", "sales deck", "invoice batch", "team offsite", "security audit", "data export", "hiring plan"}
	zhVerbs := []string{"整理", "修复", "审核", "准备", "更新", "测试", "编写", "跟进", "安排", "确认"}
	zhThings := []string{"登录页面", "季度报告", "预算表", "入职指南", "发布说明", "客户反馈", "接口文档", "销售材料", "发票", "团建活动",
		"安全审计", "数据导出", "招聘计划"}
	var out []string
	for i, v := range enVerbs {
		for j, x := range enThings {
			out = append(out, v+" "+x, zhVerbs[i]+zhThings[j])
		}
	}
	return out
}

// benchTaskSearch is a title's search text as the tasks repository writes it: the title and its
// pinyin keys, lower-case.
func benchTaskSearch(title string) string {
	full, initials := pinyin.Keys(title)
	return strings.ToLower(title) + " " + full + " " + initials
}

// benchTaskDescription is the Markdown half the tasks carry, so each view renders some.
const benchTaskDescription = "Steps:\n\n- read the **notes** from last week\n- check the [dashboard](https://example.com/d)\n- `ping` the owner\n"

// benchRankSQL is a fixed-width rank key for position n (0 to 238,327) in SQL: three base-62
// digits and a final "V", so keys sort by n under COLLATE "C" and never end in "0".
func benchRankSQL(n string) string {
	const d = `'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'`
	return fmt.Sprintf(`substr(%[1]s, ((%[2]s) / 3844) %% 62 + 1, 1) || substr(%[1]s, ((%[2]s) / 62) %% 62 + 1, 1) || substr(%[1]s, (%[2]s) %% 62 + 1, 1) || 'V'`, d, n)
}

// seedTasksOrg fills an organisation with 1,000,000 tasks, in SQL, in one transaction: 100
// departments and 999 members (seedTree), 200 groups of 10, 5,000 lists (60% a person's, 20% a
// department's, 15% a group's, 5% the organisation's; one in ten also shared with a group),
// each with 4 sections and 3 labels, 900,000 top-level tasks and 100,000 subtasks (25,000
// parents with 4 each). 30% are done, 1% deleted (with their subtasks), 10% of the top-level
// ones have no date, the others are due from 150 days ago to 210 days ahead, half all-day, in
// Asia/Shanghai; a fifth have a start date. 90% of the top-level tasks have an assignee, 15% a
// second, half the subtasks one; 20% of all tasks a follower, 30% a label, 1% a blocker. me, a
// member in one department and five groups, is assigned 10 live tasks in each of 200 lists.
func seedTasksOrg(b *testing.B, e *testEnv, orgID, meID string, now time.Time) {
	b.Helper()
	levels := seedTree(b, e, orgID, 99, 999)
	titles := benchTaskTitles()
	searches := make([]string, len(titles))
	for i, t := range titles {
		searches[i] = benchTaskSearch(t)
	}
	secRanks := tasks.Spread(4)
	args := map[string]any{"org": orgID, "me": meID, "now": now, "titles": pq.StringArray(titles), "searches": pq.StringArray(searches),
		"secranks": pq.StringArray(secRanks), "desc": benchTaskDescription, "medept": levels[2][3]}
	// h1..h4 are four independent 32-bit hashes of a row number.
	const hashes = `CROSS JOIN LATERAL (SELECT md5('h' || i) AS m) m
		CROSS JOIN LATERAL (SELECT ('x' || substr(m.m, 1, 8))::bit(32)::bigint AS h1, ('x' || substr(m.m, 9, 8))::bit(32)::bigint AS h2,
			('x' || substr(m.m, 17, 8))::bit(32)::bigint AS h3, ('x' || substr(m.m, 25, 8))::bit(32)::bigint AS h4) h`
	steps := []struct{ name, sql string }{
		{"members", `CREATE TEMP TABLE bm ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY user_id) - 1)::int AS n, user_id AS id
			FROM memberships WHERE org_id = CAST(@org AS uuid) AND role = 'member' AND user_id <> CAST(@me AS uuid)`},
		{"departments", `CREATE TEMP TABLE bd ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id FROM departments WHERE org_id = CAST(@org AS uuid)`},
		{"my department", `INSERT INTO department_members (org_id, department_id, user_id, is_primary, is_leader, added_at) VALUES (CAST(@org AS uuid), CAST(@medept AS uuid), CAST(@me AS uuid), true, false, CAST(@now AS timestamptz))`},
		{"groups", `CREATE TEMP TABLE bg ON COMMIT DROP AS SELECT g - 1 AS n, gen_random_uuid() AS id FROM generate_series(1, 200) g`},
		{"groups", `INSERT INTO groups (id, org_id, name, name_pinyin, name_initials, member_count, created_at, updated_at)
			SELECT id, CAST(@org AS uuid), 'Team ' || lpad(n::text, 3, '0'), 'team' || n, 't', 10 + (n IN (0, 57, 91, 157, 190))::int, CAST(@now AS timestamptz), CAST(@now AS timestamptz) FROM bg`},
		{"group members", `INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
			SELECT CAST(@org AS uuid), bg.id, bm.id, CASE WHEN k = 0 THEN 'owner' ELSE 'member' END, CAST(@now AS timestamptz)
			FROM bg CROSS JOIN generate_series(0, 9) k JOIN bm ON bm.n = (bg.n * 10 + k) % 999
			UNION ALL SELECT CAST(@org AS uuid), bg.id, CAST(@me AS uuid), CASE WHEN bg.n = 0 THEN 'owner' ELSE 'member' END, CAST(@now AS timestamptz) FROM bg WHERE bg.n IN (0, 57, 91, 157, 190)`},
		{"lists", `CREATE TEMP TABLE bl ON COMMIT DROP AS SELECT l - 1 AS n, gen_random_uuid() AS id FROM generate_series(1, 5000) l`},
		{"lists", `INSERT INTO task_lists (id, org_id, owner_kind, owner_id, name, description, created_by, created_at, updated_at)
			SELECT bl.id, CAST(@org AS uuid), k.kind, CASE k.kind WHEN 'person' THEN pm.id WHEN 'department' THEN d.id WHEN 'group' THEN g.id ELSE CAST(@org AS uuid) END,
				'List ' || bl.n, '', pm.id, CAST(@now AS timestamptz) - interval '400 days', CAST(@now AS timestamptz) - interval '400 days'
			FROM bl CROSS JOIN LATERAL (SELECT CASE WHEN bl.n % 20 < 12 THEN 'person' WHEN bl.n % 20 < 16 THEN 'department'
				WHEN bl.n % 20 < 19 THEN 'group' ELSE 'organisation' END AS kind) k
			JOIN bm pm ON pm.n = bl.n % 999 JOIN bd d ON d.n = bl.n % 100 JOIN bg g ON g.n = bl.n % 200`},
		{"list shares", `INSERT INTO task_list_shares (org_id, list_id, principal_type, group_id, role, created_by, created_at)
			SELECT CAST(@org AS uuid), bl.id, 'group', bg.id, 'editor', l.created_by, CAST(@now AS timestamptz) FROM bl JOIN bg ON bg.n = (bl.n * 7) % 200
			JOIN task_lists l ON l.id = bl.id WHERE bl.n % 10 = 3`},
		{"sections", `CREATE TEMP TABLE bs ON COMMIT DROP AS SELECT bl.n AS ln, s AS sn, bl.id AS list_id, gen_random_uuid() AS id
			FROM bl CROSS JOIN generate_series(0, 3) s`},
		{"sections", `INSERT INTO task_sections (id, org_id, list_id, name, rank, created_at)
			SELECT id, CAST(@org AS uuid), list_id, (ARRAY['To do', 'Doing', 'Review', 'Done'])[sn + 1], (CAST(@secranks AS text[]))[sn + 1], CAST(@now AS timestamptz) FROM bs`},
		{"labels", `CREATE TEMP TABLE bt ON COMMIT DROP AS SELECT bl.id AS list_id, k, gen_random_uuid() AS id FROM bl CROSS JOIN generate_series(0, 2) k`},
		{"labels", `INSERT INTO task_labels (id, org_id, list_id, name, color)
			SELECT id, CAST(@org AS uuid), list_id, (ARRAY['urgent', 'blocked', 'later'])[k + 1], (ARRAY['#d4380d', '#d48806', '#389e0d'])[k + 1] FROM bt`},
		{"titles", `CREATE TEMP TABLE bx ON COMMIT DROP AS SELECT (n - 1)::int AS n, title, search
			FROM unnest(CAST(@titles AS text[]), CAST(@searches AS text[])) WITH ORDINALITY AS v(title, search, n)`},
		{"top-level tasks", `INSERT INTO tasks (id, org_id, list_id, section_id, parent_id, depth, title, description, priority, status,
				completed_by, completed_at, start_at, due_at, all_day, due_tz, rank, search, created_by, created_at, updated_at, deleted_at, deleted_by)
			SELECT md5('t' || i)::uuid, CAST(@org AS uuid), s.list_id, s.id, NULL, 0, x.title, CASE WHEN h.h4 % 2 = 0 THEN CAST(@desc AS text) ELSE '' END, (h.h4 / 2) % 4,
				CASE WHEN h.h1 % 10 < 3 THEN 'done' ELSE 'open' END,
				CASE WHEN h.h1 % 10 < 3 THEN c.id END, CASE WHEN h.h1 % 10 < 3 THEN d.created + interval '1 day' END,
				CASE WHEN h.h4 % 5 = 1 THEN d.due - interval '3 days' END, d.due, d.due IS NOT NULL AND h.h3 % 2 = 0,
				CASE WHEN d.due IS NULL THEN '' ELSE 'Asia/Shanghai' END,
				` + benchRankSQL("i / 20000") + `, x.search, c.id, d.created, d.created,
				CASE WHEN h.h4 % 100 = 99 THEN CAST(@now AS timestamptz) END, CASE WHEN h.h4 % 100 = 99 THEN c.id END
			FROM generate_series(0, 899999) i ` + hashes + `
			JOIN bs s ON s.ln = i % 5000 AND s.sn = (i / 5000) % 4
			JOIN bm c ON c.n = h.h2 % 999
			JOIN bx x ON x.n = h.h3 % 260
			CROSS JOIN LATERAL (SELECT CAST(@now AS timestamptz) - ((h.h1 / 10) % 400) * interval '1 day' AS created,
				CASE WHEN h.h2 % 10 = 0 THEN NULL
					WHEN h.h3 % 2 = 0 THEN date_trunc('day', (CAST(@now AS timestamptz) + ((h.h2 / 10) % 360 - 150) * interval '1 day') AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
					ELSE date_trunc('hour', CAST(@now AS timestamptz)) + ((h.h2 / 10) % 360 - 150) * interval '1 day' + ((h.h3 / 2) % 20) * interval '30 minutes'
				END AS due) d`},
		{"subtasks", `INSERT INTO tasks (id, org_id, list_id, section_id, parent_id, depth, title, description, priority, status,
				completed_by, completed_at, start_at, due_at, all_day, due_tz, rank, search, created_by, created_at, updated_at, deleted_at, deleted_by)
			SELECT md5('s' || p.id || k)::uuid, CAST(@org AS uuid), p.list_id, p.section_id, p.id, 1, x.title, '', 0,
				CASE WHEN h.h1 % 2 = 0 THEN 'done' ELSE 'open' END,
				CASE WHEN h.h1 % 2 = 0 THEN p.created_by END, CASE WHEN h.h1 % 2 = 0 THEN p.created_at + interval '1 day' END,
				NULL, CASE WHEN h.h2 % 3 = 0 THEN p.due_at END, h.h2 % 3 = 0 AND p.all_day,
				CASE WHEN h.h2 % 3 = 0 AND p.due_at IS NOT NULL THEN p.due_tz ELSE '' END,
				substr('1234', k + 1, 1), x.search, p.created_by, p.created_at, p.created_at, p.deleted_at, p.deleted_by
			FROM tasks p CROSS JOIN generate_series(0, 3) k
			CROSS JOIN LATERAL (SELECT md5('s' || p.id || k) AS m) m
			CROSS JOIN LATERAL (SELECT ('x' || substr(m.m, 1, 8))::bit(32)::bigint AS h1, ('x' || substr(m.m, 9, 8))::bit(32)::bigint AS h2) h
			JOIN bx x ON x.n = (h.h2 / 3) % 260
			WHERE p.org_id = CAST(@org AS uuid) AND p.id IN (SELECT md5('t' || (j * 36 + 7))::uuid FROM generate_series(0, 24999) j)`},
		{"assignees", `INSERT INTO task_assignees (org_id, task_id, user_id)
			SELECT CAST(@org AS uuid), t.id, bm.id FROM tasks t JOIN bm ON bm.n = abs(hashtext(t.id::text)) % 999
			WHERE t.org_id = CAST(@org AS uuid) AND CASE WHEN t.parent_id IS NULL THEN abs(hashtext(t.id::text || 'a')) % 10 < 9 ELSE abs(hashtext(t.id::text || 'a')) % 2 = 0 END
			UNION
			SELECT CAST(@org AS uuid), t.id, bm.id FROM tasks t JOIN bm ON bm.n = abs(hashtext(t.id::text || 'b')) % 999
			WHERE t.org_id = CAST(@org AS uuid) AND t.parent_id IS NULL AND abs(hashtext(t.id::text || 'c')) % 100 < 15`},
		{"my tasks", `INSERT INTO task_assignees (org_id, task_id, user_id)
			SELECT CAST(@org AS uuid), x.id, CAST(@me AS uuid) FROM (SELECT t.id, row_number() OVER (PARTITION BY t.list_id ORDER BY t.id) AS rn
				FROM tasks t JOIN bl ON bl.id = t.list_id WHERE bl.n % 25 = 7 AND t.parent_id IS NULL AND t.deleted_at IS NULL) x
			WHERE x.rn <= 10`},
		{"followers", `INSERT INTO task_followers (org_id, task_id, user_id)
			SELECT CAST(@org AS uuid), t.id, bm.id FROM tasks t JOIN bm ON bm.n = abs(hashtext(t.id::text || 'f')) % 999
			WHERE t.org_id = CAST(@org AS uuid) AND abs(hashtext(t.id::text || 'g')) % 5 = 0`},
		{"labels on tasks", `INSERT INTO task_label_links (org_id, list_id, task_id, label_id)
			SELECT CAST(@org AS uuid), t.list_id, t.id, bt.id FROM tasks t JOIN bt ON bt.list_id = t.list_id AND bt.k = abs(hashtext(t.id::text || 'l')) % 3
			WHERE t.org_id = CAST(@org AS uuid) AND abs(hashtext(t.id::text || 'm')) % 10 < 3`},
		{"dependencies", `INSERT INTO task_dependencies (org_id, task_id, blocked_by_id, created_at)
			SELECT CAST(@org AS uuid), md5('t' || i)::uuid, md5('t' || (i + 5000))::uuid, CAST(@now AS timestamptz) FROM generate_series(0, 894999) i WHERE abs(hashint4(i)) % 100 = 0`},
	}
	err := e.stack.db.Transaction(func(tx *gorm.DB) error {
		// The indexes of tasks that back no constraint are dropped for the bulk insert and built
		// again from their own definitions after it: the same indexes, built at once rather than
		// row by row (the trigram index most of all).
		var indexes []struct{ Name, Def string }
		if err := tx.Raw(`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'tasks'
			AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tasks'::regclass)`).Scan(&indexes).Error; err != nil {
			return err
		}
		for _, s := range steps {
			t0 := time.Now()
			if s.name == "top-level tasks" {
				for _, x := range indexes {
					if err := tx.Exec(`DROP INDEX ` + x.Name).Error; err != nil {
						return err
					}
				}
			}
			if s.name == "assignees" {
				for _, x := range indexes {
					if err := tx.Exec(x.Def).Error; err != nil {
						return fmt.Errorf("%s: %w", x.Name, err)
					}
				}
				b.Logf("seed: %d indexes of tasks built again in %s", len(indexes), time.Since(t0).Round(time.Millisecond))
				t0 = time.Now()
			}
			var res *gorm.DB
			if strings.Contains(s.sql, "@") {
				res = tx.Exec(s.sql, args)
			} else {
				res = tx.Exec(s.sql)
			}
			if res.Error != nil {
				return fmt.Errorf("%s: %w", s.name, res.Error)
			}
			b.Logf("seed %s: %d rows in %s", s.name, res.RowsAffected, time.Since(t0).Round(time.Millisecond))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// As autovacuum leaves them in a running system.
	for _, t := range []string{"groups", "group_members", "department_members", "task_lists", "task_list_shares", "task_sections", "task_labels",
		"tasks", "task_assignees", "task_followers", "task_label_links", "task_dependencies"} {
		if err := e.stack.db.Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// benchLatencies reports the p50 and p99 of a sub-benchmark's requests, and prints the figure
// for make bench's summary once there are enough of them.
func benchLatencies(b *testing.B, lat []time.Duration, figure string) (p50, p99 time.Duration) {
	b.Helper()
	slices.Sort(lat)
	p50, p99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	if len(lat) >= 100 {
		fmt.Printf("FIGURE %s (%d requests): p50 %.1f ms, p99 %.1f ms\n", figure, len(lat), float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000)
	}
	return p50, p99
}

// BenchmarkMyTasks asks for "My tasks" (assigned to me, open, in due order, bucketed in
// Asia/Shanghai) through the API, as a member with 2,000 assigned tasks across 200 lists in an
// organisation of 1,000,000 tasks: the first page of 50, a page further on (offset 1,000), and a
// text search (by word, by Chinese characters, by pinyin). Target: p99 at most 20 ms.
func BenchmarkMyTasks(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Tasks Bench", "owner@tasks-bench.example")
	me, meID := e.mustJoin(o.mustInvite(nil), "me@tasks-bench.example")
	now := time.Now().UTC()
	t0 := time.Now()
	seedTasksOrg(b, e, o.orgID, meID, now)
	var seeded, mine, open int64
	if err := e.stack.db.Raw(`SELECT count(*) FROM tasks WHERE org_id = ?`, o.orgID).Scan(&seeded).Error; err != nil {
		b.Fatal(err)
	}
	if err := e.stack.db.Raw(`SELECT count(*), count(*) FILTER (WHERE status = 'open' AND live) FROM task_assignees WHERE org_id = ? AND user_id = ?`,
		o.orgID, meID).Row().Scan(&mine, &open); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d tasks (mine: %d, open: %d) in %s", seeded, mine, open, time.Since(t0).Round(time.Second))
	if seeded != 1_000_000 || mine != 2_000 {
		b.Fatalf("seeded %d tasks, %d of them mine; want 1,000,000 and 2,000", seeded, mine)
	}
	base := "/api/v1/orgs/" + o.orgID + "/me/tasks?view=assigned&status=open&tz=Asia%2FShanghai&limit=50"
	searches := []string{"report", "登录", "denglu"}
	cases := []struct {
		name, figure string
		path         func(i int) string
		check        func(b *testing.B, page map[string]any)
	}{
		{"first-page", "my tasks, first page of 50 (2,000 assigned, 1,000,000 tasks)", func(int) string { return base }, func(b *testing.B, page map[string]any) {
			items := page["items"].([]any)
			if int64(page["total"].(float64)) != open || len(items) != 50 {
				b.Fatalf("first page: %d items of %v, want 50 of %d", len(items), page["total"], open)
			}
			if first := items[0].(map[string]any); first["bucket"] != "overdue" || first["assignees"] == nil {
				b.Fatalf("first item: %v", first)
			}
		}},
		{"offset-1000", "my tasks, the page at offset 1,000 (2,000 assigned, 1,000,000 tasks)", func(int) string { return base + "&offset=1000" }, func(b *testing.B, page map[string]any) {
			if n := len(page["items"].([]any)); n != 50 {
				b.Fatalf("page at 1,000: %d items", n)
			}
		}},
		{"search", "my tasks, text search by a word, Chinese characters or pinyin (2,000 assigned, 1,000,000 tasks)", func(i int) string {
			return base + "&q=" + url.QueryEscape(searches[i%len(searches)])
		}, func(b *testing.B, page map[string]any) {
			if page["total"].(float64) < 10 {
				b.Fatalf("search found %v", page["total"])
			}
		}},
		{"baseline", "for comparison, GET /api/v1/me on the same server", func(int) string { return "/api/v1/me" },
			func(*testing.B, map[string]any) {}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				path := c.path(i)
				start := time.Now()
				res := me.do("GET", path, nil)
				lat = append(lat, time.Since(start))
				if res.status != 200 {
					b.Fatalf("GET %s: %d %s", path, res.status, res.body)
				}
				if i < len(searches) {
					c.check(b, res.json(b))
				}
			}
			benchLatencies(b, lat, c.figure)
		})
	}
}

// BenchmarkMoveCard moves cards of a 5,000-card column through the API, each right after a
// random card of the same column (one in twenty to the top), and between that column and a
// 500-card one. Target: p99 at most 10 ms. It then checks, untimed, that each column's keys are
// valid, strictly increasing and unique, and that the order is the one the moves asked for.
func BenchmarkMoveCard(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Board Bench", "owner@board-bench.example")
	member, _ := e.mustJoin(o.mustInvite(nil), "member@board-bench.example")
	seedTree(b, e, o.orgID, 9, 50)
	l := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tasklists", map[string]any{"name": "Launch", "owner_kind": "organisation",
		"sections": []string{"Backlog", "Doing", "Done"}})
	listID, secs := l["id"].(string), tkSections(l)
	// The board, as the model the moves are replayed on: section id → card ids in order.
	board := map[string][]string{}
	var ids, sections, ranks pq.StringArray
	for k, n := range []int{500, 5_000, 500} {
		for _, r := range tasks.Spread(n) {
			id := uuid.NewString()
			board[secs[k]] = append(board[secs[k]], id)
			ids, sections, ranks = append(ids, id), append(sections, secs[k]), append(ranks, r)
		}
	}
	titles := benchTaskTitles()
	err := e.stack.db.Exec(`INSERT INTO tasks (id, org_id, list_id, section_id, depth, title, description, priority, rank, search, created_by, created_at, updated_at)
		SELECT v.id, l.org_id, l.id, v.section, 0, (?::text[])[v.n % 260 + 1], CASE WHEN v.n % 2 = 0 THEN ? ELSE '' END, v.n % 4, v.rank, '', l.created_by, now(), now()
		FROM unnest(?::uuid[], ?::uuid[], ?::text[]) WITH ORDINALITY AS v(id, section, rank, n) JOIN task_lists l ON l.id = ?`,
		pq.StringArray(titles), benchTaskDescription, ids, sections, ranks, listID).Error
	if err == nil {
		err = e.stack.db.Exec(`INSERT INTO task_assignees (org_id, task_id, user_id)
			SELECT t.org_id, t.id, m.user_id FROM tasks t JOIN LATERAL (SELECT user_id FROM memberships WHERE org_id = t.org_id AND role = 'member'
				ORDER BY md5(user_id::text || t.id::text) LIMIT 1) m ON true WHERE t.list_id = ?`, listID).Error
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range []string{"tasks", "task_assignees"} {
		if err := e.stack.db.Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
			b.Fatal(err)
		}
	}
	big, small := secs[1], secs[0]
	rng := rand.New(rand.NewSource(1))
	// move sends one move as the member and applies it to the model.
	sent := 0
	move := func(b *testing.B, id, to, after string) time.Duration {
		body := map[string]any{"section_id": to}
		if after != "" {
			body["after_id"] = after
		}
		start := time.Now()
		res := member.do("POST", "/api/v1/orgs/"+o.orgID+"/tasks/"+id+"/move", body)
		took := time.Since(start)
		sent++
		if res.status != 200 {
			b.Fatalf("move %s after %q: %d %s", id, after, res.status, res.body)
		}
		for sec, order := range board {
			if i := slices.Index(order, id); i >= 0 {
				board[sec] = slices.Delete(order, i, i+1)
			}
		}
		at := 0
		if after != "" {
			at = slices.Index(board[to], after) + 1
		}
		board[to] = slices.Insert(board[to], at, id)
		return took
	}
	pick := func(sec string) string { return board[sec][rng.Intn(len(board[sec]))] }
	b.Run("within-column", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			id, after := pick(big), ""
			if i%20 != 0 {
				for after = pick(big); after == id; after = pick(big) {
				}
			}
			lat = append(lat, move(b, id, big, after))
		}
		benchLatencies(b, lat, "move a card within a 5,000-card column")
	})
	b.Run("between-columns", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			// Back and forth, so the big column stays at about 5,000 cards.
			from, to := big, small
			if i%2 == 1 {
				from, to = small, big
			}
			lat = append(lat, move(b, pick(from), to, pick(to)))
		}
		benchLatencies(b, lat, "move a card between a 5,000-card column and a 500-card one")
	})

	// Untimed: the stored order is the model's, and the keys are valid, increasing and unique.
	var moved int64
	if err := e.stack.db.Raw(`SELECT count(*) FROM task_activity WHERE list_id = ? AND action = 'moved'`, listID).Scan(&moved).Error; err != nil {
		b.Fatal(err)
	}
	for _, sec := range secs {
		var rows []struct {
			ID   string
			Rank string
		}
		if err := e.stack.db.Raw(`SELECT id::text, rank FROM tasks WHERE list_id = ? AND section_id = ? AND parent_id IS NULL AND deleted_at IS NULL ORDER BY rank`,
			listID, sec).Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
		got, longest := make([]string, len(rows)), 0
		for i, r := range rows {
			got[i], longest = r.ID, max(longest, len(r.Rank))
			if !tasks.ValidRank(r.Rank) || i > 0 && rows[i-1].Rank >= r.Rank {
				b.Fatalf("section %s: key %d %q after %q", sec, i, r.Rank, rows[max(i-1, 0)].Rank)
			}
		}
		if !slices.Equal(got, board[sec]) {
			b.Fatalf("section %s: the stored order (%d cards) differs from the moves asked for (%d cards)", sec, len(got), len(board[sec]))
		}
		b.Logf("section %s: %d cards in order, longest key %d characters", sec, len(got), longest)
	}
	if moved != int64(sent) {
		b.Fatalf("%d moves answered 200, %d recorded in the history", sent, moved)
	}
	b.Logf("%d moves checked", moved)
}
