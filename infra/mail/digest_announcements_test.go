package mail

import (
	"strings"
	"testing"

	"canopy/domain/mail"
)

// TestDigestNamesAnnouncementNotifications checks that both announcement notification kinds
// have their own line in both languages and both parts, with the title escaped in HTML.
func TestDigestNamesAnnouncementNotifications(t *testing.T) {
	tpl, err := NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]string
	for _, k := range []string{"announcements.published", "announcements.reminder"} {
		items = append(items, map[string]string{"Kind": k, "Actor": "李雷", "Subject": "<b>放假通知</b>"})
	}
	want := map[string][]string{
		"en":    {"李雷 published the announcement", "李雷 reminds you to acknowledge the announcement"},
		"zh-CN": {"李雷 发布了公告", "李雷 提醒您确认公告"},
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
		if strings.Contains(html, "<b>放假通知</b>") || !strings.Contains(html, "&lt;b&gt;放假通知") {
			t.Errorf("%s: the title is not escaped in HTML", locale)
		}
	}
}
