package files

import (
	"crypto/sha256"
	"hash"
	"sync"
)

// asyncHash takes a SHA-256 on another goroutine while the bytes it was given go on to the
// store: a streamed upload then hashes on one core while it reads and writes on the other,
// instead of one after the other. Write copies what it is given (its caller reuses the buffer)
// into pooled chunks; Sum waits for the hashing to finish. It is for one goroutine's writes.
type asyncHash struct {
	chunks chan []byte
	done   chan struct{}
	h      hash.Hash
	pool   sync.Pool
	closed bool
}

const hashChunk = 64 << 10

func newAsyncHash() *asyncHash {
	a := &asyncHash{chunks: make(chan []byte, 64), done: make(chan struct{}), h: sha256.New()}
	a.pool.New = func() any { b := make([]byte, hashChunk); return &b }
	go func() {
		defer close(a.done)
		for c := range a.chunks {
			a.h.Write(c)
			b := c[:cap(c)]
			a.pool.Put(&b)
		}
	}()
	return a
}

// Write hands p to the hashing goroutine; it never fails.
func (a *asyncHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		b := *a.pool.Get().(*[]byte)
		k := copy(b, p)
		a.chunks <- b[:k]
		p = p[k:]
	}
	return n, nil
}

// Sum waits for every byte written to be hashed and returns the SHA-256.
func (a *asyncHash) Sum() []byte {
	a.stop()
	return a.h.Sum(nil)
}

// stop ends the hashing goroutine; an upload that fails calls it to free it.
func (a *asyncHash) stop() {
	if !a.closed {
		a.closed = true
		close(a.chunks)
	}
	<-a.done
}
