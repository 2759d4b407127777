package dashboard

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// peerServer is a node's /v1/stats on a loopback port: the document it
// serves can be changed, and it records the ?after= of each request.
type peerServer struct {
	*httptest.Server
	gauge  *gauge // counts the fetches at once over several peers (nil: none)
	mu     sync.Mutex
	doc    *Stats
	afters []string
	delay  time.Duration
	auth   []string
}

// gauge counts what is in flight and the most at once.
type gauge struct {
	mu        sync.Mutex
	now, most int
}

func (g *gauge) add(d int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.now += d
	g.most = max(g.most, g.now)
	g.mu.Unlock()
}

func newPeer(t *testing.T, doc *Stats) *peerServer { return startPeer(t, nil, nil, 0, doc) }

// startPeer serves doc on l (nil: a new loopback port).
func startPeer(t *testing.T, l net.Listener, g *gauge, delay time.Duration, doc *Stats) *peerServer {
	p := &peerServer{doc: doc, gauge: g, delay: delay}
	s := httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	if l != nil {
		s.Listener.Close()
		s.Listener = l
	}
	s.Start()
	p.Server = s
	t.Cleanup(s.Close)
	return p
}

func (p *peerServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/stats" {
		http.NotFound(w, r)
		return
	}
	p.gauge.add(1)
	defer p.gauge.add(-1)
	p.mu.Lock()
	p.afters = append(p.afters, r.URL.Query().Get("after"))
	p.auth = append(p.auth, r.Header.Get("Authorization"))
	full, delay := p.doc, p.delay
	p.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	doc := *full
	doc.History, doc.RecentRequests = nil, nil
	for _, iv := range full.History {
		if iv.Seq > after {
			doc.History = append(doc.History, iv)
		}
	}
	for _, rq := range full.RecentRequests {
		if rq.Seq > after {
			doc.RecentRequests = append(doc.RecentRequests, rq)
		}
	}
	json.NewEncoder(w).Encode(&doc)
}

func (p *peerServer) set(doc *Stats) { p.mu.Lock(); p.doc = doc; p.mu.Unlock() }

func (p *peerServer) lastAfter() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.afters[len(p.afters)-1]
}

// recent is a fixture ending now, so that the window keeps it.
func recent(instance string, n int, seq0 int64) *Stats {
	return fixture(nodeSpec{listen: "127.0.0.1:1", instance: instance, step: 5, n: n, end: time.Now().Add(-time.Second), load: 1, jobs: 2, seq0: seq0})
}

func selfStats() *Stats { return recent("self", 3, 0) }

func newCluster(t *testing.T, o Options) *Cluster {
	t.Helper()
	if o.Self == nil {
		o.Self = selfStats
	}
	c, err := NewCluster(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nodeNamed(t *testing.T, nodes []NodeState, name string) NodeState {
	t.Helper()
	for _, n := range nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no node %s in %+v", name, nodes)
	return NodeState{}
}

func hostOf(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

// TestClusterPollsIncrementally: the first poll takes a peer's whole
// history, the next ones only what is new (?after=), merged in order; a
// restarted peer (a new instance) is read whole again.
func TestClusterPollsIncrementally(t *testing.T) {
	doc := recent("peer1", 10, 0)
	p := newPeer(t, doc)
	c := newCluster(t, Options{Peers: []string{p.URL}, Token: "tok"})
	ctx := context.Background()
	c.PollOnce(ctx)
	n := nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server))
	if n.Status != StatusUp || len(n.Stats.History) != 10 || len(n.Stats.RecentRequests) != 6 || p.lastAfter() != "" {
		t.Fatalf("first poll: %s, %d intervals, %d requests, after=%q", n.Status, len(n.Stats.History), len(n.Stats.RecentRequests), p.lastAfter())
	}
	if p.auth[0] != "Bearer tok" {
		t.Errorf("the peer got Authorization %q", p.auth[0])
	}
	// Two more intervals and a request.
	next := *doc
	next.History = append(append([]Interval{}, doc.History...),
		Interval{Seq: doc.Seq + 1, Start: doc.History[9].End(), Seconds: 5, TestsPerSecond: 7},
		Interval{Seq: doc.Seq + 2, Start: doc.History[9].End().Add(5 * time.Second), Seconds: 5, TestsPerSecond: 8})
	next.RecentRequests = append(append([]Request{}, doc.RecentRequests...), Request{Seq: doc.Seq + 3, ID: "new", Time: time.Now(), Status: 200})
	next.Seq = doc.Seq + 3
	p.set(&next)
	c.PollOnce(ctx)
	if got := p.lastAfter(); got != strconv.FormatInt(doc.Seq, 10) {
		t.Errorf("second poll asked after=%q, want %d", got, doc.Seq)
	}
	n = nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server))
	h := n.Stats.History
	if len(h) != 12 || h[11].TestsPerSecond != 8 || len(n.Stats.RecentRequests) != 7 || n.Stats.RecentRequests[6].ID != "new" {
		t.Errorf("after the second poll: %d intervals, %d requests", len(h), len(n.Stats.RecentRequests))
	}
	// A restart: a new instance, numbered from 1 again.
	p.set(recent("peer1-again", 2, 0))
	c.PollOnce(ctx)
	n = nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server))
	if n.Stats.Instance != "peer1-again" || len(n.Stats.History) != 2 || p.lastAfter() != "" {
		t.Errorf("after a restart: instance %s, %d intervals, last after=%q", n.Stats.Instance, len(n.Stats.History), p.lastAfter())
	}
}

