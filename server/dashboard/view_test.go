package dashboard

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/internal/golden"
	"github.com/scalebox-dev/scalebox/internal/htmlui"
)

func build(t *testing.T, nodes []NodeState) *View {
	t.Helper()
	v, err := Build(nodes, t0, ViewOptions{Window: 15 * time.Minute, Windows: []time.Duration{time.Minute, 5 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func card(v *View, id string) Card {
	for _, c := range v.Cards {
		if c.ID == id {
			return c
		}
	}
	return Card{}
}

// TestTotalsLeaveOutDownNodes: the cards sum the nodes that answer; a node
// that went down is counted as such and its numbers are left out.
func TestTotalsLeaveOutDownNodes(t *testing.T) {
	nodes := twoNodes()
	v := build(t, nodes)
	got := map[string]string{}
	for _, id := range []string{"nodes", "slots", "queue", "tests", "cpu"} {
		got[id] = card(v, id).Value
	}
	want := map[string]string{"nodes": "1 of 2", "slots": "8 of 8", "queue": "20", "tests": "40,000", "cpu": got["cpu"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cards (-want +got):\n%s", diff)
	}
	if !strings.Contains(card(v, "nodes").Note, "1 node not answering left out") {
		t.Errorf("nodes card note %q", card(v, "nodes").Note)
	}
	if v.Status != "1 of 2 nodes answering" {
		t.Errorf("status %q", v.Status)
	}
	// With both up, both count.
	nodes[1].Status = StatusUp
	v = build(t, nodes)
	if got := card(v, "slots").Value; got != "12 of 12" {
		t.Errorf("both up: slots %q, want 12 of 12", got)
	}
	if got := card(v, "tests").Value; got != "60,000" {
		t.Errorf("both up: tests %q, want 60,000", got)
	}
}

// TestDownNodeRow: a down node says so in words, since when and why, and
// keeps its last numbers.
func TestDownNodeRow(t *testing.T) {
	v := build(t, twoNodes())
	r := v.Nodes[1]
	if r.Status != StatusDown || r.StatusText != "down" || r.Symbol != "✕" {
		t.Errorf("down node: %+v", r)
	}
	for _, want := range []string{"down since 15:06:28 UTC", "connection refused", "last reported"} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("down node's note %q lacks %q", r.Note, want)
		}
	}
	if r.LastSeen != "15:06:26 UTC (3 min ago)" {
		t.Errorf("last seen %q", r.LastSeen)
	}
	if r.Version != "v0.9.0" || r.Slots != 4 {
		t.Errorf("a down node keeps its last numbers: %+v", r)
	}
	if v.Nodes[0].Status != StatusUp || !v.Nodes[0].Self || v.Nodes[0].Busy != "8 of 8 slots + 1 build" {
		t.Errorf("this node: %+v", v.Nodes[0])
	}
}

// lineSeries returns the series of a chart drawn by Build, recomputed the
// way Build does.
func series(t *testing.T, nodes []NodeState, m metric, total func([]*Interval) (float64, bool)) []htmlui.LineSeries {
	t.Helper()
	g := newGrid(nodes, t0, 15*time.Minute)
	s, _ := g.series(nodes, m, total, 5)
	return s
}

// TestDownNodeKeepsHistory: the down node's line stops where it went
// down; the total sums the nodes that have numbers at each moment.
func TestDownNodeKeepsHistory(t *testing.T) {
	nodes := twoNodes()
	queue := always(func(iv *Interval) float64 { return float64(iv.QueueDepth) })
	s := series(t, nodes, queue, sum(queue))
	if len(s) != 3 || s[0].Name != "all nodes" || s[1].Name != "10.0.0.1:8080" || s[2].Name != "10.0.0.2:8080" {
		t.Fatalf("series %v", names(s))
	}
	downAt := -3 * 60.0
	for i, p := range s[2].Points {
		alive := p.X <= downAt+7.5 && p.X > downAt-10*60
		if alive == math.IsNaN(p.Y) {
			t.Errorf("down node at x=%v: y=%v", p.X, p.Y)
		}
		self := s[1].Points[i].Y
		want := self
		if !math.IsNaN(p.Y) {
			want += p.Y
		}
		if got := s[0].Points[i].Y; got != want {
			t.Errorf("total at x=%v: %v, want %v", p.X, got, want)
		}
	}
	// Two and a half minutes of the window before the peer started, three
	// after it went down: no numbers; the rest: numbers.
	if n := countNaN(s[2].Points); n < 5*60/5-2 || n > 6*60/5+2 {
		t.Errorf("the down node has %d points without numbers of %d", n, len(s[2].Points))
	}
}

func names(s []htmlui.LineSeries) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Name)
	}
	return out
}

