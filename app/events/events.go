// Package events is the backbone every module publishes its changes through: a transactional
// outbox (an event is written in the transaction of the change, so a rolled-back change leaves
// none), a dispatcher that claims events in order and hands each, once, to the consumers
// (per-user streams for the real-time gateway, notifications, email, webhooks), and the
// gateway's fan-out across replicas.
package events

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Event is one change, as a module publishes it.
type Event struct {
	// ID is the outbox's order: assigned when the event is written.
	ID int64
	// Type names the change, "<module>.<thing>_<verb>": files.file_shared, files.file_uploaded…
	Type    string
	OrgID   uuid.UUID
	ActorID uuid.UUID // uuid.Nil for the system
	// Subject is the thing that changed.
	SubjectType string
	SubjectID   uuid.UUID
	// Audience is who the event concerns; the dispatcher resolves it to users when it runs,
	// from the memberships of that moment, and each consumer applies its own read check.
	Audience Audience
	// Payload is a small JSON object (at most 4 KiB) the clients can show without a read.
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Audience is who an event concerns: named users, the members of groups, the members of
// department subtrees, or the whole organisation.
type Audience struct {
	Users       []uuid.UUID `json:"users,omitempty"`
	Groups      []uuid.UUID `json:"groups,omitempty"`
	Departments []uuid.UUID `json:"departments,omitempty"`
	Org         bool        `json:"org,omitempty"`
}

// Publisher writes events into the outbox, in the transaction carried by ctx, and wakes the
// dispatchers when that transaction commits (pg_notify). Outside a transaction it is an error:
// an event must commit or roll back with its change.
type Publisher interface {
	Publish(ctx context.Context, es ...Event) error
}

// Consumer receives each dispatched event once, with the active members it concerns, in the
// dispatcher's transaction: whatever it writes (a notification, an email to send, a webhook
// delivery) commits with the event's dispatch or not at all. It must not call out of the
// process (send mail, post a webhook) here: it records the work, and its own worker does it.
type Consumer interface {
	// Name identifies the consumer in logs and metrics.
	Name() string
	Consume(ctx context.Context, e Event, recipients []uuid.UUID) error
}

// Delivery is an event with the active members it concerns, as a BatchConsumer receives it.
type Delivery struct {
	Event      Event
	Recipients []uuid.UUID
}

// BatchConsumer is a Consumer that takes a claimed batch of events at once, so that what it
// reads for them (which webhooks want them, say) is read once for the batch, not once an event.
// The dispatcher calls ConsumeBatch, in its transaction, in place of Consume.
type BatchConsumer interface {
	Consumer
	ConsumeBatch(ctx context.Context, ds []Delivery) error
}

// Visibility decides whether a user may see an event's subject, with the same checks as the
// REST read of that thing. Each module registers one for its event types; the dispatcher drops
// recipients it refuses.
type Visibility interface {
	// CanSee reports which of users may see the subject of e.
	CanSee(ctx context.Context, e Event, users []uuid.UUID) ([]uuid.UUID, error)
}
