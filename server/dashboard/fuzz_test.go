package dashboard

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzBuild: whatever a peer answers to /v1/stats, decoding it, merging it
// with what was known and drawing the view neither panics nor fails.
func FuzzBuild(f *testing.F) {
	seed, err := json.Marshal(fixture(nodeSpec{listen: "p:1", instance: "p", step: 5, n: 4, end: t0, load: 1, jobs: 2}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"instance": "x", "started": "2026-01-01T00:00:00Z", "interval_seconds": -5, "jobs": -3, "seq": 9,
		"history": [{"seq": 2, "start": "2026-03-14T15:09:20Z", "seconds": 1e308, "tests_per_second": 1e308, "latency_p99_seconds": -1,
			"latency_histogram": {"NaN": 1, "-1": 5, "+Inf": 3, "0.1": -7}, "verdicts": {"": {"AC": -4, "<b>": 2}}},
			{"seq": 1, "start": "2026-03-14T15:09:00Z", "seconds": 0}],
		"recent_requests": [{"seq": 3, "id": "</script>", "verdicts": {"SE": 1}, "status": 999}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var st Stats
		if json.Unmarshal(data, &st) != nil {
			return
		}
		prev := fixture(nodeSpec{listen: "p:1", instance: st.Instance, step: 5, n: 3, end: t0.Add(-time.Minute), load: 1, jobs: 2})
		merged := merge(prev, &st, t0.Add(-15*time.Minute))
		nodes := []NodeState{
			{Name: "self", Self: true, Status: statusOf(&st), Stats: &st, LastSeen: t0},
			{Name: "peer", Status: StatusLate, Stats: merged, LastSeen: t0.Add(-time.Second), Error: "no answer"},
		}
		v, err := Build(nodes, t0, ViewOptions{Window: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WritePage(&buf, v); err != nil {
			t.Fatal(err)
		}
		if err := WriteData(&buf, v); err != nil {
			t.Fatal(err)
		}
	})
}