// TestClusterDownAndBack: a peer that refuses connections is down at once,
// keeps its history and last-seen time, and is up again when it answers.
func TestClusterDownAndBack(t *testing.T) {
	p := newPeer(t, recent("peer1", 10, 0))
	c := newCluster(t, Options{Peers: []string{p.URL}})
	ctx := context.Background()
	c.PollOnce(ctx)
	seen := nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server)).LastSeen
	// Stop it, keeping its port unused.
	url := p.URL
	p.Close()
	c.PollOnce(ctx)
	n := nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server))
	if n.Status != StatusDown || n.Answering() || !n.LastSeen.Equal(seen) || n.DownSince.IsZero() || !strings.Contains(n.Error, "refused") {
		t.Errorf("a stopped peer: %+v", n)
	}
	if n.Stats == nil || len(n.Stats.History) != 10 {
		t.Error("a stopped peer lost its history")
	}
	// Back, on the same address.
	p2 := newPeerAt(t, url, recent("peer1-b", 3, 0))
	c.PollOnce(ctx)
	n = nodeNamed(t, c.Nodes(time.Now()), hostOf(p2.Server))
	if n.Status != StatusUp || n.Error != "" || !n.DownSince.IsZero() || n.Stats.Instance != "peer1-b" {
		t.Errorf("a peer back: %+v", n)
	}
}

// newPeerAt serves a peer on a given address (a restarted node).
func newPeerAt(t *testing.T, url string, doc *Stats) *peerServer {
	l, err := net.Listen("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", url, err)
	}
	return startPeer(t, l, nil, 0, doc)
}

// TestClusterSlowPeer: a peer that does not answer within the timeout
// after having answered is late (its numbers left out of the totals), then
// down once it has been silent for a while.
func TestClusterSlowPeer(t *testing.T) {
	p := newPeer(t, recent("slow", 4, 0))
	c := newCluster(t, Options{Peers: []string{p.URL}, Timeout: 100 * time.Millisecond, Poll: time.Second})
	ctx := context.Background()
	c.PollOnce(ctx)
	p.mu.Lock()
	p.delay = 2 * time.Second
	p.mu.Unlock()
	start := time.Now()
	c.PollOnce(ctx)
	if el := time.Since(start); el > time.Second {
		t.Errorf("a poll of a slow peer took %v, beyond its timeout", el)
	}
	n := nodeNamed(t, c.Nodes(time.Now()), hostOf(p.Server))
	if n.Status != StatusLate || n.Answering() {
		t.Errorf("a peer slow once: %s (%s)", n.Status, n.Error)
	}
	if n = nodeNamed(t, c.Nodes(time.Now().Add(time.Minute)), hostOf(p.Server)); n.Status != StatusDown {
		t.Errorf("a peer silent for a minute: %s", n.Status)
	}
}

