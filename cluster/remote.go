package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

// RemoteOptions configure a Remote.
type RemoteOptions struct {
	// URLs are the nodes' base URLs (http://HOST:PORT), or one nginx in
	// front of them.
	URLs []string
	// Token is the bearer token the nodes want, if any.
	Token string
	// InFlight is how many requests each URL holds at once; zero means
	// twice the jobs its /readyz announces (a node keeps working while
	// answers travel).
	InFlight int
	// MaxSystemErrors is how many system errors in a row take a node out
	// of rotation for the rest of the run; zero means 3.
	MaxSystemErrors int
	// DownWait is how long a test waits for some node to take it when
	// none does (all down or refusing) before it fails as a system error;
	// zero means 2 minutes.
	DownWait time.Duration
	// StallTimeout is how long a request may take beyond what its work
	// may take (the wall caps of its run, of one run queued before it and
	// of a build) before its node is deemed stalled: the test moves to
	// another node and the node is left out until it answers /readyz
	// again. Zero means 2 minutes.
	StallTimeout time.Duration
	Client       *http.Client
	Logger       *slog.Logger
}

// Remote is an eval.Executor that sends builds and tests to serve nodes:
// each test to the node with the fewest requests in flight (for its
// size), each blob (a source, a test input) uploaded once per node and
// named by its sha256 afterwards, each program built once per node before
// its first test there. A node that cannot be reached or answers 503 is
// skipped until it answers again (its tests go elsewhere); one that gives
// system errors repeatedly, or runs a different toolchain, is taken out of
// rotation and named in the report. Safe for concurrent use.
type Remote struct {
	opts RemoteOptions
	log  *slog.Logger
	stop context.CancelFunc

	mu    sync.Mutex
	wake  chan struct{} // closed and replaced when a node may have room
	nodes []*remoteNode
	// ranOn counts tests by the node that ran them (as it names itself:
	// behind nginx, each URL is many nodes).
	ranOn    map[string]int
	builtOn  map[string]int
	upBlobs  int
	upBytes  int64
	distinct map[string]bool // every blob a request named
	retried  int
	inflight int
}

type remoteNode struct {
	url   string
	slots int
	// jobsKnown is set once the node's /readyz told its jobs; probing
	// is set while a probe for it runs.
	jobsKnown, probing bool
	// stalled is set when a request got no answer in time: the node
	// gets no work until its /readyz answers again.
	stalled  bool
	inflight int
	// downUntil: unreachable or refusing until then; backoff doubles.
	downUntil time.Time
	backoff   time.Duration
	out       string // why it was taken out of rotation, if it was
	seInARow  int
	tests     int
	errors    int
	refused   int
	sysErrors int

	known    map[string]bool           // blobs it holds
	building map[string]*buildCall     // builds before a first test, by key
	uploads  map[string]chan struct{}  // uploads in progress, by key
	built    map[string]*runner.Status // programs built there, by key
}

type buildCall struct {
	done chan struct{}
	err  error
}

