package tasks

import (
	"strings"
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
	// Room for two renderings of these sizes (each counts its key too), not three.
	c := newHTMLCache(2 * (32 + len("<p>a</p>")))
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