func countNaN(ps []htmlui.Point) int {
	n := 0
	for _, p := range ps {
		if math.IsNaN(p.Y) {
			n++
		}
	}
	return n
}

// TestAt: a moment's interval is the one it falls in; just after the last
// one (the interval being filled), the last one; later, none.
func TestAt(t *testing.T) {
	h := []Interval{{Start: t0, Seconds: 5}, {Start: t0.Add(5 * time.Second), Seconds: 5}}
	for _, tt := range []struct {
		at   time.Duration
		want int // index, -1 none
	}{
		{-time.Second, -1}, {0, 0}, {4 * time.Second, 0}, {5 * time.Second, 1}, {12 * time.Second, 1}, {18 * time.Second, -1},
	} {
		got := at(h, t0.Add(tt.at))
		want := (*Interval)(nil)
		if tt.want >= 0 {
			want = &h[tt.want]
		}
		if got != want {
			t.Errorf("at(%v): %v, want interval %d", tt.at, got, tt.want)
		}
	}
}

// TestLatencyQuantiles: quantiles estimated from merged histograms are
// within the buckets' 12% of the exact ones.
func TestLatencyQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []float64
	h := histogram{}
	for node := range 3 {
		m := map[string]int{}
		for range 5000 {
			v := math.Exp(rng.NormFloat64()*0.8 - 2 + float64(node)*0.5) // lognormal, a median of 0.14 to 0.37 s
			all = append(all, v)
			m[LatencyKey(v)]++
		}
		h.add(m)
	}
	slices.Sort(all)
	for _, q := range []float64{.5, .9, .99} {
		exact := all[int(q*float64(len(all)))]
		got, ok := h.quantile(q)
		if !ok || math.Abs(got-exact)/exact > 0.12 {
			t.Errorf("q=%v: %v, exact %v", q, got, exact)
		}
	}
	if _, ok := (histogram{}).quantile(.5); ok {
		t.Error("an empty histogram has a quantile")
	}
}

