package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	appmoderation "canopy/app/moderation"
	"canopy/domain/moderation"
)

// mustMatrixModeration makes an organisation's content rules fixtures: a rule, a throwaway rule
// for the deletion, and a flag raised by a flag rule (recorded through the checker, as the
// messaging service records it, without a chat).
func mustMatrixModeration(t testing.TB, e *testEnv, d dir, senderID string) (ids, throw map[string]string) {
	t.Helper()
	rule := d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": "matrix phrase", "action": "flag"})["id"].(string)
	throwRule := d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": "throwaway phrase", "action": "block"})["id"].(string)
	ctx := context.Background()
	orgID := uuid.MustParse(d.orgID)
	v, err := e.stack.moderation.Check(ctx, orgID, "a Matrix Phrase to flag")
	if err != nil || len(v.Flags) != 1 {
		t.Fatalf("check: %+v %v", v, err)
	}
	in := appmoderation.FlagInput{SenderID: uuid.MustParse(senderID), Kind: moderation.KindMessage, Excerpt: "a Matrix Phrase to flag"}
	if err := e.stack.moderation.Flag(ctx, orgID, v.Flags, in); err != nil {
		t.Fatal(err)
	}
	flags := d.c.must(200, "GET", d.org("/content-flags?reviewed=false"), nil)["items"].([]any)
	if len(flags) != 1 {
		t.Fatalf("flags: %v", flags)
	}
	return map[string]string{"ruleID": rule, "flagID": flags[0].(map[string]any)["id"].(string)}, map[string]string{"ruleID": throwRule}
}

// moderationMatrixBody is the body of a content rules route in the matrix and tenancy tests.
func moderationMatrixBody(route string) (any, bool) {
	switch route {
	case "POST /api/v1/orgs/:orgID/content-rules":
		return map[string]any{"phrase": "made by the matrix", "action": "block"}, true
	case "PATCH /api/v1/orgs/:orgID/content-rules/:ruleID":
		return map[string]any{"action": "block"}, true
	case "POST /api/v1/orgs/:orgID/content-flags/:flagID/review":
		return map[string]any{"decision": "dismissed"}, true
	}
	return nil, false
}

