package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
)

// kind is a kind of call in the mix.
type kind string

const (
	kSignIn     kind = "sign_in"
	kBrowse     kind = "directory_browse"
	kSearch     kind = "directory_search"
	kMyTasks    kind = "my_tasks"
	kTaskUpdate kind = "task_update"
	kCardMove   kind = "card_move"
	kChatSend   kind = "chat_send"
	kUpload     kind = "file_upload"
	kDownload   kind = "file_download"
)

// mix is the share of each call kind in the load, in percent: mostly reading (directory,
// "My tasks", downloads) and chatting, as an office's working day is; writes are a third.
// docs/performance.md quotes this table.
var mix = []struct {
	Kind   kind
	Weight int
}{
	{kSignIn, 5},
	{kBrowse, 12},
	{kSearch, 8},
	{kMyTasks, 12},
	{kTaskUpdate, 10},
	{kCardMove, 8},
	{kChatSend, 25},
	{kUpload, 8},
	{kDownload, 12},
}

func pickKind() kind {
	total := 0
	for _, m := range mix {
		total += m.Weight
	}
	n := mrand.IntN(total)
	for _, m := range mix {
		if n < m.Weight {
			return m.Kind
		}
		n -= m.Weight
	}
	return mix[len(mix)-1].Kind
}

// hit makes one call of kind k against base and returns the kind actually made (a task write
// with every task busy becomes a "My tasks" read) and the answer.
func (d *driver) hit(ctx context.Context, k kind, base string) (kind, reply) {
	org := "/api/v1/orgs/" + d.orgID
	m := d.users[mrand.IntN(len(d.users))]
	switch k {
	case kSignIn:
		_, rep, _ := signIn(ctx, d.api, base, m.email, m.password)
		return k, rep
	case kBrowse:
		off := mrand.IntN(len(d.users) + 1)
		return k, d.api.do(ctx, base, jsonRequest(http.MethodGet, fmt.Sprintf("%s/members?limit=20&offset=%d", org, off), m.token, nil))
	case kSearch:
		q := []string{d.runID, "load", "fuzai"}[mrand.IntN(3)]
		return k, d.api.do(ctx, base, jsonRequest(http.MethodGet, org+"/search?limit=20&q="+url.QueryEscape(q), m.token, nil))
	case kMyTasks:
		return k, d.api.do(ctx, base, jsonRequest(http.MethodGet, org+"/me/tasks?view=assigned&limit=50", m.token, nil))
	case kTaskUpdate, kCardMove:
		t := d.claimTask()
		if t == nil {
			return d.hit(ctx, kMyTasks, base)
		}
		defer t.busy.Unlock()
		if k == kTaskUpdate {
			v := taskValue{Title: fmt.Sprintf("load %s task %s v%d", d.runID, t.id[:8], d.seq.Add(1)), Section: t.want.Section}
			rep := d.api.do(ctx, base, jsonRequest(http.MethodPatch, org+"/tasks/"+t.id, m.token, map[string]any{"title": v.Title}))
			d.led.taskWritten(t, v, outcomeOf(rep), false)
			return k, rep
		}
		v := taskValue{Title: t.want.Title, Section: d.sections[mrand.IntN(len(d.sections))]}
		for len(d.sections) > 1 && v.Section == t.want.Section {
			v.Section = d.sections[mrand.IntN(len(d.sections))]
		}
		rep := d.api.do(ctx, base, jsonRequest(http.MethodPost, org+"/tasks/"+t.id+"/move", m.token, map[string]any{"section_id": v.Section}))
		d.led.taskWritten(t, v, outcomeOf(rep), true)
		return k, rep
	case kChatSend:
		c := d.chats[mrand.IntN(len(d.chats))]
		from := d.users[c.members[mrand.IntN(len(c.members))]]
		n := d.seq.Add(1)
		sm := sentMessage{ChatID: c.id, ClientID: fmt.Sprintf("load-%s-%d", d.runID, n)}
		rep := d.api.do(ctx, base, jsonRequest(http.MethodPost, org+"/chats/"+c.id+"/messages", from.token, map[string]any{
			"client_id": sm.ClientID, "body": fmt.Sprintf("load %d from member %d: the weekly report is ready, 周报已经准备好了", n, from.idx),
		}))
		o := outcomeOf(rep)
		if o == committed {
			var out struct {
				ID  string `json:"id"`
				Seq int64  `json:"seq"`
			}
			if err := json.Unmarshal(rep.body, &out); err != nil || out.ID == "" {
				o = unknown // accepted, but what it became is not known
			}
			sm.ID, sm.Seq, sm.Accepted = out.ID, out.Seq, rep.start.Add(rep.latency)
		}
		d.led.messageSent(sm, o)
		return k, rep
	case kUpload:
		rep, _ := d.uploadFile(ctx, base, m, 1024+mrand.IntN(max(1, d.cfg.fileSize-1024)))
		return k, rep
	case kDownload:
		m.mu.Lock()
		if len(m.files) == 0 {
			m.mu.Unlock()
			return d.hit(ctx, kBrowse, base)
		}
		f := m.files[mrand.IntN(len(m.files))]
		m.mu.Unlock()
		return k, d.api.do(ctx, base, jsonRequest(http.MethodGet, org+"/files/"+f.ID+"/content", m.token, nil))
	}
	panic("unknown kind " + string(k))
}

// claimTask takes a task that no other call is writing and whose last write had a known
// outcome; nil when there is none.
func (d *driver) claimTask() *taskState {
	tasks := d.led.tasks // fixed after setup
	start := mrand.IntN(len(tasks))
	for i := range tasks {
		t := tasks[(start+i)%len(tasks)]
		if !t.busy.TryLock() {
			continue
		}
		d.led.mu.Lock()
		tainted := t.alt != nil
		d.led.mu.Unlock()
		if !tainted {
			return t
		}
		t.busy.Unlock()
	}
	return nil
}

// uploadFile uploads size random bytes (at least 1 KiB) into m's personal space and records a
// committed upload.
func (d *driver) uploadFile(ctx context.Context, base string, m *member, size int) (reply, bool) {
	size = max(size, 1024)
	data := make([]byte, size)
	_, _ = rand.Read(data)
	sum := sha256.Sum256(data)
	name := fmt.Sprintf("load-%s-%d.bin", d.runID, d.seq.Add(1))
	r := request{method: http.MethodPost, path: "/api/v1/orgs/" + d.orgID + "/files?name=" + url.QueryEscape(name),
		body: data, contentType: "application/octet-stream", token: m.token}
	rep := d.api.do(ctx, base, r)
	o := outcomeOf(rep)
	u := &upload{SHA256: hex.EncodeToString(sum[:]), Size: size, Owner: m.idx}
	if o == committed {
		var out struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(rep.body, &out); err != nil || out.ID == "" {
			o = unknown
		}
		u.ID = out.ID
	}
	d.led.uploaded(u, o)
	if o == committed {
		m.mu.Lock()
		m.files = append(m.files, u)
		m.mu.Unlock()
	}
	return rep, o == committed
}

// errorCode reads the machine code of a JSON error body.
func errorCode(body []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		return e.Error.Code
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		return "html"
	}
	return "no_code"
}
