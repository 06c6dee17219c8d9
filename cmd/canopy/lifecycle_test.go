package main

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestShutdownWaitsForWorkersBeforeClosingTheDatabase: the database closes only after every
// worker has returned, however long a worker takes to wind down once told to stop (as the
// importer does, handing its job back through the database).
func TestShutdownWaitsForWorkersBeforeClosingTheDatabase(t *testing.T) {
	workers := newBackground()
	var stopped atomic.Int32
	for range 3 {
		workers.Go(func(ctx context.Context) {
			<-ctx.Done()
			// Winding down takes a while; a shutdown that did not wait would close the
			// database first.
			for range 10000 {
				runtime.Gosched()
			}
			stopped.Add(1)
		})
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.NotFoundHandler()}
	go func() { _ = hs.Serve(l) }()

	var atClose int32 = -1
	err = shutdown(context.Background(), []*http.Server{hs}, workers, func() { atClose = stopped.Load() })
	if err != nil {
		t.Fatal(err)
	}
	if atClose != 3 {
		t.Fatalf("the database closed with %d of 3 workers stopped", atClose)
	}
}

// TestShutdownLeavesTheDatabaseToAWorkerThatOverstays: a worker still running when the
// shutdown time is up is reported, and the database is not closed under it.
func TestShutdownLeavesTheDatabaseToAWorkerThatOverstays(t *testing.T) {
	workers := newBackground()
	release := make(chan struct{})
	defer close(release)
	workers.Go(func(ctx context.Context) { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	closed := false
	if err := shutdown(ctx, nil, workers, func() { closed = true }); err == nil || closed {
		t.Fatalf("err %v, database closed %v", err, closed)
	}
}

// TestShutdownKeepsTimeForTheWorkers: a request that outlasts the shutdown (a long transfer)
// does not use up the workers' time: they are still told to stop, and waited for, while the
// shutdown's context runs, and wind down (hand back their claims) before it returns.
func TestShutdownKeepsTimeForTheWorkers(t *testing.T) {
	workers := newBackground()
	var handedBack atomic.Bool
	workers.Go(func(ctx context.Context) {
		<-ctx.Done()
		// Handing back takes a moment, as a database round trip does.
		time.Sleep(20 * time.Millisecond)
		handedBack.Store(true)
	})
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})}
	go func() { _ = hs.Serve(l) }()
	go func() {
		if res, err := http.Get("http://" + l.Addr().String() + "/"); err == nil {
			res.Body.Close()
		}
	}()
	<-entered

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	closed := false
	err = shutdown(ctx, []*http.Server{hs}, workers, func() { closed = true })
	if err == nil || closed {
		t.Fatalf("a request still running: err %v, database closed %v", err, closed)
	}
	if strings.Contains(err.Error(), "background workers") || !handedBack.Load() {
		t.Fatalf("the workers had no time left to stop: %v, handed back %v", err, handedBack.Load())
	}
}
