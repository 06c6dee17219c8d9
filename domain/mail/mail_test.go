package mail_test

import (
	"testing"
	"time"

	"canopy/domain/errs"
	"canopy/domain/mail"
)

func TestNewEmailRefusesHeaderInjection(t *testing.T) {
	bad := []struct{ to, subject string }{
		{"a@example.com\r\nBcc: x@example.com", "hi"},
		{"Eve <a@example.com>", "hi"},
		{"a@example.com, b@example.com", "hi"},
		{"a@example.com", "hi\r\nBcc: x@example.com"},
		{"a@example.com", ""},
	}
	for _, b := range bad {
		if _, err := mail.NewEmail(b.to, "en", mail.KindPasswordReset, b.subject, "body", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q / %q: got %v, want Invalid", b.to, b.subject, err)
		}
	}
	m, err := mail.NewEmail("a@example.com", "zh-CN", mail.KindPasswordReset, "重置密码", "body", "<p>body</p>")
	if err != nil || m.ID.String() == "" || m.To != "a@example.com" {
		t.Fatalf("good message: %+v %v", m, err)
	}
}

func TestBackoffGrowsToAnHour(t *testing.T) {
	if mail.Backoff(1) != 30*time.Second || mail.Backoff(2) != time.Minute || mail.Backoff(30) != time.Hour {
		t.Fatalf("backoff: %v %v %v", mail.Backoff(1), mail.Backoff(2), mail.Backoff(30))
	}
}
