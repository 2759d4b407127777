package dashboard

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/internal/htmlui"
)

// View is the dashboard at a moment, laid out and formatted for the page:
// the nodes, totals over the nodes that answer, the charts of the last
// minutes per node and in total, and the recent requests of every node.
// The same nodes and moment give the same View.
type View struct {
	// Generated is the moment shown; Updated it as the page prints it.
	Generated time.Time `json:"generated"`
	Updated   string    `json:"updated"`
	// Status sums the nodes up ("2 of 2 nodes answering").
	Status        string         `json:"status"`
	WindowSeconds int            `json:"window_seconds"`
	StepSeconds   float64        `json:"step_seconds"`
	Windows       []WindowOption `json:"windows"`
	PollSeconds   float64        `json:"poll_seconds"`
	Cards         []Card         `json:"cards"`
	Nodes         []NodeRow      `json:"nodes"`
	// SeriesNote says which nodes the per-node lines leave out, if any.
	SeriesNote string       `json:"series_note"`
	Resources  []ChartHTML  `json:"-"`
	Traffic    []ChartHTML  `json:"-"`
	Charts     []ChartHTML  `json:"charts"`
	Requests   []RequestRow `json:"requests"`
	// RecentPerNode is how many requests of each node are listed.
	RecentPerNode int `json:"recent_per_node"`
	// NodeNames and Verdicts are the choices of the request filters.
	NodeNames []string `json:"node_names"`
	Verdicts  []string `json:"verdicts"`
}

// WindowOption is a choice of the time window.
type WindowOption struct {
	Seconds  int    `json:"seconds"`
	Label    string `json:"label"`
	Selected bool   `json:"selected"`
}

// Card is one total of the summary.
type Card struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
	Note  string `json:"note"`
}

