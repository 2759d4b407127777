package server

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
)

// The metrics are written in the Prometheus text exposition format by
// hand: a few counters, gauges and fixed-bucket histograms do not need a
// client library. Names follow Prometheus's conventions (scalebox_ prefix,
// base units, _total counters); labels are low-cardinality (endpoint,
// status code, language, verdict), never a request or problem id.

var (
	// Request durations: 5 ms to 10 minutes.
	requestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
	// Run wall and CPU times: 1 ms to 100 s (go-judge's buckets).
	runBuckets = []float64{.001, .002, .005, .01, .025, .05, .1, .2, .4, .8, 1, 2, 5, 10, 20, 50, 100}
	// Run memory peaks: 1 MiB to 8 GiB, doubling.
	memoryBuckets = func() []float64 {
		var b []float64
		for x := float64(1 << 20); x <= 8<<30; x *= 2 {
			b = append(b, x)
		}
		return b
	}()
)

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

func (h *histogram) observe(buckets []float64, v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(buckets))
	}
	i := sort.SearchFloat64s(buckets, v)
	if i < len(buckets) {
		h.counts[i]++
	}
	h.sum += v
	h.count++
}

// family is a metric and its series by label values.
type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms
	values          map[string]float64
	hists           map[string]*histogram
}

type metrics struct {
	mu       sync.Mutex
	families []*family
	byName   map[string]*family
	started  time.Time
	version  string
	commit   string
}

func newMetrics(version, commit string) *metrics {
	m := &metrics{byName: map[string]*family{}, started: time.Now(), version: version, commit: commit}
	m.add("scalebox_requests_total", "HTTP requests answered, by endpoint and status code (499: the client went away).", "counter", nil, "endpoint", "code")
	m.add("scalebox_request_duration_seconds", "Time to answer an HTTP request, by endpoint.", "histogram", requestBuckets, "endpoint")
	m.add("scalebox_rejected_requests_total", "Requests refused at once with 503, by reason (queue_full, draining).", "counter", nil, "reason")
	m.add("scalebox_runs_total", "Tests run (sandboxed runs judged), by language and verdict.", "counter", nil, "language", "verdict")
	m.add("scalebox_run_duration_seconds", "Wall-clock time of a test's run, by language.", "histogram", runBuckets, "language")
	m.add("scalebox_run_cpu_seconds", "CPU time (user and system) of a test's run, by language.", "histogram", runBuckets, "language")
	m.add("scalebox_run_memory_bytes", "Peak memory of a test's run, by language.", "histogram", memoryBuckets, "language")
	m.add("scalebox_samples_total", "Samples judged, by language and verdict.", "counter", nil, "language", "verdict")
	m.add("scalebox_compile_cache_total", "Builds of samples, by whether an identical earlier build was reused (hit) or the compile step ran (miss).", "counter", nil, "result")
	return m
}

func (m *metrics) add(name, help, typ string, buckets []float64, labels ...string) {
	f := &family{name: name, help: help, typ: typ, labels: labels, buckets: buckets, values: map[string]float64{}, hists: map[string]*histogram{}}
	m.families = append(m.families, f)
	m.byName[name] = f
}

// key joins label values; they never hold \x00.
func key(values ...string) string { return strings.Join(values, "\x00") }

func (m *metrics) inc(name string, by float64, labels ...string) {
	m.mu.Lock()
	m.byName[name].values[key(labels...)] += by
	m.mu.Unlock()
}

func (m *metrics) observeLocked(name string, v float64, labels ...string) {
	f := m.byName[name]
	k := key(labels...)
	h := f.hists[k]
	if h == nil {
		h = &histogram{}
		f.hists[k] = h
	}
	h.observe(f.buckets, v)
}

func (m *metrics) request(endpoint string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byName["scalebox_requests_total"].values[key(endpoint, strconv.Itoa(status))]++
	m.observeLocked("scalebox_request_duration_seconds", d.Seconds(), endpoint)
}

func (m *metrics) rejected(reason string) { m.inc("scalebox_rejected_requests_total", 1, reason) }

