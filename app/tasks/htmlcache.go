package tasks

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// htmlCacheBytes bounds what the rendered-Markdown cache holds (renderings and what each entry
// costs besides them, see htmlEntryOverhead): thousands of descriptions of a few hundred bytes
// each, so that the descriptions on the pages people keep opening are rendered once, not on
// every listing.
const htmlCacheBytes = 4 << 20

// htmlCacheMaxSource is the longest source kept: a long text is rendered each time rather than
// pushing many short ones out.
const htmlCacheMaxSource = 16 << 10

// htmlEntryOverhead is what an entry costs besides its rendering: its key, its map slot, its
// list element and the entry itself (about 250 bytes measured on amd64), so that many short
// renderings do not hold several times the bound.
const htmlEntryOverhead = 256

// htmlCache remembers renderings of Markdown by the SHA-256 of their source, least recently
// used out first. A rendering depends on nothing but its source, so a hit is always right.
type htmlCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *htmlEntry, most recent first
	byKey map[[sha256.Size]byte]*list.Element
}

type htmlEntry struct {
	key  [sha256.Size]byte
	html string
	size int
}

func newHTMLCache(maxBytes int) *htmlCache {
	return &htmlCache{max: maxBytes, order: list.New(), byKey: map[[sha256.Size]byte]*list.Element{}}
}

// render returns src rendered by fn, from the cache when it holds it.
func (c *htmlCache) render(src string, fn func(string) string) string {
	if len(src) > htmlCacheMaxSource {
		return fn(src)
	}
	key := sha256.Sum256([]byte(src))
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		html := e.Value.(*htmlEntry).html
		c.mu.Unlock()
		return html
	}
	c.mu.Unlock()
	html := fn(src)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok {
		return html
	}
	e := &htmlEntry{key: key, html: html, size: htmlEntryOverhead + len(html)}
	c.byKey[key] = c.order.PushFront(e)
	c.size += e.size
	for c.size > c.max {
		last := c.order.Back()
		old := last.Value.(*htmlEntry)
		c.order.Remove(last)
		delete(c.byKey, old.key)
		c.size -= old.size
	}
	return html
}
