package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/mail"
	"canopy/infra/localenv/localtest"
	inframail "canopy/infra/mail"
	pgmail "canopy/infra/postgres/mail"
)

// mustPort is the port of a host:port.
func mustPort(t testing.TB, hostport string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mailpitMessage is a delivered message as mailpit's API shows it.
type mailpitMessage struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	Text    string `json:"Text"`
	HTML    string `json:"HTML"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// mailTo returns the messages mailpit holds for address, newest first, read in full through
// GET /api/v1/messages and /api/v1/message/{ID}. Each test uses addresses of its own, so
// other tests' mail never matches.
func mailTo(t testing.TB, address string) []mailpitMessage {
	t.Helper()
	base := localtest.MustServices(t).MailpitURL
	var list struct {
		Messages []mailpitMessage `json:"messages"`
	}
	getJSON(t, base+"/api/v1/messages?limit=1000", &list)
	var out []mailpitMessage
	for _, m := range list.Messages {
		for _, to := range m.To {
			if strings.EqualFold(to.Address, address) {
				var full mailpitMessage
				getJSON(t, base+"/api/v1/message/"+url.PathEscape(m.ID), &full)
				out = append(out, full)
			}
		}
	}
	return out
}

func getJSON(t testing.TB, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// mustSendMail runs one pass of the stack's mail worker, which delivers to mailpit.
func (e *testEnv) mustSendMail() {
	e.t.Helper()
	if e.stack.mailWorker == nil {
		e.t.Fatal("the test stack has no mail worker")
	}
	if _, err := e.stack.mailWorker.RunOnce(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *testEnv) outboxCount(where string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.stack.db.Raw("SELECT count(*) FROM email_outbox WHERE "+where, args...).Scan(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

var resetLink = regexp.MustCompile(`/reset-password/([A-Za-z0-9_-]{43,})`)

// TestPasswordResetByEmail: a reset asked for an existing address arrives in mailpit in the
// person's language with a link that sets a new password once and ends their sessions; an
// unknown address gets the identical answer and no mail; asking too often answers 429.
func TestPasswordResetByEmail(t *testing.T) {
	e := newTestEnv(t)
	tag := uuid.NewString()[:8]
	email := "li-" + tag + "@reset.example"
	o := e.mustOrg("Reset"+tag, email)
	o.c.must(200, "PATCH", "/api/v1/me", map[string]any{"locale": "zh-CN"})

	anon := e.client()
	known := anon.do("POST", "/api/v1/auth/password-reset", map[string]string{"email": strings.ToUpper(email)})
	unknownAddr := "nobody-" + tag + "@reset.example"
	unknown := anon.do("POST", "/api/v1/auth/password-reset", map[string]string{"email": unknownAddr})
	if known.status != 202 || unknown.status != 202 || string(known.body) != string(unknown.body) {
		t.Fatalf("known %d %s, unknown %d %s: the answers differ", known.status, known.body, unknown.status, unknown.body)
	}
	e.mustSendMail()
	if n := e.outboxCount(`"to" = ?`, unknownAddr); n != 0 {
		t.Fatalf("%d emails queued for an unknown address", n)
	}
	if got := mailTo(t, unknownAddr); len(got) != 0 {
		t.Fatalf("mail for an unknown address: %+v", got)
	}
	msgs := mailTo(t, email)
	if len(msgs) != 1 || msgs[0].Subject != "重置您的 Canopy 密码" || !strings.Contains(msgs[0].HTML, "设置新密码") {
		t.Fatalf("reset mail: %+v", msgs)
	}
	m := resetLink.FindStringSubmatch(msgs[0].Text)
	if m == nil || !strings.Contains(msgs[0].HTML, "/reset-password/"+m[1]) {
		t.Fatalf("no reset link in %q", msgs[0].Text)
	}
	token := m[1]

	// A password the policy refuses leaves the link working.
	if r := anon.do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": "short"}); r.status != 400 {
		t.Fatalf("weak password: %d %s", r.status, r.body)
	}
	anon.must(204, "POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": "Fresh-Reset-Pass-1"})
	if r := o.c.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("the old session survived the reset: %d", r.status)
	}
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": o.pw}); r.status != 401 {
		t.Fatalf("old password still works: %d", r.status)
	}
	e.client().mustLogin(email, "Fresh-Reset-Pass-1")
	r := anon.do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": "Second-Reset-Pass-2"})
	if r.status != 404 || r.errorCode(t) != "reset_invalid" {
		t.Fatalf("second use: %d %s", r.status, r.body)
	}
	e.client().mustLogin(email, "Fresh-Reset-Pass-1")

	// The person is told, in their language.
	e.mustSendMail()
	var notice bool
	for _, msg := range mailTo(t, email) {
		notice = notice || msg.Subject == "您的 Canopy 密码已更改"
	}
	if !notice {
		t.Fatalf("no password-changed notice: %+v", mailTo(t, email))
	}

	// Throttled per email address, for an unknown one exactly as for a known one.
	for _, addr := range []string{"throttle-" + tag + "@reset.example", email} {
		var last response
		for i := 0; i < 5 && last.status != 429; i++ {
			last = e.client().do("POST", "/api/v1/auth/password-reset", map[string]string{"email": addr})
		}
		if last.status != 429 || last.header.Get("Retry-After") == "" {
			t.Fatalf("%s: %d requests were never throttled: %d %s", addr, 5, last.status, last.body)
		}
	}
}

// TestActivationLinkIsEmailed: a link issued for a provisioned person also reaches them by mail.
func TestActivationLinkIsEmailed(t *testing.T) {
	e := newTestEnv(t)
	tag := uuid.NewString()[:8]
	d := e.mustDir("Act"+tag, "owner-"+tag+"@act.example")
	addr := "new-" + tag + "@act.example"
	uid := d.provision(map[string]any{"email": addr, "display_name": "New Person", "locale": "zh-CN"})
	link := d.c.must(201, "POST", d.admin("/users/"+uid+"/activation-link"), nil)
	token := linkToken(t, link)
	e.mustSendMail()
	msgs := mailTo(t, addr)
	if len(msgs) != 1 || msgs[0].Subject != "您的 Canopy 账号已开通" || !strings.Contains(msgs[0].Text, "/activate/"+token) {
		t.Fatalf("activation mail: %+v", msgs)
	}
}

// fakeClock is a clock a test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestEmailOutboxRetriesAndDeadLetters: a message the mail server did not take is retried after
// a pause and then delivered; one that keeps failing is kept as failed after max attempts and
// never sent.
func TestEmailOutboxRetriesAndDeadLetters(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	tag := uuid.NewString()[:8]
	// A port nothing listens on: the mail server is down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := mustPort(t, l.Addr().String())
	_ = l.Close()
	cfg := e.stack.cfg
	cfg.SMTP.MaxAttempts = 3
	down := smtpConfig(cfg.SMTP)
	down.Port, down.Timeout = closed, 5*time.Second
	badSender, err := inframail.NewSender(down)
	if err != nil {
		t.Fatal(err)
	}
	goodSender, err := inframail.NewSender(smtpConfig(cfg.SMTP))
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: time.Now().Add(time.Second)} // past every enqueue below
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	outbox := pgmail.NewOutbox(e.stack.db)
	bad := newMailWorker(cfg, outbox, badSender, clk, log)
	good := newMailWorker(cfg, outbox, goodSender, clk, log)
	notice := func(to string) mail.Message {
		return mail.Message{To: to, Locale: "en", Kind: mail.KindPasswordChanged, Data: map[string]any{"Name": "Ada", "Email": to, "ResetLink": "http://127.0.0.1/forgot-password"}}
	}

	retried := "retry-" + tag + "@outbox.example"
	if err := e.stack.mail.Enqueue(ctx, notice(retried)); err != nil {
		t.Fatal(err)
	}
	if r, err := bad.RunOnce(ctx); err != nil || r.Retried != 1 {
		t.Fatalf("first attempt: %+v %v", r, err)
	}
	if n := e.outboxCount(`"to" = ? AND status = 'pending' AND attempts = 1 AND last_error <> ''`, retried); n != 1 {
		t.Fatal("the failed attempt was not recorded")
	}
	// Not due again before its pause ends.
	if r, err := good.RunOnce(ctx); err != nil || r.Sent != 0 {
		t.Fatalf("retried before the pause: %+v %v", r, err)
	}
	clk.add(mail.Backoff(1) + time.Second)
	if r, err := good.RunOnce(ctx); err != nil || r.Sent != 1 {
		t.Fatalf("second attempt: %+v %v", r, err)
	}
	if msgs := mailTo(t, retried); len(msgs) != 1 || msgs[0].Subject != "Your Canopy password was changed" {
		t.Fatalf("retried mail: %+v", msgs)
	}
	if n := e.outboxCount(`"to" = ? AND status = 'sent' AND sent_at IS NOT NULL AND attempts = 2`, retried); n != 1 {
		t.Fatal("the sent message is not marked sent")
	}

	deadAddr := "dead-" + tag + "@outbox.example"
	if err := e.stack.mail.Enqueue(ctx, notice(deadAddr)); err != nil {
		t.Fatal(err)
	}
	var last struct{ retried, dead int }
	for i := 0; i < 3; i++ {
		clk.add(2 * time.Hour)
		r, err := bad.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last.retried, last.dead = last.retried+r.Retried, last.dead+r.Dead
	}
	if last.retried != 2 || last.dead != 1 {
		t.Fatalf("attempts: %+v", last)
	}
	clk.add(2 * time.Hour)
	if r, err := good.RunOnce(ctx); err != nil || r.Sent != 0 {
		t.Fatalf("a dead letter was sent: %+v %v", r, err)
	}
	if n := e.outboxCount(`"to" = ? AND status = 'failed' AND attempts = 3`, deadAddr); n != 1 {
		t.Fatal("not dead-lettered after 3 attempts")
	}
	if msgs := mailTo(t, deadAddr); len(msgs) != 0 {
		t.Fatalf("dead letter delivered: %+v", msgs)
	}
}