// TestClusterRecognisesItself: a peer list shared by every node names this
// node too; it is shown once, under the peer's name, in the list's order.
func TestClusterRecognisesItself(t *testing.T) {
	self := recent("me", 3, 0)
	me := newPeer(t, self)
	other := newPeer(t, recent("other", 3, 0))
	c := newCluster(t, Options{Self: func() *Stats { return self }, Peers: []string{other.URL, me.URL}})
	c.PollOnce(context.Background())
	nodes := c.Nodes(time.Now())
	if len(nodes) != 2 || nodes[0].Name != hostOf(other.Server) || nodes[1].Name != hostOf(me.Server) || !nodes[1].Self || nodes[0].Self {
		t.Errorf("nodes: %+v", nodes)
	}
}

// TestClusterBoundsConcurrency: no more than Concurrency fetches at once.
func TestClusterBoundsConcurrency(t *testing.T) {
	g := &gauge{}
	var urls []string
	for i := range 6 {
		urls = append(urls, startPeer(t, nil, g, 50*time.Millisecond, recent("p"+strconv.Itoa(i), 2, 0)).URL)
	}
	c := newCluster(t, Options{Peers: urls, Concurrency: 2})
	c.PollOnce(context.Background())
	if g.most != 2 {
		t.Errorf("%d fetches at once, want 2", g.most)
	}
	for _, n := range c.Nodes(time.Now()) {
		if n.Status != StatusUp {
			t.Errorf("%s: %s %s", n.Name, n.Status, n.Error)
		}
	}
}

// TestClusterRunStops: Run polls until its context ends, and returns.
func TestClusterRunStops(t *testing.T) {
	p := newPeer(t, recent("p", 2, 0))
	c := newCluster(t, Options{Peers: []string{p.URL}, Poll: 10 * time.Millisecond, Idle: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	for i := 0; i < 200; i++ {
		p.mu.Lock()
		n := len(p.afters)
		p.mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.afters) < 3 {
		t.Errorf("%d polls", len(p.afters))
	}
}

// TestMergeOverlapping: two polls of a peer that overlap bring the same
// new intervals and requests; merged one after the other they count once,
// and an answer older than what is known changes nothing.
func TestMergeOverlapping(t *testing.T) {
	full := recent("p", 6, 0)
	old := *full
	old.History, old.RecentRequests, old.Seq = full.History[:4], nil, full.History[3].Seq
	since := time.Now().Add(-time.Hour)
	known := merge(&Stats{}, &old, since)
	once := merge(known, full, since)
	twice := merge(once, full, since)
	if len(twice.History) != 6 || len(twice.RecentRequests) != 6 || twice.Seq != full.Seq {
		t.Errorf("merged twice: %d intervals, %d requests, seq %d", len(twice.History), len(twice.RecentRequests), twice.Seq)
	}
	if late := merge(twice, &old, since); late != twice {
		t.Error("an older answer changed what is known")
	}
}

func TestParsePeer(t *testing.T) {
	for _, tt := range []struct{ in, base, name string }{
		{"10.0.0.2:8080", "http://10.0.0.2:8080", "10.0.0.2:8080"},
		{"http://node-b:8080/", "http://node-b:8080", "node-b:8080"},
		{"https://front.example/scalebox/b/", "https://front.example/scalebox/b", "https://front.example/scalebox/b"},
		{"[::1]:9000", "http://[::1]:9000", "[::1]:9000"},
	} {
		base, name, err := ParsePeer(tt.in)
		if err != nil || base != tt.base || name != tt.name {
			t.Errorf("ParsePeer(%q) = %q, %q, %v; want %q, %q", tt.in, base, name, err, tt.base, tt.name)
		}
	}
	for _, bad := range []string{"", "ftp://a:1", "http://", "http://a:1/?x=1", "http://u:p@a:1"} {
		if _, _, err := ParsePeer(bad); err == nil {
			t.Errorf("ParsePeer(%q): no error", bad)
		}
	}
}
