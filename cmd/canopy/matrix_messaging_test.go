package main

import (
	"testing"
)

// The messaging module's part of the permission matrix (issue 12). Its fixtures, made by the
// organisation's owner after the acting role joined:
//   - group M in department D with its chat: the owner owns M, group_owner owns it too (but is a
//     plain member of its chat), guest and custom are in M; admin (organisation-wide) and
//     dept_admin (over D) manage the chat by chats.manage without being in it; member is in
//     neither;
//   - three messages of the owner in M's chat (one to edit and react to, one to recall, one to
//     delete) and one with an image uploaded to M's files space (the chat's upload target);
//   - ad-hoc chats A and L with every role but member in them, A for adding and removing
//     members, L for leaving.

const (
	mc = "/api/v1/orgs/:orgID/chats/:chatID"
	mm = mc + "/messages/:messageID"
	ma = mm + "/attachments/:fileID"
)

var (
	msAll      = []string{"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"}
	msInM      = []string{"owner", "group_owner", "guest", "custom"}
	msSeesM    = []string{"owner", "admin", "dept_admin", "group_owner", "guest", "custom"}
	msManageM  = []string{"owner", "admin", "dept_admin"}
	msInAdhoc  = []string{"owner", "admin", "dept_admin", "group_owner", "guest", "custom"}
	msNotInM   = []string{"admin", "dept_admin", "member"}
	msOnlyMine = []string{"member"}
)

