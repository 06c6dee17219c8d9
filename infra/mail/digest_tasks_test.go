package mail

import (
	"strings"
	"testing"

	"canopy/domain/mail"
)

// TestDigestNamesTaskNotifications checks that every task notification kind has its own line in
// both languages and both parts, with the task's title escaped in the HTML part.
func TestDigestNamesTaskNotifications(t *testing.T) {
	tpl, err := NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{"tasks.task_assigned", "tasks.task_completed", "tasks.task_due_soon", "tasks.task_overdue",
		"tasks.comment_added", "tasks.mentioned"}
	var items []map[string]string
	for _, k := range kinds {
		items = append(items, map[string]string{"Kind": k, "Actor": "李雷", "Subject": "<b>季度报告</b>",
			"Due": "2026-03-30 09:00 CEST", "Excerpt": "请看一下"})
	}
	want := map[string][]string{
		"en":    {"assigned you the task", "completed the task", "is due 2026-03-30 09:00 CEST", "is overdue", "commented on the task", "mentioned you on the task"},
		"zh-CN": {"给您分配了任务", "完成了任务", "将于 2026-03-30 09:00 CEST 到期", "已逾期", "评论了任务", "提到了您"},
	}
	for locale, phrases := range want {
		_, text, html, err := tpl.Render(mail.Message{To: "a@example.com", Locale: locale, Kind: mail.KindNotificationDigest,
			Data: map[string]any{"Name": "Han", "Count": len(items), "Items": items, "Link": "https://canopy.example"}})
		if err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		for _, p := range phrases {
			if !strings.Contains(text, p) || !strings.Contains(html, p) {
				t.Errorf("%s digest lacks %q:\n%s", locale, p, text)
			}
		}
		if strings.Contains(html, "<b>季度报告</b>") || !strings.Contains(html, "&lt;b&gt;季度报告") {
			t.Errorf("%s: the title is not escaped in HTML", locale)
		}
	}
}
