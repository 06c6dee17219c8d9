package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"canopy/infra/postgres"
	"canopy/infra/textsearch"
)

// The messaging benchmarks (issue 12, `make bench`): send-to-delivery in a 1,000-member group
// chat with 1,000 WebSocket clients at 50 messages/s through the API, on one replica and across
// two; the read list of a message in a 1,000-member chat that 600 have read; search over
// 1,000,000 messages. The group chat, its members and their sessions are seeded as the events
// benchmark seeds its clients (bench_events_test.go), whose helpers they share.

// msgMembers is the size of the group chat: the cap on a group and on an ad-hoc chat.
const msgMembers = 1000

// msgMember is a member seeded for the messaging load. Their session's token is "bench-"+email,
// as the events benchmark seeds its clients (so dialCanopy opens their stream), and its CSRF
// token "csrf-"+email.
type msgMember struct {
	id    uuid.UUID
	email string
}

func (m msgMember) token() string { return "bench-" + m.email }
func (m msgMember) csrf() string  { return "csrf-" + m.email }

// createMessagingOrg creates an organisation with `canopy admin create-org` against the serve
// processes' database and opens that database.
func createMessagingOrg(tb testing.TB, bin string, env []string, name, ownerEmail string) (uuid.UUID, *gorm.DB) {
	tb.Helper()
	create := exec.Command(bin, "admin", "create-org", "--name", name, "--owner-email", ownerEmail, "--owner-password", "Correct-Horse-Messaging")
	create.Env = env
	out, err := create.Output()
	if err != nil {
		tb.Fatalf("create-org: %v", err)
	}
	orgID := uuid.MustParse(strings.TrimSpace(string(out)))
	var dbURL string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "CANOPY_DATABASE_URL="); ok {
			dbURL = v
		}
	}
	db, err := postgres.Open(dbURL, postgres.Options{MaxOpenConns: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return orgID, db
}

// seedMessagingGroup seeds, in SQL, n-1 members besides the organisation's owner, a session for
// each of them and for the owner, and a group of all n (the owner as its owner) with its
// member_count, as the directory keeps it, set to n. It returns the group and the members, the
// owner first. 1,000 argon2id logins would take minutes and measure nothing.
func seedMessagingGroup(tb testing.TB, db *gorm.DB, orgID uuid.UUID, n int, domain string) (uuid.UUID, []msgMember) {
	tb.Helper()
	var owner struct {
		ID    uuid.UUID
		Email string
	}
	if err := db.Raw(`SELECT u.id, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.role = 'owner'`, orgID).Scan(&owner).Error; err != nil || owner.ID == uuid.Nil {
		tb.Fatalf("the organisation's owner: %v", err)
	}
	members := []msgMember{{owner.ID, owner.Email}}
	for i := 1; i < n; i++ {
		members = append(members, msgMember{uuid.New(), fmt.Sprintf("m%d@%s", i, domain)})
	}
	var ids, emails pq.StringArray
	for _, m := range members {
		ids, emails = append(ids, m.id.String()), append(emails, m.email)
	}
	groupID := uuid.New()
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`
			WITH u AS (
				INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
				SELECT v.id, v.email, 'Member ' || split_part(split_part(v.email, '@', 1), 'm', 2), 'en', 'UTC', 'active', 'x', now(), now()
				FROM unnest(?::uuid[], ?::text[]) AS v(id, email) RETURNING id)
			INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u`,
			ids[1:], emails[1:], orgID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`
			INSERT INTO sessions (id, user_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at)
			SELECT gen_random_uuid(), v.id, sha256(convert_to('bench-' || v.email, 'UTF8')), sha256(convert_to('csrf-' || v.email, 'UTF8')),
				now(), now(), now() + interval '1 day'
			FROM unnest(?::uuid[], ?::text[]) AS v(id, email)`, ids, emails).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO groups (id, org_id, name, name_pinyin, name_initials, member_count, created_at, updated_at)
			VALUES (?, ?, 'Everyone', 'everyone', 'e', ?, now(), now())`, groupID, orgID, n).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
			SELECT ?, ?, v.id, CASE WHEN v.id = ? THEN 'owner' ELSE 'member' END, now() FROM unnest(?::uuid[]) AS v(id)`,
			orgID, groupID, owner.ID, ids).Error
	})
	if err != nil {
		tb.Fatalf("seeding the group: %v", err)
	}
	return groupID, members
}

// seededClient is the harness's client signed in as a seeded member on the server at base.
func seededClient(tb testing.TB, base string, m msgMember) *client {
	jar, _ := cookiejar.New(nil)
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "canopy_session", Value: m.token(), Path: "/"}})
	return &client{t: tb, base: base, hc: &http.Client{Jar: jar}, csrf: m.csrf()}
}