// messagingAllowed is the messaging part of the matrix (see allowed).
var messagingAllowed = map[string][]string{
	"GET /api/v1/orgs/:orgID/chats":              msAll,
	"POST /api/v1/orgs/:orgID/chats":             msAll,
	"GET " + mc:                                  msSeesM,
	"PATCH " + mc:                                msManageM,
	"GET " + mc + "/members":                     msSeesM,
	"POST " + mc + "/members":                    msInAdhoc,
	"DELETE " + mc + "/members/:userID":          {"owner", "admin"},
	"PUT " + mc + "/members/:userID/role":        msManageM,
	"POST " + mc + "/leave":                      msInAdhoc,
	"PUT " + mc + "/settings":                    msInM,
	"POST " + mc + "/read":                       msInM,
	"POST " + mc + "/typing":                     msInM,
	"GET " + mc + "/upload-target":               msInM,
	"GET " + mc + "/messages":                    msInM,
	"POST " + mc + "/messages":                   msInM,
	"GET " + mc + "/pins":                        msInM,
	"GET " + mm + "/thread":                      msInM,
	"PATCH " + mm:                                {"owner"},
	"GET " + mm + "/history":                     msInM,
	"POST " + mm + "/recall":                     {"owner"},
	"DELETE " + mm:                               msManageM,
	"PUT " + mm + "/reactions/:emoji":            msInM,
	"DELETE " + mm + "/reactions/:emoji":         msInM,
	"PUT " + mm + "/pin":                         msInM,
	"DELETE " + mm + "/pin":                      msInM,
	"GET " + mm + "/reads":                       msManageM,
	"GET " + ma:                                  msInM,
	"GET " + ma + "/thumbnail":                   msInM,
	"GET /api/v1/orgs/:orgID/messages/search":    msAll,
	"GET /api/v1/orgs/:orgID/admin/chats":        msManageM,
	"PUT " + mc + "/legal-hold":                  {"owner", "admin"},
	"DELETE " + mc + "/legal-hold":               {"owner", "admin"},
	"GET " + mc + "/export":                      {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/messaging/settings": {"owner", "admin"},
	"PUT /api/v1/orgs/:orgID/messaging/settings": {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/me/messaging":       msAll,
	"PUT /api/v1/orgs/:orgID/me/messaging":       msAll,
	"POST /api/v1/orgs/:orgID/me/presence":       msAll,
}

// messagingHidden are the messaging cells that must answer 404 (see hidden): whoever is neither
// in a chat nor manages it does not see it.
var messagingHidden = map[string][]string{
	"GET " + mc:                           msOnlyMine,
	"PATCH " + mc:                         msOnlyMine,
	"GET " + mc + "/members":              msOnlyMine,
	"POST " + mc + "/members":             msOnlyMine,
	"DELETE " + mc + "/members/:userID":   msOnlyMine,
	"PUT " + mc + "/members/:userID/role": msOnlyMine,
	"POST " + mc + "/leave":               msOnlyMine,
	"PUT " + mc + "/settings":             msNotInM,
	"POST " + mc + "/read":                msNotInM,
	"POST " + mc + "/typing":              msNotInM,
	"GET " + mc + "/upload-target":        msNotInM,
	"GET " + mc + "/messages":             msNotInM,
	"POST " + mc + "/messages":            msNotInM,
	"GET " + mc + "/pins":                 msNotInM,
	"GET " + mm + "/thread":               msNotInM,
	"PATCH " + mm:                         msNotInM,
	"GET " + mm + "/history":              msNotInM,
	"POST " + mm + "/recall":              msNotInM,
	"DELETE " + mm:                        msOnlyMine,
	"PUT " + mm + "/reactions/:emoji":     msNotInM,
	"DELETE " + mm + "/reactions/:emoji":  msNotInM,
	"PUT " + mm + "/pin":                  msNotInM,
	"DELETE " + mm + "/pin":               msNotInM,
	"GET " + mm + "/reads":                msOnlyMine,
	// An attachment is read through the chat by its members only: managing the chat is not
	// being in it.
	"GET " + ma:                msNotInM,
	"GET " + ma + "/thumbnail": msNotInM,
}

// messagingOKStatuses are the messaging routes whose success status is not their method's usual
// one.
var messagingOKStatuses = map[string]int{
	"POST " + mc + "/members":                    200,
	"POST " + mc + "/leave":                      204,
	"PUT " + mc + "/settings":                    200,
	"POST " + mc + "/read":                       200,
	"POST " + mc + "/typing":                     204,
	"POST " + mm + "/recall":                     200,
	"PUT " + mc + "/legal-hold":                  200,
	"DELETE " + mc + "/legal-hold":               200,
	"PUT /api/v1/orgs/:orgID/messaging/settings": 200,
	"PUT /api/v1/orgs/:orgID/me/messaging":       200,
	"POST /api/v1/orgs/:orgID/me/presence":       204,
}

func init() {
	for k, v := range messagingAllowed {
		allowed[k] = v
	}
	for k, v := range messagingHidden {
		hidden[k] = v
	}
	for k, v := range messagingOKStatuses {
		okStatuses[k] = v
	}
}

// mustMatrixMessaging makes the messaging fixtures of an organisation (see the top of this file)
// once the acting role has joined, and returns them by name.
func (e *testEnv) mustMatrixMessaging(t *testing.T, d dir, role, dept, target string, actor *client) map[string]string {
	t.Helper()
	c := d.c
	ownerID := d.ownerID(t)
	actorID := actor.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	f := map[string]string{}
	group := c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "M", "department_id": dept})["id"].(string)
	c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+ownerID), map[string]any{"role": "owner"})
	c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+target), map[string]any{})
	switch role {
	case "group_owner":
		c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+actorID), map[string]any{"role": "owner"})
	case "guest", "custom":
		c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+actorID), map[string]any{})
	}
	f["chat"] = c.must(201, "POST", d.org("/chats"), map[string]any{"kind": "group", "group_id": group})["id"].(string)
	send := func(body string) string {
		return c.must(201, "POST", d.org("/chats/"+f["chat"]+"/messages"), map[string]any{"client_id": body, "body": body})["id"].(string)
	}
	f["m1"], f["mRecall"], f["mDel"] = send("hello target"), send("to recall"), send("to delete")
	// An image sent to M's chat from M's files space (the chat's upload target), with its
	// thumbnail made.
	space := c.must(200, "GET", d.org("/chats/"+f["chat"]+"/upload-target"), nil)["space_id"].(string)
	f["attFile"] = mustUpload(t, c, d.orgID, space, "", "m.png", tinyPNG(t))["id"].(string)
	f["mAtt"] = c.must(201, "POST", d.org("/chats/"+f["chat"]+"/messages"), map[string]any{"client_id": "attachment", "body": "",
		"attachment_ids": []string{f["attFile"]}})["id"].(string)
	msThumbnails(t, e)
	members := []string{target}
	if role != "owner" && role != "member" {
		members = append(members, actorID)
	}
	f["adhoc"] = c.must(201, "POST", d.org("/chats"), map[string]any{"kind": "adhoc", "name": "A", "member_ids": members})["id"].(string)
	f["leave"] = c.must(201, "POST", d.org("/chats"), map[string]any{"kind": "adhoc", "name": "L", "member_ids": members})["id"].(string)
	// Whom POST …/members adds: the matrix's Victim, in no chat (target where there is none).
	f["victim"] = target
	for _, it := range c.must(200, "GET", d.org("/members?limit=200"), nil)["items"].([]any) {
		if p := it.(map[string]any); p["display_name"] == "Victim" {
			f["victim"] = p["user_id"].(string)
		}
	}
	return f
}

