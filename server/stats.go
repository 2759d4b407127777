package server

import (
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/server/dashboard"
)

// stats keeps what /v1/stats shows: counts since the start, a history of
// fixed intervals (bounded: the last HistoryLength of them) and the last
// requests. It is safe for concurrent use.
type stats struct {
	mu       sync.Mutex
	interval time.Duration
	keep     int
	recentN  int

	// seq numbers the closed intervals and the recorded requests.
	seq int64
	// The interval being filled.
	cur interval
	// Closed intervals, oldest first.
	history []dashboard.Interval
	recent  []dashboard.Request // oldest first

	totals struct {
		Requests, Evaluations, Tests, Rejected int64
	}
	verdicts map[string]map[judge.Verdict]int64

	lastCPU, lastChildCPU float64
	lastMachine           machineCPU
	lastAt                time.Time
}

type interval struct {
	start     time.Time
	requests  int
	tests     int
	latencies []float64 // a bounded random sample of evaluation latencies
	seen      int
	buckets   map[string]int // every evaluation latency, by bucket
	verdicts  map[string]map[string]int
}

func newInterval(start time.Time) interval {
	return interval{start: start, verdicts: map[string]map[string]int{}}
}

const latencySampleSize = 2048

func newStats(every time.Duration, keep, recent int) *stats {
	now := time.Now()
	s := &stats{interval: every, keep: keep, recentN: recent, verdicts: map[string]map[judge.Verdict]int64{}, lastAt: now}
	s.cur = newInterval(now)
	p := readProcessStats()
	s.lastCPU, s.lastChildCPU = p.CPUSeconds, p.ChildrenCPUSeconds
	s.lastMachine = readMachineCPU()
	return s
}

func (s *stats) request(r dashboard.Request, evaluation bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.Requests++
	if r.Status == http.StatusServiceUnavailable {
		s.totals.Rejected++
	}
	if s.recentN > 0 {
		if len(s.recent) >= s.recentN {
			s.recent = slices.Delete(s.recent, 0, len(s.recent)-s.recentN+1)
		}
		s.seq++
		r.Seq = s.seq
		s.recent = append(s.recent, r)
	}
	if !evaluation {
		return
	}
	s.totals.Evaluations++
	c := &s.cur
	c.requests++
	c.seen++
	if len(c.latencies) < latencySampleSize {
		c.latencies = append(c.latencies, r.DurationSeconds)
	} else if j := rand.IntN(c.seen); j < latencySampleSize {
		c.latencies[j] = r.DurationSeconds
	}
	if c.buckets == nil {
		c.buckets = map[string]int{}
	}
	c.buckets[dashboard.LatencyKey(r.DurationSeconds)]++
}

func (s *stats) test(lang string, v judge.Verdict) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.Tests++
	s.cur.tests++
	if s.cur.verdicts[lang] == nil {
		s.cur.verdicts[lang] = map[string]int{}
	}
	s.cur.verdicts[lang][string(v)]++
	if s.verdicts[lang] == nil {
		s.verdicts[lang] = map[judge.Verdict]int64{}
	}
	s.verdicts[lang][v]++
}

// roll closes the current interval with the moment's gauges.
func (s *stats) roll(now time.Time, snap snapshot) {
	machine := readMachineCPU()
	mem := readMemory()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cur
	secs := now.Sub(c.start).Seconds()
	if secs <= 0 {
		return
	}
	cpu := snap.Process.CPUSeconds + snap.Process.ChildrenCPUSeconds
	elapsed := now.Sub(s.lastAt).Seconds()
	s.seq++
	out := dashboard.Interval{
		Seq: s.seq, Start: c.start.UTC(), Seconds: secs,
		RequestsPerSecond: float64(c.requests) / secs, TestsPerSecond: float64(c.tests) / secs,
		LatencyHistogram: c.buckets,
		QueueDepth:       snap.QueuedTests, RunningTests: snap.RunningTests, RunningBuilds: snap.RunningBuilds,
		RequestsInflight: snap.RequestsInflight, RSSBytes: snap.Process.RSSBytes, Verdicts: c.verdicts,
		CPUCores:               max(0, cpu-(s.lastCPU+s.lastChildCPU)) / elapsed,
		MachineCPUCores:        machine.busyCores(s.lastMachine),
		MachineMemoryUsedBytes: mem.used(),
	}
	s.lastCPU, s.lastChildCPU, s.lastMachine, s.lastAt = snap.Process.CPUSeconds, snap.Process.ChildrenCPUSeconds, machine, now
	if len(c.latencies) > 0 {
		slices.Sort(c.latencies)
		p50, p99 := quantile(c.latencies, .5), quantile(c.latencies, .99)
		out.LatencyP50, out.LatencyP99 = &p50, &p99
	}
	s.history = append(s.history, out)
	if len(s.history) > s.keep {
		s.history = slices.Delete(s.history, 0, len(s.history)-s.keep)
	}
	s.cur = newInterval(now)
}

