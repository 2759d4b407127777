package dashboard

import (
	"fmt"
	"math"
	"time"
)

// t0 is the moment the fixtures are seen at.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// node is a fixture node: intervals of step seconds ending at end, with
// numbers that vary with the interval's index and the node's load, and
// its last requests.
type nodeSpec struct {
	listen   string
	instance string
	step     float64
	n        int       // intervals
	end      time.Time // the last interval's end
	load     float64   // scales the rates and gauges
	jobs     int
	seq0     int64
}

func fixture(sp nodeSpec) *Stats {
	started := sp.end.Add(-time.Duration(float64(sp.n)*sp.step*float64(time.Second)) - 3*time.Second)
	s := &Stats{
		Version: "v0.9.0", Commit: "abc123", Instance: sp.instance, Hostname: "box-" + sp.instance, Listen: sp.listen,
		Started: started, UptimeSeconds: sp.end.Sub(started).Seconds(), Jobs: sp.jobs, QueueCapacity: 256 * sp.jobs,
		IntervalSeconds: sp.step, CPUs: sp.jobs, MemoryTotalBytes: 16 << 30,
		Now: Now{Status: "ready", RequestsInflight: int64(3 * sp.load), QueueDepth: int(20 * sp.load), AdmittedTests: int64(25 * sp.load),
			RunningTests: sp.jobs, RunningBuilds: 1, RSSBytes: 60 << 20, LoadAverage: [3]float64{sp.load * float64(sp.jobs), 1, 1},
			MemoryAvailableBytes: 10 << 30},
		Totals: Totals{Requests: 5000, Evaluations: 4900, Tests: int64(40000 * sp.load), Rejected: 3,
			Verdicts: map[string]map[string]int64{"python3": {"AC": 30000, "WA": 9000, "SE": 2}}},
	}
	seq := sp.seq0
	for i := 0; i < sp.n; i++ {
		start := sp.end.Add(-time.Duration(float64(sp.n-i) * sp.step * float64(time.Second)))
		wave := 1 + 0.5*math.Sin(float64(i)/7)
		p50, p99 := 0.05*wave, 0.4*wave
		seq++
		iv := Interval{
			Seq: seq, Start: start, Seconds: sp.step,
			RequestsPerSecond: math.Round(40*sp.load*wave*10) / 10, TestsPerSecond: math.Round(200*sp.load*wave*10) / 10,
			LatencyP50: &p50, LatencyP99: &p99,
			LatencyHistogram: map[string]int{LatencyKey(p50 / 2): 20, LatencyKey(p50): 80, LatencyKey(p99 / 2): 80, LatencyKey(p99): 18, "+Inf": 2},
			QueueDepth:       int(20 * sp.load * wave), RunningTests: min(sp.jobs, int(float64(sp.jobs)*wave)), RequestsInflight: int64(3 * sp.load),
			CPUCores: sp.load * float64(sp.jobs) * 0.9, MachineCPUCores: math.Round(sp.load*float64(sp.jobs)*wave*10) / 10,
			RSSBytes: 60 << 20, MachineMemoryUsedBytes: int64((4 + 2*wave) * (1 << 30)),
			Verdicts: map[string]map[string]int{
				"python3": {"AC": int(600 * sp.load), "WA": int(300 * sp.load), "TLE": i % 3},
				"cpp":     {"AC": 90, "RE": 10, "SE": i % 40 / 39},
			},
		}
		s.History = append(s.History, iv)
	}
	for i := 0; i < 6; i++ {
		seq++
		r := Request{Seq: seq, ID: fmt.Sprintf("%s-req-%d", sp.instance, i), Time: sp.end.Add(-time.Duration(6-i) * 700 * time.Millisecond),
			Endpoint: "run_code", Language: "python3", Tests: 1, Verdicts: map[string]int{"AC": 1}, Status: 200, DurationSeconds: 0.012 * float64(i+1)}
		switch i {
		case 2:
			r.Verdicts = map[string]int{"SE": 1}
		case 3:
			r.Endpoint, r.Language, r.Tests, r.Verdicts, r.Status = "common_evaluate_batch", "cpp", 12, map[string]int{"WA": 1}, 200
		case 4:
			r.Verdicts, r.Status, r.Tests = nil, 503, 0
		}
		s.RecentRequests = append(s.RecentRequests, r)
	}
	s.Seq = seq
	return s
}

// twoNodes is a cluster of two: this node, up, and a peer that went down
// three minutes ago, its history kept.
func twoNodes() []NodeState {
	self := fixture(nodeSpec{listen: "10.0.0.1:8080", instance: "aaaa", step: 5, n: 180, end: t0.Add(-1 * time.Second), load: 1, jobs: 8})
	peer := fixture(nodeSpec{listen: "0.0.0.0:8080", instance: "bbbb", step: 5, n: 120, end: t0.Add(-3 * time.Minute), load: 0.5, jobs: 4, seq0: 1000})
	down := t0.Add(-3*time.Minute + 2*time.Second)
	return []NodeState{
		{Name: "10.0.0.1:8080", Self: true, Status: StatusUp, Stats: self, LastSeen: t0},
		{Name: "10.0.0.2:8080", Status: StatusDown, Stats: peer, LastSeen: t0.Add(-3 * time.Minute), DownSince: down,
			Error: "dial tcp 10.0.0.2:8080: connect: connection refused"},
	}
}
