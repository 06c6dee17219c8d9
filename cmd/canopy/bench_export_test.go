package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkExport downloads the people (xlsx and CSV) and the departments (xlsx) of an
// organisation of 5,000 departments and 100,000 members, and samples the heap meanwhile: the
// export reads a thousand rows at a time and excelize keeps a long sheet in a temporary file, so
// the heap stays far below the file's size times the objects a whole sheet in memory would take.
func BenchmarkExport(b *testing.B) {
	e := newTestEnv(b)
	o := e.mustOrg("Export", "owner@export.example")
	t0 := time.Now()
	seedTree(b, e, o.orgID, 5_000, 100_000)
	b.Logf("seeded in %s", time.Since(t0).Round(time.Millisecond))
	base := "/api/v1/admin/orgs/" + o.orgID
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, path := range []string{"/people/export?format=xlsx", "/people/export?format=csv", "/departments/export?format=xlsx"} {
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			var peak atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
						runtime.ReadMemStats(&m)
						if m.HeapAlloc > peak.Load() {
							peak.Store(m.HeapAlloc)
						}
					}
				}
			}()
			start := time.Now()
			r := o.c.do("GET", base+path, nil)
			took := time.Since(start)
			close(stop)
			<-done
			if r.status != 200 {
				b.Fatalf("%s: %d %.200s", path, r.status, r.body)
			}
			// The test client holds the whole body; the peak counts it too.
			fmt.Printf("FIGURE export %s: %.1f MiB in %.1f s; heap peak %.0f MiB above the %.0f MiB before\n", path,
				float64(len(r.body))/(1<<20), took.Seconds(), (float64(peak.Load())-float64(before.HeapAlloc))/(1<<20), float64(before.HeapAlloc)/(1<<20))
		}
	}
}
