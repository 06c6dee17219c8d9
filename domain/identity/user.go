// Package identity holds the people who use Canopy and the credentials that prove who they are:
// users, passwords, sessions and API tokens.
package identity

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Locale is a language the user interface is offered in.
type Locale string

// The supported locales.
const (
	LocaleEN   Locale = "en"
	LocaleZhCN Locale = "zh-CN"
)

// ParseLocale accepts exactly the supported locales.
func ParseLocale(s string) (Locale, error) {
	switch Locale(s) {
	case LocaleEN, LocaleZhCN:
		return Locale(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_locale", `locale must be "en" or "zh-CN"`)
}

// ParseTimeZone accepts an IANA time zone name such as "Asia/Shanghai".
func ParseTimeZone(s string) (string, error) {
	if err := text.Line("time_zone", s); err != nil {
		return "", err
	}
	if s == "" || len(s) > 64 || strings.EqualFold(s, "local") {
		return "", errs.E(errs.Invalid, "invalid_time_zone", "time_zone must be an IANA time zone such as Asia/Shanghai")
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", errs.E(errs.Invalid, "invalid_time_zone", "time_zone must be an IANA time zone such as Asia/Shanghai")
	}
	return s, nil
}

// NormalizeEmail checks that s is a bare email address and returns it trimmed and lower-cased,
// which is the form accounts are looked up by.
func NormalizeEmail(s string) (string, error) {
	if err := text.Line("email", s); err != nil {
		return "", err
	}
	s = strings.ToLower(strings.TrimSpace(s))
	bad := errs.E(errs.Invalid, "invalid_email", "email must be a valid address such as name@example.com")
	if s == "" || len(s) > 254 {
		return "", bad
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", bad
	}
	return s, nil
}

// ParseDisplayName normalises a display name by the text rule for names (text.Name) and checks
// its length.
func ParseDisplayName(s string) (string, error) {
	s, err := text.Name("display_name", s)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > 100 {
		return "", errs.E(errs.Invalid, "invalid_display_name", "display_name must be 1 to 100 characters")
	}
	return s, nil
}

// UserStatus says whether a user may sign in at all.
type UserStatus string

// The user statuses.
const (
	UserActive      UserStatus = "active"
	UserDeactivated UserStatus = "deactivated"
)

// User is a person with an account. An account is global; what the person may see comes from
// their memberships in organisations.
type User struct {
	id           uuid.UUID
	email        string
	displayName  string
	locale       Locale
	timeZone     string
	status       UserStatus
	passwordHash string
	createdAt    time.Time
	updatedAt    time.Time
	// createdByOrgID is the organisation whose provisioning made the account (uuid.Nil when the
	// person signed up, or an administrator made it at the shell). It decides, with the
	// organisation's email domains, who manages the account (org.AccountTies).
	createdByOrgID uuid.UUID
	// mustChangePassword is set while the password is one an administrator chose: the person
	// must replace it before doing anything else.
	mustChangePassword bool
	// installationAdmin marks the people who run the installation: they create organisations and
	// assign email domains. Only the shell grants it.
	installationAdmin bool
	// credentialVersion counts the times the account's credentials were ended (EndCredentials).
	// Each session and API token records the version it was made under and works only while the
	// account is still at it, so one made from a read of the account just before the change
	// (a sign-in whose password check was still running) does not outlive it.
	credentialVersion int64
}

// NewUserInput is what a new account is made from.
type NewUserInput struct {
	Email        string
	DisplayName  string
	Locale       string
	TimeZone     string
	PasswordHash string
	// CreatedByOrgID is the organisation whose provisioning makes the account; uuid.Nil for
	// everyone else.
	CreatedByOrgID uuid.UUID
	// MustChangePassword marks PasswordHash as an initial password an administrator chose, to be
	// replaced at the first sign-in.
	MustChangePassword bool
}

// NewUser validates its input and returns an active user. An empty locale means English, an
// empty time zone UTC, and an empty password hash an account that cannot sign in with a password.
func NewUser(in NewUserInput, now time.Time) (*User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := ParseDisplayName(in.DisplayName)
	if err != nil {
		return nil, err
	}
	if in.Locale == "" {
		in.Locale = string(LocaleEN)
	}
	locale, err := ParseLocale(in.Locale)
	if err != nil {
		return nil, err
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	tz, err := ParseTimeZone(in.TimeZone)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &User{
		id: uuid.New(), email: email, displayName: name, locale: locale, timeZone: tz,
		status: UserActive, passwordHash: in.PasswordHash, createdAt: now, updatedAt: now,
		createdByOrgID: in.CreatedByOrgID, mustChangePassword: in.MustChangePassword && in.PasswordHash != "",
	}, nil
}

// UserRecord is a user as an adapter stores it.
type UserRecord struct {
	ID                 uuid.UUID
	Email              string
	DisplayName        string
	Locale             Locale
	TimeZone           string
	Status             UserStatus
	PasswordHash       string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	CreatedByOrgID     uuid.UUID
	MustChangePassword bool
	InstallationAdmin  bool
	CredentialVersion  int64
}

// RehydrateUser rebuilds a stored user. It is for repository adapters only and does not validate.
func RehydrateUser(r UserRecord) *User {
	return &User{
		id: r.ID, email: r.Email, displayName: r.DisplayName, locale: r.Locale, timeZone: r.TimeZone, status: r.Status,
		passwordHash: r.PasswordHash, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt,
		createdByOrgID: r.CreatedByOrgID, mustChangePassword: r.MustChangePassword, installationAdmin: r.InstallationAdmin,
		credentialVersion: r.CredentialVersion,
	}
}

// ID returns the user's id.
func (u *User) ID() uuid.UUID { return u.id }

// Email returns the normalised email address.
func (u *User) Email() string { return u.email }

// DisplayName returns the name shown to others.
func (u *User) DisplayName() string { return u.displayName }

// Locale returns the user's language.
func (u *User) Locale() Locale { return u.locale }

// TimeZone returns the user's IANA time zone.
func (u *User) TimeZone() string { return u.timeZone }

// Status returns whether the account may sign in.
func (u *User) Status() UserStatus { return u.status }

// HasPassword reports whether the account can sign in with a password. Accounts provisioned by
// IT (the admin API, SCIM, bulk import) have none until the person activates them.
func (u *User) HasPassword() bool { return u.passwordHash != "" }

// NeedsActivation reports whether the account waits for its person to set a first password
// with an activation link: it has none, and it is not disabled.
func (u *User) NeedsActivation() bool { return u.passwordHash == "" && u.status == UserActive }

// CreatedByOrgID returns the organisation whose provisioning made the account, or uuid.Nil.
func (u *User) CreatedByOrgID() uuid.UUID { return u.createdByOrgID }

// MustChangePassword reports whether the password is an initial one that the person must
// replace before doing anything else.
func (u *User) MustChangePassword() bool { return u.mustChangePassword }

// InstallationAdmin reports whether the person runs the installation.
func (u *User) InstallationAdmin() bool { return u.installationAdmin }

// CredentialVersion returns the version of the account's credentials: a session or API token
// made under another one no longer works.
func (u *User) CredentialVersion() int64 { return u.credentialVersion }

// EndCredentials ends every session and API token made under the account's present credential
// version, by counting it up. The caller also deletes the sessions and revokes the tokens in the
// same transaction; the version refuses those a concurrent sign-in or request makes from a read
// of the account before the change. Disable and ClearPassword call it.
func (u *User) EndCredentials(now time.Time) {
	u.credentialVersion, u.updatedAt = u.credentialVersion+1, now.UTC()
}

// GrantInstallationAdmin makes the person an installation admin; it is for the shell only.
func (u *User) GrantInstallationAdmin(now time.Time) {
	u.installationAdmin, u.updatedAt = true, now.UTC()
}

// Disable stops the account from signing in anywhere. The caller ends its sessions and tokens
// in the same transaction.
func (u *User) Disable(now time.Time) error {
	if u.status == UserDeactivated {
		return errs.E(errs.Conflict, "already_disabled", "the account is already disabled")
	}
	u.status = UserDeactivated
	u.EndCredentials(now)
	return nil
}

// Enable lets a disabled account sign in again.
func (u *User) Enable(now time.Time) error {
	if u.status == UserActive {
		return errs.E(errs.Conflict, "already_enabled", "the account is already enabled")
	}
	u.status, u.updatedAt = UserActive, now.UTC()
	return nil
}

// ChangeEmail replaces the email address.
func (u *User) ChangeEmail(email string, now time.Time) error {
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	u.email, u.updatedAt = e, now.UTC()
	return nil
}

// PasswordHash returns the encoded password hash.
func (u *User) PasswordHash() string { return u.passwordHash }

// CreatedAt returns when the account was made.
func (u *User) CreatedAt() time.Time { return u.createdAt }

// UpdatedAt returns when the account last changed.
func (u *User) UpdatedAt() time.Time { return u.updatedAt }

// Active reports whether the account may sign in.
func (u *User) Active() bool { return u.status == UserActive }

// ProfileChange holds the profile fields to change; nil leaves a field as it is.
type ProfileChange struct {
	DisplayName *string
	Locale      *string
	TimeZone    *string
}

// ChangeProfile applies a validated profile change; on error nothing changes.
func (u *User) ChangeProfile(c ProfileChange, now time.Time) error {
	name, locale, tz := u.displayName, u.locale, u.timeZone
	var err error
	if c.DisplayName != nil {
		if name, err = ParseDisplayName(*c.DisplayName); err != nil {
			return err
		}
	}
	if c.Locale != nil {
		if locale, err = ParseLocale(*c.Locale); err != nil {
			return err
		}
	}
	if c.TimeZone != nil {
		if tz, err = ParseTimeZone(*c.TimeZone); err != nil {
			return err
		}
	}
	u.displayName, u.locale, u.timeZone, u.updatedAt = name, locale, tz, now.UTC()
	return nil
}

// SetPasswordHash replaces the password hash with one of a password the person chose, after it
// passed the policy; an initial password no longer needs changing.
func (u *User) SetPasswordHash(hash string, now time.Time) {
	u.passwordHash, u.mustChangePassword, u.updatedAt = hash, false, now.UTC()
}

// SetInitialPasswordHash gives an account that has no password one that an administrator chose,
// which the person must replace at their first sign-in. An account whose person has set a
// password keeps it: an administrator never replaces it this way.
func (u *User) SetInitialPasswordHash(hash string, now time.Time) error {
	if u.passwordHash != "" {
		return errs.E(errs.Conflict, "already_activated", "the account already has a password; only its person changes it")
	}
	u.passwordHash, u.mustChangePassword, u.updatedAt = hash, true, now.UTC()
	return nil
}

// ClearPassword removes the password, so the account can be signed in to only once its person
// sets a new one with an activation link: what the organisation that manages the account does
// when someone else may know the old one. The caller ends the account's sessions and tokens.
func (u *User) ClearPassword(now time.Time) {
	u.passwordHash, u.mustChangePassword = "", false
	u.EndCredentials(now)
}

// UserRepository stores users.
type UserRepository interface {
	// Create stores a new user; Conflict if the email is taken.
	Create(ctx context.Context, u *User) error
	// Get returns a user by id; NotFound if there is none.
	Get(ctx context.Context, id uuid.UUID) (*User, error)
	// GetForUpdate returns a user by id and locks its row until the transaction in ctx ends, so
	// that no one else changes it in between; NotFound if there is none. Every change of a user
	// reads it with GetForUpdate, inside a transaction, and then calls Update: without the lock a
	// slow step in between (hashing a password) would let the whole-row write put back what a
	// concurrent change (a disable, a reset) had just replaced.
	GetForUpdate(ctx context.Context, id uuid.UUID) (*User, error)
	// GetByEmail returns a user by normalised email; NotFound if there is none.
	GetByEmail(ctx context.Context, email string) (*User, error)
	// Update stores a changed user, which the caller read with GetForUpdate in the same
	// transaction; NotFound if it is gone.
	Update(ctx context.Context, u *User) error
}