// recentTestRate is the tests per second of the last closed intervals
// (up to a minute), or 0 when unknown.
func (s *stats) recentTestRate() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	tests, secs := 0.0, 0.0
	for i := len(s.history) - 1; i >= 0 && secs < 60; i-- {
		tests += s.history[i].TestsPerSecond * s.history[i].Seconds
		secs += s.history[i].Seconds
	}
	if secs == 0 {
		return 0
	}
	return tests / secs
}

// quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

var hostname, _ = os.Hostname()

// Stats returns the document /v1/stats answers, with the intervals and
// requests numbered after `after` only (0: all). It is safe for concurrent
// use.
func (s *Server) Stats(after int64) *dashboard.Stats {
	snap := s.snapshot()
	hits, misses := s.metrics.cacheCounts()
	mem := readMemory()
	cpus := readMachineCPU().cpus
	if cpus == 0 {
		cpus = runtime.NumCPU()
	}
	status := "ready"
	switch {
	case snap.Draining:
		status = "draining"
	case s.warming.Load() > 0:
		status = "warming"
	}
	out := &dashboard.Stats{
		Version: s.cfg.Version, Commit: s.cfg.Commit, Instance: s.instance, Hostname: hostname, Listen: s.listenAddr(),
		Started: s.started.UTC(), UptimeSeconds: time.Since(s.started).Seconds(),
		Jobs: snap.Jobs, QueueCapacity: snap.QueueCapacity, IntervalSeconds: s.stats.interval.Seconds(),
		CPUs: cpus, MemoryTotalBytes: mem.totalBytes,
		Now: dashboard.Now{
			Status: status, RequestsInflight: snap.RequestsInflight, QueueDepth: snap.QueuedTests, AdmittedTests: snap.AdmittedTests,
			RunningTests: snap.RunningTests, RunningBuilds: snap.RunningBuilds, Draining: snap.Draining,
			RSSBytes: snap.Process.RSSBytes, CPUSeconds: snap.Process.CPUSeconds, ChildrenCPUSeconds: snap.Process.ChildrenCPUSeconds,
			Goroutines: runtime.NumGoroutine(), LoadAverage: readLoadAverage(), MemoryAvailableBytes: mem.availableBytes,
		},
		Totals: dashboard.Totals{CompileCacheHits: int64(hits), CompileCacheMisses: int64(misses)},
	}
	s.stats.fill(out, after)
	return out
}

// fill sets out's counts, and its history and requests numbered after
// `after`.
func (st *stats) fill(out *dashboard.Stats, after int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	out.Seq = st.seq
	out.Totals.Requests, out.Totals.Evaluations, out.Totals.Tests, out.Totals.Rejected = st.totals.Requests, st.totals.Evaluations, st.totals.Tests, st.totals.Rejected
	out.Totals.Verdicts = map[string]map[string]int64{}
	for l, m := range st.verdicts {
		out.Totals.Verdicts[l] = map[string]int64{}
		for v, n := range m {
			out.Totals.Verdicts[l][string(v)] = n
		}
	}
	// Closed intervals and recorded requests are never changed: the
	// copies share their maps.
	out.History = []dashboard.Interval{}
	for _, iv := range st.history {
		if iv.Seq > after {
			out.History = append(out.History, iv)
		}
	}
	out.RecentRequests = []dashboard.Request{}
	for _, r := range st.recent {
		if r.Seq > after {
			out.RecentRequests = append(out.RecentRequests, r)
		}
	}
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	after := int64(0)
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			writeError(w, badField("after", "want a sequence number (a whole number ≥ 0), not %q", a))
			return
		}
		after = n
	}
	writeJSON(w, http.StatusOK, s.Stats(after))
}