// msgAPI sends requests as seeded members from any goroutine (the harness's client fails the
// test, which only the test's goroutine may do).
type msgAPI struct{ hc *http.Client }

func newMsgAPI() *msgAPI {
	return &msgAPI{hc: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}}}
}

func (a *msgAPI) do(ctx context.Context, base, method, path string, as msgMember, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Cookie", "canopy_session="+as.token())
	req.Header.Set("X-CSRF-Token", as.csrf())
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// raiseOpenFiles lifts the soft limit on open files to the hard one (1,000 clients are 1,000
// sockets on each side, in one process with the servers, or two) and fails unless need fit.
func raiseOpenFiles(tb testing.TB, need uint64) {
	tb.Helper()
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatal(err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			tb.Fatal(err)
		}
	}
	if l.Cur < need {
		tb.Fatalf("the open-file limit is %d; %d are needed", l.Cur, need)
	}
}

// dialEach opens n clients, 32 at a time, and fails if one cannot connect.
func dialEach(tb testing.TB, n int, open func(i int) error) {
	tb.Helper()
	sem := make(chan struct{}, 32)
	errc := make(chan error, n)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errc <- open(i)
		}()
	}
	for range n {
		if err := <-errc; err != nil {
			tb.Fatal(err)
		}
	}
}

// messageCreated is the part of a messages.message_created payload the clients read.
type messageCreated struct {
	ChatID  string `json:"chat_id"`
	Message struct {
		ID   string `json:"id"`
		Seq  int64  `json:"seq"`
		Body string `json:"body"`
	} `json:"message"`
}

// mustGroupChat creates the group's chat through the API as the owner.
func mustGroupChat(tb testing.TB, base string, orgID, groupID uuid.UUID, owner msgMember) string {
	tb.Helper()
	c := seededClient(tb, base, owner)
	return c.must(201, "POST", "/api/v1/orgs/"+orgID.String()+"/chats", map[string]any{"kind": "group", "group_id": groupID})["id"].(string)
}

// BenchmarkMessagingDelivery measures send-to-delivery: messages sent with POST .../messages to
// a 1,000-member group chat at 50 a second for 20 seconds, received by all 1,000 members over
// WebSocket, all on one replica, then spread across two. Each body carries its number and the
// time taken just before its POST; each client records when the message_created event arrived.
// Target: p99 at most 100 ms, 0 lost. As in the events benchmark the load is fixed, whatever b.N.
func BenchmarkMessagingDelivery(b *testing.B) {
	raiseOpenFiles(b, 3*msgMembers)
	b.Run("one_replica", func(b *testing.B) { benchMessagingDelivery(b, 1) })
	b.Run("two_replicas", func(b *testing.B) { benchMessagingDelivery(b, 2) })
}

