package events

import (
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
)

// Active implements appevents.Streams: which of the users are active members of which of the
// organisations. A gateway asks before every delivery, for every connected recipient, so the
// answers are kept per organisation with the organisation's membership epoch (migration
// 00034: every change of who is an active member renews it, at the changing transaction's
// commit, with a random token that never comes back). Each call reads the epochs first, in one
// small query, and asks PostgreSQL only about what it does not know under them: when an
// organisation's epoch has changed, all that was kept of it is forgotten. What is kept under an
// epoch was read after that epoch, so it is never older than it, and a deactivation committed
// before the call has changed the epoch the call reads:
// nobody deactivated is ever taken for active.
func (s *Store) Active(ctx context.Context, users, orgs []uuid.UUID) (map[appevents.Membership]bool, error) {
	now, err := s.epochs(ctx, orgs)
	if err != nil {
		return nil, err
	}
	out := make(map[appevents.Membership]bool, len(users))
	for _, org := range orgs {
		unknown := s.active.known(org, now[org], users, out)
		if len(unknown) == 0 {
			continue
		}
		var ids []uuid.UUID
		if err := postgres.Conn(ctx, s.db).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND status = 'active' AND user_id = ANY (?::uuid[])`,
			org, postgres.UUIDArray(unknown)).Scan(&ids).Error; err != nil {
			return nil, postgres.Translate(err)
		}
		active := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			active[id] = true
			out[appevents.Membership{UserID: id, OrgID: org}] = true
		}
		s.active.learn(org, now[org], unknown, active)
	}
	return out, nil
}

// epoch is an organisation's membership epoch: the token its last change of members set, the
// zero uuid while it has had none.
type epoch = uuid.UUID

// epochs reads the organisations' membership epochs.
func (s *Store) epochs(ctx context.Context, orgs []uuid.UUID) (map[uuid.UUID]epoch, error) {
	var rows []struct {
		OrgID uuid.UUID
		Token uuid.UUID
	}
	if err := postgres.Conn(ctx, s.db).Raw(`SELECT org_id, token FROM membership_epochs WHERE org_id = ANY (?::uuid[])`,
		postgres.UUIDArray(orgs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]epoch, len(orgs))
	for _, r := range rows {
		out[r.OrgID] = r.Token
	}
	return out, nil
}

// activeCache is what a gateway knows of its organisations' active members, by organisation,
// under the epoch it read before it asked.
type activeCache struct {
	mu   sync.Mutex
	orgs map[uuid.UUID]*orgMembers
	size int // the entries of all organisations
}

type orgMembers struct {
	epoch  epoch
	active map[uuid.UUID]bool // false: known not to be an active member
}

// activeCacheSize bounds what is kept of all organisations together; past it, the cache starts
// afresh (each entry is a few dozen bytes).
const activeCacheSize = 200_000

// known sets out's entries for the users it knows under e and returns the others. What was
// kept under another epoch is not used.
func (c *activeCache) known(org uuid.UUID, e epoch, users []uuid.UUID, out map[appevents.Membership]bool) []uuid.UUID {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.orgs[org]
	if m == nil || m.epoch != e {
		return users
	}
	var unknown []uuid.UUID
	for _, u := range users {
		active, ok := m.active[u]
		switch {
		case !ok:
			unknown = append(unknown, u)
		case active:
			out[appevents.Membership{UserID: u, OrgID: org}] = true
		}
	}
	return unknown
}

// learn keeps what was read of users under e (active holds those who are); what was kept of the
// organisation under another epoch is forgotten.
func (c *activeCache) learn(org uuid.UUID, e epoch, users []uuid.UUID, active map[uuid.UUID]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil || c.size+len(users) > activeCacheSize {
		c.orgs, c.size = map[uuid.UUID]*orgMembers{}, 0
	}
	m := c.orgs[org]
	if m == nil || m.epoch != e {
		if m != nil {
			c.size -= len(m.active)
		}
		m = &orgMembers{epoch: e, active: make(map[uuid.UUID]bool, len(users))}
		c.orgs[org] = m
	}
	for _, u := range users {
		if _, ok := m.active[u]; !ok {
			c.size++
		}
		m.active[u] = active[u]
	}
}

// resolvedCache is what audiences resolved to, each under the epoch of its organisation read
// before it was resolved.
type resolvedCache struct {
	mu  sync.Mutex
	all map[string]resolvedAudience
}

type resolvedAudience struct {
	epoch epoch
	users []uuid.UUID
}

// resolvedCacheSize bounds the audiences kept; past it, the cache starts afresh.
const resolvedCacheSize = 1024

// get returns a copy of what the audience resolved to under e.
func (c *resolvedCache) get(key string, e epoch) ([]uuid.UUID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.all[key]
	if !ok || r.epoch != e {
		return nil, false
	}
	return slices.Clone(r.users), true
}

func (c *resolvedCache) put(key string, e epoch, users []uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all == nil || len(c.all) >= resolvedCacheSize {
		c.all = map[string]resolvedAudience{}
	}
	c.all[key] = resolvedAudience{e, users}
}