// messagingDefaultIDs are the path ids of the messaging routes that messagingRouteIDs does not
// name.
func messagingDefaultIDs(f map[string]string) map[string]string {
	return map[string]string{"chatID": f["chat"], "messageID": f["m1"], "emoji": "ok"}
}

// messagingRouteIDs are the path ids of the messaging routes whose fixture is not the default.
func messagingRouteIDs(f map[string]string) map[string]map[string]string {
	return map[string]map[string]string{
		"POST " + mc + "/members":           {"chatID": f["adhoc"]},
		"DELETE " + mc + "/members/:userID": {"chatID": f["adhoc"]},
		"POST " + mc + "/leave":             {"chatID": f["leave"]},
		"POST " + mm + "/recall":            {"messageID": f["mRecall"]},
		"DELETE " + mm:                      {"messageID": f["mDel"]},
		"GET " + ma:                         {"messageID": f["mAtt"], "fileID": f["attFile"]},
		"GET " + ma + "/thumbnail":          {"messageID": f["mAtt"], "fileID": f["attFile"]},
	}
}

// messagingMatrixBody is the JSON body of a messaging route, if it takes one.
func messagingMatrixBody(route string, f map[string]string) (any, bool) {
	switch route {
	case "POST /api/v1/orgs/:orgID/chats":
		return map[string]any{"kind": "adhoc", "name": "Made by the matrix"}, true
	case "PATCH " + mc:
		return map[string]any{"name": "M renamed"}, true
	case "POST " + mc + "/members":
		return map[string]any{"user_ids": []string{f["victim"]}}, true
	case "PUT " + mc + "/members/:userID/role":
		return map[string]any{"role": "admin"}, true
	case "PUT " + mc + "/settings":
		return map[string]any{"muted": true}, true
	case "POST " + mc + "/read":
		return map[string]any{"seq": 1}, true
	case "POST " + mc + "/messages":
		return map[string]any{"client_id": "matrix", "body": "from the matrix"}, true
	case "PATCH " + mm:
		return map[string]any{"body": "edited by the matrix"}, true
	case "PUT /api/v1/orgs/:orgID/messaging/settings":
		return map[string]any{"allow_receipt_opt_out": true}, true
	case "PUT /api/v1/orgs/:orgID/me/messaging":
		return map[string]any{"send_read_receipts": true}, true
	case "POST /api/v1/orgs/:orgID/me/presence":
		return map[string]any{"status": "online"}, true
	}
	return nil, false
}

// withMatrixMessaging adds the messaging fixtures to an organisation of the matrix.
func (e *testEnv) withMatrixMessaging(t *testing.T, role, dept, target string, m matrixOrg) matrixOrg {
	t.Helper()
	m.messaging = e.mustMatrixMessaging(t, m.d, role, dept, target, m.actor)
	m.ids = merge(m.ids, messagingDefaultIDs(m.messaging))
	m.routeIDs = mergeRoutes(m.routeIDs, messagingRouteIDs(m.messaging))
	return m
}

// bMessagingChanged fails when another organisation's calls changed the messaging fixtures of
// d's organisation: M's chat, its members, messages, pins and reactions, and the ad-hoc chats.
func bMessagingChanged(t *testing.T, c *client, d dir, f map[string]string) {
	t.Helper()
	chat := c.must(200, "GET", d.org("/chats/"+f["chat"]), nil)
	if chat["name"] != "M" || chat["legal_hold"] != false || chat["archived"] != false || chat["muted"] != false {
		t.Fatalf("B's chat changed: %v", chat)
	}
	ms := msItems(c.must(200, "GET", d.org("/chats/"+f["chat"]+"/messages"), nil))
	if len(ms) != 4 {
		t.Fatalf("B's messages changed: %v", ms)
	}
	for _, m := range ms {
		if m["edited"] != false || m["recalled"] != false || m["deleted"] != false || m["pinned"] != false || len(m["reactions"].([]any)) != 0 {
			t.Fatalf("B's message changed: %v", m)
		}
	}
	for _, id := range []string{f["adhoc"], f["leave"]} {
		if got := c.must(200, "GET", d.org("/chats/"+id), nil); got["member_count"].(float64) != 2 {
			t.Fatalf("B's ad-hoc chat's members changed: %v", got)
		}
	}
	if s := c.must(200, "GET", d.org("/messaging/settings"), nil); s["allow_receipt_opt_out"] != false {
		t.Fatalf("B's messaging settings changed: %v", s)
	}
}
