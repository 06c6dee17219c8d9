package identity

import (
	"context"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/mail"
)

// Mailer queues an email in the caller's transaction (app/mail.Service), so that a change that
// rolls back sends nothing.
type Mailer interface {
	Enqueue(ctx context.Context, m mail.Message) error
}

type noMailer struct{}

func (noMailer) Enqueue(context.Context, mail.Message) error { return nil }

// link is an address in the web app, built from the public URL: links in email must work from
// the recipient's mail client, wherever the request that made them came from.
func (s *Service) link(path, secret string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + path + url.PathEscape(secret)
}

// RequestPasswordReset emails a single-use reset link (30 minutes) to the account with this
// email, if there is one that is active and has a password. It answers the same whether or not
// there is, so it reveals nothing about which accounts exist; requests are limited per client
// address and per email address (TooManyRequests past either, for any address alike).
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	e, err := identity.NormalizeEmail(email)
	if err != nil {
		return err
	}
	for _, lim := range []struct {
		key   string
		limit int
	}{
		{"password-reset:address:" + addressKey(ip), s.cfg.PasswordResetAddressLimit},
		{"password-reset:email:" + e, s.cfg.PasswordResetEmailLimit},
	} {
		wait, err := s.limiter.Take(ctx, lim.key, lim.limit, s.cfg.LoginWindow)
		if err != nil {
			return err
		}
		if wait > 0 {
			return tooMany(wait, "too many password reset requests; try again later")
		}
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.users.GetByEmail(ctx, e)
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !u.Active() || !u.HasPassword() {
			// A disabled account gets nothing; one waiting for activation gets its link from
			// its administrator.
			return nil
		}
		t, secret := identity.NewPasswordResetToken(u, s.clock.Now())
		if err := s.resets.Replace(ctx, t); err != nil {
			return err
		}
		return s.mailer.Enqueue(ctx, mail.Message{To: u.Email(), Locale: string(u.Locale()), Kind: mail.KindPasswordReset, Data: map[string]any{
			"Name": u.DisplayName(), "Email": u.Email(), "Link": s.link("/reset-password/", secret),
			"Minutes": int(identity.PasswordResetTTL.Minutes()),
		}})
	})
}

// ResetPassword sets a new password with a reset link and uses the link up. The password policy
// applies first (a refused password leaves the link working). Then, in one transaction: the link
// is consumed atomically (of concurrent uses one wins), it must have been issued under the
// account's present credentials, and the password is replaced and every session of the account
// ended, as a password change does (the credential version counts up; API tokens move to the new
// one); the person gets a notice. Any unusable link is NotFound reset_invalid; failures count
// against the client address as wrong activation links do.
func (s *Service) ResetPassword(ctx context.Context, secret, password, ip string) error {
	key := "password-reset-use:address:" + addressKey(ip)
	wait, err := s.limiter.Take(ctx, key, s.cfg.LoginAddressLimit, s.cfg.LoginWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(wait, "too many attempts; try again later")
	}
	err = s.resetPassword(ctx, secret, password)
	if errs.CodeOf(err) != "reset_invalid" {
		if rerr := s.limiter.Refund(ctx, key); rerr != nil {
			return rerr
		}
	}
	return err
}

func (s *Service) resetPassword(ctx context.Context, secret, password string) error {
	if secret == "" || len(secret) > 128 {
		return identity.ErrPasswordResetInvalid()
	}
	if err := identity.CheckPassword(password, s.common); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		t, err := s.resets.Consume(ctx, identity.HashSecret(secret), now)
		if errs.Is(err, errs.NotFound) {
			return identity.ErrPasswordResetInvalid()
		}
		if err != nil {
			return err
		}
		u, err := s.users.GetForUpdate(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !u.Active() || !u.HasPassword() || u.CredentialVersion() != t.CredentialVersion {
			return identity.ErrPasswordResetInvalid()
		}
		before := u.CredentialVersion()
		u.SetPasswordHash(hash, now)
		u.EndCredentials(now)
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		if err := s.sessions.DeleteByUser(ctx, u.ID(), uuid.Nil); err != nil {
			return err
		}
		if err := s.tokens.Restamp(ctx, u.ID(), before, u.CredentialVersion()); err != nil {
			return err
		}
		if err := s.resets.EndForUser(ctx, u.ID(), now); err != nil {
			return err
		}
		return s.passwordChangedNotice(ctx, u)
	})
}

// passwordChangedNotice tells the person their password changed, in the caller's transaction.
func (s *Service) passwordChangedNotice(ctx context.Context, u *identity.User) error {
	return s.mailer.Enqueue(ctx, mail.Message{To: u.Email(), Locale: string(u.Locale()), Kind: mail.KindPasswordChanged, Data: map[string]any{
		"Name": u.DisplayName(), "Email": u.Email(), "ResetLink": strings.TrimRight(s.cfg.PublicURL, "/") + "/forgot-password",
	}})
}

// emailChangedNotice tells the person, at the address they had, that their account's email
// changed: if someone else changed it, the old address is where they still read mail.
func (s *Service) emailChangedNotice(ctx context.Context, u *identity.User, old string) error {
	return s.mailer.Enqueue(ctx, mail.Message{To: old, Locale: string(u.Locale()), Kind: mail.KindEmailChanged, Data: map[string]any{
		"Name": u.DisplayName(), "OldEmail": old, "NewEmail": u.Email(),
	}})
}

// activationMail sends a new activation link to its person, in the caller's transaction.
func (s *Service) activationMail(ctx context.Context, u *identity.User, t *identity.ActivationToken, secret string) error {
	return s.mailer.Enqueue(ctx, mail.Message{To: u.Email(), Locale: string(u.Locale()), Kind: mail.KindActivation, Data: map[string]any{
		"Name": u.DisplayName(), "Email": u.Email(), "Link": s.link("/activate/", secret),
		"Expires": t.ExpiresAt().UTC().Format("2006-01-02 15:04"),
	}})
}
