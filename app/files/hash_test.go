package files

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestAsyncHashMatchesSHA256(t *testing.T) {
	data := bytes.Repeat([]byte("canopy files "), 100_000) // larger than many chunks
	a := newAsyncHash()
	// Writes of every size, from a buffer the caller then overwrites, as readers do.
	buf := make([]byte, 200_000)
	for off, step := 0, 1; off < len(data); step = step*3 + 1 {
		n := copy(buf[:min(step, len(buf))], data[off:])
		a.Write(buf[:n])
		for i := range buf[:n] {
			buf[i] = 0
		}
		off += n
	}
	want := sha256.Sum256(data)
	if got := a.Sum(); !bytes.Equal(got, want[:]) {
		t.Fatalf("sum %x, want %x", got, want)
	}
	a.stop() // a second stop after Sum is harmless
}