func (m *metrics) test(lang string, t *eval.TestResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byName["scalebox_runs_total"].values[key(lang, string(t.Verdict))]++
	if t.Verdict == judge.SE && t.Usage.WallTime == 0 {
		return // the sandbox never ran it
	}
	m.observeLocked("scalebox_run_duration_seconds", t.Usage.WallTime.Seconds(), lang)
	m.observeLocked("scalebox_run_cpu_seconds", t.Usage.CPUTime.Seconds(), lang)
	m.observeLocked("scalebox_run_memory_bytes", float64(t.Usage.MemoryPeakBytes), lang)
}

func (m *metrics) sample(lang string, r *eval.SampleResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byName["scalebox_samples_total"].values[key(lang, string(r.Verdict))]++
	if c := r.Compile; c != nil && c.Ran {
		result := "miss"
		if c.Cached {
			result = "hit"
		}
		m.byName["scalebox_compile_cache_total"].values[key(result)]++
	}
}

// cacheCounts returns the compile cache's hits and misses.
func (m *metrics) cacheCounts() (hits, misses float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.byName["scalebox_compile_cache_total"].values
	return v["hit"], v["miss"]
}

// snapshot is the numbers of the moment, for /metrics and /v1/stats.
type snapshot struct {
	RequestsInflight int64
	QueuedTests      int // tests accepted and not started
	RunningTests     int
	RunningBuilds    int
	AdmittedTests    int64
	QueueCapacity    int
	Jobs             int
	Draining         bool
	Process          processStats
}

func (s *Server) snapshot() snapshot {
	l := s.cfg.Engine.Load()
	return snapshot{
		RequestsInflight: s.inflight.Load(), QueuedTests: l.Waiting, RunningTests: l.Tests, RunningBuilds: l.Builds,
		AdmittedTests: s.admitted.Load(), QueueCapacity: s.cfg.MaxQueuedTests, Jobs: s.cfg.Engine.Jobs(),
		Draining: s.draining.Load(), Process: readProcessStats(),
	}
}

func (s *Server) handleMetrics(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	m := s.metrics
	snap := s.snapshot()
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, num(v))
	}
	counter := func(name, help string, v float64) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s counter\n%s %s\n", name, help, name, name, num(v))
	}
	fmt.Fprintf(bw, "# HELP scalebox_build_info The running scalebox's version and commit.\n# TYPE scalebox_build_info gauge\nscalebox_build_info{version=%s,commit=%s,goversion=%s} 1\n",
		quoteLabel(m.version), quoteLabel(m.commit), quoteLabel(runtime.Version()))
	gauge("scalebox_jobs", "Sandboxed processes run at once (-j).", float64(snap.Jobs))
	gauge("scalebox_queue_depth", "Tests accepted and not yet started.", float64(snap.QueuedTests))
	gauge("scalebox_queue_capacity", "Tests admitted at once before requests are refused with 503.", float64(snap.QueueCapacity))
	gauge("scalebox_admitted_tests", "Tests admitted and not finished (queued or running).", float64(snap.AdmittedTests))
	gauge("scalebox_inflight_tests", "Tests running in a sandbox now.", float64(snap.RunningTests))
	gauge("scalebox_inflight_builds", "Builds (compile steps, or waits for an identical build) running now.", float64(snap.RunningBuilds))
	gauge("scalebox_inflight_requests", "HTTP requests being handled.", float64(snap.RequestsInflight))
	draining := 0.0
	if snap.Draining {
		draining = 1
	}
	gauge("scalebox_draining", "1 while the server drains before it stops.", draining)

	m.mu.Lock()
	for _, f := range m.families {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
		if f.typ == "histogram" {
			for _, k := range sortedKeys(f.hists) {
				h := f.hists[k]
				labels := labelPairs(f.labels, k)
				cum := uint64(0)
				for i, b := range f.buckets {
					if h.counts != nil {
						cum += h.counts[i]
					}
					fmt.Fprintf(bw, "%s_bucket{%s} %d\n", f.name, joinLabels(labels, "le="+quoteLabel(num(b))), cum)
				}
				fmt.Fprintf(bw, "%s_bucket{%s} %d\n", f.name, joinLabels(labels, `le="+Inf"`), h.count)
				fmt.Fprintf(bw, "%s_sum%s %s\n", f.name, braces(labels), num(h.sum))
				fmt.Fprintf(bw, "%s_count%s %d\n", f.name, braces(labels), h.count)
			}
			continue
		}
		for _, k := range sortedKeys(f.values) {
			fmt.Fprintf(bw, "%s%s %s\n", f.name, braces(labelPairs(f.labels, k)), num(f.values[k]))
		}
	}
	m.mu.Unlock()

	p := snap.Process
	counter("process_cpu_seconds_total", "CPU time of the server process (user and system), in seconds.", p.CPUSeconds)
	counter("scalebox_children_cpu_seconds_total", "CPU time of the sandboxed processes the server has reaped (user and system), in seconds.", p.ChildrenCPUSeconds)
	gauge("process_resident_memory_bytes", "Resident memory of the server process.", float64(p.RSSBytes))
	gauge("process_start_time_seconds", "When the server process started, in seconds since the epoch.", float64(m.started.Unix()))
	gauge("process_open_fds", "Open file descriptors of the server process.", float64(p.OpenFDs))
	gauge("go_goroutines", "Goroutines of the server process.", float64(runtime.NumGoroutine()))
}