func benchMessagingDelivery(b *testing.B, replicas int) {
	bin, env, bases := startServeProcesses(b, replicas)
	orgID, db := createMessagingOrg(b, bin, env, "Messaging Bench", "o@bench-messaging.example")
	groupID, members := seedMessagingGroup(b, db, orgID, msgMembers, "bench-messaging.example")
	chatID := mustGroupChat(b, bases[0], orgID, groupID, members[0])

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs := newReceivers()
	var total atomic.Int64
	var wg sync.WaitGroup
	dialEach(b, msgMembers, func(i int) error {
		base := bases[i%replicas]
		conn, err := dialCanopy(ctx, base, members[i].token(), -1)
		if err != nil {
			return fmt.Errorf("member %d: %w", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			messagingClient(ctx, conn, base, members[i].token(), chatID, rs[i], &total)
		}()
		return nil
	})

	// Fifty members take turns to send, each message from its own goroutine at its time, as
	// fifty people typing would: a slow answer does not hold the next message back.
	api := newMsgAPI()
	path := "/api/v1/orgs/" + orgID.String() + "/chats/" + chatID + "/messages"
	warmUp(b, ctx, api, bases, path, members[:50])
	measured := time.Now()
	var mu sync.Mutex
	var posts []time.Duration
	var failed atomic.Int64
	var firstErr atomic.Value
	var sends sync.WaitGroup
	run := runEventLoad(b, &total, func(k int, _ time.Time) error {
		sends.Add(1)
		go func() {
			defer sends.Done()
			from := members[k%50]
			base := bases[k%replicas]
			start := time.Now()
			body := fmt.Sprintf("bench %d %d: the quarterly report is ready, 季度报告已经准备好了", k, start.UnixNano())
			status, out, err := api.do(ctx, base, http.MethodPost, path, from, map[string]any{"client_id": fmt.Sprintf("bench-%d", k), "body": body})
			took := time.Since(start)
			if err == nil && status != http.StatusCreated {
				err = fmt.Errorf("POST %s answered %d: %s", path, status, out)
			}
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			mu.Lock()
			posts = append(posts, took)
			mu.Unlock()
		}()
		return nil
	})
	sends.Wait()
	cancel()
	wg.Wait()
	name := "all on one replica"
	if replicas > 1 {
		name = fmt.Sprintf("spread across %d replicas", replicas)
	}
	// A message whose POST failed is never delivered: it counts as lost, and fails the run.
	reportMessagingLoad(b, name, rs, posts, run, failed.Load())
	reportDispatchLag(b, db, name, "messages.message_created", measured)
	// From the POST's start (the time in the body) to the event's creation in its transaction.
	var written struct{ P50, P99 float64 }
	if err := db.Raw(`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY w) AS p99
		FROM (SELECT extract(epoch FROM e.created_at) - rtrim(split_part(m.body, ' ', 3), ':')::numeric / 1e9 AS w
		      FROM messages m JOIN events e ON e.type = 'messages.message_created' AND e.subject_id = m.chat_id
		       AND (e.payload -> 'message' ->> 'id')::uuid = m.id
		      WHERE m.chat_id = ? AND m.body LIKE 'bench %') x`, chatID).Scan(&written).Error; err != nil {
		b.Fatal(err)
	}
	fmt.Printf("FIGURE messages, %s: from the POST to its event written in the send's transaction p50 %.1f ms, p99 %.1f ms\n", name, written.P50*1000, written.P99*1000)
	if n := failed.Load(); n > 0 {
		b.Errorf("%d of %d sends failed; the first: %v", n, eventCount, firstErr.Load())
	}
}

// warmUpMessages are sent at eventRate before the measured run and not measured (their bodies
// are not the benchmark's): a replica in service has its pooled connections open and its
// PostgreSQL backends and caches warm, while a fresh one spends its first seconds opening them,
// and the run measures the service, not its start.
const warmUpMessages = 3 * eventRate

func warmUp(b *testing.B, ctx context.Context, api *msgAPI, bases []string, path string, senders []msgMember) {
	var wg sync.WaitGroup
	var failed atomic.Int64
	for k := range warmUpMessages {
		time.Sleep(time.Second / eventRate)
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, err := api.do(ctx, bases[k%len(bases)], http.MethodPost, path, senders[k%len(senders)],
				map[string]any{"client_id": fmt.Sprintf("warm-up-%d", k), "body": "warm-up"})
			if err != nil || status != http.StatusCreated {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d warm-up messages failed", n, warmUpMessages)
	}
	// Their deliveries drain before the run starts.
	time.Sleep(3 * time.Second)
}

// messagingClient tallies the chat's message_created events by the number and send time in
// their bodies. A thousand clients share the machine with the servers they measure, so it reads
// the frame's bytes rather than decoding its JSON (scanMessageFrame): two decodes of every
// frame by every client took cores that the servers then lacked.
func messagingClient(ctx context.Context, conn *websocket.Conn, base, token, chatID string, r *receiver, total *atomic.Int64) {
	streamClient(ctx, conn, base, token, r, func(data []byte, at time.Time) {
		f := scanMessageFrame(data, chatID)
		switch {
		case f.reload:
			r.reloads++
		case f.seq > 0:
			r.lastSeq = f.seq
			if f.message {
				r.take(benchPayload{K: f.k, Sent: f.sent}, at, total)
			}
		}
	})
}

// messageFrame is what the benchmark reads of a gateway frame.
type messageFrame struct {
	reload  bool
	seq     int64
	message bool // a message_created of the chat, with the benchmark's body
	k       int
	sent    int64
}

// scanMessageFrame reads a frame as the gateway writes it ({"type":"event","seq":N,…}): the
// stream position, and for the chat's message_created events the message's number and send
// time from its body ("bench K NANOS…"). A frame of another shape reads as nothing, so a change
// of format shows as lost deliveries.
func scanMessageFrame(data []byte, chatID string) messageFrame {
	var f messageFrame
	if bytes.HasPrefix(data, []byte(`{"type":"reload"`)) {
		f.reload = true
		return f
	}
	rest, ok := bytes.CutPrefix(data, []byte(`{"type":"event","seq":`))
	if !ok {
		return f
	}
	if f.seq, rest = leadingInt(rest); f.seq <= 0 {
		return messageFrame{}
	}
	if typ, ok := jsonValue(rest, "type"); !ok || !bytes.HasPrefix(typ, []byte(`"messages.message_created"`)) {
		return f
	}
	if c, ok := jsonValue(rest, "chat_id"); !ok || !bytes.HasPrefix(c, []byte(`"`+chatID+`"`)) {
		return f
	}
	body, ok := jsonValue(rest, "body")
	if !ok {
		return f
	}
	body, ok = bytes.CutPrefix(body, []byte(`"bench `))
	if !ok {
		return f
	}
	k, after := leadingInt(body)
	if len(after) == 0 || after[0] != ' ' {
		return f
	}
	sent, _ := leadingInt(after[1:])
	f.message, f.k, f.sent = sent > 0, int(k), sent
	return f
}

// jsonValue returns what follows the first "key": in b (compact or with a space after the
// colon).
func jsonValue(b []byte, key string) ([]byte, bool) {
	i := bytes.Index(b, []byte(`"`+key+`":`))
	if i < 0 {
		return nil, false
	}
	return bytes.TrimLeft(b[i+len(key)+3:], " "), true
}

// leadingInt reads the decimal digits at the start of b.
func leadingInt(b []byte) (int64, []byte) {
	var n int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	return n, b[i:]
}

// reportMessagingLoad reports the figures, once the clients have stopped.
func reportMessagingLoad(b *testing.B, name string, rs []*receiver, posts []time.Duration, run loadRun, failed int64) {
	want := int64(msgMembers * eventCount)
	var all []time.Duration
	var received, dups, reconnects, reloads int64
	for _, r := range rs {
		all = append(all, r.latencies...)
		received += int64(len(r.latencies))
		dups += r.dups
		reconnects += r.reconnects
		reloads += r.reloads
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	pct := func(ds []time.Duration, p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		return ms(ds[min(len(ds)-1, int(p*float64(len(ds))))])
	}
	slices.Sort(all)
	slices.Sort(posts)
	b.ReportMetric(pct(all, 0.50), "p50_ms")
	b.ReportMetric(pct(all, 0.99), "p99_ms")
	b.ReportMetric(pct(all, 1), "max_ms")
	b.ReportMetric(float64(want-received), "lost")
	b.ReportMetric(pct(posts, 0.99), "post_p99_ms")
	// The p99 over each 2 seconds of sends shows whether the tail is a moment (a start, a stall)
	// or the whole run.
	var windows []string
	const window = eventRate * 2
	for from := 0; from < eventCount; from += window {
		var ds []time.Duration
		for _, r := range rs {
			for _, d := range r.byK[from:min(from+window, eventCount)] {
				if d > 0 {
					ds = append(ds, d)
				}
			}
		}
		slices.Sort(ds)
		windows = append(windows, fmt.Sprintf("%.0f", pct(ds, 0.99)))
	}
	fmt.Printf("FIGURE messages, %s: delivery p99 (ms) of the messages sent in each 2 s of the run: %s\n", name, strings.Join(windows, " "))
	fmt.Printf("FIGURE messages to a 1,000-member group chat, 1,000 WebSocket clients %s (%d messages by POST at %d/s in %.1f s, sender at most %v behind): send to delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d of %d deliveries lost, %d duplicates, %d reconnects, %d reloads; the POST itself p50 %.1f ms, p99 %.1f ms, %d failed\n",
		name, eventCount, eventRate, run.published.Seconds(), run.behind.Round(time.Millisecond), pct(all, 0.5), pct(all, 0.99), pct(all, 1),
		want-received, want, dups, reconnects, reloads, pct(posts, 0.5), pct(posts, 0.99), failed)
}

// BenchmarkMessagingReadList asks, as the sender, for the read list of a message in a
// 1,000-member group chat that 600 members have read (each through POST .../read, as the app
// does). Target: p99 at most 20 ms.
func BenchmarkMessagingReadList(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Reads Bench", "o@bench-reads.example")
	orgID := uuid.MustParse(o.orgID)
	groupID, members := seedMessagingGroup(b, e.stack.db, orgID, msgMembers, "bench-reads.example")
	base := e.http.URL
	chatID := mustGroupChat(b, base, orgID, groupID, members[0])
	owner := seededClient(b, base, members[0])
	chat := "/api/v1/orgs/" + o.orgID + "/chats/" + chatID
	// Some history around the message, so the read state is not trivially "everything".
	var target map[string]any
	for k := range 20 {
		m := owner.must(201, "POST", chat+"/messages", map[string]any{"client_id": fmt.Sprintf("reads-%d", k), "body": fmt.Sprintf("message %d of the read-list benchmark", k)})
		if k == 10 {
			target = m
		}
	}
	seq, id := int64(target["seq"].(float64)), target["id"].(string)
	readers := members[1:601]
	api := newMsgAPI()
	ctx := context.Background()
	errc := make(chan error, len(readers))
	sem := make(chan struct{}, 8)
	for _, m := range readers {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			status, out, err := api.do(ctx, base, http.MethodPost, chat+"/read", m, map[string]any{"seq": seq})
			if err == nil && status/100 != 2 {
				err = fmt.Errorf("POST %s/read as %s answered %d: %s", chat, m.email, status, out)
			}
			errc <- err
		}()
	}
	for range readers {
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
	path := chat + "/messages/" + id + "/reads"
	first := owner.must(200, "GET", path, nil)
	read := map[string]bool{}
	for _, r := range first["read"].([]any) {
		read[r.(map[string]any)["user_id"].(string)] = true
	}
	for _, m := range readers {
		if !read[m.id.String()] {
			b.Fatalf("%s read the message but is not in its read list (read_count %v, unread_count %v)", m.email, first["read_count"], first["unread_count"])
		}
	}
	b.Logf("read list: read_count %v, unread_count %v, hidden_count %v", first["read_count"], first["unread_count"], first["hidden_count"])
	if first["read_count"].(float64) != 600 {
		b.Errorf("read_count is %v; 600 members read the message", first["read_count"])
	}

	// A sub-benchmark, so that the framework's growing b.N repeats the requests, not the seeding.
	b.Run("reads", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			start := time.Now()
			res := owner.do("GET", path, nil)
			lat = append(lat, time.Since(start))
			if res.status != 200 {
				b.Fatalf("GET %s: %d %s", path, res.status, res.body)
			}
		}
		benchLatencies(b, lat, "messaging read list of a message in a 1,000-member group chat that 600 have read")
	})
	benchBaseline(b, owner, "read-list")
}

// benchBaseline times GET /api/v1/me on the same server, as a request that only authenticates
// and reads the member: on a shared machine, the tail that every request has.
func benchBaseline(b *testing.B, c *client, bench string) {
	b.Run("baseline", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			start := time.Now()
			c.must(200, "GET", "/api/v1/me", nil)
			lat = append(lat, time.Since(start))
		}
		benchLatencies(b, lat, "for comparison, GET /api/v1/me on the server of the messaging "+bench+" benchmark")
	})
}

