// Package webhook holds an organisation's webhook subscriptions (a URL subscribed to event types,
// with the secret its deliveries are signed with) and their deliveries, with the rules of both:
// which URLs may be subscribed, which addresses may never be called, and when a failed delivery
// is tried again.
package webhook

import (
	"context"
	"encoding/json"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// MaxURLBytes bounds a subscription's URL.
const MaxURLBytes = 2048

// URLPolicy says which URLs may be subscribed.
type URLPolicy struct {
	// AllowPrivate lets a URL name a private, loopback or link-local address, and use plain
	// http: for development, never in production (it opens the server to SSRF).
	AllowPrivate bool
}

// CheckURL accepts an absolute https URL (http too when private addresses are allowed) with a
// host, no credentials and no fragment. A host that is a literal blocked address is refused at
// once; a name is checked when it is resolved, at each delivery (see Blocked).
func (p URLPolicy) CheckURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(msg string) error { return errs.E(errs.Invalid, "invalid_url", "url: "+msg) }
	if raw == "" || len(raw) > MaxURLBytes {
		return "", bad("must be an absolute URL of at most 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", bad("must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowPrivate:
	default:
		return "", bad("must use https")
	}
	if u.User != nil {
		return "", bad("must not carry credentials")
	}
	if u.Fragment != "" {
		return "", bad("must not have a fragment")
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && Blocked(a) && !p.AllowPrivate {
		return "", bad("must not name a private, loopback or link-local address")
	}
	return u.String(), nil
}

// sharedSpace is the carrier-grade NAT range (RFC 6598), private in all but name.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// Blocked reports whether a webhook may never be posted to the address (unless private
// addresses are allowed): private, loopback, link-local (the cloud metadata service at
// 169.254.169.254), multicast, unspecified and carrier-grade NAT addresses, in IPv4, IPv6 and
// IPv4 mapped into IPv6.
func Blocked(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() {
		return true
	}
	// An IPv6 address that carries an IPv4 one (NAT64, 6to4, the old IPv4-compatible form) is
	// judged by the IPv4 address a gateway would reach.
	if v4, ok := embeddedIPv4(a); ok && Blocked(v4) {
		return true
	}
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// reserved are the ranges beside the standard library's private, loopback and link-local ones
// that no webhook may reach: shared address space (carrier-grade NAT), "this network", the
// IETF protocol assignments, benchmarking, the reserved block and broadcast.
var reserved = []netip.Prefix{
	sharedSpace,
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// The IPv6 prefixes that embed an IPv4 address.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	ipv4Compat = netip.MustParsePrefix("::/96")
)

// embeddedIPv4 returns the IPv4 address an IPv6 address carries, if it is of a form that does.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a), nat64Local.Contains(a), ipv4Compat.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

var eventTypeRE = regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)

// checkEventTypes accepts a non-empty list of known event types, without repeats.
func checkEventTypes(types, known []string) ([]string, error) {
	if len(types) == 0 {
		return nil, errs.E(errs.Invalid, "invalid_event_types", "event_types: name at least one event type")
	}
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !eventTypeRE.MatchString(t) || !slices.Contains(known, t) {
			return nil, errs.E(errs.Invalid, "invalid_event_types", "event_types: unknown event type "+truncate(t, 64))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Subscription is an organisation's URL subscribed to event types.
type Subscription struct {
	id           uuid.UUID
	orgID        uuid.UUID
	url          string
	eventTypes   []string
	secret       string
	active       bool
	pausedAt     *time.Time
	failureCount int
	createdBy    uuid.UUID
	createdAt    time.Time
}

// Input is what an admin gives for a subscription. On update, a nil or empty field is left
// as it is.
type Input struct {
	URL        string
	EventTypes []string
	Active     *bool
}

// NewSubscription builds an active subscription with its secret; known lists the event types
// that may be subscribed to.
func NewSubscription(orgID, createdBy uuid.UUID, in Input, known []string, p URLPolicy, secret string, now time.Time) (*Subscription, error) {
	u, err := p.CheckURL(in.URL)
	if err != nil {
		return nil, err
	}
	types, err := checkEventTypes(in.EventTypes, known)
	if err != nil {
		return nil, err
	}
	if len(secret) < 32 {
		return nil, errs.Internalf("webhook: a secret of %d bytes is too short", len(secret))
	}
	active := in.Active == nil || *in.Active
	return &Subscription{id: uuid.New(), orgID: orgID, url: u, eventTypes: types, secret: secret, active: active,
		createdBy: createdBy, createdAt: now.UTC()}, nil
}

// Update changes what in names. Turning a paused subscription back on clears its failures.
func (s *Subscription) Update(in Input, known []string, p URLPolicy) error {
	if in.URL != "" {
		u, err := p.CheckURL(in.URL)
		if err != nil {
			return err
		}
		s.url = u
	}
	if in.EventTypes != nil {
		types, err := checkEventTypes(in.EventTypes, known)
		if err != nil {
			return err
		}
		s.eventTypes = types
	}
	if in.Active != nil {
		if *in.Active && !s.active {
			s.pausedAt, s.failureCount = nil, 0
		}
		s.active = *in.Active
	}
	return nil
}

// RehydrateSubscription rebuilds a stored subscription; for adapters only.
func RehydrateSubscription(id, orgID uuid.UUID, url string, eventTypes []string, secret string, active bool, pausedAt *time.Time,
	failureCount int, createdBy uuid.UUID, createdAt time.Time) *Subscription {
	return &Subscription{id: id, orgID: orgID, url: url, eventTypes: eventTypes, secret: secret, active: active, pausedAt: pausedAt,
		failureCount: failureCount, createdBy: createdBy, createdAt: createdAt}
}

// ID returns the subscription's id.
func (s *Subscription) ID() uuid.UUID { return s.id }

// OrgID returns the organisation the subscription belongs to.
func (s *Subscription) OrgID() uuid.UUID { return s.orgID }

// URL returns where deliveries are posted.
func (s *Subscription) URL() string { return s.url }

// EventTypes returns the event types subscribed to.
func (s *Subscription) EventTypes() []string { return s.eventTypes }

// Secret returns the signing key: for signing and for the one answer that creates it, never
// for a listing or a log.
func (s *Subscription) Secret() string { return s.secret }

// Active reports whether deliveries are made.
func (s *Subscription) Active() bool { return s.active }

// PausedAt returns when the subscription was paused for failing, if it was.
func (s *Subscription) PausedAt() *time.Time { return s.pausedAt }

// FailureCount returns how many attempts in a row have failed.
func (s *Subscription) FailureCount() int { return s.failureCount }

// CreatedBy returns who made the subscription.
func (s *Subscription) CreatedBy() uuid.UUID { return s.createdBy }

// CreatedAt returns when the subscription was made.
func (s *Subscription) CreatedAt() time.Time { return s.createdAt }

// Status is where a delivery stands.
type Status string

// The statuses of a delivery.
const (
	Pending   Status = "pending"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
)

// Delivery is one event to post to one subscription, and how its attempts went.
type Delivery struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	SubscriptionID uuid.UUID
	EventID        int64
	EventType      string
	// Data is the body's data member: the event's subject, actor and payload.
	Data json.RawMessage
	// OccurredAt is when the event happened; CreatedAt when the delivery was made (a
	// redelivery is a new delivery), from which the retry window runs.
	OccurredAt    time.Time
	Status        Status
	Attempts      int
	NextAttemptAt *time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
}

// Attempt is a delivery claimed for posting, with where to post it and the key to sign it with.
type Attempt struct {
	Delivery
	URL    string
	Secret string
}

// Result is how one attempt went.
type Result struct {
	// Status is the receiver's HTTP status, 0 when none came.
	Status int
	// Err says why the attempt failed; "" when the receiver answered 2xx.
	Err string
}

// OK reports whether the attempt delivered.
func (r Result) OK() bool { return r.Err == "" && r.Status >= 200 && r.Status < 300 }

// Backoff returns how long to wait after a delivery's n-th failed attempt (n ≥ 1): 30 seconds
// doubled each time up to two hours, spread by jitter in [0, 1) over ±20% so that deliveries
// that failed together do not all come back together.
func Backoff(n int, jitter float64) time.Duration {
	const base, ceiling = 30 * time.Second, 2 * time.Hour
	d := time.Duration(float64(base) * math.Pow(2, float64(min(max(n, 1)-1, 20))))
	d = min(d, ceiling)
	return time.Duration(float64(d) * (0.8 + 0.4*jitter))
}

// SubscriptionRepository stores subscriptions. Each method returns NotFound for an id of
// another organisation exactly as for a missing one.
type SubscriptionRepository interface {
	Create(ctx context.Context, s *Subscription) error
	Get(ctx context.Context, orgID, id uuid.UUID) (*Subscription, error)
	List(ctx context.Context, orgID uuid.UUID) ([]*Subscription, error)
	// Update saves the URL, event types and active state.
	Update(ctx context.Context, s *Subscription) error
	Delete(ctx context.Context, orgID, id uuid.UUID) error
	// Matching returns the active subscriptions of the organisation to any of the event types.
	Matching(ctx context.Context, orgID uuid.UUID, eventTypes []string) ([]*Subscription, error)
}

// Finish is what the worker records after an attempt.
type Finish struct {
	ID     uuid.UUID
	Result Result
	// Next is when to try again; nil means the delivery is done (succeeded, or failed for good).
	Next *time.Time
	At   time.Time
	// PauseAfter is how many failed attempts in a row pause the subscription.
	PauseAfter int
}

// DeliveryRepository stores deliveries.
type DeliveryRepository interface {
	Add(ctx context.Context, ds ...Delivery) error
	Get(ctx context.Context, orgID, id uuid.UUID) (Delivery, error)
	// List returns a subscription's deliveries, newest first, before the cursor's time when
	// it is not zero.
	List(ctx context.Context, orgID, subscriptionID uuid.UUID, before time.Time, limit int) ([]Delivery, error)
	// Claim takes up to limit pending deliveries of active subscriptions due at now, counts an
	// attempt on each and moves their next attempt to leaseUntil, so that another worker takes
	// one up again only if this one died with it. Replicas claim different rows (SKIP LOCKED).
	Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Attempt, error)
	// Release hands back pending deliveries a worker claimed, with the lease leaseUntil, but
	// did not post (it is stopping): they are due again at now, and the attempt the claim
	// counted is taken back. A delivery whose lease is no longer leaseUntil (it ran out and
	// another worker claimed it since) is left alone.
	Release(ctx context.Context, ids []uuid.UUID, leaseUntil, now time.Time) error
	// Finish records an attempt's result and the subscription's run of failures; it reports
	// the subscription when this failure paused it.
	Finish(ctx context.Context, f Finish) (paused *Subscription, err error)
}
