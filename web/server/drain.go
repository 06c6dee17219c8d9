package server

import (
	"context"
	"errors"
	"sync"
)

// drain is what a replica does on its way out, before and beside net/http's own Shutdown.
type drain struct {
	mu      sync.Mutex
	closers []func(ctx context.Context) error
}

// Drain marks the server as going away: /readyz answers 503 ("draining") so that the load
// balancer stops sending it new requests, while requests still arriving are served, each
// answered with Connection: close so that keep-alive clients reconnect (to another replica).
func (s *Server) Drain() { s.draining.Store(true) }

// Draining reports whether Drain has been called.
func (s *Server) Draining() bool { return s.draining.Load() }

// OnShutdown registers f to run on Shutdown. It is for connections net/http's Shutdown does
// not track, such as hijacked WebSockets: f closes them and returns once they are closed, or
// when ctx ends.
func (r *Router) OnShutdown(f func(ctx context.Context) error) {
	r.s.drain.mu.Lock()
	defer r.s.drain.mu.Unlock()
	r.s.drain.closers = append(r.s.drain.closers, f)
}

// Shutdown drains the server (Drain) and runs the OnShutdown functions at once, returning when
// all have returned; the first errors they return are joined.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	s.drain.mu.Lock()
	closers := append([]func(context.Context) error(nil), s.drain.closers...)
	s.drain.mu.Unlock()
	errc := make(chan error, len(closers))
	for _, f := range closers {
		go func() { errc <- f(ctx) }()
	}
	var err []error
	for range closers {
		err = append(err, <-errc)
	}
	return errors.Join(err...)
}