// searchSentences are the fragments seeded messages are made of, two to a message: work-chat
// sentences in Chinese and English. Each query's term stands in exactly one of them.
var searchSentences = []string{
	"我们下周一提交第三季度报告给财务部。", "明天上午十点在三楼会议室开会。", "请大家在周五之前更新项目进度。",
	"客户对新版本的反馈非常积极。", "服务器今晚十一点开始维护，预计两个小时。", "新员工培训安排在下个月初。",
	"请把合同草稿发给法务审核。", "这个需求需要产品经理再确认一下。", "上海办公室的网络已经恢复正常。",
	"年会的节目报名截止到本周三。", "报销单据请按月整理后交给行政。", "测试环境已经部署了最新的代码。",
	"北京的客户拜访改到下周二。", "请注意保护客户的个人信息。", "设计稿已经上传到共享文件夹。",
	"市场部正在准备新品发布会。", "这周的值班表已经发在群里了。", "周末加班的同事记得申请调休。",
	"采购流程有变化，请查看最新通知。", "数据库迁移计划需要大家评审。", "下午三点和供应商电话沟通价格。",
	"请在系统里填写本月的工作总结。", "深圳团队负责移动端的开发。", "会议纪要整理好后发到邮件里。",
	"大家辛苦了，今晚一起聚餐。",
	"The deadline for the budget review moved to Friday.", "Can someone check why the build failed last night?",
	"Please review the pull request before lunch.", "The customer demo went well, thanks everyone.",
	"I will be out of office until Wednesday.", "Let's sync on the roadmap after the standup.",
	"The new onboarding guide is in the shared drive.", "Remember to submit your expense reports this week.",
	"The staging server is down for maintenance.", "Great job on the release yesterday.",
	"Who is presenting at the all hands meeting?", "The contract draft needs legal approval.",
	"Please update the ticket status in the tracker.", "We need more testers for the mobile app.",
	"The office will be closed on the public holiday.", "Marketing wants feedback on the new landing page.",
	"Lunch is on the team today.", "The database migration starts at midnight.",
	"Security training is mandatory for all staff.", "Our quarterly goals are posted in the wiki.",
	"The printer on the second floor is fixed.", "Please rotate your passwords before the audit.",
	"The vendor sent a revised price list.", "Interviews for the designer role are next week.",
	"Thanks for covering the support queue.",
}