// TestContentRulesBlockAndFlagMessages is the promise end to end: a blocked keyword, in
// Chinese and English, full-width and half-width, is refused with a message naming it and
// nothing is stored; a flagged one is sent and lands in the review list; rule changes are
// audited and apply at once.
func TestContentRulesBlockAndFlagMessages(t *testing.T) {
	e := newTestEnv(t)
	d := dir{owner: e.mustOrg("Rules", "owner@rules.example"), t: t}
	member, memberID := e.mustJoin(d.mustInvite(nil), "member@rules.example")
	rule := func(phrase, action string) string {
		return d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": phrase, "action": action})["id"].(string)
	}
	secret, jimi := rule("secret", "block"), rule("机密", "block")
	salary := rule("Salary List", "flag")
	rule("转账", "flag")

	chat := member.must(201, "POST", d.org("/chats"), map[string]any{"kind": "direct", "user_id": d.ownerID(t)})["id"].(string)
	send := func(n int, body string) response {
		return member.do("POST", d.org("/chats/"+chat+"/messages"), map[string]any{"client_id": "c" + string(rune('a'+n)), "body": body})
	}
	for i, c := range []struct{ body, phrase string }{
		{"ＳＥＣＲＥＴ plan", "secret"},
		{"the secret plan", "secret"},
		{"The SeCrEt plan", "secret"},
		{"这是机密文件", "机密"},
		{"这是机\u200b密文件", "机密"},
	} {
		res := send(i, c.body)
		if res.status != 422 || res.errorCode(t) != "content_blocked" {
			t.Fatalf("%q: %d %s", c.body, res.status, res.body)
		}
		msg := res.json(t)["error"].(map[string]any)["message"].(string)
		if want := "This message contains “" + c.phrase + "”, which your organisation does not allow."; msg != want {
			t.Fatalf("%q: message %q, want %q", c.body, msg, want)
		}
	}
	if items := member.must(200, "GET", d.org("/chats/"+chat+"/messages"), nil)["items"].([]any); len(items) != 0 {
		t.Fatalf("a blocked message was stored: %v", items)
	}

	// A flag rule lets the message through and records it for review.
	sent := member.must(201, "POST", d.org("/chats/"+chat+"/messages"), map[string]any{"client_id": "flagged", "body": "Here is the ＳＡＬＡＲＹ   list, 请转账"})
	flags := d.c.must(200, "GET", d.org("/content-flags?reviewed=false"), nil)
	if flags["total"].(float64) != 2 {
		t.Fatalf("flags: %v", flags)
	}
	phrases := map[string]bool{}
	for _, it := range flags["items"].([]any) {
		f := it.(map[string]any)
		phrases[f["phrase"].(string)] = true
		if f["message_id"] != sent["id"] || f["chat_id"] != chat || f["sender_id"] != memberID || f["kind"] != "message" ||
			f["sender_name"] != "Person member@rules.example" || !strings.Contains(f["excerpt"].(string), "ＳＡＬＡＲＹ") || f["decision"] != nil {
			t.Fatalf("flag %v", f)
		}
	}
	if !phrases["Salary List"] || !phrases["转账"] {
		t.Fatalf("flagged phrases %v", phrases)
	}
	flagID := flags["items"].([]any)[0].(map[string]any)["id"].(string)
	reviewed := d.c.must(200, "POST", d.org("/content-flags/"+flagID+"/review"), map[string]any{"decision": "upheld"})
	if reviewed["decision"] != "upheld" || reviewed["reviewed_at"] == nil || reviewed["reviewed_by"] == nil {
		t.Fatalf("review: %v", reviewed)
	}
	if got := d.c.must(200, "GET", d.org("/content-flags?reviewed=false"), nil)["total"].(float64); got != 1 {
		t.Fatalf("unreviewed after one review: %v", got)
	}
	if got := d.c.must(200, "GET", d.org("/content-flags?reviewed=true"), nil)["items"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != flagID {
		t.Fatalf("reviewed: %v", got)
	}
	if got := d.c.must(200, "GET", d.org("/content-flags"), nil)["total"].(float64); got != 2 {
		t.Fatalf("all flags: %v", got)
	}

	// Changes apply at once: "secret" now only flags, 机密 is gone.
	d.c.must(200, "PATCH", d.org("/content-rules/"+secret), map[string]any{"action": "flag"})
	d.c.must(204, "DELETE", d.org("/content-rules/"+jimi), nil)
	member.must(201, "POST", d.org("/chats/"+chat+"/messages"), map[string]any{"client_id": "now-flagged", "body": "ＳＥＣＲＥＴ plan"})
	member.must(201, "POST", d.org("/chats/"+chat+"/messages"), map[string]any{"client_id": "now-allowed", "body": "这是机密文件"})
	if got := d.c.must(200, "GET", d.org("/content-flags?reviewed=false"), nil)["total"].(float64); got != 2 {
		t.Fatalf("unreviewed after the secret plan: %v", got)
	}
	rules := d.c.must(200, "GET", d.org("/content-rules"), nil)["items"].([]any)
	if len(rules) != 3 || rules[0].(map[string]any)["action"] != "flag" || rules[1].(map[string]any)["id"] != salary {
		t.Fatalf("rules: %v", rules)
	}

	// Each change is audited with its before and after.
	audit := d.c.must(200, "GET", d.admin("/audit?action=content_"), nil)["items"].([]any)
	var actions []string
	for _, it := range audit {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	want := "content_rule.delete content_rule.update content_flag.review content_rule.create content_rule.create content_rule.create content_rule.create"
	if strings.Join(actions, " ") != want {
		t.Fatalf("audit %v, want %s", actions, want)
	}
	upd := audit[1].(map[string]any)
	if upd["target_id"] != secret || !strings.Contains(moderationJSON(upd["before"]), "block") || !strings.Contains(moderationJSON(upd["after"]), "flag") {
		t.Fatalf("update entry %v", upd)
	}
	if del := audit[0].(map[string]any); del["target_id"] != jimi || !strings.Contains(moderationJSON(del["before"]), "机密") {
		t.Fatalf("delete entry %v", del)
	}
}

// TestContentRulesBadInputAndAccess: every bad request is a 4xx naming what is wrong, never a
// 500; a member cannot read or change the rules or the review list.
func TestContentRulesBadInputAndAccess(t *testing.T) {
	e := newTestEnv(t)
	d := dir{owner: e.mustOrg("Strict", "owner@strict.example"), t: t}
	member, _ := e.mustJoin(d.mustInvite(nil), "member@strict.example")
	id := d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": "secret", "action": "block"})["id"].(string)
	rules := d.org("/content-rules")
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", rules, map[string]any{}, 400, "missing_field"},
		{"POST", rules, map[string]any{"phrase": "x"}, 400, "missing_field"},
		{"POST", rules, map[string]any{"phrase": "", "action": "block"}, 400, "invalid_phrase"},
		{"POST", rules, map[string]any{"phrase": "   ", "action": "block"}, 400, "invalid_phrase"},
		{"POST", rules, map[string]any{"phrase": "\u200b", "action": "block"}, 400, "no_visible_character"},
		{"POST", rules, map[string]any{"phrase": strings.Repeat("长", 201), "action": "block"}, 400, "invalid_phrase"},
		{"POST", rules, map[string]any{"phrase": "ok", "action": "delete"}, 400, "invalid_action"},
		{"POST", rules, map[string]any{"phrase": "ok", "action": ""}, 400, "invalid_action"},
		{"POST", rules, map[string]any{"phrase": 5, "action": "block"}, 400, ""},
		{"POST", rules, map[string]any{"phrase": "ok", "action": "block", "extra": 1}, 400, ""},
		{"POST", rules, map[string]any{"phrase": "a\u0000b", "action": "block"}, 400, ""},
		{"POST", rules, map[string]any{"phrase": "ＳＥＣＲＥＴ", "action": "flag"}, 409, "rule_exists"},
		{"PATCH", rules + "/" + id, map[string]any{"action": "nope"}, 400, "invalid_action"},
		{"PATCH", rules + "/" + id, map[string]any{"phrase": ""}, 400, "invalid_phrase"},
		{"PATCH", rules + "/" + uuid.NewString(), map[string]any{"action": "flag"}, 404, "not_found"},
		{"PATCH", rules + "/not-a-uuid", map[string]any{"action": "flag"}, 404, "not_found"},
		{"DELETE", rules + "/" + uuid.NewString(), nil, 404, "not_found"},
		{"GET", d.org("/content-flags?reviewed=maybe"), nil, 400, ""},
		{"GET", d.org("/content-flags?limit=0"), nil, 400, ""},
		{"POST", d.org("/content-flags/" + uuid.NewString() + "/review"), map[string]any{"decision": "upheld"}, 404, "not_found"},
		{"POST", d.org("/content-flags/" + uuid.NewString() + "/review"), map[string]any{"decision": "maybe"}, 400, "invalid_decision"},
		{"POST", d.org("/content-flags/" + uuid.NewString() + "/review"), map[string]any{}, 400, "missing_field"},
	} {
		res := d.c.do(c.method, c.path, c.body)
		if res.status != c.status || (c.code != "" && res.errorCode(t) != c.code) {
			t.Errorf("%s %s %v: %d %s, want %d %s", c.method, c.path, c.body, res.status, res.body, c.status, c.code)
		}
	}
	if res := d.c.raw("POST", rules, "text/plain", []byte(`{"phrase":"x","action":"block"}`)); res.status != 415 {
		t.Errorf("text/plain: %d", res.status)
	}
	// A phrase of exactly 200 characters is accepted.
	d.c.must(201, "POST", rules, map[string]any{"phrase": strings.Repeat("长", 200), "action": "flag"})

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", rules, nil},
		{"POST", rules, map[string]any{"phrase": "mine", "action": "block"}},
		{"PATCH", rules + "/" + id, map[string]any{"action": "flag"}},
		{"DELETE", rules + "/" + id, nil},
		{"GET", d.org("/content-flags"), nil},
		{"POST", d.org("/content-flags/" + uuid.NewString() + "/review"), map[string]any{"decision": "upheld"}},
	} {
		if res := member.do(c.method, c.path, c.body); res.status != 403 {
			t.Errorf("member %s %s: %d %s", c.method, c.path, res.status, res.body)
		}
	}
	// The owner's token narrowed to content_rules.manage manages the rules; one narrowed to
	// another permission cannot, owner or not.
	rulesToken := e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "rules", "scopes": []string{"content_rules.manage"}})["secret"].(string))
	rulesToken.must(201, "POST", rules, map[string]any{"phrase": "by token", "action": "flag"})
	rulesToken.must(200, "GET", d.org("/content-flags"), nil)
	other := e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"messages.read"}})["secret"].(string))
	if res := other.do("POST", rules, map[string]any{"phrase": "escalated", "action": "block"}); res.status != 403 {
		t.Errorf("a token narrowed to messages.read made a rule: %d %s", res.status, res.body)
	}
	if res := other.do("DELETE", rules+"/"+id, nil); res.status != 403 {
		t.Errorf("a token narrowed to messages.read deleted a rule: %d %s", res.status, res.body)
	}
	// A member of another organisation, its owner included, sees nothing of these.
	outsider := e.mustOrg("Outside", "owner@outside.example")
	for _, path := range []string{rules, rules + "/" + id, d.org("/content-flags")} {
		method := "GET"
		if path == rules+"/"+id {
			method = "DELETE"
		}
		if res := outsider.c.do(method, path, nil); res.status != 404 {
			t.Errorf("another organisation's owner %s %s: %d %s", method, path, res.status, res.body)
		}
	}
	if got := d.c.must(200, "GET", rules, nil)["items"].([]any); len(got) != 3 || got[0].(map[string]any)["action"] != "block" {
		t.Fatalf("the rules changed: %v", got)
	}
}

// moderationJSON is v as JSON, for looking into an audit entry's before and after.
func moderationJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
