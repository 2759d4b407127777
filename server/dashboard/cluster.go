package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// Node statuses, as a NodeState reports them.
const (
	// StatusUp: the node answered its last poll and is ready.
	StatusUp = "up"
	// StatusWarming: it answered and is preparing toolchains (it serves
	// requests meanwhile).
	StatusWarming = "warming"
	// StatusDraining: it answered and is stopping (it refuses new
	// requests).
	StatusDraining = "draining"
	// StatusLate: its last poll failed, but it answered recently and did
	// not refuse the connection: it may be too busy to answer in time.
	StatusLate = "late"
	// StatusDown: it refused the connection, or has not answered for a
	// while, or never did.
	StatusDown = "down"
	// StatusUnknown: it has not been polled yet.
	StatusUnknown = "unknown"
)

// Options configure a Cluster.
type Options struct {
	// Self returns this node's stats with all of its history; required.
	Self func() *Stats
	// Peers are the base URLs of the other nodes (http://host:port, with a
	// path when a proxy serves a node under one). A peer that turns out
	// to be this node (a list shared by every node) is shown once, under
	// the peer's name.
	Peers []string
	// Token, when set, is sent to the peers as a bearer token (the nodes
	// of a cluster share one).
	Token string
	// Timeout bounds one fetch of a peer's stats (default 2 s).
	Timeout time.Duration
	// Poll is how often the peers are asked while the dashboard is being
	// watched (default 2 s); Idle how often when it has not been for a
	// minute (default 15 s), so that their last-seen times and histories
	// stay current.
	Poll, Idle time.Duration
	// Concurrency bounds the fetches at once (default 8).
	Concurrency int
	// Window is how far back a peer's history is kept (default 15
	// minutes); a node that went down keeps its history until it leaves
	// the window.
	Window time.Duration
	// Client makes the fetches (default: a client of its own).
	Client *http.Client
	Logger *slog.Logger
}

// maxStatsBytes bounds a peer's answer.
const maxStatsBytes = 32 << 20

// RecentPerNode is how many of a node's recent requests are kept.
const RecentPerNode = 100

// Cluster is this node and its peers as last seen. Create it with
// NewCluster; it is safe for concurrent use.
type Cluster struct {
	o     Options
	peers []*peer
	log   *slog.Logger

	selfOnce sync.Once
	selfID   string // this node's instance

	mu      sync.Mutex
	watched time.Time
	wake    chan struct{}
}

// selfInstance is this node's instance id, asked once (it does not change).
func (c *Cluster) selfInstance() string {
	c.selfOnce.Do(func() {
		if s := c.o.Self(); s != nil {
			c.selfID = s.Instance
		}
	})
	return c.selfID
}

type peer struct {
	url  string // base URL, without a trailing slash
	name string // host:port[/path], as shown

	// guarded by Cluster.mu
	stats     *Stats // the last document, its history and requests accumulated; never changed once stored
	lastSeen  time.Time
	failSince time.Time // first failure since the last success
	err       string
	refused   bool
	self      bool // the peer is this node
}