// searchRare is the sentence of the rare term, in about one message in 5,000.
const searchRare = "Zyxomma dragonflies were spotted near the pond behind the office."

// searchQueries are the benchmark's queries: a Chinese phrase inside a longer sentence, an
// English word, and a rare term, each with how a message's body is known to match it.
var searchQueries = []struct {
	name, q string
	matches func(body string) bool
}{
	{"chinese_phrase", "季度报告", func(b string) bool { return strings.Contains(b, "季度报告") }},
	{"english_word", "deadline", func(b string) bool { return strings.Contains(b, "deadline") }},
	{"rare_term", "zyxomma", func(b string) bool { return strings.Contains(b, "Zyxomma") }},
}

const (
	searchMessages = 1_000_000
	searchChats    = 2_000
	searchMine     = 200 // chats the searching member is in
)

// BenchmarkMessagingSearch searches, through the API, as a member of 200 of an organisation's
// 2,000 chats, its 1,000,000 messages: for a Chinese phrase inside longer sentences, an English
// word, and a rare term. Target: p99 at most 100 ms.
//
// The messages are seeded in SQL; each body is two sentences of searchSentences (or the rare
// one), and its search vector is what infra/textsearch.Vector makes of it, computed here in Go
// for each distinct body. The first answer to each query is checked against the count of
// matching messages in the member's chats, computed here from the bodies.
func BenchmarkMessagingSearch(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Search Bench", "o@bench-search.example")
	orgID := uuid.MustParse(o.orgID)
	db := e.stack.db
	_, people := seedMessagingGroup(b, db, orgID, 201, "bench-search.example")
	me := people[1]
	t0 := time.Now()
	want := seedSearchMessages(b, db, orgID, people, me)
	b.Logf("seeded %d messages in %d chats in %s; matches in the member's chats: %v", searchMessages, searchChats, time.Since(t0).Round(time.Second), want)

	c := seededClient(b, e.http.URL, me)
	for qi, q := range searchQueries {
		b.Run(q.name, func(b *testing.B) {
			path := "/api/v1/orgs/" + o.orgID + "/messages/search?limit=20&q=" + url.QueryEscape(q.q)
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res := c.do("GET", path, nil)
				lat = append(lat, time.Since(start))
				if res.status != 200 {
					b.Fatalf("GET %s: %d %s", path, res.status, res.body)
				}
				if i == 0 {
					page := res.json(b)
					// The total is counted up to 1,000 (total_capped beyond).
					capped, _ := page["total_capped"].(bool)
					if total := int(page["total"].(float64)); total != min(want[qi], 1000) || capped != (want[qi] > 1000) ||
						len(page["items"].([]any)) != min(20, want[qi]) {
						b.Errorf("searching for %q found %d (capped %v, %d on the page); %d messages of the member's chats match", q.q, total, capped,
							len(page["items"].([]any)), want[qi])
					}
				}
			}
			benchLatencies(b, lat, fmt.Sprintf("messaging search for %s %q over 1,000,000 messages, member of 200 of 2,000 chats (%d matches)", strings.ReplaceAll(q.name, "_", " "), q.q, want[qi]))
		})
	}
	benchBaseline(b, c, "search")
}