// NewRemote checks that the nodes answer /readyz and learns their jobs.
// It fails when none is ready.
func NewRemote(ctx context.Context, o RemoteOptions) (*Remote, error) {
	if len(o.URLs) == 0 {
		return nil, errors.New("remote: no node URL")
	}
	if o.MaxSystemErrors <= 0 {
		o.MaxSystemErrors = 3
	}
	if o.DownWait <= 0 {
		o.DownWait = 2 * time.Minute
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 2 * time.Minute
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Remote{opts: o, log: o.Logger, wake: make(chan struct{}), ranOn: map[string]int{}, builtOn: map[string]int{}, distinct: map[string]bool{}}
	// Nodes starting with the client get a while to come up.
	for deadline := time.Now().Add(30 * time.Second); ; {
		ok := false
		for _, u := range o.URLs {
			if _, err := r.ready(ctx, baseURL(u)); err == nil {
				ok = true
				break
			}
		}
		if ok || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	var problems []string
	for _, u := range o.URLs {
		u = baseURL(u)
		n := &remoteNode{url: u, known: map[string]bool{}, building: map[string]*buildCall{}, uploads: map[string]chan struct{}{}, built: map[string]*runner.Status{}}
		jobs, err := r.ready(ctx, u)
		if err != nil {
			problems = append(problems, err.Error())
			n.downUntil = time.Now().Add(time.Second)
			n.backoff = time.Second
			jobs = 1
		}
		n.jobsKnown = err == nil
		n.slots = o.InFlight
		if n.slots <= 0 {
			n.slots = 2 * jobs
		}
		r.nodes = append(r.nodes, n)
	}
	if len(problems) == len(r.nodes) {
		return nil, fmt.Errorf("remote: no node is ready: %s", strings.Join(problems, "; "))
	}
	// A node not ready yet is taken to be like the largest ready one
	// until it says (the client's parallelism is set now).
	most := 0
	for _, n := range r.nodes {
		if n.jobsKnown {
			most = max(most, n.slots)
		}
	}
	for _, n := range r.nodes {
		if !n.jobsKnown {
			n.slots = most
		}
	}
	for _, p := range problems {
		r.log.Warn("a node is not ready; it is tried again later", "problem", p)
	}
	tctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go r.ticker(tctx)
	return r, nil
}

// Close stops the Remote's background work.
func (r *Remote) Close() { r.stop() }

// baseURL is a node's URL without a trailing slash, http:// when no
// scheme is given.
func baseURL(u string) string {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "http://" + u
	}
	return u
}

// ticker wakes waiting tests while nodes are down, so that they notice
// when a node's time out ends.
func (r *Remote) ticker(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.mu.Lock()
			r.wakeLocked()
			for _, n := range r.nodes {
				if (!n.jobsKnown || n.stalled) && !n.probing && n.out == "" {
					n.probing = true
					go r.learnJobs(ctx, n)
				}
			}
			r.mu.Unlock()
		}
	}
}

// learnJobs asks a node that was not ready at the start for its jobs,
// which size its share once it is, and a stalled node whether it answers
// again.
func (r *Remote) learnJobs(ctx context.Context, n *remoteNode) {
	jobs, err := r.ready(ctx, n.url)
	r.mu.Lock()
	defer r.mu.Unlock()
	n.probing = false
	if err != nil {
		return
	}
	if n.stalled {
		r.log.Info("remote: node answers again", "url", n.url)
	}
	n.jobsKnown, n.stalled = true, false
	if r.opts.InFlight <= 0 {
		n.slots = 2 * jobs
	}
	r.wakeLocked()
}

func (r *Remote) wakeLocked() {
	close(r.wake)
	r.wake = make(chan struct{})
}

// ready asks a node's /readyz for its jobs.
func (r *Remote) ready(ctx context.Context, u string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", u+"/readyz", nil)
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", u, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Jobs   int    `json:"jobs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		return 0, fmt.Errorf("%s/readyz: %s %s", u, resp.Status, body.Status)
	}
	return max(body.Jobs, 1), nil
}

// Slots is how many requests the nodes hold at once, in all: the
// parallelism an engine should give this executor.
func (r *Remote) Slots() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.nodes {
		n += x.slots
	}
	return n
}

