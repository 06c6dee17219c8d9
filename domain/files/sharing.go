package files

import (
	"strconv"
	"time"

	"canopy/domain/errs"
)

// Policy is a sharing policy of an organisation, a department or a group. The strictest of the
// policies on a file's path applies (see Strictest).
type Policy struct {
	// LinksAllowed says whether share links may be made.
	LinksAllowed bool
	// MaxLinkExpiry is the longest a link may live; 0 means links may be made without expiry.
	MaxLinkExpiry time.Duration
	// PasswordRequired says whether every link needs a password.
	PasswordRequired bool
}

// DefaultPolicy is what applies where no policy is set: links allowed, without expiry or
// password.
func DefaultPolicy() Policy { return Policy{LinksAllowed: true} }

// Validate refuses a negative longest expiry.
func (p Policy) Validate() error {
	if p.MaxLinkExpiry < 0 {
		return errs.E(errs.Invalid, "invalid_sharing_policy", "max_link_expiry: must not be negative")
	}
	return nil
}

// Strictest combines the policies on a path into the one that applies: links only if every
// policy allows them, the shortest longest expiry (0, no limit, only if all have none), and a
// password if any requires one. With no policies it is DefaultPolicy.
func Strictest(policies ...Policy) Policy {
	out := DefaultPolicy()
	for _, p := range policies {
		out.LinksAllowed = out.LinksAllowed && p.LinksAllowed
		out.PasswordRequired = out.PasswordRequired || p.PasswordRequired
		if p.MaxLinkExpiry > 0 && (out.MaxLinkExpiry == 0 || p.MaxLinkExpiry < out.MaxLinkExpiry) {
			out.MaxLinkExpiry = p.MaxLinkExpiry
		}
	}
	return out
}

// LinkTerms are the terms of a share link: when it expires (zero: never), how many downloads it
// allows (0: no limit), and whether it has a password. The token and the password's hash are
// the app's, which makes them.
type LinkTerms struct {
	expiresAt        time.Time
	maxDownloads     int
	passwordRequired bool
}

// MaxLinkDownloads is the largest download limit a link may have.
const MaxLinkDownloads = 1_000_000_000

// NewLinkTerms checks a link's terms against the policy that applies to its file or folder:
// Forbidden links_not_allowed when the policy forbids links; Invalid naming the field when the
// expiry is missing, past or beyond the policy's longest, when a password is missing but
// required, or when the download limit is negative or above MaxLinkDownloads.
func NewLinkTerms(expiresAt time.Time, maxDownloads int, hasPassword bool, policy Policy, now time.Time) (LinkTerms, error) {
	switch {
	case !policy.LinksAllowed:
		return LinkTerms{}, errs.E(errs.Forbidden, "links_not_allowed", "the sharing policy does not allow links here")
	case maxDownloads < 0 || maxDownloads > MaxLinkDownloads:
		return LinkTerms{}, errs.E(errs.Invalid, "invalid_link", "max_downloads: must be between 0 and "+strconv.Itoa(MaxLinkDownloads))
	case !expiresAt.IsZero() && !expiresAt.After(now):
		return LinkTerms{}, errs.E(errs.Invalid, "invalid_link", "expires_at: must be in the future")
	case policy.MaxLinkExpiry > 0 && expiresAt.IsZero():
		return LinkTerms{}, errs.E(errs.Invalid, "invalid_link", "expires_at: is required by the sharing policy")
	case policy.MaxLinkExpiry > 0 && expiresAt.Sub(now) > policy.MaxLinkExpiry:
		return LinkTerms{}, errs.E(errs.Invalid, "invalid_link", "expires_at: is later than the sharing policy allows")
	case policy.PasswordRequired && !hasPassword:
		return LinkTerms{}, errs.E(errs.Invalid, "invalid_link", "password: is required by the sharing policy")
	}
	t := LinkTerms{maxDownloads: maxDownloads, passwordRequired: hasPassword}
	if !expiresAt.IsZero() {
		t.expiresAt = expiresAt.UTC()
	}
	return t, nil
}

// RehydrateLinkTerms rebuilds stored terms. It is for repository adapters only.
func RehydrateLinkTerms(expiresAt time.Time, maxDownloads int, passwordRequired bool) LinkTerms {
	return LinkTerms{expiresAt, maxDownloads, passwordRequired}
}

// ExpiresAt returns when the link expires, or the zero time for never.
func (t LinkTerms) ExpiresAt() time.Time { return t.expiresAt }

// MaxDownloads returns the download limit, or 0 for none.
func (t LinkTerms) MaxDownloads() int { return t.maxDownloads }

// PasswordRequired reports whether the link asks for a password.
func (t LinkTerms) PasswordRequired() bool { return t.passwordRequired }
