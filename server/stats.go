package server

import (
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
)

// stats keeps what /v1/stats shows: counts since the start, a history of
// fixed intervals (bounded: the last HistoryLength of them) and the last
// requests. It is safe for concurrent use.
type stats struct {
	mu       sync.Mutex
	interval time.Duration
	keep     int
	recentN  int

	// The interval being filled.
	cur interval
	// Closed intervals, oldest first.
	history []intervalOut
	recent  []requestRecord // ring, oldest first once full

	totals struct {
		Requests, Evaluations, Tests, Rejected int64
	}
	verdicts map[string]map[judge.Verdict]int64

	lastCPU, lastChildCPU float64
	lastAt                time.Time
}

type interval struct {
	start     time.Time
	requests  int
	tests     int
	latencies []float64 // a bounded random sample of evaluation latencies
	seen      int
	verdicts  map[string]map[judge.Verdict]int
}

// intervalOut is one interval of the history (docs/api.md).
type intervalOut struct {
	Start             time.Time                        `json:"start"`
	Seconds           float64                          `json:"seconds"`
	RequestsPerSecond float64                          `json:"requests_per_second"`
	TestsPerSecond    float64                          `json:"tests_per_second"`
	LatencyP50        *float64                         `json:"latency_p50_seconds"`
	LatencyP99        *float64                         `json:"latency_p99_seconds"`
	QueueDepth        int                              `json:"queue_depth"`
	RunningTests      int                              `json:"running_tests"`
	RunningBuilds     int                              `json:"running_builds"`
	RequestsInflight  int64                            `json:"requests_inflight"`
	CPUCores          float64                          `json:"cpu_cores"`
	RSSBytes          int64                            `json:"rss_bytes"`
	Verdicts          map[string]map[judge.Verdict]int `json:"verdicts"`
}

// requestRecord is one request in the list of recent ones.
type requestRecord struct {
	ID              string         `json:"id"`
	Time            time.Time      `json:"time"`
	Endpoint        string         `json:"endpoint"`
	Language        string         `json:"language,omitempty"`
	Tests           int            `json:"tests"`
	Verdicts        map[string]int `json:"verdicts,omitempty"`
	Status          int            `json:"status"`
	DurationSeconds float64        `json:"duration_seconds"`
}

const latencySampleSize = 2048

func newStats(every time.Duration, keep, recent int) *stats {
	now := time.Now()
	s := &stats{interval: every, keep: keep, recentN: recent, verdicts: map[string]map[judge.Verdict]int64{}, lastAt: now}
	s.cur = interval{start: now, verdicts: map[string]map[judge.Verdict]int{}}
	p := readProcessStats()
	s.lastCPU, s.lastChildCPU = p.CPUSeconds, p.ChildrenCPUSeconds
	return s
}

func (s *stats) request(r requestRecord, evaluation bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.Requests++
	if r.Status == http.StatusServiceUnavailable {
		s.totals.Rejected++
	}
	if s.recentN > 0 {
		if len(s.recent) >= s.recentN {
			copy(s.recent, s.recent[1:])
			s.recent = s.recent[:len(s.recent)-1]
		}
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
}

func (s *stats) test(lang string, v judge.Verdict) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.Tests++
	s.cur.tests++
	if s.cur.verdicts[lang] == nil {
		s.cur.verdicts[lang] = map[judge.Verdict]int{}
	}
	s.cur.verdicts[lang][v]++
	if s.verdicts[lang] == nil {
		s.verdicts[lang] = map[judge.Verdict]int64{}
	}
	s.verdicts[lang][v]++
}

// roll closes the current interval with the moment's gauges.
func (s *stats) roll(now time.Time, snap snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cur
	secs := now.Sub(c.start).Seconds()
	if secs <= 0 {
		return
	}
	cpu := snap.Process.CPUSeconds + snap.Process.ChildrenCPUSeconds
	out := intervalOut{
		Start: c.start.UTC(), Seconds: secs,
		RequestsPerSecond: float64(c.requests) / secs, TestsPerSecond: float64(c.tests) / secs,
		QueueDepth: snap.QueuedTests, RunningTests: snap.RunningTests, RunningBuilds: snap.RunningBuilds,
		RequestsInflight: snap.RequestsInflight, RSSBytes: snap.Process.RSSBytes, Verdicts: c.verdicts,
		CPUCores: max(0, cpu-(s.lastCPU+s.lastChildCPU)) / now.Sub(s.lastAt).Seconds(),
	}
	s.lastCPU, s.lastChildCPU, s.lastAt = snap.Process.CPUSeconds, snap.Process.ChildrenCPUSeconds, now
	if len(c.latencies) > 0 {
		slices.Sort(c.latencies)
		p50, p99 := quantile(c.latencies, .5), quantile(c.latencies, .99)
		out.LatencyP50, out.LatencyP99 = &p50, &p99
	}
	s.history = append(s.history, out)
	if len(s.history) > s.keep {
		s.history = slices.Delete(s.history, 0, len(s.history)-s.keep)
	}
	s.cur = interval{start: now, verdicts: map[string]map[judge.Verdict]int{}}
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

func (s *Server) handleStats(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
	snap := s.snapshot()
	hits, misses := s.metrics.cacheCounts()
	st := s.stats
	st.mu.Lock()
	verdicts := map[string]map[judge.Verdict]int64{}
	for l, m := range st.verdicts {
		verdicts[l] = map[judge.Verdict]int64{}
		for v, n := range m {
			verdicts[l][v] = n
		}
	}
	body := map[string]any{
		"version":          s.cfg.Version,
		"commit":           s.cfg.Commit,
		"started":          s.started.UTC(),
		"uptime_seconds":   time.Since(s.started).Seconds(),
		"jobs":             snap.Jobs,
		"queue_capacity":   snap.QueueCapacity,
		"interval_seconds": st.interval.Seconds(),
		"now": map[string]any{
			"requests_inflight":    snap.RequestsInflight,
			"queue_depth":          snap.QueuedTests,
			"admitted_tests":       snap.AdmittedTests,
			"running_tests":        snap.RunningTests,
			"running_builds":       snap.RunningBuilds,
			"draining":             snap.Draining,
			"rss_bytes":            snap.Process.RSSBytes,
			"cpu_seconds":          snap.Process.CPUSeconds,
			"children_cpu_seconds": snap.Process.ChildrenCPUSeconds,
			"goroutines":           runtime.NumGoroutine(),
		},
		"totals": map[string]any{
			"requests":             st.totals.Requests,
			"evaluations":          st.totals.Evaluations,
			"tests":                st.totals.Tests,
			"rejected":             st.totals.Rejected,
			"compile_cache_hits":   hits,
			"compile_cache_misses": misses,
			"verdicts":             verdicts,
		},
		"history":         slices.Clone(st.history),
		"recent_requests": slices.Clone(st.recent),
	}
	st.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}