// seedSearchMessages seeds the chats and messages of BenchmarkMessagingSearch and returns, for
// each of searchQueries, how many messages of me's chats match it. people are the
// organisation's members (the owner first); chats of every tenth kind are group chats.
func seedSearchMessages(b *testing.B, db *gorm.DB, orgID uuid.UUID, people []msgMember, me msgMember) []int {
	b.Helper()
	// The distinct bodies: every ordered pair of sentences, then the rare sentence after each.
	var bodies []string
	for _, x := range searchSentences {
		for _, y := range searchSentences {
			bodies = append(bodies, x+" "+y)
		}
	}
	common := len(bodies)
	for _, x := range searchSentences {
		bodies = append(bodies, x+" "+searchRare)
	}
	vectors := make([]string, len(bodies))
	for i, body := range bodies {
		vectors[i] = textsearch.Vector(body)
	}

	// Chats: one in five is a group chat, of a group of ten; the others ad hoc, of five
	// members. The searching member is in every tenth.
	others := people[2:]
	rng := rand.New(rand.NewPCG(12, 2026))
	type seedChat struct {
		id      uuid.UUID
		group   uuid.UUID
		members []msgMember
		mine    bool
	}
	chats := make([]seedChat, searchChats)
	for i := range chats {
		n := 5
		if i%5 == 0 {
			n = 10
		}
		ch := seedChat{id: uuid.New(), mine: i%(searchChats/searchMine) == 0}
		if i%5 == 0 {
			ch.group = uuid.New()
		}
		if ch.mine {
			ch.members = append(ch.members, me)
		}
		for _, k := range rng.Perm(len(others))[:n-len(ch.members)] {
			ch.members = append(ch.members, others[k])
		}
		chats[i] = ch
	}

	// Messages: each in a random chat, from a random member of it, in time order over the
	// last year.
	want := make([]int, len(searchQueries))
	matchesBody := make([][]bool, len(bodies))
	for i, body := range bodies {
		for _, q := range searchQueries {
			matchesBody[i] = append(matchesBody[i], q.matches(body))
		}
	}
	type row struct {
		chat, sender, body int
		seq                int64
	}
	rows := make([]row, searchMessages)
	seqs := make([]int64, searchChats)
	for i := range rows {
		ch := rng.IntN(searchChats)
		seqs[ch]++
		body := rng.IntN(common)
		if rng.IntN(5000) == 0 {
			body = common + rng.IntN(len(searchSentences))
		}
		rows[i] = row{chat: ch, sender: rng.IntN(len(chats[ch].members)), body: body, seq: seqs[ch]}
		if chats[ch].mine {
			for qi := range searchQueries {
				if matchesBody[body][qi] {
					want[qi]++
				}
			}
		}
	}

	start := time.Now().Add(-365 * 24 * time.Hour).UTC()
	step := 365 * 24 * time.Hour / searchMessages
	err := db.Transaction(func(tx *gorm.DB) error {
		var chatID, groupID, kind, name pq.StringArray
		var lastSeq pq.Int64Array
		var gmGroup, gmUser, cmChat, cmUser pq.StringArray
		for i, ch := range chats {
			chatID = append(chatID, ch.id.String())
			lastSeq = append(lastSeq, seqs[i])
			name = append(name, fmt.Sprintf("Chat %04d", i))
			if ch.group != uuid.Nil {
				kind, groupID = append(kind, "group"), append(groupID, ch.group.String())
				for _, m := range ch.members {
					gmGroup, gmUser = append(gmGroup, ch.group.String()), append(gmUser, m.id.String())
				}
			} else {
				kind, groupID = append(kind, "adhoc"), append(groupID, uuid.Nil.String())
				for _, m := range ch.members {
					cmChat, cmUser = append(cmChat, ch.id.String()), append(cmUser, m.id.String())
				}
			}
		}
		steps := []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO groups (id, org_id, name, name_pinyin, name_initials, member_count, created_at, updated_at)
				SELECT g, ?, 'Group ' || n, 'group' || n, 'g', 10, now(), now() FROM unnest(?::uuid[]) WITH ORDINALITY AS v(g, n)
				WHERE g <> '00000000-0000-0000-0000-000000000000'`, []any{orgID, groupID}},
			{`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) SELECT ?, g, u, 'member', now() FROM unnest(?::uuid[], ?::uuid[]) AS v(g, u)`,
				[]any{orgID, gmGroup, gmUser}},
			{`INSERT INTO chats (id, org_id, kind, group_id, name, created_by, last_seq, last_message_at, created_at, updated_at)
				SELECT v.id, ?, v.kind, NULLIF(v.g, '00000000-0000-0000-0000-000000000000'), CASE WHEN v.kind = 'adhoc' THEN v.name ELSE '' END, ?, v.last_seq, now(), ?, now()
				FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::bigint[]) AS v(id, kind, g, name, last_seq)`,
				[]any{orgID, people[0].id, start, chatID, kind, groupID, name, lastSeq}},
			{`INSERT INTO chat_members (org_id, chat_id, user_id, role, added_at) SELECT ?, c, u, 'member', now() FROM unnest(?::uuid[], ?::uuid[]) AS v(c, u)`,
				[]any{orgID, cmChat, cmUser}},
			{`CREATE TEMPORARY TABLE bench_bodies ON COMMIT DROP AS
				SELECT n - 1 AS n, body, search::tsvector AS search FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS v(body, search, n)`,
				[]any{pq.StringArray(bodies), pq.StringArray(vectors)}},
			{`CREATE TEMPORARY TABLE bench_people ON COMMIT DROP AS SELECT n - 1 AS n, id FROM unnest(?::uuid[]) WITH ORDINALITY AS v(id, n)`,
				[]any{func() pq.StringArray {
					var ids pq.StringArray
					for _, p := range people {
						ids = append(ids, p.id.String())
					}
					return ids
				}()}},
		}
		for _, s := range steps {
			if err := tx.Exec(s.sql, s.args...).Error; err != nil {
				return fmt.Errorf("%.60s: %w", s.sql, err)
			}
		}
		// The indexes that back no constraint are built after the rows, from their definitions.
		var indexes []struct{ Name, Def string }
		if err := tx.Raw(`SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename = 'messages'
			  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`).Scan(&indexes).Error; err != nil {
			return err
		}
		for _, ix := range indexes {
			if err := tx.Exec(`DROP INDEX ` + ix.Name).Error; err != nil {
				return err
			}
		}
		personIndex := map[uuid.UUID]int{}
		for i, p := range people {
			personIndex[p.id] = i
		}
		const batch = 50_000
		for lo := 0; lo < len(rows); lo += batch {
			var chat, sender, body pq.Int64Array
			var seq pq.Int64Array
			for _, r := range rows[lo:min(lo+batch, len(rows))] {
				chat = append(chat, int64(r.chat))
				sender = append(sender, int64(personIndex[chats[r.chat].members[r.sender].id]))
				body = append(body, int64(r.body))
				seq = append(seq, r.seq)
			}
			err := tx.Exec(`INSERT INTO messages (id, org_id, chat_id, seq, sender_id, client_id, body, search, created_at)
				SELECT gen_random_uuid(), ?, (?::uuid[])[v.chat + 1], v.seq, p.id, 'seed-' || v.seq, bb.body, bb.search, ?::timestamptz + (? + v.k) * ?::interval
				FROM unnest(?::int[], ?::int[], ?::int[], ?::bigint[]) WITH ORDINALITY AS v(chat, sender, body, seq, k)
				JOIN bench_bodies bb ON bb.n = v.body JOIN bench_people p ON p.n = v.sender`,
				orgID, chatID, start, lo, fmt.Sprintf("%d microseconds", step.Microseconds()), chat, sender, body, seq).Error
			if err != nil {
				return fmt.Errorf("messages %d–%d: %w", lo, lo+batch, err)
			}
		}
		for _, ix := range indexes {
			if err := tx.Exec(ix.Def).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE chats c SET last_message_at = m.at FROM (SELECT chat_id, max(created_at) AS at FROM messages WHERE org_id = ? GROUP BY chat_id) m
			WHERE c.id = m.chat_id`, orgID).Error
	})
	if err != nil {
		b.Fatalf("seeding messages: %v", err)
	}
	// As autovacuum leaves them in a running system.
	for _, t := range []string{"messages", "chats", "chat_members", "chat_reads", "groups", "group_members"} {
		if err := db.Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
			b.Fatal(err)
		}
	}
	return want
}

