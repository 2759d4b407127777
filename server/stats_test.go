package server

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/server/dashboard"
)

// TestStatsHistory: intervals close with their rates, latency quantiles
// and histogram, and tests by language and verdict; intervals and
// requests are numbered, ?after= lists those after a number, and both are
// bounded.
func TestStatsHistory(t *testing.T) {
	st := newStats(time.Second, 3, 4)
	start := st.cur.start
	for i := range 10 {
		st.request(dashboard.Request{ID: string(rune('a' + i)), Status: 200, DurationSeconds: 0.010 * float64(i+1)}, true)
	}
	st.request(dashboard.Request{ID: "probe", Status: 200}, false)
	st.test("python3", judge.AC)
	st.test("python3", judge.WA)
	st.test("cpp", judge.AC)
	st.roll(start.Add(2*time.Second), snapshot{QueuedTests: 7, RunningTests: 2})

	var out dashboard.Stats
	st.fill(&out, 0)
	if len(out.History) != 1 || len(out.RecentRequests) != 4 {
		t.Fatalf("%d intervals, %d requests; want 1 and the last 4", len(out.History), len(out.RecentRequests))
	}
	iv := out.History[0]
	if iv.RequestsPerSecond != 5 || iv.TestsPerSecond != 1.5 || iv.QueueDepth != 7 || iv.RunningTests != 2 || iv.Seconds != 2 {
		t.Errorf("interval %+v", iv)
	}
	if iv.LatencyP50 == nil || *iv.LatencyP50 != 0.05 || *iv.LatencyP99 != 0.1 {
		t.Errorf("latency p50 %v p99 %v, want 0.05 and 0.1", iv.LatencyP50, iv.LatencyP99)
	}
	n := 0
	for _, k := range iv.LatencyHistogram {
		n += k
	}
	if n != 10 {
		t.Errorf("histogram %v counts %d, want the 10 evaluations", iv.LatencyHistogram, n)
	}
	if diff := cmp.Diff(map[string]map[string]int{"python3": {"AC": 1, "WA": 1}, "cpp": {"AC": 1}}, iv.Verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if out.Totals.Requests != 11 || out.Totals.Evaluations != 10 || out.Totals.Tests != 3 || out.Totals.Verdicts["python3"]["WA"] != 1 {
		t.Errorf("totals %+v", out.Totals)
	}
	// Requests 1-11 got seq 1-11, the interval 12; the recent list keeps 8-11.
	if out.Seq != 12 || iv.Seq != 12 || out.RecentRequests[0].Seq != 8 || out.RecentRequests[3].ID != "probe" {
		t.Errorf("seq %d, interval %d, first request %d", out.Seq, iv.Seq, out.RecentRequests[0].Seq)
	}

	for i := range 4 {
		st.roll(start.Add(time.Duration(3+i)*time.Second), snapshot{})
	}
	st.fill(&out, 0)
	if len(out.History) != 3 || out.History[0].Seq != 14 || out.Seq != 16 {
		t.Errorf("after 5 intervals, 3 kept: %d, first seq %d, seq %d", len(out.History), out.History[0].Seq, out.Seq)
	}
	st.fill(&out, 15)
	if len(out.History) != 1 || out.History[0].Seq != 16 || len(out.RecentRequests) != 0 {
		t.Errorf("after=15: %d intervals, %d requests", len(out.History), len(out.RecentRequests))
	}
	if out.History[0].LatencyP50 != nil || out.History[0].LatencyHistogram != nil {
		t.Error("an interval without evaluations has latencies")
	}
}

// TestMachineStats: /proc gives this machine's CPUs, memory and load.
func TestMachineStats(t *testing.T) {
	a := readMachineCPU()
	time.Sleep(50 * time.Millisecond)
	b := readMachineCPU()
	m := readMemory()
	if !a.ok || a.cpus < 1 || m.totalBytes <= 0 || m.availableBytes <= 0 || m.used() <= 0 {
		t.Fatalf("cpu %+v, memory %+v", a, m)
	}
	if c := b.busyCores(a); c < 0 || c > float64(a.cpus)+1e-9 {
		t.Errorf("%v busy cores of %d", c, a.cpus)
	}
	if l := readLoadAverage(); l[0] < 0 {
		t.Errorf("load %v", l)
	}
}
