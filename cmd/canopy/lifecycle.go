package main

import (
	"context"
	"errors"
	"net/http"
	"sync"
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

// shutdown stops Canopy in order: the listeners stop taking requests and finish those under
// way, then the workers stop, and only once nothing uses the database any more is it closed.
// Whatever outlives ctx (a request, a worker) is reported, and the database is then left for
// the process's exit to close rather than closed under it.
func shutdown(ctx context.Context, servers []*http.Server, workers *background, closeDB func()) error {
	var errs []error
	for _, hs := range servers {
		if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
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