// TestScanMessageFrame: the benchmark's byte reader finds what a decoder would in the frames
// the gateway writes, and nothing in others.
func TestScanMessageFrame(t *testing.T) {
	chat := "7d3c2f7e-54a1-4c51-9c1f-3b0e8e6d2a10"
	frame := `{"type":"event","seq":4711,"event":{"id":9,"type":"messages.message_created","org_id":"a","actor_id":null,"subject_type":"chat","subject_id":"` + chat +
		`","payload":{"chat_id": "` + chat + `", "message": {"id": "m", "seq": 3, "body": "bench 42 1764633600123456789: the quarterly report", "sender_id": "s"}},"created_at":"2026-12-02T01:00:00Z"}}`
	if f := scanMessageFrame([]byte(frame), chat); f != (messageFrame{seq: 4711, message: true, k: 42, sent: 1764633600123456789}) {
		t.Errorf("a message frame: %+v", f)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	if f := scanMessageFrame(compact.Bytes(), chat); f != (messageFrame{seq: 4711, message: true, k: 42, sent: 1764633600123456789}) {
		t.Errorf("a compact message frame: %+v", f)
	}
	if f := scanMessageFrame([]byte(frame), "another-chat"); f != (messageFrame{seq: 4711}) {
		t.Errorf("another chat's message: %+v", f)
	}
	read := `{"type":"event","seq":4712,"event":{"type":"messages.read","payload":{"chat_id": "` + chat + `", "seq": 3}}}`
	if f := scanMessageFrame([]byte(read), chat); f != (messageFrame{seq: 4712}) {
		t.Errorf("a read frame: %+v", f)
	}
	if f := scanMessageFrame([]byte(`{"type":"reload"}`), chat); !f.reload {
		t.Errorf("a reload: %+v", f)
	}
	if f := scanMessageFrame([]byte(`{"seq":1,"type":"event"}`), chat); f != (messageFrame{}) {
		t.Errorf("another shape: %+v", f)
	}
}
