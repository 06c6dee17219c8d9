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
// 00034: every change of who is an active member moves it on, in the changing transaction).
// Each call reads the epochs first, in one small query, and asks PostgreSQL only about what
// it does not know under them: when an organisation's epoch has moved, all that was kept of it
// is forgotten. What is kept under an epoch was read after that epoch, so it is never older
// than it, and a deactivation committed before the call has moved the epoch the call reads:
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

// epochs reads the organisations' membership epochs (0 for one that has never changed).
func (s *Store) epochs(ctx context.Context, orgs []uuid.UUID) (map[uuid.UUID]int64, error) {
	var rows []struct {
		OrgID uuid.UUID
		N     int64
	}
	if err := postgres.Conn(ctx, s.db).Raw(`SELECT org_id, n FROM membership_epochs WHERE org_id = ANY (?::uuid[])`,
		postgres.UUIDArray(orgs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]int64, len(orgs))
	for _, r := range rows {
		out[r.OrgID] = r.N
	}
	return out, nil
}

// activeCache is what a gateway knows of its organisations' active members, by organisation,
// under the epoch it read before it asked.
type activeCache struct {
	mu   sync.Mutex
	orgs map[uuid.UUID]*orgMembers
}

type orgMembers struct {
	epoch  int64
	active map[uuid.UUID]bool // false: known not to be an active member
}

// activeCacheSize bounds what is kept of one organisation; past it, it starts afresh.
const activeCacheSize = 100_000

// known sets out's entries for the users it knows under epoch and returns the others. An
// organisation whose epoch has moved on is forgotten first.
func (c *activeCache) known(org uuid.UUID, epoch int64, users []uuid.UUID, out map[appevents.Membership]bool) []uuid.UUID {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.orgs[org]
	if m == nil || m.epoch != epoch {
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

// learn keeps what was read of users under epoch (active holds those who are).
func (c *activeCache) learn(org uuid.UUID, epoch int64, users []uuid.UUID, active map[uuid.UUID]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil {
		c.orgs = map[uuid.UUID]*orgMembers{}
	}
	m := c.orgs[org]
	if m == nil || m.epoch != epoch || len(m.active)+len(users) > activeCacheSize {
		m = &orgMembers{epoch: epoch, active: make(map[uuid.UUID]bool, len(users))}
		c.orgs[org] = m
	}
	for _, u := range users {
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
	epoch int64
	users []uuid.UUID
}

// resolvedCacheSize bounds the audiences kept; past it, the cache starts afresh.
const resolvedCacheSize = 1024

// get returns a copy of what the audience resolved to under epoch.
func (c *resolvedCache) get(key string, epoch int64) ([]uuid.UUID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.all[key]
	if !ok || r.epoch != epoch {
		return nil, false
	}
	return slices.Clone(r.users), true
}

func (c *resolvedCache) put(key string, epoch int64, users []uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all == nil || len(c.all) >= resolvedCacheSize {
		c.all = map[string]resolvedAudience{}
	}
	c.all[key] = resolvedAudience{epoch, users}
}
