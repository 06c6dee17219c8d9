package main

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// The ledger records every write the server said it committed (a 2xx), and the writes whose
// outcome is unknown (a transport error or a 5xx, which a proxy may send for a request its
// backend did finish), so that the check after the load can tell lost writes from uncertain
// ones. A 4xx is a refusal: nothing was written and nothing is recorded.

// taskValue is what the driver set on a task: its title (by task updates) and its column (by
// card moves).
type taskValue struct {
	Title   string
	Section string
}

// taskState is one task of the load. Writes to a task are made one at a time (busy), so the
// last acknowledged value is the one the server must hold. After a write of unknown outcome
// the task may hold either value, and it is left alone from then on: a request the server is
// still working on could land after any later one.
type taskState struct {
	id   string
	busy sync.Mutex

	want    taskValue
	alt     *taskValue // the value of the write with an unknown outcome, if any
	updates int        // acknowledged updates
	moves   int        // acknowledged moves
}

// sentMessage is a message the server accepted (201 with its id and seq), or, with unknown
// set, one whose send had no clear answer (found later in the history, it is expected like
// the others).
type sentMessage struct {
	ID       string
	ChatID   string
	Seq      int64
	ClientID string
	Accepted time.Time
	Unknown  bool
}

// upload is a file the server took (201), with the SHA-256 of the bytes sent.
type upload struct {
	ID     string
	SHA256 string
	Size   int
	Owner  int
}

// ledger holds the committed writes.
type ledger struct {
	mu       sync.Mutex
	tasks    []*taskState
	messages []sentMessage
	unknown  []sentMessage
	uploads  []*upload
	// acceptedAt is when each accepted message's send was answered (by id), for the
	// sampled delivery latencies.
	acceptedAt map[string]time.Time
	// unknownWrites counts the writes of every kind whose outcome is unknown.
	unknownWrites int
}

func (l *ledger) addTask(id string, v taskValue) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tasks = append(l.tasks, &taskState{id: id, want: v})
}

// taskWritten records the outcome of a write to t (made while holding t.busy): acknowledged,
// refused (nothing changes) or unknown.
func (l *ledger) taskWritten(t *taskState, v taskValue, o outcome, move bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch o {
	case committed:
		t.want = v
		if move {
			t.moves++
		} else {
			t.updates++
		}
	case unknown:
		t.alt = &v
		l.unknownWrites++
	}
}

func (l *ledger) messageSent(m sentMessage, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch o {
	case committed:
		l.messages = append(l.messages, m)
		if l.acceptedAt == nil {
			l.acceptedAt = map[string]time.Time{}
		}
		l.acceptedAt[m.ID] = m.Accepted
	case unknown:
		m.Unknown = true
		l.unknown = append(l.unknown, m)
		l.unknownWrites++
	}
}

func (l *ledger) uploaded(u *upload, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch o {
	case committed:
		l.uploads = append(l.uploads, u)
	case unknown:
		l.unknownWrites++
	}
}

// outcome is what a write's answer says about it.
type outcome int

const (
	refused   outcome = iota // a 4xx: not written
	committed                // a 2xx
	unknown                  // a transport error or a 5xx: maybe written
)

func outcomeOf(rep reply) outcome {
	switch {
	case rep.err != nil && rep.status == 0:
		return unknown
	case rep.status >= 200 && rep.status < 300:
		if rep.err != nil {
			return unknown // the answer broke off: the write happened, its id is not known
		}
		return committed
	case rep.status >= 500:
		return unknown
	default:
		return refused
	}
}

// checkTask compares what the server holds for a task with what the ledger expects. A task
// with a write of unknown outcome may hold either value.
func checkTask(t *taskState, got taskValue) error {
	if got == t.want || (t.alt != nil && got == *t.alt) {
		return nil
	}
	return fmt.Errorf("task %s holds %+v, want %+v", t.id, got, t.want)
}

// historyEntry is a message as a chat's history shows it.
type historyEntry struct {
	ID       string
	Seq      int64
	ClientID string
}

// checkHistory compares a chat's history with the messages the server accepted in it: each
// must be there, with its id at its seq. It also returns the messages of unknown outcome that
// turned out to be written (found by client id): they are expected at the receivers too.
func checkHistory(chatID string, accepted, unknownSends []sentMessage, history []historyEntry) (lost []string, found []sentMessage) {
	bySeq := make(map[int64]historyEntry, len(history))
	byClient := make(map[string]historyEntry, len(history))
	for _, h := range history {
		bySeq[h.Seq] = h
		byClient[h.ClientID] = h
	}
	for _, m := range accepted {
		if m.ChatID != chatID {
			continue
		}
		if h, ok := bySeq[m.Seq]; !ok || h.ID != m.ID {
			lost = append(lost, fmt.Sprintf("message %s (chat %s, seq %d) is not in the history", m.ID, chatID, m.Seq))
		}
	}
	for _, m := range unknownSends {
		if m.ChatID != chatID {
			continue
		}
		if h, ok := byClient[m.ClientID]; ok {
			m.ID, m.Seq = h.ID, h.Seq
			found = append(found, m)
		}
	}
	return lost, found
}

// delivery is how a receiver got a message.
type delivery struct {
	At    time.Time
	Live  bool // over the socket (else from the history, after a reload)
	Count int  // times it came over the socket
}

// deliveryCheck is the WebSocket side of the accounting.
type deliveryCheck struct {
	Expected   int             // receiver × message pairs that must be delivered
	Delivered  int             // of those, delivered (once or more)
	ViaCatchUp int             // of those, fetched from the history after a reload
	Duplicates int             // extra copies of a message over one receiver's sockets
	Lost       int             // expected and never delivered
	Latencies  []time.Duration // send accepted → received, over the socket
	Missing    []string        // the first lost ones, for the report
}

// checkDeliveries checks that every receiver holds every message of its chats: members[chat]
// are the member indexes of each chat, and got[r] with user[r] what receiver r received.
func checkDeliveries(messages []sentMessage, members map[string][]int, user []int, got []map[string]delivery) deliveryCheck {
	var c deliveryCheck
	in := make(map[string]map[int]bool, len(members))
	for id, ms := range members {
		in[id] = map[int]bool{}
		for _, m := range ms {
			in[id][m] = true
		}
	}
	for r := range got {
		for _, d := range got[r] {
			if d.Count > 1 {
				c.Duplicates += d.Count - 1
			}
		}
	}
	for _, m := range messages {
		for r := range got {
			if !in[m.ChatID][user[r]] {
				continue
			}
			c.Expected++
			d, ok := got[r][m.ID]
			if !ok {
				c.Lost++
				if len(c.Missing) < 20 {
					c.Missing = append(c.Missing, fmt.Sprintf("receiver %d (member %d) lacks message %s (chat %s, seq %d)", r, user[r], m.ID, m.ChatID, m.Seq))
				}
				continue
			}
			c.Delivered++
			if !d.Live {
				c.ViaCatchUp++
				continue
			}
			if !m.Accepted.IsZero() {
				c.Latencies = append(c.Latencies, max(0, d.At.Sub(m.Accepted)))
			}
		}
	}
	sort.Slice(c.Latencies, func(i, j int) bool { return c.Latencies[i] < c.Latencies[j] })
	return c
}

// percentile reads the p-th percentile (0–100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
