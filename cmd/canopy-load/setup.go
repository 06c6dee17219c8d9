package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
)

// member is a signed-in member the load acts as.
type member struct {
	idx      int
	id       string
	email    string
	password string
	token    string

	mu    sync.Mutex
	files []*upload // what this member uploaded and the server took (their personal space)
}

// chat is a chat of the load with the indexes of its members.
type chat struct {
	id      string
	members []int
}

// session is a browser session: the cookie and its CSRF token.
type session struct {
	cookie, csrf string
}

// signIn posts the credentials and returns the session the server set.
func signIn(ctx context.Context, api *apiClient, base, email, password string) (session, reply, error) {
	rep := api.do(ctx, base, jsonRequest(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}))
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := expect(rep, "sign-in of "+email, &out, http.StatusOK); err != nil {
		return session{}, rep, err
	}
	s := session{csrf: out.CSRF}
	for _, c := range rep.cookies {
		if c.Name == "canopy_session" {
			s.cookie = c.Value
		}
	}
	if s.cookie == "" {
		return session{}, rep, fmt.Errorf("sign-in of %s set no session cookie", email)
	}
	return s, rep, nil
}

// sessionRequest turns a JSON request into one made with a session.
func (s session) request(r request) request {
	r.token, r.cookie, r.csrf = "", s.cookie, s.csrf
	return r
}

