// Package server is scalebox's HTTP service for RL training and remote
// evaluation: a drop-in for SandboxFusion's /run_code and ScaleBox's
// /common_evaluate(_batch), and a native /v1/evaluate that judges samples
// against the benchmarks loaded at start or against inline tests. It adds
// transport only: every request becomes a submission to one eval.Engine,
// which schedules the tests of all requests through one bounded pool.
//
// Operations: /healthz, /readyz, /metrics (Prometheus text), /v1/stats
// (the same numbers as JSON, with a short history), /dashboard (a live
// page of this node and its peers, package dashboard), request logs with
// ids, a bounded queue that answers 503 at once when full, body limits,
// bearer-token authentication, and a graceful drain on shutdown.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/runner"
	"github.com/scalebox-dev/scalebox/server/dashboard"
)

// Config configures a Server.
type Config struct {
	Engine   *eval.Engine
	Resolver *runner.Resolver
	// Benchmarks are loaded at start; /v1/evaluate judges samples against
	// their problems by name (benchmarks.Config.Name).
	Benchmarks []*benchmarks.Benchmark
	// Limits are the defaults of inline tests (a request may change the
	// time and memory limits).
	Limits Limits
	// MaxQueuedTests bounds the tests admitted and not finished, over all
	// requests; a request that would exceed it is refused with 503 at once
	// (unless nothing is admitted: a request larger than the bound still
	// runs alone). Zero means 256 per job, at least 1024.
	MaxQueuedTests int
	// MaxBodyBytes bounds a request's body (413 beyond); zero means 64 MiB.
	MaxBodyBytes int64
	// Token, when set, is the bearer token every request but /healthz and
	// /readyz must carry (Authorization: Bearer, or ?token= for clients
	// that can only be given a URL).
	Token  string
	Logger *slog.Logger
	// Version and Commit are reported by /metrics and /v1/stats.
	Version, Commit string
	// HistoryInterval and HistoryLength shape /v1/stats's history (zero:
	// 5 s and 180 intervals, 15 minutes); RecentRequests is how many
	// requests it lists (zero: 100).
	HistoryInterval time.Duration
	HistoryLength   int
	RecentRequests  int
	// Peers are the base URLs of the other nodes of a cluster, whose
	// /v1/stats the dashboard gathers (server side: the browser talks to
	// this node alone); PeerTimeout bounds one fetch (zero: 2 s). A list
	// that names this node too is fine: it is recognised and shown once.
	Peers       []string
	PeerTimeout time.Duration
	// BlobStoreBytes bounds the blobs (sources, test inputs) kept for
	// remote clients; the least recently used go first. Zero means 1 GiB.
	BlobStoreBytes int64
	// Warm lists languages (scalebox ids) whose toolchain is prepared
	// (a precompiled header, a class-data archive) when Serve starts, one
	// after the other, so that the first requests in them do not wait for
	// it; /readyz answers 503 until it is done.
	Warm []string
}

// Limits bound each test of inline problems.
type Limits struct {
	// CPUTime is used when a request names no run timeout.
	CPUTime time.Duration
	// MemoryBytes is used when a request names no memory limit.
	MemoryBytes   int64
	OutputBytes   int64
	FileSizeBytes int64
	Processes     int
	TmpfsBytes    int64
}

// DefaultLimits are the limits of inline tests unless configured.
var DefaultLimits = Limits{
	CPUTime:       10 * time.Second,
	MemoryBytes:   1 << 30,
	OutputBytes:   16 << 20,
	FileSizeBytes: 16 << 20,
	Processes:     64,
	TmpfsBytes:    64 << 20,
}

