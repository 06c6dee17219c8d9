package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCheckDeliveriesFindsAMissingMessage(t *testing.T) {
	now := time.Now()
	msgs := []sentMessage{
		{ID: "m1", ChatID: "c1", Seq: 1, Accepted: now},
		{ID: "m2", ChatID: "c1", Seq: 2, Accepted: now},
		{ID: "m3", ChatID: "c2", Seq: 1, Accepted: now},
	}
	members := map[string][]int{"c1": {0, 1}, "c2": {1}}
	user := []int{0, 1}
	got := []map[string]delivery{
		{"m1": {At: now.Add(5 * time.Millisecond), Live: true, Count: 1}}, // m2 deliberately missing
		{"m1": {At: now, Live: true, Count: 1}, "m2": {At: now, Count: 0}, "m3": {At: now, Live: true, Count: 1}},
	}
	c := checkDeliveries(msgs, members, user, got)
	if c.Expected != 5 || c.Delivered != 4 || c.Lost != 1 || c.ViaCatchUp != 1 || c.Duplicates != 0 {
		t.Fatalf("got %+v, want 5 expected, 4 delivered (1 by catch-up), 1 lost", c)
	}
	if len(c.Missing) != 1 || !strings.Contains(c.Missing[0], "m2") || !strings.Contains(c.Missing[0], "receiver 0") {
		t.Fatalf("missing = %q, want receiver 0 lacking m2", c.Missing)
	}
	if len(c.Latencies) != 3 || c.Latencies[2] != 5*time.Millisecond {
		t.Fatalf("latencies = %v", c.Latencies)
	}
}

func TestCheckDeliveriesCountsDuplicates(t *testing.T) {
	msgs := []sentMessage{{ID: "m1", ChatID: "c1", Seq: 1}}
	got := []map[string]delivery{{"m1": {Live: true, Count: 2}}}
	c := checkDeliveries(msgs, map[string][]int{"c1": {0}}, []int{0}, got)
	if c.Lost != 0 || c.Duplicates != 1 {
		t.Fatalf("got %+v, want 1 duplicate and none lost", c)
	}
}

func TestCheckDeliveriesIgnoresChatsOfOthers(t *testing.T) {
	msgs := []sentMessage{{ID: "m1", ChatID: "c1", Seq: 1}}
	c := checkDeliveries(msgs, map[string][]int{"c1": {0}}, []int{1}, []map[string]delivery{{}})
	if c.Expected != 0 || c.Lost != 0 {
		t.Fatalf("got %+v: a receiver outside the chat expects nothing of it", c)
	}
}

func TestCheckHistory(t *testing.T) {
	accepted := []sentMessage{
		{ID: "a", ChatID: "c1", Seq: 1}, {ID: "b", ChatID: "c1", Seq: 2}, {ID: "c", ChatID: "c1", Seq: 3},
		{ID: "z", ChatID: "c2", Seq: 1},
	}
	unknownSends := []sentMessage{{ChatID: "c1", ClientID: "k4", Unknown: true}, {ChatID: "c1", ClientID: "k5", Unknown: true}}
	history := []historyEntry{{ID: "a", Seq: 1}, {ID: "x", Seq: 2}, {ID: "d", Seq: 4, ClientID: "k4"}} // b replaced, c gone
	lost, found := checkHistory("c1", accepted, unknownSends, history)
	if len(lost) != 2 || !strings.Contains(lost[0], "message b") || !strings.Contains(lost[1], "message c") {
		t.Fatalf("lost = %q, want b and c", lost)
	}
	if len(found) != 1 || found[0].ID != "d" || found[0].Seq != 4 {
		t.Fatalf("found = %+v, want the unknown send k4 as d at seq 4", found)
	}
	if lost, _ := checkHistory("c2", accepted, nil, []historyEntry{{ID: "z", Seq: 1}}); len(lost) != 0 {
		t.Fatalf("lost = %q in a complete history", lost)
	}
}

