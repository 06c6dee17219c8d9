package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

type probeStat struct {
	n     int
	total time.Duration
	max   time.Duration
}

var probeMu sync.Mutex
var probeStats = map[string]*probeStat{}

func probeInstall(db *gorm.DB) {
	before := func(tx *gorm.DB) { tx.InstanceSet("probe_start", time.Now()) }
	after := func(tx *gorm.DB) {
		v, ok := tx.InstanceGet("probe_start")
		if !ok {
			return
		}
		d := time.Since(v.(time.Time))
		sql := tx.Statement.SQL.String()
		sql = strings.Join(strings.Fields(sql), " ")
		if len(sql) > 140 {
			sql = sql[:140]
		}
		probeMu.Lock()
		s := probeStats[sql]
		if s == nil {
			s = &probeStat{}
			probeStats[sql] = s
		}
		s.n++
		s.total += d
		if d > s.max {
			s.max = d
		}
		probeMu.Unlock()
	}
	db.Callback().Query().Before("gorm:query").Register("probe:b1", before)
	db.Callback().Query().After("gorm:query").Register("probe:a1", after)
	db.Callback().Raw().Before("gorm:raw").Register("probe:b2", before)
	db.Callback().Raw().After("gorm:raw").Register("probe:a2", after)
	db.Callback().Row().Before("gorm:row").Register("probe:b3", before)
	db.Callback().Row().After("gorm:row").Register("probe:a3", after)
	db.Callback().Update().Before("gorm:update").Register("probe:b4", before)
	db.Callback().Update().After("gorm:update").Register("probe:a4", after)
	db.Callback().Create().Before("gorm:create").Register("probe:b5", before)
	db.Callback().Create().After("gorm:create").Register("probe:a5", after)
}

func probeReset() { probeMu.Lock(); probeStats = map[string]*probeStat{}; probeMu.Unlock() }

func probeDump(ops int) {
	probeMu.Lock()
	defer probeMu.Unlock()
	type kv struct {
		k string
		v *probeStat
	}
	var all []kv
	var sum time.Duration
	for k, v := range probeStats {
		all = append(all, kv{k, v})
		sum += v.total
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v.total > all[j].v.total })
	fmt.Printf("PROBE %d ops, SQL total per op %.2f ms\n", ops, float64(sum.Microseconds())/1000/float64(ops))
	for _, x := range all {
		fmt.Printf("PROBE %6.2f/op ms  n/op=%.1f avg=%.3fms max=%.1fms  %s\n", float64(x.v.total.Microseconds())/1000/float64(ops), float64(x.v.n)/float64(ops),
			float64(x.v.total.Microseconds())/1000/float64(x.v.n), float64(x.v.max.Microseconds())/1000, x.k)
	}
}