// NewCluster checks o and returns a Cluster. It fetches nothing until Run
// or PollOnce.
func NewCluster(o Options) (*Cluster, error) {
	if o.Self == nil {
		return nil, errors.New("dashboard: Options.Self is required")
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Idle <= 0 {
		o.Idle = 15 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Cluster{o: o, log: o.Logger, wake: make(chan struct{}, 1)}
	seen := map[string]bool{}
	for _, raw := range o.Peers {
		base, name, err := ParsePeer(raw)
		if err != nil {
			return nil, err
		}
		if seen[base] {
			continue
		}
		seen[base] = true
		c.peers = append(c.peers, &peer{url: base, name: name})
	}
	return c, nil
}

// ParsePeer checks a peer's address (http://host:port[/path], or
// host:port for http) and returns its base URL and the name it is shown
// under.
func ParsePeer(raw string) (base, name string, err error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("peer %q: want http://HOST:PORT (or https://, with a path when a proxy serves the node under one)", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	name = u.Host + u.Path
	if u.Scheme == "https" {
		name = "https://" + name
	}
	return u.String(), name, nil
}

// Watch notes that someone is looking at the dashboard: the peers are
// polled every Poll for the next minute. When they were being polled at
// the idle pace, it polls them at once and returns when that is done (or
// ctx is), so that the first view is current.
func (c *Cluster) Watch(ctx context.Context, now time.Time) {
	c.mu.Lock()
	idle := now.Sub(c.watched) > time.Minute
	c.watched = now
	c.mu.Unlock()
	if !idle || len(c.peers) == 0 {
		return
	}
	c.PollOnce(ctx)
	select {
	case c.wake <- struct{}{}: // Run polls at the watched pace from now on
	default:
	}
}

// Run polls the peers until ctx is done: every Poll while the dashboard
// is watched, every Idle otherwise. Without peers it returns at once.
func (c *Cluster) Run(ctx context.Context) {
	if len(c.peers) == 0 {
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.wake:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		}
		c.PollOnce(ctx)
		c.mu.Lock()
		period := c.o.Idle
		if time.Since(c.watched) <= time.Minute {
			period = c.o.Poll
		}
		c.mu.Unlock()
		t.Reset(period)
	}
}

// PollOnce fetches every peer's stats once, Concurrency at a time, each
// within Timeout, and returns when all are done or ctx is.
func (c *Cluster) PollOnce(ctx context.Context) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(c.o.Concurrency)
	for _, p := range c.peers {
		g.Go(func() error {
			c.poll(ctx, p)
			return nil
		})
	}
	g.Wait()
}

func (c *Cluster) poll(ctx context.Context, p *peer) {
	c.mu.Lock()
	prev := p.stats
	c.mu.Unlock()
	after := int64(0)
	if prev != nil {
		after = prev.Seq
	}
	st, err := c.fetch(ctx, p, after)
	if err == nil && prev != nil && st.Instance != prev.Instance && after > 0 {
		// The peer restarted: its numbering began again.
		st, err = c.fetch(ctx, p, 0)
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return // shutting down: not the peer's fault
		}
		if p.failSince.IsZero() {
			p.failSince = now
			c.log.Warn("a peer does not answer", "peer", p.url, "err", err)
		}
		p.err = reason(err, c.o.Timeout)
		p.refused = errors.Is(err, syscall.ECONNREFUSED)
		return
	}
	if !p.failSince.IsZero() {
		c.log.Info("a peer answers again", "peer", p.url, "after", now.Sub(p.failSince).Round(time.Millisecond).String())
	}
	p.failSince, p.err, p.refused, p.lastSeen = time.Time{}, "", false, now
	if st.Instance == c.selfInstance() {
		p.self, p.stats = true, nil
		return
	}
	p.self = false
	// Merge with what is known now: another poll of this peer may have
	// finished meanwhile.
	if cur := p.stats; cur != nil && cur.Instance == st.Instance {
		p.stats = merge(cur, st, now.Add(-c.o.Window))
	} else {
		p.stats = merge(&Stats{}, st, now.Add(-c.o.Window))
	}
}