// NodeRow is a node as the nodes table shows it.
type NodeRow struct {
	Name       string `json:"name"`
	Self       bool   `json:"self"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
	// Symbol repeats the status as a mark (the text says it in words).
	Symbol string `json:"symbol"`
	// About is the version, uptime and server memory.
	About   string `json:"about"`
	Version string `json:"version"`
	Slots   int    `json:"slots"`
	// Busy is the tests running of the slots, and the builds.
	Busy     string `json:"busy"`
	Queue    string `json:"queue"`
	Load     string `json:"load"`
	CPU      string `json:"cpu"`
	Memory   string `json:"memory"`
	Rate     string `json:"rate"`
	Uptime   string `json:"uptime"`
	LastSeen string `json:"last_seen"`
	// Note says why a node is down, or that its numbers are its last.
	Note string `json:"note"`
}

// ChartHTML is a chart's figure, drawn.
type ChartHTML struct {
	ID   string        `json:"id"`
	HTML template.HTML `json:"html"`
}

// RequestRow is a recent request as the requests table shows it.
type RequestRow struct {
	Time     time.Time `json:"time"`
	Clock    string    `json:"clock"`
	Node     string    `json:"node"`
	ID       string    `json:"id"`
	Endpoint string    `json:"endpoint"`
	Language string    `json:"language"`
	Tests    int       `json:"tests"`
	// Verdicts sums the samples' verdicts ("AC 3 · WA 1"); VerdictList
	// names them.
	Verdicts    string   `json:"verdicts"`
	VerdictList []string `json:"verdict_list"`
	Status      int      `json:"status"`
	Seconds     float64  `json:"seconds"`
	Duration    string   `json:"duration"`
	// Flag is "SE" for a request with a system error, "error" for one
	// answered with an error status (4xx, 5xx, 499), else "".
	Flag string `json:"flag"`
}

// ViewOptions shape a View.
type ViewOptions struct {
	// Window is how far back the charts go (default 15 minutes).
	Window time.Duration
	// Windows are the windows the page offers (the shown one is added).
	Windows []time.Duration
	// Poll is how often the page fetches the view again (default 2 s).
	Poll time.Duration
	// MaxNodeSeries bounds the per-node lines of a chart (default 5);
	// the total is drawn besides.
	MaxNodeSeries int
}

// verdictOrder is the order verdicts are listed in.
var verdictOrder = []string{"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SE"}

// maxPoints bounds the points of a line.
const maxPoints = 360

// Build lays out the nodes at now.
func Build(nodes []NodeState, now time.Time, o ViewOptions) (*View, error) {
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.MaxNodeSeries <= 0 {
		o.MaxNodeSeries = 5
	}
	now = now.UTC()
	v := &View{Generated: now, Updated: now.Format("15:04:05") + " UTC", WindowSeconds: int(o.Window.Seconds()), PollSeconds: o.Poll.Seconds(), RecentPerNode: RecentPerNode}
	wins := append(slices.Clone(o.Windows), o.Window)
	slices.Sort(wins)
	for _, w := range slices.Compact(wins) {
		v.Windows = append(v.Windows, WindowOption{Seconds: int(w.Seconds()), Label: span(w), Selected: w == o.Window})
	}

	up := 0
	for i := range nodes {
		if nodes[i].Answering() {
			up++
		}
		v.NodeNames = append(v.NodeNames, nodes[i].Name)
		v.Nodes = append(v.Nodes, nodeRow(&nodes[i], now))
	}
	v.Status = fmt.Sprintf("%d of %d %s answering", up, len(nodes), plural(len(nodes), "node", "nodes"))

	g := newGrid(nodes, now, o.Window)
	v.StepSeconds = g.step
	v.Cards = cards(nodes, g, up)
	if err := v.charts(nodes, g, o); err != nil {
		return nil, err
	}
	v.requests(nodes)
	return v, nil
}

// grid is the moments the charts sample, oldest first: every step
// seconds, aligned to multiples of step since the epoch so that they stay
// put between refreshes.
type grid struct {
	now    time.Time
	step   float64
	times  []time.Time
	window time.Duration
}

func newGrid(nodes []NodeState, now time.Time, window time.Duration) *grid {
	step := 0.0
	for _, n := range nodes {
		if n.Stats != nil {
			step = max(step, n.Stats.IntervalSeconds)
		}
	}
	if step <= 0 {
		step = 5
	}
	step = max(step, window.Seconds()/maxPoints)
	g := &grid{now: now, step: step, window: window}
	secs := float64(now.UnixNano()) / 1e9
	last := math.Floor(secs/step) * step
	for t := last; t > secs-window.Seconds(); t -= step {
		g.times = append(g.times, time.Unix(0, int64(t*1e9)).UTC())
	}
	slices.Reverse(g.times)
	return g
}

// x is a moment's position on the time axis: seconds before now, negative.
func (g *grid) x(t time.Time) float64 { return t.Sub(g.now).Seconds() }

// at is the interval of h holding t: the one it falls in, or the last
// one when t is less than half an interval after its end (the interval
// being filled has not closed yet); nil when the node has none.
func at(h []Interval, t time.Time) *Interval {
	i := sort.Search(len(h), func(i int) bool { return h[i].Start.After(t) }) - 1
	if i < 0 {
		return nil
	}
	iv := &h[i]
	end := iv.End()
	if t.Before(end) {
		return iv
	}
	if i == len(h)-1 && t.Sub(end).Seconds() < 1.5*iv.Seconds {
		return iv
	}
	return nil
}

// metric is a chart's number of an interval (ok false: none).
type metric func(iv *Interval) (float64, bool)

func always(f func(iv *Interval) float64) metric {
	return func(iv *Interval) (float64, bool) { return f(iv), true }
}

// series draws m for each node, and in total over the nodes that have an
// interval at each moment (latency: estimated from their merged
// histograms).
func (g *grid) series(nodes []NodeState, m metric, total func([]*Interval) (float64, bool), maxNodes int) (lines []htmlui.LineSeries, note string) {
	var perNode []htmlui.LineSeries
	var tot htmlui.LineSeries
	tot.Name = "all nodes"
	shown, left := 0, []string{}
	for _, n := range nodes {
		if n.Stats == nil {
			continue
		}
		if shown >= maxNodes {
			left = append(left, n.Name)
			continue
		}
		shown++
		s := htmlui.LineSeries{Name: n.Name}
		for _, t := range g.times {
			y := math.NaN()
			if iv := at(n.Stats.History, t); iv != nil {
				if val, ok := m(iv); ok {
					y = val
				}
			}
			s.Points = append(s.Points, htmlui.Point{X: g.x(t), Y: y})
		}
		perNode = append(perNode, s)
	}
	withStats := 0
	for _, n := range nodes {
		if n.Stats != nil {
			withStats++
		}
	}
	if withStats > 1 {
		for _, t := range g.times {
			var ivs []*Interval
			for _, n := range nodes {
				if n.Stats == nil {
					continue
				}
				if iv := at(n.Stats.History, t); iv != nil {
					ivs = append(ivs, iv)
				}
			}
			y := math.NaN()
			if len(ivs) > 0 {
				if val, ok := total(ivs); ok {
					y = val
				}
			}
			tot.Points = append(tot.Points, htmlui.Point{X: g.x(t), Y: y})
		}
		lines = append(lines, tot)
	}
	lines = append(lines, perNode...)
	if len(left) > 0 {
		note = fmt.Sprintf("Per-node lines are drawn for the first %d nodes; %s %s in the totals only.", maxNodes, strings.Join(left, ", "), plural(len(left), "is", "are"))
	}
	return lines, note
}

// sum adds m over the intervals.
func sum(m metric) func([]*Interval) (float64, bool) {
	return func(ivs []*Interval) (float64, bool) {
		s, any := 0.0, false
		for _, iv := range ivs {
			if v, ok := m(iv); ok {
				s += v
				any = true
			}
		}
		return s, any
	}
}

// latency is the q-quantile of the evaluations of the intervals: the
// node's own figure for one interval, else estimated from the merged
// histograms.
func latency(q float64, scale float64) (metric, func([]*Interval) (float64, bool)) {
	one := func(iv *Interval) (float64, bool) {
		p := iv.LatencyP50
		if q > .5 {
			p = iv.LatencyP99
		}
		if p == nil {
			return 0, false
		}
		return *p * scale, true
	}
	merged := func(ivs []*Interval) (float64, bool) {
		with := 0
		var last *Interval
		h := histogram{}
		for _, iv := range ivs {
			if iv.LatencyP50 != nil {
				with++
				last = iv
			}
			h.add(iv.LatencyHistogram)
		}
		if with == 1 {
			return one(last)
		}
		v, ok := h.quantile(q)
		return v * scale, ok
	}
	return one, merged
}

func (v *View) charts(nodes []NodeState, g *grid, o ViewOptions) error {
	ticks := g.ticks()
	lines := func(id, title, desc, unit string, m metric, total func([]*Interval) (float64, bool)) htmlui.Lines {
		s, note := g.series(nodes, m, total, o.MaxNodeSeries)
		if note != "" {
			v.SeriesNote = note
		}
		return htmlui.Lines{ID: id, Title: title, Desc: desc, YLabel: unit, XTicks: ticks, Series: s}
	}
	const gib = 1 << 30
	maxLatency := 0.0
	for _, n := range nodes {
		if n.Stats == nil {
			continue
		}
		for _, iv := range n.Stats.History {
			if iv.LatencyP99 != nil && iv.End().After(g.now.Add(-g.window)) {
				maxLatency = max(maxLatency, *iv.LatencyP99)
			}
		}
	}
	latUnit, latScale := "ms", 1000.0
	if maxLatency >= 2 {
		latUnit, latScale = "s", 1
	}
	win := span(g.window)
	cpu := always(func(iv *Interval) float64 { return iv.MachineCPUCores })
	mem := always(func(iv *Interval) float64 { return float64(iv.MachineMemoryUsedBytes) / gib })
	running := always(func(iv *Interval) float64 { return float64(iv.RunningTests) })
	queue := always(func(iv *Interval) float64 { return float64(iv.QueueDepth) })
	tests := always(func(iv *Interval) float64 { return iv.TestsPerSecond })
	reqs := always(func(iv *Interval) float64 { return iv.RequestsPerSecond })
	p50, p50all := latency(.5, latScale)
	p99, p99all := latency(.99, latScale)
	resources := []htmlui.Chart{
		lines("chart-cpu", "CPU busy, last "+win, "Busy CPU cores of each node's machine (all processes), per node and in total, over the last "+win+".", "cores", cpu, sum(cpu)),
		lines("chart-memory", "Memory in use, last "+win, "Memory in use on each node's machine (total less available), per node and in total, over the last "+win+".", "GiB", mem, sum(mem)),
		lines("chart-running", "Running sandboxes, last "+win, "Tests running in a sandbox at the end of each interval, per node and in total.", "tests", running, sum(running)),
		lines("chart-queue", "Queue depth, last "+win, "Tests accepted and not started at the end of each interval, per node and in total.", "tests", queue, sum(queue)),
	}
	traffic := []htmlui.Chart{
		lines("chart-tests", "Tests per second, last "+win, "Tests finished per second, per node and in total.", "tests/s", tests, sum(tests)),
		lines("chart-requests", "Requests per second, last "+win, "Evaluation requests (run_code, common_evaluate, evaluate) finished per second, per node and in total.", "requests/s", reqs, sum(reqs)),
		lines("chart-p50", "Latency p50, last "+win, "Median time to answer an evaluation request, per node and over all nodes (estimated from their histograms).", latUnit, p50, p50all),
		lines("chart-p99", "Latency p99, last "+win, "99th percentile of the time to answer an evaluation request, per node and over all nodes (estimated from their histograms).", latUnit, p99, p99all),
		verdictMix(nodes, g),
	}
	draw := func(cs []htmlui.Chart) ([]ChartHTML, error) {
		var out []ChartHTML
		for _, c := range cs {
			var buf bytes.Buffer
			if err := htmlui.WriteChart(&buf, c); err != nil {
				return nil, err
			}
			out = append(out, ChartHTML{ID: chartID(c), HTML: template.HTML(buf.String())})
		}
		return out, nil
	}
	var err error
	if v.Resources, err = draw(resources); err != nil {
		return err
	}
	if v.Traffic, err = draw(traffic); err != nil {
		return err
	}
	v.Charts = append(slices.Clone(v.Resources), v.Traffic...)
	return nil
}

func chartID(c htmlui.Chart) string {
	switch c := c.(type) {
	case htmlui.Lines:
		return c.ID
	case htmlui.Bars:
		return c.ID
	}
	return ""
}

// ticks label the time axis: about four moments from the window's start
// to now.
func (g *grid) ticks() []htmlui.XTick {
	w := g.window.Seconds()
	out := []htmlui.XTick{}
	for i := 3; i >= 1; i-- {
		x := -w * float64(i) / 3
		out = append(out, htmlui.XTick{X: x, Label: "−" + span(time.Duration(-x*float64(time.Second)))})
	}
	return append(out, htmlui.XTick{X: 0, Label: "now"})
}

// verdictMix charts the share of each verdict among the tests each
// language finished in the window, over every node.
func verdictMix(nodes []NodeState, g *grid) htmlui.Bars {
	counts := map[string]map[string]int{}
	since := g.now.Add(-g.window)
	for _, n := range nodes {
		if n.Stats == nil {
			continue
		}
		for _, iv := range n.Stats.History {
			if !iv.End().After(since) {
				continue
			}
			for lang, m := range iv.Verdicts {
				if counts[lang] == nil {
					counts[lang] = map[string]int{}
				}
				for vd, k := range m {
					counts[lang][vd] += k
				}
			}
		}
	}
	totals := map[string]int{}
	seen := map[string]bool{}
	var langs []string
	for lang, m := range counts {
		for vd, k := range m {
			totals[lang] += k
			if k > 0 {
				seen[vd] = true
			}
		}
		if totals[lang] > 0 {
			langs = append(langs, lang)
		}
	}
	sort.Slice(langs, func(i, j int) bool {
		if totals[langs[i]] != totals[langs[j]] {
			return totals[langs[i]] > totals[langs[j]]
		}
		return langs[i] < langs[j]
	})
	verdicts := orderVerdicts(seen)
	win := span(g.window)
	b := htmlui.Bars{ID: "chart-verdicts", Title: "Verdict mix by language, last " + win, Percent: true, Max: 1,
		Desc: "The share of each verdict among the tests each language finished over the last " + win + ", on every node; each bar is labelled with its share and count."}
	for _, vd := range verdicts {
		b.Series = append(b.Series, htmlui.Series{Name: vd, Pattern: htmlui.VerdictPattern(vd)})
	}
	for _, lang := range langs {
		row := htmlui.BarRow{Label: fmt.Sprintf("%s (%s tests)", lang, count(int64(totals[lang])))}
		for _, vd := range verdicts {
			k := counts[lang][vd]
			share := float64(k) / float64(totals[lang])
			row.Values = append(row.Values, share)
			row.Texts = append(row.Texts, fmt.Sprintf("%s %s (%s)", vd, pct(share), count(int64(k))))
		}
		b.Rows = append(b.Rows, row)
	}
	if len(b.Rows) == 0 {
		b.Desc = "No test finished over the last " + win + "."
	}
	return b
}

// orderVerdicts lists the verdicts of seen in verdictOrder, others after,
// sorted.
func orderVerdicts(seen map[string]bool) []string {
	var out, other []string
	for _, v := range verdictOrder {
		if seen[v] {
			out = append(out, v)
		}
	}
	for v := range seen {
		if !slices.Contains(verdictOrder, v) {
			other = append(other, v)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// latest is the node's last interval, if it closed within two intervals
// of now.
func latest(n *NodeState, now time.Time) *Interval {
	h := n.Stats.History
	if len(h) == 0 {
		return nil
	}
	iv := &h[len(h)-1]
	if now.Sub(iv.End()).Seconds() > 2*iv.Seconds+1 {
		return nil
	}
	return iv
}

// cards sums the nodes that answer.
func cards(nodes []NodeState, g *grid, up int) []Card {
	var jobs, running, builds, queue, cpus int
	var admitted, capacity, tests, rejected int64
	var memUsed, memTotal int64
	var rate, reqRate, cpuBusy float64
	var ivs []*Interval
	notAnswering := 0
	for i := range nodes {
		n := &nodes[i]
		if !n.Answering() {
			notAnswering++
			continue
		}
		s := n.Stats
		jobs += s.Jobs
		running += s.Now.RunningTests
		builds += s.Now.RunningBuilds
		queue += s.Now.QueueDepth
		admitted += s.Now.AdmittedTests
		capacity += int64(s.QueueCapacity)
		tests += s.Totals.Tests
		rejected += s.Totals.Rejected
		cpus += s.CPUs
		memTotal += s.MemoryTotalBytes
		memUsed += max(0, s.MemoryTotalBytes-s.Now.MemoryAvailableBytes)
		if iv := latest(n, g.now); iv != nil {
			rate += iv.TestsPerSecond
			reqRate += iv.RequestsPerSecond
			cpuBusy += iv.MachineCPUCores
			ivs = append(ivs, iv)
		}
	}
	excluded := ""
	if notAnswering > 0 {
		excluded = fmt.Sprintf("%d %s not answering left out", notAnswering, plural(notAnswering, "node", "nodes"))
	}
	_, p50 := latency(.5, 1)
	_, p99 := latency(.99, 1)
	lat := "n/a"
	if a, ok := p50(ivs); ok {
		b, _ := p99(ivs)
		lat = seconds(a) + " / " + seconds(b)
	}
	se := 0
	since := g.now.Add(-g.window)
	for _, n := range nodes {
		if n.Stats == nil {
			continue
		}
		for _, iv := range n.Stats.History {
			if iv.End().After(since) {
				for _, m := range iv.Verdicts {
					se += m["SE"]
				}
			}
		}
	}
	busy := "n/a"
	if jobs > 0 {
		busy = pct(float64(running) / float64(jobs))
	}
	return []Card{
		{ID: "nodes", Label: "Nodes answering", Value: fmt.Sprintf("%d of %d", up, len(nodes)), Note: excluded},
		{ID: "slots", Label: "Sandboxes running", Value: fmt.Sprintf("%d of %d", running, jobs), Note: fmt.Sprintf("%s of the slots busy; %d %s", busy, builds, plural(builds, "build", "builds"))},
		{ID: "queue", Label: "Queue", Value: count(int64(queue)), Note: fmt.Sprintf("tests waiting; %s of %s admitted", count(admitted), count(capacity))},
		{ID: "tests-rate", Label: "Tests per second", Value: rateText(rate), Note: "last interval"},
		{ID: "requests-rate", Label: "Requests per second", Value: rateText(reqRate), Note: "evaluations, last interval"},
		{ID: "latency", Label: "Latency p50 / p99", Value: lat, Note: "last interval"},
		{ID: "cpu", Label: "CPU busy", Value: fmt.Sprintf("%s of %d", oneDecimal(cpuBusy), cpus), Note: "cores, the machines' (all processes)"},
		{ID: "memory", Label: "Memory in use", Value: htmlui.Bytes(memUsed), Note: "of " + htmlui.Bytes(memTotal) + ", the machines'"},
		{ID: "tests", Label: "Tests judged", Value: count(tests), Note: "since each node started"},
		{ID: "se", Label: "System errors", Value: count(int64(se)), Note: "tests, last " + span(g.window) + fmt.Sprintf("; %s %s refused (503) since start", count(rejected), plural(int(rejected), "request", "requests"))},
	}
}

func nodeRow(n *NodeState, now time.Time) NodeRow {
	r := NodeRow{Name: n.Name, Self: n.Self, Status: n.Status, Symbol: statusSymbols[n.Status]}
	switch n.Status {
	case StatusUp:
		r.StatusText = "up"
	case StatusWarming:
		r.StatusText = "up, preparing toolchains"
	case StatusDraining:
		r.StatusText = "draining (stopping)"
	case StatusLate:
		r.StatusText = "not answering"
		r.Note = fmt.Sprintf("no answer since %s: %s", clock(n.DownSince), n.Error)
	case StatusDown:
		r.StatusText = "down"
		if n.DownSince.IsZero() {
			r.Note = n.Error
		} else {
			r.Note = fmt.Sprintf("down since %s: %s", clock(n.DownSince), n.Error)
		}
	case StatusUnknown:
		r.StatusText = "not polled yet"
	}
	if n.LastSeen.IsZero() {
		r.LastSeen = "never"
	} else {
		r.LastSeen = fmt.Sprintf("%s (%s ago)", clock(n.LastSeen), span(now.Sub(n.LastSeen).Round(time.Second)))
	}
	s := n.Stats
	if s == nil {
		return r
	}
	if !n.Answering() && r.Note != "" {
		r.Note += "; its numbers are those it last reported"
	}
	r.Version, r.Slots = s.Version, s.Jobs
	r.Uptime = span(time.Duration(s.UptimeSeconds * float64(time.Second)).Round(time.Second))
	r.About = fmt.Sprintf("%s · up %s · server %s", s.Version, r.Uptime, htmlui.Bytes(s.Now.RSSBytes))
	r.Busy = fmt.Sprintf("%d of %d slots", s.Now.RunningTests, s.Jobs)
	if s.Now.RunningBuilds > 0 {
		r.Busy += fmt.Sprintf(" + %d %s", s.Now.RunningBuilds, plural(s.Now.RunningBuilds, "build", "builds"))
	}
	r.Queue = count(int64(s.Now.QueueDepth))
	r.Load = oneDecimal(s.Now.LoadAverage[0])
	if s.CPUs > 0 {
		r.Load += fmt.Sprintf(" (%.1f a CPU)", s.Now.LoadAverage[0]/float64(s.CPUs))
	}
	if iv := latest(n, now); iv != nil {
		r.CPU = fmt.Sprintf("%s of %d", oneDecimal(iv.MachineCPUCores), s.CPUs)
		r.Rate = rateText(iv.TestsPerSecond)
	} else {
		r.CPU, r.Rate = "n/a", "n/a"
	}
	r.Memory = htmlui.Bytes(max(0, s.MemoryTotalBytes-s.Now.MemoryAvailableBytes)) + " of " + htmlui.Bytes(s.MemoryTotalBytes)
	return r
}

func (v *View) requests(nodes []NodeState) {
	seen := map[string]bool{}
	for _, n := range nodes {
		if n.Stats == nil {
			continue
		}
		for _, r := range n.Stats.RecentRequests {
			row := RequestRow{Time: r.Time.UTC(), Clock: r.Time.UTC().Format("15:04:05.000"), Node: n.Name, ID: r.ID, Endpoint: r.Endpoint,
				Language: r.Language, Tests: r.Tests, Status: r.Status, Seconds: r.DurationSeconds, Duration: seconds(r.DurationSeconds)}
			vs := map[string]bool{}
			for vd, k := range r.Verdicts {
				if k > 0 {
					vs[vd] = true
					seen[vd] = true
				}
			}
			row.VerdictList = append([]string{}, orderVerdicts(vs)...)
			var parts []string
			for _, vd := range row.VerdictList {
				parts = append(parts, fmt.Sprintf("%s %d", vd, r.Verdicts[vd]))
			}
			row.Verdicts = strings.Join(parts, " · ")
			switch {
			case vs["SE"]:
				row.Flag = "SE"
			case r.Status >= 400:
				row.Flag = "error"
			}
			v.Requests = append(v.Requests, row)
		}
	}
	sort.SliceStable(v.Requests, func(i, j int) bool { return v.Requests[i].Time.After(v.Requests[j].Time) })
	for _, vd := range verdictOrder {
		seen[vd] = true // the filter offers every verdict
	}
	v.Verdicts = orderVerdicts(seen)
	if v.Requests == nil {
		v.Requests = []RequestRow{}
	}
}

// statusSymbols mark the statuses: filled for up, hollow or crossed for
// the others.
var statusSymbols = map[string]string{
	StatusUp: "●", StatusWarming: "◐", StatusDraining: "◑", StatusLate: "○", StatusDown: "✕", StatusUnknown: "?",
}

// Formats.

func clock(t time.Time) string { return t.UTC().Format("15:04:05") + " UTC" }

// span formats a duration shortly: "45 s", "5 min", "1 h 30 min".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second).Seconds())) + " s"
	case d < time.Hour:
		m, s := int(d/time.Minute), int((d%time.Minute).Round(time.Second)/time.Second)
		if s == 0 || m >= 10 {
			return strconv.Itoa(m) + " min"
		}
		return fmt.Sprintf("%d min %d s", m, s)
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int((d%time.Hour)/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + " h"
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d d %d h", int(d/(24*time.Hour)), int((d%(24*time.Hour))/time.Hour))
}

// seconds formats a latency: "0.4 ms", "85 ms", "1.24 s".
func seconds(s float64) string {
	if s < 0.01 {
		return strconv.FormatFloat(math.Round(s*10000)/10, 'f', -1, 64) + "\u00a0ms"
	}
	if s < 1 {
		return strconv.FormatFloat(math.Round(s*1000), 'f', -1, 64) + "\u00a0ms"
	}
	return strconv.FormatFloat(s, 'f', 2, 64) + "\u00a0s"
}

func rateText(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(math.Round(r), 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

func oneDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func pct(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// count formats a count with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "−" + s
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