func num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// quoteLabel quotes a label value as the exposition format escapes it.
func quoteLabel(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

func labelPairs(names []string, k string) []string {
	if len(names) == 0 {
		return nil
	}
	values := strings.Split(k, "\x00")
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "=" + quoteLabel(values[i])
	}
	return out
}

func joinLabels(pairs []string, extra string) string {
	return strings.Join(append(append([]string{}, pairs...), extra), ",")
}

func braces(pairs []string) string {
	if len(pairs) == 0 {
		return ""
	}
	return "{" + strings.Join(pairs, ",") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// processStats is what /proc says about the server process.
type processStats struct {
	CPUSeconds         float64
	ChildrenCPUSeconds float64
	RSSBytes           int64
	OpenFDs            int
}

// readProcessStats reads /proc/self (zeros where it cannot).
func readProcessStats() processStats {
	var p processStats
	const ticks = 100 // USER_HZ on Linux
	if data, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the command name, which is in parentheses.
		if i := strings.LastIndexByte(string(data), ')'); i >= 0 {
			f := strings.Fields(string(data)[i+1:])
			// f[0] is field 3 (state); utime is field 14, stime 15,
			// cutime 16, cstime 17.
			if len(f) > 15 {
				at := func(n int) float64 { v, _ := strconv.ParseFloat(f[n-3], 64); return v }
				p.CPUSeconds = (at(14) + at(15)) / ticks
				p.ChildrenCPUSeconds = (at(16) + at(17)) / ticks
			}
		}
	}
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			p.RSSBytes = pages * int64(os.Getpagesize())
		}
	}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		p.OpenFDs = len(ents)
	}
	return p
}

// machineCPU is the machine's CPU time from /proc/stat, in USER_HZ ticks.
type machineCPU struct {
	busy, total float64
	cpus        int // cpuN lines: the machine's CPUs, whatever this process may use
	ok          bool
}

// readMachineCPU reads the "cpu" line of /proc/stat: busy is everything but
// idle and iowait.
func readMachineCPU() machineCPU {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, rest, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return machineCPU{}
	}
	var m machineCPU
	for i, s := range f[1:] {
		if i >= 8 { // guest times are already in user and nice
			break
		}
		v, _ := strconv.ParseFloat(s, 64)
		m.total += v
		if i != 3 && i != 4 { // idle, iowait
			m.busy += v
		}
	}
	for _, l := range strings.Split(rest, "\n") {
		if strings.HasPrefix(l, "cpu") {
			m.cpus++
		}
	}
	m.ok = m.cpus > 0
	return m
}

// busyCores is the machine's busy CPUs on average since prev (0 when
// unknown).
func (m machineCPU) busyCores(prev machineCPU) float64 {
	if !m.ok || !prev.ok || m.total <= prev.total {
		return 0
	}
	return max(0, m.busy-prev.busy) / (m.total - prev.total) * float64(m.cpus)
}

// memory is the machine's memory from /proc/meminfo.
type memory struct {
	totalBytes, availableBytes int64
}

func (m memory) used() int64 { return max(0, m.totalBytes-m.availableBytes) }

func readMemory() memory {
	var m memory
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kib, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "MemTotal:":
			m.totalBytes = kib << 10
		case "MemAvailable:":
			m.availableBytes = kib << 10
		}
	}
	return m
}

// readLoadAverage reads /proc/loadavg (zeros where it cannot).
func readLoadAverage() [3]float64 {
	var l [3]float64
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(data))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}
