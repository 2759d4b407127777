// Package dashboard is the live dashboard of scalebox serve nodes: the
// document a node's GET /v1/stats answers (Stats), the state of a cluster
// gathered from its nodes' documents (Cluster: this node in process, its
// peers over HTTP), the view of that state over the last minutes (Build:
// per node and in total), and the page that shows it (WritePage, and
// WriteData for the JSON the page polls to redraw itself).
//
// The page is one self-contained HTML document (CSS, script and SVG
// charts inline; nothing fetched from outside) whose script fetches the
// view again every two seconds from a URL relative to the page, so that it
// works behind a reverse proxy that serves the nodes under a path. Charts
// are drawn by Go (internal/htmlui) both when the page is made and for
// each refresh; the script replaces them whole.
package dashboard

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Stats is the document GET /v1/stats answers (docs/api.md). A node makes
// it; a Cluster reads it from each node.
type Stats struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// Instance is a random id of the serving process, new at each start:
	// a cluster recognises itself in its list of peers by it, and a
	// restart of a peer by its change.
	Instance string `json:"instance"`
	Hostname string `json:"hostname"`
	// Listen is the address the node listens on ("" before it does).
	Listen        string    `json:"listen"`
	Started       time.Time `json:"started"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	// Jobs is the node's slots: sandboxed processes at once (-j).
	Jobs          int `json:"jobs"`
	QueueCapacity int `json:"queue_capacity"`
	// IntervalSeconds is the length of one interval of History.
	IntervalSeconds float64 `json:"interval_seconds"`
	// CPUs and MemoryTotalBytes describe the machine.
	CPUs             int   `json:"cpus"`
	MemoryTotalBytes int64 `json:"memory_total_bytes"`
	// Seq numbers the intervals and requests of this document: each
	// interval and each request listed carries the seq it was given, and
	// GET /v1/stats?after=N lists only those after N.
	Seq            int64      `json:"seq"`
	Now            Now        `json:"now"`
	Totals         Totals     `json:"totals"`
	History        []Interval `json:"history"`
	RecentRequests []Request  `json:"recent_requests"`
}

// Now is a node's gauges of the moment.
type Now struct {
	// Status is "ready", "warming" (toolchains being prepared; requests
	// are served) or "draining" (stopping: new requests are refused).
	Status             string  `json:"status"`
	RequestsInflight   int64   `json:"requests_inflight"`
	QueueDepth         int     `json:"queue_depth"`
	AdmittedTests      int64   `json:"admitted_tests"`
	RunningTests       int     `json:"running_tests"`
	RunningBuilds      int     `json:"running_builds"`
	Draining           bool    `json:"draining"`
	RSSBytes           int64   `json:"rss_bytes"`
	CPUSeconds         float64 `json:"cpu_seconds"`
	ChildrenCPUSeconds float64 `json:"children_cpu_seconds"`
	Goroutines         int     `json:"goroutines"`
	// LoadAverage is the machine's 1, 5 and 15-minute load average.
	LoadAverage [3]float64 `json:"load_average"`
	// MemoryAvailableBytes is the machine's available memory
	// (MemAvailable).
	MemoryAvailableBytes int64 `json:"memory_available_bytes"`
}

// Totals are a node's counts since it started.
type Totals struct {
	Requests           int64 `json:"requests"`
	Evaluations        int64 `json:"evaluations"`
	Tests              int64 `json:"tests"`
	Rejected           int64 `json:"rejected"`
	CompileCacheHits   int64 `json:"compile_cache_hits"`
	CompileCacheMisses int64 `json:"compile_cache_misses"`
	// Verdicts counts tests by language and verdict.
	Verdicts map[string]map[string]int64 `json:"verdicts"`
}

// Interval is one interval of a node's history: rates over it, gauges at
// its end.
type Interval struct {
	Seq               int64     `json:"seq"`
	Start             time.Time `json:"start"`
	Seconds           float64   `json:"seconds"`
	RequestsPerSecond float64   `json:"requests_per_second"`
	TestsPerSecond    float64   `json:"tests_per_second"`
	// LatencyP50 and LatencyP99 are quantiles of the evaluations that
	// finished in the interval (nil when none did).
	LatencyP50 *float64 `json:"latency_p50_seconds"`
	LatencyP99 *float64 `json:"latency_p99_seconds"`
	// LatencyHistogram counts those evaluations by latency: the key is a
	// bucket's upper bound in seconds (LatencyBounds, "+Inf" for the
	// rest), so that the intervals of several nodes can be merged and
	// their quantiles estimated. Empty buckets are left out.
	LatencyHistogram map[string]int `json:"latency_histogram,omitempty"`
	QueueDepth       int            `json:"queue_depth"`
	RunningTests     int            `json:"running_tests"`
	RunningBuilds    int            `json:"running_builds"`
	RequestsInflight int64          `json:"requests_inflight"`
	// CPUCores is the CPU the server and the sandboxes it has reaped used
	// per second; MachineCPUCores the whole machine's busy CPU per second
	// (all processes, from /proc/stat).
	CPUCores        float64 `json:"cpu_cores"`
	MachineCPUCores float64 `json:"machine_cpu_cores"`
	RSSBytes        int64   `json:"rss_bytes"`
	// MachineMemoryUsedBytes is the machine's memory in use (MemTotal −
	// MemAvailable).
	MachineMemoryUsedBytes int64 `json:"machine_memory_used_bytes"`
	// Verdicts counts the tests finished in the interval by language and
	// verdict.
	Verdicts map[string]map[string]int `json:"verdicts"`
}

// End is when the interval closed.
func (iv *Interval) End() time.Time {
	return iv.Start.Add(time.Duration(iv.Seconds * float64(time.Second)))
}

// Request is one of a node's recent requests.
type Request struct {
	Seq      int64     `json:"seq"`
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Endpoint string    `json:"endpoint"`
	Language string    `json:"language,omitempty"`
	Tests    int       `json:"tests"`
	// Verdicts counts the request's samples by verdict.
	Verdicts        map[string]int `json:"verdicts,omitempty"`
	Status          int            `json:"status"`
	DurationSeconds float64        `json:"duration_seconds"`
}

// LatencyBounds are the upper bounds, in seconds, of the buckets of
// Interval.LatencyHistogram: ten a decade from 1 ms to 1,000 s (a bucket
// spans 26%, so an estimated quantile is within about 12% of the truth).
var LatencyBounds = func() []float64 {
	var b []float64
	for i := 0; i <= 60; i++ {
		b = append(b, roundSig(math.Pow(10, -3+float64(i)/10), 3))
	}
	return b
}()

// latencyKeys are LatencyBounds as the histogram's keys, "+Inf" last.
var latencyKeys = func() []string {
	var k []string
	for _, b := range LatencyBounds {
		k = append(k, strconv.FormatFloat(b, 'f', -1, 64))
	}
	return append(k, "+Inf")
}()

func roundSig(v float64, digits int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(digits-1)-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// LatencyKey is the histogram key of the bucket a latency of seconds
// falls in.
func LatencyKey(seconds float64) string {
	return latencyKeys[sort.SearchFloat64s(LatencyBounds, seconds)]
}

// histogram is a merged latency histogram: counts by upper bound.
type histogram map[float64]int

// add merges h's counts; keys that are not numbers are skipped.
func (h histogram) add(m map[string]int) {
	for k, n := range m {
		b, err := strconv.ParseFloat(k, 64) // "+Inf" parses as +Inf
		if err != nil || n <= 0 || math.IsNaN(b) {
			continue
		}
		h[b] += n
	}
}

// quantile estimates the q-quantile (0 < q < 1) of the counted values,
// interpolating geometrically within a bucket (the buckets are spaced
// geometrically); ok is false when nothing is counted. Values in the
// last, unbounded bucket are taken as its lower bound.
func (h histogram) quantile(q float64) (v float64, ok bool) {
	total := 0
	bounds := make([]float64, 0, len(h))
	for b, n := range h {
		total += n
		bounds = append(bounds, b)
	}
	if total == 0 {
		return 0, false
	}
	slices.Sort(bounds)
	rank := q * float64(total)
	seen := 0.0
	for i, b := range bounds {
		n := float64(h[b])
		if seen+n >= rank {
			lo := lowerBound(b)
			if math.IsInf(b, 1) {
				if i > 0 {
					return bounds[i-1], true
				}
				return LatencyBounds[len(LatencyBounds)-1], true
			}
			if lo <= 0 {
				return b * (rank - seen) / n, true
			}
			return lo * math.Pow(b/lo, (rank-seen)/n), true
		}
		seen += n
	}
	return bounds[len(bounds)-1], true
}

// lowerBound is the upper bound of the bucket below the one ending at b
// (0 for the first).
func lowerBound(b float64) float64 {
	i := sort.SearchFloat64s(LatencyBounds, b)
	if i == 0 {
		return 0
	}
	return LatencyBounds[i-1]
}
