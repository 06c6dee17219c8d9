// Package mail renders Canopy's email from templates (English and 简体中文, a text and an HTML
// part each; the HTML escaped by html/template) and sends it over SMTP with go-mail.
package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"canopy/domain/errs"
	"canopy/domain/mail"
)

//go:embed templates
var templateFS embed.FS

// locales are the languages email is written in; the first is the fallback.
var locales = []string{"en", "zh-CN"}

// Templates renders messages. Each kind has, per language, KIND.LOCALE.txt (the "subject" and
// "text" templates) and KIND.LOCALE.html (the "body" template, inside layout.html).
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// NewTemplates parses every template; a kind missing in a language is an error, so a message is
// never sent half translated.
func NewTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, k := range []mail.Kind{mail.KindPasswordReset, mail.KindPasswordChanged, mail.KindEmailChanged, mail.KindActivation, mail.KindNotificationDigest} {
		for _, l := range locales {
			key := string(k) + "." + l
			tt, err := texttemplate.New(key).Option("missingkey=error").ParseFS(templateFS, "templates/"+key+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail templates: %w", err)
			}
			ht, err := htmltemplate.New(key).Option("missingkey=error").ParseFS(templateFS, "templates/layout.html", "templates/"+key+".html")
			if err != nil {
				return nil, fmt.Errorf("mail templates: %w", err)
			}
			t.text[key], t.html[key] = tt, ht
		}
	}
	return t, nil
}

// Render implements the app's Renderer: in the message's locale, English for any other.
func (t *Templates) Render(m mail.Message) (subject, text, html string, err error) {
	locale := locales[0]
	for _, l := range locales {
		if strings.EqualFold(l, m.Locale) {
			locale = l
		}
	}
	key := string(m.Kind) + "." + locale
	tt, ok := t.text[key]
	if !ok {
		return "", "", "", errs.E(errs.Invalid, "unknown_mail_kind", "no email templates for kind "+string(m.Kind))
	}
	var sb, tb, hb bytes.Buffer
	if err := tt.ExecuteTemplate(&sb, "subject", m.Data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s subject: %w", key, err)
	}
	if err := tt.ExecuteTemplate(&tb, "text", m.Data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s text: %w", key, err)
	}
	data := map[string]any{"Lang": locale, "Subject": sb.String()}
	for k, v := range m.Data {
		data[k] = v
	}
	if err := t.html[key].ExecuteTemplate(&hb, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s html: %w", key, err)
	}
	return strings.TrimSpace(sb.String()), strings.TrimSpace(tb.String()) + "\n", hb.String(), nil
}

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is none, starttls or tls.
	TLS     string
	Timeout time.Duration
}

// Sender sends email over SMTP, one connection per message (mail is rare: resets, notices,
// digests).
type Sender struct{ cfg SMTPConfig }

// NewSender returns a sender; it checks the From address now, so a bad one stops start-up.
func NewSender(cfg SMTPConfig) (*Sender, error) {
	if err := gomail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp.from: %w", err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg}, nil
}

// Send implements the app's Sender.
func (s *Sender) Send(ctx context.Context, e mail.Email) error {
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8))
	if err := m.From(s.cfg.From); err != nil {
		return err
	}
	if err := m.To(e.To); err != nil {
		return err
	}
	m.Subject(e.Subject)
	m.SetMessageID()
	m.SetDate()
	m.SetGenHeader("X-Canopy-Kind", string(e.Kind))
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, m)
}