// reason says shortly why a fetch failed (the URL is the node's name).
func reason(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer within " + timeout.String()
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// merge returns next, a document of the same instance as prev, with
// prev's history and requests before its own new ones (those numbered
// after prev.Seq), trimmed to the intervals that ended after since and
// the last RecentPerNode requests. A next older than prev (an overlapping
// poll that finished late) changes nothing. Neither argument is changed.
func merge(prev, next *Stats, since time.Time) *Stats {
	if next.Seq < prev.Seq {
		return prev
	}
	out := *next
	hist := make([]Interval, 0, len(prev.History)+len(next.History))
	for _, iv := range prev.History {
		if iv.End().After(since) {
			hist = append(hist, iv)
		}
	}
	for _, iv := range next.History {
		if iv.Seq > prev.Seq && iv.End().After(since) && (len(hist) == 0 || iv.Seq > hist[len(hist)-1].Seq) {
			hist = append(hist, iv)
		}
	}
	out.History = hist
	reqs := slices.Clip(prev.RecentRequests)
	for _, r := range next.RecentRequests {
		if r.Seq > prev.Seq {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) > RecentPerNode {
		reqs = reqs[len(reqs)-RecentPerNode:]
	}
	out.RecentRequests = slices.Clip(reqs)
	return &out
}

func (c *Cluster) fetch(ctx context.Context, p *peer, after int64) (*Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	u := p.url + "/v1/stats"
	if after > 0 {
		u += "?after=" + strconv.FormatInt(after, 10)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.o.Token)
	}
	resp, err := c.o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("/v1/stats answered %s", resp.Status)
	}
	var st Stats
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatsBytes)).Decode(&st); err != nil {
		return nil, fmt.Errorf("/v1/stats: %w", err)
	}
	if st.Instance == "" || st.Started.IsZero() {
		return nil, errors.New("/v1/stats: not a scalebox stats document (no instance or start time)")
	}
	return &st, nil
}

// NodeState is what the cluster knows of a node at a moment.
type NodeState struct {
	// Name is how the node is shown: its peer address, or for this node
	// its listen address (the host name when it listens on every
	// interface).
	Name string
	// Self marks this node.
	Self bool
	// Status is one of StatusUp, StatusWarming, StatusDraining,
	// StatusLate, StatusDown.
	Status string
	// Stats is the node's last document, with the history and requests
	// gathered (nil when it never answered).
	Stats *Stats
	// LastSeen is when it last answered (zero: never); DownSince when it
	// first failed to since.
	LastSeen, DownSince time.Time
	// Error is why the last poll failed.
	Error string
}

// Answering reports whether the node's numbers are current: it answered
// its last poll.
func (n *NodeState) Answering() bool {
	return n.Stats != nil && n.Status != StatusDown && n.Status != StatusLate && n.Status != StatusUnknown
}

// Nodes returns the state of every node at now: this node (asked now) and
// the peers as last polled, in the order of the peers with this node
// first unless a peer is this node.
func (c *Cluster) Nodes(now time.Time) []NodeState {
	self := c.o.Self()
	selfState := NodeState{Name: selfName(self), Self: true, Stats: self, LastSeen: now, Status: statusOf(self)}
	stale := max(3*c.o.Poll, 10*time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []NodeState
	placed := false
	for _, p := range c.peers {
		if p.self {
			if !placed {
				selfState.Name = p.name
				out = append(out, selfState)
				placed = true
			}
			continue
		}
		n := NodeState{Name: p.name, Stats: p.stats, LastSeen: p.lastSeen, Error: p.err}
		switch {
		case p.err == "" && p.stats != nil:
			n.Status = statusOf(p.stats)
		case p.err == "":
			n.Status = StatusUnknown
		case p.stats == nil || p.refused || now.Sub(p.lastSeen) > stale:
			n.Status, n.DownSince = StatusDown, p.failSince
		default:
			n.Status, n.DownSince = StatusLate, p.failSince
		}
		out = append(out, n)
	}
	if !placed {
		out = append([]NodeState{selfState}, out...)
	}
	return out
}

func statusOf(s *Stats) string {
	switch s.Now.Status {
	case "warming":
		return StatusWarming
	case "draining":
		return StatusDraining
	}
	return StatusUp
}

// selfName is this node's listen address, with the host name for an
// address that listens on every interface.
func selfName(s *Stats) string {
	host, port, err := net.SplitHostPort(s.Listen)
	if err != nil {
		if s.Hostname != "" {
			return s.Hostname
		}
		return "this node"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = s.Hostname
	}
	return net.JoinHostPort(host, port)
}
