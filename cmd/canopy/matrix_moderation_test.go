package main

import "testing"

// The content rules' part of the permission matrix (issue 12): content_rules.manage is
// organisation-wide and only owners and admins hold it. The fixtures (mustMatrixModeration) are
// a flag rule, a throwaway block rule for the deletion, and a flag it raised.
var moderationAllowed = map[string][]string{
	"GET /api/v1/orgs/:orgID/content-rules":                 {"owner", "admin"},
	"POST /api/v1/orgs/:orgID/content-rules":                {"owner", "admin"},
	"PATCH /api/v1/orgs/:orgID/content-rules/:ruleID":       {"owner", "admin"},
	"DELETE /api/v1/orgs/:orgID/content-rules/:ruleID":      {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/content-flags":                 {"owner", "admin"},
	"POST /api/v1/orgs/:orgID/content-flags/:flagID/review": {"owner", "admin"},
}

// moderationOKStatuses: a review answers the flag as it now is.
var moderationOKStatuses = map[string]int{
	"POST /api/v1/orgs/:orgID/content-flags/:flagID/review": 200,
}

func init() {
	for k, v := range moderationAllowed {
		allowed[k] = v
	}
	for k, v := range moderationOKStatuses {
		okStatuses[k] = v
	}
}

// bModerationChanged fails unless B's content rules fixtures are as mustMatrixModeration made
// them: both rules there, unchanged, and the flag still awaiting review.
func bModerationChanged(t *testing.T, b dir, ids map[string]string) {
	t.Helper()
	rules := b.c.must(200, "GET", b.org("/content-rules"), nil)["items"].([]any)
	if len(rules) != 2 || rules[0].(map[string]any)["id"] != ids["ruleID"] || rules[0].(map[string]any)["action"] != "flag" ||
		rules[0].(map[string]any)["phrase"] != "matrix phrase" {
		t.Fatalf("B's content rules changed: %v", rules)
	}
	flags := b.c.must(200, "GET", b.org("/content-flags?reviewed=false"), nil)["items"].([]any)
	if len(flags) != 1 || flags[0].(map[string]any)["id"] != ids["flagID"] {
		t.Fatalf("B's content flags changed: %v", flags)
	}
}