func TestLatencyKey(t *testing.T) {
	for v, want := range map[float64]string{0: "0.001", 0.001: "0.001", 0.0011: "0.00126", 0.1: "0.1", 0.5: "0.501", 1000: "1000", 5000: "+Inf"} {
		if got := LatencyKey(v); got != want {
			t.Errorf("LatencyKey(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestRequests: every node's requests, newest first, with SE and error
// statuses flagged.
func TestRequests(t *testing.T) {
	v := build(t, twoNodes())
	if len(v.Requests) != 12 {
		t.Fatalf("%d requests, want 12", len(v.Requests))
	}
	if !slices.IsSortedFunc(v.Requests, func(a, b RequestRow) int { return b.Time.Compare(a.Time) }) {
		t.Error("requests not newest first")
	}
	flags := map[string]string{}
	for _, r := range v.Requests {
		flags[r.ID] = r.Flag
	}
	if flags["aaaa-req-2"] != "SE" || flags["aaaa-req-4"] != "error" || flags["aaaa-req-3"] != "" || flags["bbbb-req-4"] != "error" {
		t.Errorf("flags %v", flags)
	}
	r := v.Requests[2] // aaaa-req-3
	if r.ID != "aaaa-req-3" || r.Verdicts != "WA 1" || r.Node != "10.0.0.1:8080" || r.Tests != 12 || r.Duration != "48\u00a0ms" {
		t.Errorf("row %+v", r)
	}
	if !slices.Equal(v.NodeNames, []string{"10.0.0.1:8080", "10.0.0.2:8080"}) || v.Verdicts[0] != "AC" || len(v.Verdicts) != 8 {
		t.Errorf("filter choices: %v %v", v.NodeNames, v.Verdicts)
	}
}

// TestWritePage: the page of a cluster of two, one down (golden; it opens
// in a browser).
func TestWritePage(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePage(&buf, build(t, twoNodes())); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`id="nodes"`, `id="resources"`, `id="traffic"`, `id="requests"`, `id="chart-cpu"`, `id="chart-verdicts"`,
		`dashboard/data`, `✕ </span>down`, `(this node)`, `⚠ SE`, `⚠ 503`} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", `src="/`, `href="/`} {
		if strings.Contains(out, bad) {
			t.Errorf("page refers to %q: it must fetch nothing but its data, by a relative URL", bad)
		}
	}
	golden.Check(t, buf.Bytes(), ".html")
}

// TestWriteData: the JSON the page polls (golden), with a chart for each
// figure of the page.
func TestWriteData(t *testing.T) {
	var buf bytes.Buffer
	v := build(t, twoNodes())
	if err := WriteData(&buf, v); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Charts []ChartHTML `json:"charts"`
	}
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range d.Charts {
		ids = append(ids, c.ID)
		if !strings.HasPrefix(string(c.HTML), `<figure class="sb-chart" id="`+c.ID+`">`) {
			t.Errorf("chart %s: %.80s", c.ID, c.HTML)
		}
	}
	want := []string{"chart-cpu", "chart-memory", "chart-running", "chart-queue", "chart-tests", "chart-requests", "chart-p50", "chart-p99", "chart-verdicts"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("charts (-want +got):\n%s", diff)
	}
	golden.Check(t, buf.Bytes())
}

// TestBuildIsDeterministic: the same nodes and moment give the same bytes.
func TestBuildIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteData(&a, build(t, twoNodes())); err != nil {
		t.Fatal(err)
	}
	if err := WriteData(&b, build(t, twoNodes())); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two builds of the same nodes differ")
	}
}

// TestManyNodes: past MaxNodeSeries, the per-node lines stop and a note
// says which nodes are in the totals only.
func TestManyNodes(t *testing.T) {
	var nodes []NodeState
	for i := range 7 {
		name := string(rune('a'+i)) + ":8080"
		s := fixture(nodeSpec{listen: name, instance: name, step: 5, n: 20, end: t0, load: 1, jobs: 2})
		nodes = append(nodes, NodeState{Name: name, Status: StatusUp, Stats: s, LastSeen: t0})
	}
	v := build(t, nodes)
	if !strings.Contains(v.SeriesNote, "f:8080, g:8080 are in the totals only") {
		t.Errorf("note %q", v.SeriesNote)
	}
	if got := card(v, "slots").Value; got != "14 of 14" {
		t.Errorf("slots %q", got)
	}
}

// TestEmpty: a node that has served nothing yet gets a page without
// errors.
func TestEmpty(t *testing.T) {
	s := &Stats{Instance: "x", Listen: "127.0.0.1:8080", Started: t0, Jobs: 2, IntervalSeconds: 5}
	v := build(t, []NodeState{{Name: "127.0.0.1:8080", Self: true, Status: StatusUp, Stats: s, LastSeen: t0}})
	var buf bytes.Buffer
	if err := WritePage(&buf, v); err != nil {
		t.Fatal(err)
	}
	if card(v, "latency").Value != "n/a" || len(v.Requests) != 0 || !strings.Contains(buf.String(), "No request yet.") {
		t.Errorf("empty view: %+v", v.Cards)
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{3 * time.Second: "3 s", 90 * time.Second: "1 min 30 s", 15 * time.Minute: "15 min",
		3*time.Hour + 5*time.Minute: "3 h 5 min", 50 * time.Hour: "2 d 2 h"} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
}
