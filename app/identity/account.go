package identity

import (
	"context"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

// The use cases of an account's life that an organisation or an installation admin starts:
// activation links, initial passwords, resetting credentials, disabling. Who may start them is decided by the caller
// (app/org, which knows who manages the account); these only do it, in the caller's transaction.

// IssueActivation makes a new activation link for an account that has no password, issued by
// member by of organisation orgID (uuid.Nil by: the shell), and ends the account's earlier links.
// It returns the link with its secret, which is shown only this once. Conflict already_activated
// when the account has a password, account_disabled when it is disabled.
func (s *Service) IssueActivation(ctx context.Context, userID, orgID, by uuid.UUID) (*identity.ActivationToken, string, *identity.User, error) {
	u, err := s.users.Get(ctx, userID)
	if err != nil {
		return nil, "", nil, err
	}
	if u.HasPassword() {
		return nil, "", nil, errs.E(errs.Conflict, "already_activated", "this account already has a password; its person signs in with it")
	}
	if !u.Active() {
		return nil, "", nil, errs.E(errs.Conflict, "account_disabled", "this account is disabled")
	}
	t, secret, err := identity.NewActivationToken(userID, orgID, by, s.cfg.ActivationTTL, s.clock.Now())
	if err != nil {
		return nil, "", nil, err
	}
	if err := s.activations.Replace(ctx, t); err != nil {
		return nil, "", nil, err
	}
	// The link also goes to the person by email (in the caller's transaction), besides being
	// returned to whoever issued it.
	if err := s.activationMail(ctx, u, t, secret); err != nil {
		return nil, "", nil, err
	}
	return t, secret, u, nil
}

// activationKey is the attempt counter of activation links per client address: a link is 256
// random bits, so guessing is hopeless, and the limit keeps it that way under any load. An IPv6
// client is its /64, as for sign-in (addressKey), or it could rotate through its addresses.
func activationKey(ip string) string { return "activation:address:" + addressKey(ip) }

// Activation returns the link a secret stands for and its account, while the link can be used:
// it is unused and unexpired, and its account is active and still has no password. Anything
// else is NotFound activation_invalid. Every look-up takes an attempt from the caller's address,
// as a sign-in does, and a good link gives it back, so only failures count; past the limit the
// caller gets TooManyRequests.
func (s *Service) Activation(ctx context.Context, secret, ip string) (*identity.ActivationToken, *identity.User, error) {
	key := activationKey(ip)
	wait, err := s.limiter.Take(ctx, key, s.cfg.LoginAddressLimit, s.cfg.LoginWindow)
	if err != nil {
		return nil, nil, err
	}
	if wait > 0 {
		e := errs.E(errs.TooManyRequests, "too_many_attempts", "too many attempts; try again later")
		e.RetryAfter = wait
		return nil, nil, e
	}
	t, u, err := s.usableActivation(ctx, secret)
	if errs.CodeOf(err) != "activation_invalid" {
		if rerr := s.limiter.Refund(ctx, key); rerr != nil {
			return nil, nil, rerr
		}
	}
	return t, u, err
}

func (s *Service) usableActivation(ctx context.Context, secret string) (*identity.ActivationToken, *identity.User, error) {
	if secret == "" || len(secret) > 128 {
		return nil, nil, identity.ErrActivationInvalid()
	}
	t, err := s.activations.GetByHash(ctx, identity.HashSecret(secret))
	if errs.Is(err, errs.NotFound) {
		return nil, nil, identity.ErrActivationInvalid()
	}
	if err != nil {
		return nil, nil, err
	}
	if !t.Usable(s.clock.Now()) {
		return nil, nil, identity.ErrActivationInvalid()
	}
	u, err := s.users.Get(ctx, t.UserID())
	if errs.Is(err, errs.NotFound) {
		return nil, nil, identity.ErrActivationInvalid()
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.NeedsActivation() {
		return nil, nil, identity.ErrActivationInvalid()
	}
	return t, u, nil
}

// Activate sets the first password of the account of an activation link that Activation
// returned, in the caller's transaction, and uses the link up. The link is consumed with one
// conditional statement, so of concurrent uses exactly one sets a password; the others get
// NotFound activation_invalid. The password policy is applied first, so a refused password
// leaves the link working.
func (s *Service) Activate(ctx context.Context, t *identity.ActivationToken, password string) (*identity.User, error) {
	if err := identity.CheckPassword(password, s.common); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	var u *identity.User
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		if err := s.activations.Consume(ctx, t.ID(), now); err != nil {
			if errs.Is(err, errs.NotFound) {
				return identity.ErrActivationInvalid()
			}
			return err
		}
		// Read inside the transaction: the account may have changed since the link was checked.
		if u, err = s.users.GetForUpdate(ctx, t.UserID()); err != nil {
			return err
		}
		if !u.NeedsActivation() {
			return identity.ErrActivationInvalid()
		}
		u.SetPasswordHash(hash, now)
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		return s.activations.EndForUser(ctx, u.ID(), now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ResetCredentials takes an account's password away and ends every session and API token of it
// (its credential version is counted up: User.EndCredentials), in the caller's transaction, and
// returns a new activation link (issued as IssueActivation does) with which its person sets a
// new password. The caller revokes its API tokens in each of its organisations
// (RevokeMemberCredentials), so that they show as revoked. Conflict account_disabled when it is
// disabled.
func (s *Service) ResetCredentials(ctx context.Context, userID, orgID, by uuid.UUID) (*identity.ActivationToken, string, *identity.User, error) {
	var (
		t      *identity.ActivationToken
		secret string
		u      *identity.User
	)
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.GetForUpdate(ctx, userID); err != nil {
			return err
		}
		if !u.Active() {
			return errs.E(errs.Conflict, "account_disabled", "this account is disabled")
		}
		u.ClearPassword(s.clock.Now())
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		if err := s.sessions.DeleteByUser(ctx, userID, uuid.Nil); err != nil {
			return err
		}
		t, secret, _, err = s.IssueActivation(ctx, userID, orgID, by)
		return err
	})
	if err != nil {
		return nil, "", nil, err
	}
	return t, secret, u, nil
}

// SetInitialPassword gives an account without a password one an administrator chose, which its
// person must change at their first sign-in; Conflict already_activated when the account has a
// password. It joins the caller's transaction.
func (s *Service) SetInitialPassword(ctx context.Context, userID uuid.UUID, password string) error {
	if err := identity.CheckPassword(password, s.common); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.users.GetForUpdate(ctx, userID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if err := u.SetInitialPasswordHash(hash, now); err != nil {
			return err
		}
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		return s.activations.EndForUser(ctx, userID, now)
	})
}

// DisableAccount stops an account from signing in anywhere and ends every session and API token
// of it (its credential version is counted up: User.EndCredentials) and its unused activation
// links, in the caller's transaction (ASVS 7.4.2). The caller revokes its API tokens in each of
// its organisations (RevokeMemberCredentials), so that they show as revoked. Conflict
// already_disabled when it is.
func (s *Service) DisableAccount(ctx context.Context, userID uuid.UUID) (*identity.User, error) {
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.GetForUpdate(ctx, userID); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := u.Disable(now); err != nil {
			return err
		}
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		if err := s.sessions.DeleteByUser(ctx, userID, uuid.Nil); err != nil {
			return err
		}
		return s.activations.EndForUser(ctx, userID, now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// EnableAccount lets a disabled account sign in again, in the caller's transaction. Nothing it
// had is given back: its person signs in afresh, and revoked tokens stay revoked.
func (s *Service) EnableAccount(ctx context.Context, userID uuid.UUID) (*identity.User, error) {
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.GetForUpdate(ctx, userID); err != nil {
			return err
		}
		if err := u.Enable(s.clock.Now()); err != nil {
			return err
		}
		return s.users.Update(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// GrantInstallationAdmin makes the person an installation admin. It is for the shell only
// (`canopy admin grant-installation-admin`).
func (s *Service) GrantInstallationAdmin(ctx context.Context, userID uuid.UUID) (*identity.User, error) {
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.GetForUpdate(ctx, userID); err != nil {
			return err
		}
		u.GrantInstallationAdmin(s.clock.Now())
		return s.users.Update(ctx, u)
	})
	return u, err
}

// GetUser returns an account by id; NotFound if there is none. The caller has checked that the
// actor may see it.
func (s *Service) GetUser(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	return s.users.Get(ctx, id)
}
