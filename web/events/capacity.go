package events

import (
	"time"

	"canopy/domain/errs"
)

// errFull refuses an upgrade past the replica's connections: the client retries, and the load
// balancer may send it to another replica.
var errFull = &errs.Error{Kind: errs.Unavailable, Code: "server_at_capacity",
	Message: "this server holds as many live connections as it may; retry", RetryAfter: 5 * time.Second}

// WithMaxConnections bounds the WebSockets open on this replica to n (events.max_connections);
// 0 sets no bound.
func (h *Handler) WithMaxConnections(n int) *Handler {
	h.maxConns = int64(n)
	return h
}

// admit counts a connection about to open, unless the replica holds maxConns already; its
// caller takes it off the count (h.conns.Add(-1)) when the connection's handler returns.
func (h *Handler) admit() bool {
	if n := h.conns.Add(1); h.maxConns > 0 && n > h.maxConns {
		h.conns.Add(-1)
		return false
	}
	return true
}