// acquire picks the node with the most room, waiting while none has any.
func (r *Remote) acquire(ctx context.Context, avoid *remoteNode) (*remoteNode, error) {
	deadline := time.Now().Add(r.opts.DownWait)
	for {
		r.mu.Lock()
		now := time.Now()
		var best *remoteNode
		alive := 0
		for _, n := range r.nodes {
			if n.out != "" {
				continue
			}
			alive++
			if now.Before(n.downUntil) || n.stalled || n.inflight >= n.slots {
				continue
			}
			if n == avoid && len(r.nodes) > 1 {
				continue
			}
			if best == nil || n.inflight*best.slots < best.inflight*n.slots {
				best = n
			}
		}
		if best != nil {
			best.inflight++
			r.inflight++
			r.mu.Unlock()
			return best, nil
		}
		if alive == 0 {
			reasons := []string{}
			for _, n := range r.nodes {
				reasons = append(reasons, n.url+": "+n.out)
			}
			r.mu.Unlock()
			return nil, fmt.Errorf("remote: every node is out of rotation (%s)", strings.Join(reasons, "; "))
		}
		wake := r.wake
		onlyAvoided := avoid != nil && alive == 1 && avoid.out == ""
		r.mu.Unlock()
		if onlyAvoided {
			avoid = nil // no other node is in rotation: the same one will do
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("remote: no node took the test within %v (all down, refusing or full)", r.opts.DownWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

// others reports whether a node other than n is in rotation.
func (r *Remote) others(n *remoteNode) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.nodes {
		if x != n && x.out == "" {
			return true
		}
	}
	return false
}

func (r *Remote) release(n *remoteNode) {
	r.mu.Lock()
	n.inflight--
	r.inflight--
	r.wakeLocked()
	r.mu.Unlock()
}

// down leaves a node out for a while (doubling, up to 30 s).
func (r *Remote) down(n *remoteNode, atLeast time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n.backoff = min(max(2*n.backoff, 250*time.Millisecond, atLeast), 30*time.Second)
	n.downUntil = time.Now().Add(n.backoff)
}

// busy leaves out a node that refused work (503: its queue is full, or it
// drains) for its Retry-After, without backing off further: it answered,
// and it may have room a moment later.
func (r *Remote) busy(n *remoteNode, retry time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n.downUntil = time.Now().Add(min(max(retry, 250*time.Millisecond), 5*time.Second))
}

func (r *Remote) up(n *remoteNode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n.backoff = 0
	n.seInARow = 0
}

func (r *Remote) takeOut(n *remoteNode, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n.out == "" {
		n.out = why
		r.log.Warn("node taken out of rotation", "node", n.url, "reason", why)
	}
	r.wakeLocked()
}

// attemptError is how one request to a node failed.
type attemptError struct {
	kind   string // "unreachable", "stalled", "refused", "missing", "system", "node", "client", "shared"
	msg    string
	retry  time.Duration
	blobs  []string
	status int
}

func (e *attemptError) Error() string { return e.msg }

// wireBuild is a BuildJob as the nodes read it, with its blobs.
type wireBuild struct {
	build map[string]any
	blobs map[string][]byte // sha256 → content
	files []string
	// watch reads a run's stdout as it streams (nil: not streamed).
	watch func([]byte) bool
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func toWire(b eval.BuildJob) wireBuild {
	w := wireBuild{blobs: map[string][]byte{}}
	files := map[string]string{}
	for name, data := range b.Plan.Files {
		k := hashOf(data)
		files[name] = k
		w.blobs[k] = data
		w.files = append(w.files, k)
	}
	w.build = map[string]any{
		"language": b.Toolchain.Lang.ID, "version": b.Toolchain.Version, "stage": b.Plan.Stage,
		"compile": b.Plan.Compile, "env": b.Plan.Env, "files": files, "argv": b.Plan.Argv,
	}
	return w
}

// execOut is a node's answer to an exec request.
type execOut struct {
	Node  string `json:"node"`
	Build struct {
		OK      bool          `json:"ok"`
		Message string        `json:"message"`
		Cached  bool          `json:"cached"`
		Status  runner.Status `json:"status"`
		Usage   runner.Usage  `json:"usage"`
	} `json:"build"`
	Result *runner.Result `json:"result"`
}

// Build implements eval.Executor: the program is built on one node, whose
// compile result decides the sample (a compile error is the same on every
// node running the same toolchain).
func (r *Remote) Build(ctx context.Context, b eval.BuildJob) (*runner.BuildResult, string, error) {
	w := toWire(b)
	out, err := r.do(ctx, "/v1/exec/build", w, map[string]any{"build": w.build}, nil)
	if err != nil {
		return nil, "", err
	}
	br := &runner.BuildResult{Message: out.Build.Message, Status: out.Build.Status, Usage: out.Build.Usage, Cached: out.Build.Cached}
	if out.Build.OK {
		br.Program = &runner.Program{Toolchain: b.Toolchain, Key: b.Key}
	}
	r.mu.Lock()
	r.builtOn[out.Node]++
	r.mu.Unlock()
	return br, out.Node, nil
}

// Run implements eval.Executor.
func (r *Remote) Run(ctx context.Context, j eval.RunJob) (*runner.Result, string, error) {
	w := toWire(j.Build)
	stdin := hashOf(j.Stdin)
	w.blobs[stdin] = j.Stdin
	lim := j.Limits
	body := map[string]any{"build": w.build, "stdin": stdin, "limits": &lim}
	if j.Watch != nil {
		body["stream"] = true
		w.watch = j.Watch
	}
	out, err := r.do(ctx, "/v1/exec/run", w, body, &j.Build)
	if err != nil {
		return nil, "", err
	}
	if out.Result == nil {
		// Built on one node, not on this one: its toolchain differs.
		return nil, "", fmt.Errorf("node %s could not build a program another node built: %s", out.Node, out.Build.Message)
	}
	r.mu.Lock()
	r.ranOn[out.Node]++
	r.mu.Unlock()
	return out.Result, out.Node, nil
}

// do sends one exec request, moving to another node as long as the
// failure is the node's (unreachable, refusing, out of rotation).
func (r *Remote) do(ctx context.Context, path string, w wireBuild, body map[string]any, prebuild *eval.BuildJob) (*execOut, error) {
	var last error
	var avoid *remoteNode
	movedAfterSE := false
	for attempt := 0; attempt < 4*len(r.nodes)+8; attempt++ {
		n, err := r.acquire(ctx, avoid)
		if err != nil {
			if last != nil && ctx.Err() == nil {
				return nil, fmt.Errorf("%w (last: %v)", err, last)
			}
			return nil, err
		}
		out, err := r.attempt(ctx, n, path, w, body, prebuild)
		r.release(n)
		if err == nil {
			r.up(n)
			r.mu.Lock()
			n.tests++
			r.mu.Unlock()
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		last = err
		var ae *attemptError
		if !errors.As(err, &ae) {
			return nil, err
		}
		r.mu.Lock()
		r.retried++
		r.mu.Unlock()
		switch ae.kind {
		case "stalled":
			r.mu.Lock()
			n.errors++
			n.stalled = true
			r.mu.Unlock()
			r.log.Warn("remote: node stalled; its test moves elsewhere", "url", n.url, "error", ae.msg)
			avoid = n
		case "unreachable":
			r.mu.Lock()
			n.errors++
			r.mu.Unlock()
			r.down(n, 0)
			avoid = n
		case "refused":
			r.mu.Lock()
			n.refused++
			r.mu.Unlock()
			r.busy(n, ae.retry)
			avoid = n
		case "missing":
			// Evicted, or (behind nginx) uploaded to another node: send
			// them inline next time.
			r.mu.Lock()
			for _, k := range ae.blobs {
				delete(n.known, k)
			}
			r.mu.Unlock()
			inline := map[string][]byte{}
			if old, ok := body["blobs"].(map[string][]byte); ok {
				maps.Copy(inline, old)
			}
			grew := false
			for _, k := range ae.blobs {
				if data, ok := w.blobs[k]; ok && inline[k] == nil {
					inline[k], grew = data, true
				}
			}
			if !grew {
				// The node lacks what it was just given: send them all.
				maps.Copy(inline, w.blobs)
			}
			body = maps.Clone(body)
			body["blobs"] = inline
		case "node":
			r.takeOut(n, ae.msg)
			avoid = n
		case "shared":
			avoid = n
		case "system":
			r.mu.Lock()
			n.sysErrors++
			n.seInARow++
			many := n.seInARow >= r.opts.MaxSystemErrors
			r.mu.Unlock()
			if many {
				r.takeOut(n, fmt.Sprintf("%d system errors in a row, the last: %s", r.opts.MaxSystemErrors, ae.msg))
			}
			if !movedAfterSE && r.others(n) {
				// Maybe the node's fault: once, on another node.
				movedAfterSE, avoid = true, n
				continue
			}
			// The engine retries it (and counts it), as a local run does.
			return nil, err
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("remote: gave up after repeated failures: %v", last)
}

// requestTimeout is how long a request to a node may take: the stall
// timeout over the wall caps of what the node may do for it (a build; a
// run and one queued before it). A run without any cap has no deadline
// but the caller's.
func (r *Remote) requestTimeout(path string, body map[string]any) time.Duration {
	work := time.Duration(0)
	if path == "/v1/exec/build" {
		work = runner.DefaultCompileLimits.WallTime
	}
	if lim, ok := body["limits"].(*runner.Limits); ok {
		wall := lim.WallTime
		if wall <= 0 && lim.CPUTime > 0 {
			wall = 3*lim.CPUTime + 2*time.Second
		}
		if wall <= 0 {
			return 24 * time.Hour
		}
		work += 2 * wall
	}
	return work + r.opts.StallTimeout
}

// within runs f with a deadline d; a node that let it pass is stalled.
func within(ctx context.Context, n *remoteNode, what string, d time.Duration, f func(context.Context) error) error {
	sctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := f(sctx)
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		return &attemptError{kind: "stalled", msg: fmt.Sprintf("%s%s: no answer within %v", n.url, what, d)}
	}
	return err
}

// attempt sends the request to node n: first the blobs it lacks, and for
// a run the program's build (once per node), then the request.
func (r *Remote) attempt(ctx context.Context, n *remoteNode, path string, w wireBuild, body map[string]any, prebuild *eval.BuildJob) (*execOut, error) {
	r.mu.Lock()
	for k := range w.blobs {
		r.distinct[k] = true
	}
	r.mu.Unlock()
	if body["blobs"] == nil {
		keys := slices.Sorted(maps.Keys(w.blobs))
		for _, k := range keys {
			err := within(ctx, n, "/v1/blobs", r.opts.StallTimeout, func(ctx context.Context) error { return r.upload(ctx, n, k, w.blobs[k]) })
			if err != nil {
				return nil, err
			}
		}
	}
	if prebuild != nil {
		inline, _ := body["blobs"].(map[string][]byte)
		err := within(ctx, n, "/v1/exec/build", r.requestTimeout("/v1/exec/build", nil), func(ctx context.Context) error {
			return r.buildOn(ctx, n, w, *prebuild, inline)
		})
		if err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var resp []byte
	var streamed *execOut
	err = within(ctx, n, path, r.requestTimeout(path, body), func(ctx context.Context) (err error) {
		if w.watch != nil {
			streamed, err = r.stream(ctx, n.url+path, data, w.watch)
		} else {
			resp, err = r.send(ctx, "POST", n.url+path, data)
		}
		return err
	})
	if err != nil || streamed != nil {
		return streamed, err
	}
	var out execOut
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, &attemptError{kind: "unreachable", msg: fmt.Sprintf("%s%s: malformed answer: %v", n.url, path, err)}
	}
	return &out, nil
}

// buildOn builds a program on node n before its first test there, once:
// the tests that arrive meanwhile wait for it rather than each start the
// same compile.
func (r *Remote) buildOn(ctx context.Context, n *remoteNode, w wireBuild, b eval.BuildJob, inline map[string][]byte) error {
	var c *buildCall
	for c == nil {
		r.mu.Lock()
		if _, ok := n.built[b.Key]; ok {
			r.mu.Unlock()
			return nil
		}
		other, busy := n.building[b.Key]
		if !busy {
			c = &buildCall{done: make(chan struct{})}
			n.building[b.Key] = c
		}
		r.mu.Unlock()
		if !busy {
			break
		}
		select {
		case <-other.done:
			// Its test was cancelled (early stop): build it for this one.
			if other.err != nil && (errors.Is(other.err, context.Canceled) || errors.Is(other.err, context.DeadlineExceeded)) {
				continue
			}
			if other.err != nil {
				// Counted once, by the test that sent it; this one moves on.
				return &attemptError{kind: "shared", msg: other.err.Error()}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	req := map[string]any{"build": w.build}
	if len(inline) > 0 {
		req["blobs"] = inline
	}
	data, _ := json.Marshal(req)
	resp, err := r.send(ctx, "POST", n.url+"/v1/exec/build", data)
	if err == nil {
		var out execOut
		if err = json.Unmarshal(resp, &out); err == nil {
			r.mu.Lock()
			n.built[b.Key] = &out.Build.Status
			r.builtOn[out.Node]++
			r.mu.Unlock()
		}
	}
	r.mu.Lock()
	delete(n.building, b.Key)
	r.mu.Unlock()
	c.err = err
	close(c.done)
	return err
}

// upload puts one blob on node n unless it holds it.
func (r *Remote) upload(ctx context.Context, n *remoteNode, key string, data []byte) error {
	for {
		r.mu.Lock()
		if n.known[key] {
			r.mu.Unlock()
			return nil
		}
		wait, busy := n.uploads[key]
		if !busy {
			wait = make(chan struct{})
			n.uploads[key] = wait
		}
		r.mu.Unlock()
		if !busy {
			break
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	_, err := r.send(ctx, "PUT", n.url+"/v1/blobs/"+key, data)
	r.mu.Lock()
	if err == nil {
		n.known[key] = true
		r.upBlobs++
		r.upBytes += int64(len(data))
	}
	close(n.uploads[key])
	delete(n.uploads, key)
	r.mu.Unlock()
	return err
}

// stream makes a run request whose stdout comes as it is written: watch
// reads it, and when it asks to stop, the request is closed (the node
// kills the run) and the run is reported stopped, as a local sandbox
// reports a watched run it stopped.
func (r *Remote) stream(ctx context.Context, url string, body []byte, watch func([]byte) bool) (*execOut, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := r.do1(sctx, "POST", url, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, classify(resp, data, "POST", url)
	}
	node := resp.Header.Get("X-Scalebox-Node")
	dec := json.NewDecoder(resp.Body)
	var stdout []byte
	for {
		var line struct {
			Stdout      []byte `json:"stdout"`
			Error       string `json:"error"`
			SystemError bool   `json:"system_error"`
			execOut
		}
		if err := dec.Decode(&line); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &attemptError{kind: "unreachable", msg: fmt.Sprintf("POST %s: the answer broke off: %v", url, err)}
		}
		switch {
		case line.Stdout != nil:
			stdout = append(stdout, line.Stdout...)
			if watch(line.Stdout) {
				out := &execOut{Node: node, Result: &runner.Result{Status: runner.StatusStopped, Stdout: stdout, Note: "stopped by the judge"}}
				out.Build.OK = true
				return out, nil
			}
		case line.Error != "":
			kind := "client"
			if line.SystemError {
				kind = "system"
			}
			return nil, &attemptError{kind: kind, msg: fmt.Sprintf("POST %s: %s", url, line.Error), status: 500}
		default:
			out := line.execOut
			if out.Result != nil {
				out.Result.Stdout = stdout
			}
			return &out, nil
		}
	}
}

// do1 sends one JSON request with the token; a failure to get an answer
// is the node's (unreachable) unless ctx ended.
func (r *Remote) do1(ctx context.Context, method, url string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.opts.Token)
	}
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &attemptError{kind: "unreachable", msg: err.Error()}
	}
	return resp, nil
}

// send makes one HTTP request and sorts its failures.
func (r *Remote) send(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	resp, err := r.do1(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &attemptError{kind: "unreachable", msg: fmt.Sprintf("%s %s: %v", method, url, err)}
	}
	if resp.StatusCode/100 == 2 {
		return data, nil
	}
	return nil, classify(resp, data, method, url)
}

// classify sorts a failed answer: the node's fault (try another), a
// system error, blobs to upload, or the request's own fault.
func classify(resp *http.Response, data []byte, method, url string) error {
	var e struct {
		Error       string   `json:"error"`
		Missing     []string `json:"missing"`
		SystemError bool     `json:"system_error"`
	}
	json.Unmarshal(data, &e)
	msg := fmt.Sprintf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(e.Error))
	ae := &attemptError{msg: msg, status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout:
		ae.kind = "refused"
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			ae.retry = min(time.Duration(s)*time.Second, 5*time.Second)
		}
	case resp.StatusCode == http.StatusNotFound && len(e.Missing) > 0:
		ae.kind, ae.blobs = "missing", e.Missing
	case resp.StatusCode == http.StatusInternalServerError && e.SystemError:
		ae.kind = "system"
	case resp.StatusCode == http.StatusConflict || resp.StatusCode == http.StatusUnprocessableEntity ||
		resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
		// A different toolchain, a missing language, a wrong token, an
		// older scalebox: this node cannot serve this run.
		ae.kind = "node"
	default:
		ae.kind = "client"
	}
	return ae
}

// Report is what the report records of the nodes: which ran how many
// tests, which were skipped and why.
func (r *Remote) Report() *report.Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &report.Cluster{TestsByNode: maps.Clone(r.ranOn), BuildsByNode: maps.Clone(r.builtOn),
		BlobsUploaded: r.upBlobs, BytesUploaded: r.upBytes, DistinctBlobs: len(r.distinct), Retries: r.retried}
	for _, n := range r.nodes {
		c.URLs = append(c.URLs, report.ClusterURL{URL: n.url, Requests: n.tests, Unreachable: n.errors, Refused: n.refused,
			SystemErrors: n.sysErrors, OutOfRotation: n.out})
	}
	sort.Slice(c.URLs, func(i, j int) bool { return c.URLs[i].URL < c.URLs[j].URL })
	return c
}
