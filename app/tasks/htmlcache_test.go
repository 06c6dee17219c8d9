package tasks

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestHTMLCacheRendersEachSourceOnceWithinItsBound: a source is rendered once while it stays in
// the cache, the least recently used goes first when the bound is passed, and a long source is
// rendered every time rather than kept.
func TestHTMLCacheRendersEachSourceOnceWithinItsBound(t *testing.T) {
	calls := map[string]int{}
	render := func(src string) string {
		calls[src]++
		return "<p>" + src + "</p>"
	}
	// Room for two renderings of these sizes (each counts what its entry costs too), not three.
	c := newHTMLCache(2 * (htmlEntryOverhead + len("<p>a</p>")))
	for _, src := range []string{"a", "b", "a", "a", "b"} {
		if got := c.render(src, render); got != "<p>"+src+"</p>" {
			t.Fatalf("render %q: %q", src, got)
		}
	}
	if calls["a"] != 1 || calls["b"] != 1 {
		t.Fatalf("renders: %v", calls)
	}
	c.render("c", render) // pushes out "a", the least recently used
	c.render("b", render)
	c.render("a", render)
	if calls["a"] != 2 || calls["b"] != 1 || calls["c"] != 1 {
		t.Fatalf("renders after the bound was passed: %v", calls)
	}
	if c.size > c.max || c.order.Len() != len(c.byKey) || c.order.Len() > 2 {
		t.Fatalf("size %d of %d, %d entries, %d keys", c.size, c.max, c.order.Len(), len(c.byKey))
	}
	long := strings.Repeat("x", htmlCacheMaxSource+1)
	c.render(long, render)
	c.render(long, render)
	if calls[long] != 2 {
		t.Fatalf("a long source was rendered %d times", calls[long])
	}
}

// TestHTMLCacheIsSafeForConcurrentListings: listings render descriptions from many requests at
// once; under -race, concurrent hits, misses and evictions of the same and different sources
// each give their own source's rendering and leave the cache within its bound.
func TestHTMLCacheIsSafeForConcurrentListings(t *testing.T) {
	render := func(src string) string { return "<p>" + src + "</p>" }
	c := newHTMLCache(64 * (htmlEntryOverhead + 16))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				src := strconv.Itoa((i * (g + 1)) % 300)
				if got := c.render(src, render); got != render(src) {
					errs <- src + " rendered as " + got
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size > c.max || c.order.Len() != len(c.byKey) {
		t.Fatalf("size %d of %d, %d entries, %d keys", c.size, c.max, c.order.Len(), len(c.byKey))
	}
}

// TestHTMLCacheHoldsAboutItsBoundInMemory: the bound is what the cache costs, not only the bytes
// of its renderings and keys. Many short descriptions (the common case: "Call back", "See
// attached") each cost a map slot, a list element and an entry besides their text, several
// times the text itself; counted as text alone they would let the cache grow to about six times
// its bound.
func TestHTMLCacheHoldsAboutItsBoundInMemory(t *testing.T) {
	const bound = 2 << 20
	render := func(src string) string { return "<p>" + src + "</p>\n" }
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := newHTMLCache(bound)
	for i := 0; i < 400000; i++ {
		c.render(strconv.Itoa(i), render)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2*bound {
		t.Fatalf("a cache bounded at %d bytes holds %d entries in %d bytes of heap", bound, c.order.Len(), grown)
	}
}
