package main

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// background runs the workers of `canopy serve` (the importer, the policy listener, the
// sweepers) under one context, so that shutdown can stop them and wait until every one has
// returned: only then may the database close, since a worker that is stopping still writes to
// it (the importer hands its job back).
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newBackground returns a group whose workers run until Stop. Their context is not the
// signal's: they keep working while the HTTP server drains its requests, which may wake them.
func newBackground() *background {
	ctx, cancel := context.WithCancel(context.Background())
	return &background{ctx: ctx, cancel: cancel}
}

// Go starts a worker; it must return soon after its context ends.
func (b *background) Go(worker func(ctx context.Context)) {
	b.wg.Go(func() { worker(b.ctx) })
}

// Stop ends the workers' context and waits for all of them to return, or for ctx to end,
// which it reports as an error: the workers are then still running.
func (b *background) Stop(ctx context.Context) error {
	b.cancel()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		select {
		case <-done:
			return nil
		default:
			return errors.New("background workers did not stop within server.shutdown_timeout")
		}
	}
}

// workerReserve is the part of the shutdown's remaining time kept for the workers to stop
// and hand back their claims: a third of it, at most 5 s.
func workerReserve(remaining time.Duration) time.Duration {
	return max(min(5*time.Second, remaining/3), 0)
}

// shutdown stops Canopy in order: the listeners stop taking requests and finish those under
// way while the closers close what the servers do not track (WebSockets, with their reconnect
// hint), then the workers stop, and only once nothing uses the database any more is it closed.
// The closers start once the first server's listener has closed, so that a client told to
// reconnect cannot reach this replica again. The servers and closers have until ctx's
// deadline less workerReserve; the workers have the rest, however long the requests took.
// Whatever outlives its time (a request, a connection, a worker) is reported, and the database
// is then left for the process's exit to close rather than closed under it.
func shutdown(ctx context.Context, servers []*http.Server, workers *background, closeDB func(), closers ...func(context.Context) error) error {
	// The requests and connections get the time up to the workers' reserve, so that one long
	// transfer cannot use it all and leave the workers no time to hand back what they hold.
	hctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		hctx, cancel = context.WithDeadline(ctx, dl.Add(-workerReserve(time.Until(dl))))
		defer cancel()
	}
	closed := make(chan error, len(closers))
	for _, c := range closers {
		run := func() { closed <- c(hctx) }
		if len(servers) > 0 {
			// net/http runs it, in a goroutine of its own, right after closing the listeners.
			servers[0].RegisterOnShutdown(run)
		} else {
			go run()
		}
	}
	var errs []error
	for _, hs := range servers {
		if err := hs.Shutdown(hctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	for range closers {
		if err := <-closed; err != nil {
			errs = append(errs, err)
		}
	}
	if err := workers.Stop(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	closeDB()
	return nil
}