// Server serves the APIs. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	langs   *languages
	benches map[string]*benchmarks.Benchmark
	metrics *metrics
	stats   *stats
	mux     *http.ServeMux
	started time.Time
	// instance identifies this process in /v1/stats (a peer list that
	// names this node is recognised by it).
	instance string
	listen   atomic.Pointer[string]
	cluster  *dashboard.Cluster
	blobs    *blobStore
	// routeList holds the API's routes but the catch-alls, as routes
	// registers them (docs/openapi.yaml must list each).
	routeList []string

	warming  atomic.Int64 // languages left to warm
	admitted atomic.Int64 // tests admitted and not finished
	inflight atomic.Int64 // requests being handled
	draining atomic.Bool
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Resolver == nil {
		return nil, errors.New("server: engine and resolver are required")
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.MaxQueuedTests <= 0 {
		cfg.MaxQueuedTests = max(256*cfg.Engine.Jobs(), 1024)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HistoryInterval <= 0 {
		cfg.HistoryInterval = 5 * time.Second
	}
	if cfg.HistoryLength <= 0 {
		cfg.HistoryLength = 180
	}
	if cfg.RecentRequests <= 0 {
		cfg.RecentRequests = 100
	}
	if cfg.BlobStoreBytes <= 0 {
		cfg.BlobStoreBytes = 1 << 30
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, langs: newLanguages(cfg.Resolver),
		benches: map[string]*benchmarks.Benchmark{}, started: time.Now(), instance: randomID(),
	}
	for _, b := range cfg.Benchmarks {
		if _, dup := s.benches[b.Config.Name]; dup {
			return nil, fmt.Errorf("server: benchmark %s loaded twice", b.Config.Name)
		}
		s.benches[b.Config.Name] = b
	}
	s.blobs = newBlobStore(cfg.BlobStoreBytes)
	s.metrics = newMetrics(cfg.Version, cfg.Commit)
	s.stats = newStats(cfg.HistoryInterval, cfg.HistoryLength, cfg.RecentRequests)
	cluster, err := dashboard.NewCluster(dashboard.Options{
		Self: func() *dashboard.Stats { return s.Stats(0) }, Peers: cfg.Peers, Token: cfg.Token,
		Timeout: cfg.PeerTimeout, Window: s.historyWindow(), Logger: cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.cluster = cluster
	s.warming.Store(int64(len(cfg.Warm)))
	s.routes()
	return s, nil
}

// warm prepares the toolchains of cfg.Warm by building each language's
// hello program (which runs its prepare step once), one at a time.
func (s *Server) warm(ctx context.Context) {
	for _, id := range s.cfg.Warm {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		tc, err := s.cfg.Resolver.Toolchain(id)
		if err == nil {
			var br *runner.BuildResult
			br, err = s.cfg.Engine.Builder().Build(ctx, tc, map[string][]byte{tc.Lang.Source: []byte(tc.Lang.Hello)})
			if err == nil && br.Program == nil {
				err = errors.New(br.Message)
			}
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("could not prepare a toolchain", "language", id, "err", err)
		} else {
			s.log.Info("toolchain prepared", "language", id, "seconds", time.Since(start).Seconds())
		}
		s.warming.Add(-1)
	}
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Serve answers requests on ln until ctx is cancelled, then drains: it
// stops accepting connections and new requests (503), lets the requests
// in flight finish for up to drain, cancels what is left, and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	s.listen.Store(&addr)
	tick := time.NewTicker(s.cfg.HistoryInterval)
	defer tick.Stop()
	stopTicks := make(chan struct{})
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for {
			select {
			case <-stopTicks:
				return
			case now := <-tick.C:
				s.stats.roll(now, s.snapshot())
			}
		}
	}()
	defer func() { close(stopTicks); <-tickDone }()

	// The peers are polled until the server has stopped.
	pctx, stopPolls := context.WithCancel(context.Background())
	pollsDone := make(chan struct{})
	go func() {
		defer close(pollsDone)
		s.cluster.Run(pctx)
	}()
	defer func() { stopPolls(); <-pollsDone }()

	wctx, stopWarm := context.WithCancel(ctx)
	warmDone := make(chan struct{})
	go func() {
		defer close(warmDone)
		s.warm(wctx)
	}()
	defer func() { stopWarm(); <-warmDone }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("draining", "requests_inflight", s.inflight.Load(), "deadline", drain.String())
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(dctx); err != nil {
		s.log.Warn("drain deadline passed; cancelling the requests left", "requests_inflight", s.inflight.Load())
		srv.Close()
	}
	<-errc
	s.log.Info("stopped")
	return nil
}

// Draining reports whether the server stopped taking requests.
func (s *Server) Draining() bool { return s.draining.Load() }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	handle := func(pattern, endpoint string, evaluates bool, h func(w http.ResponseWriter, r *http.Request, rc *reqCtx)) {
		s.mux.Handle(pattern, s.wrap(endpoint, evaluates, h))
		if strings.Contains(pattern, " /") && !strings.HasSuffix(pattern, "{$}") {
			s.routeList = append(s.routeList, pattern)
		}
	}
	// SandboxFusion.
	handle("POST /run_code", "run_code", true, s.handleRunCode)
	handle("GET /v1/ping", "ping", false, func(w http.ResponseWriter, _ *http.Request, _ *reqCtx) { writeJSON(w, http.StatusOK, "pong") })
	// ScaleBox.
	handle("POST /common_evaluate_batch", "common_evaluate_batch", true, s.handleCommonEvaluateBatch)
	handle("POST /common_evaluate", "common_evaluate", true, s.handleCommonEvaluate)
	// Native.
	handle("POST /v1/evaluate", "evaluate", true, s.handleEvaluate)
	// Remote execution (scalebox eval --remote).
	handle("PUT /v1/blobs/{sha256}", "blob_put", false, s.handlePutBlob)
	handle("HEAD /v1/blobs/{sha256}", "blob_head", false, s.handleHeadBlob)
	handle("POST /v1/exec/build", "exec_build", true, s.handleExecBuild)
	handle("POST /v1/exec/run", "exec_run", true, s.handleExecRun)
	handle("GET /v1/benchmarks", "benchmarks", false, s.handleBenchmarks)
	handle("GET /v1/languages", "languages", false, s.handleLanguages)
	// Operations.
	handle("GET /healthz", "healthz", false, func(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	handle("GET /readyz", "readyz", false, s.handleReady)
	handle("GET /metrics", "metrics", false, s.handleMetrics)
	handle("GET /v1/stats", "stats", false, s.handleStats)
	handle("GET /dashboard", "dashboard", false, s.handleDashboard)
	handle("GET /dashboard/data", "dashboard_data", false, s.handleDashboardData)
	handle("GET /dashboard/{$}", "dashboard", false, func(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
		// Relative, so that it holds behind a proxy that adds a path.
		target := "../dashboard"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusMovedPermanently)
	})
	handle("GET /{$}", "root", false, func(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>scalebox</title><p>scalebox serve: see <a href=\"dashboard\">the dashboard</a>, /v1/stats, /metrics and docs/api.md.</p>\n")
	})
	handle("/", "other", false, func(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
		writeError(w, &apiError{Status: http.StatusNotFound, Msg: fmt.Sprintf("no endpoint %s %s (see docs/api.md)", r.Method, r.URL.Path)})
	})
}

// quiet are the endpoints left out of /v1/stats's recent requests: probes
// and monitoring, which would crowd out the requests that matter.
var quiet = map[string]bool{"blob_put": true, "blob_head": true, "exec_build": true, "exec_run": true, "metrics": true, "healthz": true, "readyz": true, "stats": true, "dashboard": true, "dashboard_data": true}

// reqCtx is what a request's log line and stats record say about it.
type reqCtx struct {
	id       string
	endpoint string
	language string
	tests    int
	verdicts map[string]int
	note     string
}

func (rc *reqCtx) verdict(v string) {
	if rc.verdicts == nil {
		rc.verdicts = map[string]int{}
	}
	rc.verdicts[v]++
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets NDJSON streams reach the client line by line.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// wrap adds what every endpoint shares: a request id, authentication,
// refusal while draining, the body limit, the log line and the metrics.
func (s *Server) wrap(endpoint string, evaluates bool, h func(http.ResponseWriter, *http.Request, *reqCtx)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rc := &reqCtx{id: requestID(r), endpoint: endpoint}
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", rc.id)
		s.inflight.Add(1)
		defer func() {
			s.inflight.Add(-1)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			if r.Context().Err() != nil && evaluates {
				// The client went away (nginx's 499): its tests were cancelled.
				status = 499
			}
			dur := time.Since(start)
			s.metrics.request(endpoint, status, dur)
			if !quiet[endpoint] {
				s.stats.request(dashboard.Request{ID: rc.id, Time: start.UTC(), Endpoint: endpoint, Language: rc.language, Tests: rc.tests,
					Verdicts: rc.verdicts, Status: status, DurationSeconds: dur.Seconds()}, evaluates)
			}
			attrs := []any{"id", rc.id, "method", r.Method, "path", r.URL.Path, "endpoint", endpoint, "status", status,
				"duration_ms", float64(dur.Microseconds()) / 1000, "remote", r.RemoteAddr}
			if rc.language != "" {
				attrs = append(attrs, "language", rc.language)
			}
			if rc.tests > 0 {
				attrs = append(attrs, "tests", rc.tests)
			}
			if len(rc.verdicts) > 0 {
				attrs = append(attrs, "verdicts", rc.verdicts)
			}
			if rc.note != "" {
				attrs = append(attrs, "note", rc.note)
			}
			level := slog.LevelInfo
			if !evaluates {
				level = slog.LevelDebug
			}
			s.log.Log(context.Background(), level, "request", attrs...)
		}()
		if s.cfg.Token != "" && endpoint != "healthz" && endpoint != "readyz" && !s.authorized(r) {
			sw.Header().Set("WWW-Authenticate", `Bearer realm="scalebox"`)
			writeError(sw, &apiError{Status: http.StatusUnauthorized, Msg: "a bearer token is required (Authorization: Bearer <token>, or ?token=<token>)"})
			return
		}
		if evaluates && s.draining.Load() {
			sw.Header().Set("Retry-After", "1")
			s.metrics.rejected("draining")
			writeError(sw, &apiError{Status: http.StatusServiceUnavailable, Msg: "the server is shutting down; send the request to another"})
			return
		}
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		h(sw, r, rc)
	})
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	got := ""
	if a := r.Header.Get("Authorization"); a != "" {
		if t, ok := strings.CutPrefix(a, "Bearer "); ok {
			got = strings.TrimSpace(t)
		}
	} else {
		got = r.URL.Query().Get("token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) == 1
}

// requestID is the client's X-Request-Id when it is a sane token, else a
// fresh random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && strings.IndexFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':')
	}) < 0 {
		return id
	}
	return randomID()
}