// newToken makes an API token for the session's member in the organisation.
func newToken(ctx context.Context, api *apiClient, s session, orgID, name string) (string, error) {
	var out struct {
		Secret string `json:"secret"`
	}
	rep := api.do(ctx, api.base(), s.request(jsonRequest(http.MethodPost, "/api/v1/orgs/"+orgID+"/tokens", "", map[string]any{"name": name, "expires_in_days": 7})))
	if err := expect(rep, "token", &out, http.StatusCreated); err != nil {
		return "", err
	}
	return out.Secret, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// setup prepares what the load needs through the public API only, as the organisation's owner:
// members with passwords (made by the admin API with an initial password, then changed by
// each member, who makes an API token), ad-hoc chats of them, an organisation task list with
// tasks assigned to them, and a file uploaded by each.
func (d *driver) setup(ctx context.Context) error {
	api := d.api
	owner, _, err := signIn(ctx, api, api.base(), d.cfg.setupEmail, d.cfg.setupPassword)
	if err != nil {
		return err
	}
	var me struct {
		Organisations []struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"organisations"`
	}
	if err := expect(api.do(ctx, api.base(), owner.request(jsonRequest(http.MethodGet, "/api/v1/me", "", nil))), "GET /me", &me, http.StatusOK); err != nil {
		return err
	}
	for _, o := range me.Organisations {
		if o.Role == "owner" && (d.cfg.orgID == "" || d.cfg.orgID == o.ID) {
			d.orgID = o.ID
			break
		}
	}
	if d.orgID == "" {
		return fmt.Errorf("%s owns no organisation (or not -org %q)", d.cfg.setupEmail, d.cfg.orgID)
	}
	d.ownerToken, err = newToken(ctx, api, owner, d.orgID, "canopy-load owner "+d.runID)
	if err != nil {
		return err
	}

	d.users = make([]*member, d.cfg.users)
	errc := make(chan error, d.cfg.users)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range d.users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			m, err := d.makeMember(ctx, i)
			d.users[i] = m
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}

	if err := d.makeChats(ctx); err != nil {
		return err
	}
	if err := d.makeTasks(ctx); err != nil {
		return err
	}
	// A seed file for each member, so downloads have something from the start.
	for _, m := range d.users {
		if rep, ok := d.uploadFile(ctx, api.base(), m, 0); !ok {
			return fmt.Errorf("seed upload for %s: %d %v %s", m.email, rep.status, rep.err, snippet(rep.body))
		}
	}
	return nil
}

func (d *driver) makeMember(ctx context.Context, i int) (*member, error) {
	api := d.api
	m := &member{idx: i, email: fmt.Sprintf("load-%s-%d@canopy-load.example", d.runID, i), password: "Ld-" + randomHex(12)}
	initial := "In-" + randomHex(12)
	var created struct {
		UserID string `json:"user_id"`
	}
	rep := api.do(ctx, api.base(), jsonRequest(http.MethodPost, "/api/v1/admin/orgs/"+d.orgID+"/users", d.ownerToken, map[string]any{
		"email": m.email, "display_name": fmt.Sprintf("Load %s %d 负载", d.runID, i), "password": initial,
	}))
	if err := expect(rep, "create member "+m.email, &created, http.StatusCreated); err != nil {
		return nil, err
	}
	m.id = created.UserID
	s, _, err := signIn(ctx, api, api.base(), m.email, initial)
	if err != nil {
		return nil, err
	}
	rep = api.do(ctx, api.base(), s.request(jsonRequest(http.MethodPost, "/api/v1/me/password", "", map[string]string{"current_password": initial, "new_password": m.password})))
	if err := expect(rep, "password change of "+m.email, nil, http.StatusNoContent); err != nil {
		return nil, err
	}
	if m.token, err = newToken(ctx, api, s, d.orgID, "canopy-load "+d.runID); err != nil {
		return nil, err
	}
	return m, nil
}

// makeChats makes the ad-hoc chats: the first holds everyone, the others a window of about
// half the members each, so receivers see different sets.
func (d *driver) makeChats(ctx context.Context) error {
	n := len(d.users)
	for c := range d.cfg.chats {
		size := n
		if c > 0 {
			size = max(min(3, n), n/2)
		}
		var idx []int
		for k := range size {
			idx = append(idx, (c+k)%n)
		}
		creator := d.users[idx[0]]
		var others []string
		for _, k := range idx[1:] {
			others = append(others, d.users[k].id)
		}
		var out struct {
			ID string `json:"id"`
		}
		rep := d.api.do(ctx, d.api.base(), jsonRequest(http.MethodPost, "/api/v1/orgs/"+d.orgID+"/chats", creator.token, map[string]any{
			"kind": "adhoc", "name": fmt.Sprintf("load %s chat %d", d.runID, c), "member_ids": others,
		}))
		if err := expect(rep, "create chat", &out, http.StatusCreated); err != nil {
			return err
		}
		d.chats = append(d.chats, &chat{id: out.ID, members: idx})
	}
	return nil
}

// makeTasks makes an organisation list (its members are editors) with three columns and the
// tasks, each assigned to a member so that "My tasks" has something to show.
func (d *driver) makeTasks(ctx context.Context) error {
	var list struct {
		ID       string `json:"id"`
		Sections []struct {
			ID string `json:"id"`
		} `json:"sections"`
	}
	r := jsonRequest(http.MethodPost, "/api/v1/orgs/"+d.orgID+"/tasklists", d.ownerToken, map[string]any{
		"name": "load " + d.runID, "owner_kind": "organisation", "sections": []string{"To do", "Doing", "Done"},
	})
	r.idempotency = "load-list-" + d.runID
	if err := expect(d.api.do(ctx, d.api.base(), r), "create task list", &list, http.StatusCreated); err != nil {
		return err
	}
	d.listID = list.ID
	for _, s := range list.Sections {
		d.sections = append(d.sections, s.ID)
	}
	if len(d.sections) == 0 {
		return fmt.Errorf("the task list came back without sections")
	}
	for i := range d.cfg.tasks {
		title := fmt.Sprintf("load %s task %d", d.runID, i)
		var t struct {
			ID        string `json:"id"`
			SectionID string `json:"section_id"`
		}
		r := jsonRequest(http.MethodPost, "/api/v1/orgs/"+d.orgID+"/tasklists/"+d.listID+"/tasks", d.ownerToken, map[string]any{
			"title": title, "assignee_ids": []string{d.users[i%len(d.users)].id},
		})
		r.idempotency = fmt.Sprintf("load-task-%s-%d", d.runID, i)
		if err := expect(d.api.do(ctx, d.api.base(), r), "create task", &t, http.StatusCreated); err != nil {
			return err
		}
		d.led.addTask(t.ID, taskValue{Title: title, Section: t.SectionID})
	}
	return nil
}