func TestTaskAccounting(t *testing.T) {
	l := &ledger{}
	l.addTask("t1", taskValue{Title: "v0", Section: "s1"})
	tk := l.tasks[0]
	l.taskWritten(tk, taskValue{Title: "v1", Section: "s1"}, committed, false)
	l.taskWritten(tk, taskValue{Title: "v1", Section: "s2"}, committed, true)
	l.taskWritten(tk, taskValue{Title: "v9", Section: "s2"}, refused, false)
	if err := checkTask(tk, taskValue{Title: "v1", Section: "s2"}); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []taskValue{{"v0", "s1"}, {"v1", "s1"}, {"v9", "s2"}} {
		if checkTask(tk, stale) == nil {
			t.Fatalf("%+v passed for a task whose last acknowledged value is v1 in s2", stale)
		}
	}
	// A write with no clear answer: either value is right, and it is not a loss.
	l.taskWritten(tk, taskValue{Title: "v2", Section: "s2"}, unknown, false)
	for _, ok := range []taskValue{{"v1", "s2"}, {"v2", "s2"}} {
		if err := checkTask(tk, ok); err != nil {
			t.Fatalf("%+v after an unknown write: %v", ok, err)
		}
	}
	if tk.updates != 1 || tk.moves != 1 || l.unknownWrites != 1 {
		t.Fatalf("updates %d, moves %d, unknown %d; want 1, 1, 1", tk.updates, tk.moves, l.unknownWrites)
	}
}

func TestOutcomeOf(t *testing.T) {
	for _, c := range []struct {
		rep  reply
		want outcome
	}{
		{reply{status: 201}, committed},
		{reply{status: 204}, committed},
		{reply{status: 400}, refused},
		{reply{status: 429}, refused},
		{reply{status: 503}, unknown},
		{reply{status: 502}, unknown},
		{reply{err: errTest}, unknown},
		{reply{status: 201, err: errTest}, unknown},
	} {
		if got := outcomeOf(c.rep); got != c.want {
			t.Errorf("outcomeOf(%d, %v) = %d, want %d", c.rep.status, c.rep.err, got, c.want)
		}
	}
}

var errTest = errorString("timeout")

type errorString string

func (e errorString) Error() string { return string(e) }

// A report with a lost message, a lost write or a 5xx fails; the figures alone pass.
func TestReportJudges(t *testing.T) {
	judge := func(mut func(*report, *deliveryCheck, *driver)) *report {
		d := newDriver(config{targets: []string{"http://127.0.0.1:1"}, workers: 1})
		r := &report{}
		dc := deliveryCheck{}
		mut(r, &dc, d)
		d.fill(r, time.Now(), time.Second, 0, dc)
		return r
	}
	if r := judge(func(*report, *deliveryCheck, *driver) {}); !r.Pass {
		t.Fatalf("a clean run failed: %v", r.Failures)
	}
	r := judge(func(_ *report, dc *deliveryCheck, _ *driver) { dc.Lost = 1 })
	if r.Pass || r.LostMessages != 1 {
		t.Fatalf("a lost message passed: %+v", r)
	}
	if b, err := json.Marshal(r); err != nil || !strings.Contains(string(b), `"lost_messages":1`) || !strings.Contains(string(b), `"pass":false`) {
		t.Fatalf("the JSON report: %v %s", err, b)
	}
	if r := judge(func(_ *report, dc *deliveryCheck, _ *driver) { dc.Duplicates = 1 }); r.Pass {
		t.Fatal("a duplicate delivery passed")
	}
	if r := judge(func(r *report, _ *deliveryCheck, _ *driver) { r.lostWrite("task t1") }); r.Pass || r.LostWrites != 1 {
		t.Fatalf("a lost write passed: %+v", r)
	}
	if r := judge(func(_ *report, _ *deliveryCheck, d *driver) {
		d.record(kChatSend, 1, reply{status: 500, start: time.Now()})
	}); r.Pass || r.Status5xx != 1 {
		t.Fatalf("a 500 passed: %+v", r)
	}
	if r := judge(func(_ *report, _ *deliveryCheck, d *driver) {
		d.cfg.max5xx = 1
		d.record(kChatSend, 1, reply{status: 503, start: time.Now()})
	}); !r.Pass {
		t.Fatalf("one 503 with -max-5xx 1 failed: %v", r.Failures)
	}
}