// randomID is 16 random hex digits.
func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// apiError is an error answered to the client.
type apiError struct {
	Status int
	// Field names the request field at fault (dotted path), if any.
	Field string
	Msg   string
	// RetryAfter, when positive, is sent as Retry-After (seconds).
	RetryAfter int
}

func (e *apiError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("field %s: %s", e.Field, e.Msg)
	}
	return e.Msg
}

func badField(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	body := map[string]any{"error": e.Error()}
	if e.Field != "" {
		body["field"] = e.Field
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads the request's body into dst. Unknown fields are an
// error when strict (the native API), ignored otherwise (the SandboxFusion
// and ScaleBox APIs, whose clients send fields scalebox has no use for).
func decodeJSON(r *http.Request, dst any, strict bool) *apiError {
	dec := json.NewDecoder(r.Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(dst)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return &apiError{Status: http.StatusBadRequest, Msg: "malformed JSON: text after the request's JSON value"}
		}
		return nil
	}
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("the request body is over %d bytes", mbe.Limit)}
	case errors.As(err, &se):
		return &apiError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, err)}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(the request)"
		}
		return badField(field, "expected %s, got JSON %s", jsonType(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.EOF):
		return &apiError{Status: http.StatusBadRequest, Msg: "the request body is empty; it must be a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &apiError{Status: http.StatusBadRequest, Msg: "malformed JSON: the body ends inside a value"}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badField(strings.Trim(f, `"`), "unknown field (see docs/api.md)")
	}
	return &apiError{Status: http.StatusBadRequest, Msg: "malformed request: " + err.Error()}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "float64", "float32", "int", "int64", "int32", "uint", "uint64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return kind
}

// admit reserves n tests of the queue, or says when to come back.
func (s *Server) admit(n int) (release func(k int), err *apiError) {
	limit := int64(s.cfg.MaxQueuedTests)
	for {
		cur := s.admitted.Load()
		if cur > 0 && cur+int64(n) > limit {
			s.metrics.rejected("queue_full")
			return nil, &apiError{Status: http.StatusServiceUnavailable, RetryAfter: s.retryAfter(cur),
				Msg: fmt.Sprintf("the queue is full (%d tests admitted, at most %d): retry later or elsewhere", cur, limit)}
		}
		if s.admitted.CompareAndSwap(cur, cur+int64(n)) {
			break
		}
	}
	left := int64(n)
	return func(k int) {
		k64 := min(int64(k), left)
		if k64 > 0 {
			left -= k64
			s.admitted.Add(-k64)
		}
	}, nil
}

// retryAfter estimates, in whole seconds (1 to 60), how long the queued
// tests take at the recent throughput.
func (s *Server) retryAfter(queued int64) int {
	rate := s.stats.recentTestRate()
	if rate <= 0 {
		return 5
	}
	return int(math.Min(60, math.Max(1, math.Ceil(float64(queued)/rate))))
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	if n := s.warming.Load(); n > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "warming", "languages_left": n})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "jobs": s.cfg.Engine.Jobs(), "languages": s.langs.known})
}

func (s *Server) handleBenchmarks(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
	type info struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Problems int    `json:"problems"`
		Language string `json:"language"`
		SHA256   string `json:"data_sha256"`
	}
	out := []info{}
	for _, b := range s.cfg.Benchmarks {
		out = append(out, info{b.Config.Name, b.Config.Version, len(b.Problems), b.Config.Language, b.SHA256})
	}
	writeJSON(w, http.StatusOK, map[string]any{"benchmarks": out})
}

func (s *Server) handleLanguages(w http.ResponseWriter, _ *http.Request, _ *reqCtx) {
	writeJSON(w, http.StatusOK, map[string]any{"languages": s.langs.known, "unavailable": s.langs.missing})
}
