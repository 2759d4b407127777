package server

// The remote-execution API that `scalebox eval --remote` uses (package
// cluster): a content-addressed blob store for sources and test inputs,
// and build and run requests that name them by sha256. A node builds (its
// compile cache is keyed by content, so a program is compiled once per
// node) and runs one test, and returns the raw result: the client judges
// it with the benchmark's own judge, exactly as a local run does. Both go
// through the node's engine, in turn with its other requests.

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"

	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// blobStore keeps blobs by sha256, the least recently used dropped once
// they exceed a byte budget (a client that finds one missing uploads it
// again). Safe for concurrent use.
type blobStore struct {
	mu    sync.Mutex
	limit int64
	size  int64
	byKey map[string]*list.Element
	lru   list.List // of *blob, most recent first
}

type blob struct {
	key  string
	data []byte
}

func newBlobStore(limit int64) *blobStore {
	return &blobStore{limit: limit, byKey: map[string]*list.Element{}}
}

func (b *blobStore) get(key string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	el, ok := b.byKey[key]
	if !ok {
		return nil, false
	}
	b.lru.MoveToFront(el)
	return el.Value.(*blob).data, true
}

func (b *blobStore) put(key string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if el, ok := b.byKey[key]; ok {
		b.lru.MoveToFront(el)
		return
	}
	b.byKey[key] = b.lru.PushFront(&blob{key, data})
	b.size += int64(len(data))
	for b.size > b.limit && b.lru.Len() > 1 {
		old := b.lru.Remove(b.lru.Back()).(*blob)
		delete(b.byKey, old.key)
		b.size -= int64(len(old.data))
	}
}

func (b *blobStore) stats() (n int, bytes int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lru.Len(), b.size
}

func validKey(k string) bool {
	if len(k) != 64 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil
}

// handlePutBlob stores the body under its sha256, which the path names.
func (s *Server) handlePutBlob(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	key := r.PathValue("sha256")
	if !validKey(key) {
		writeError(w, badField("sha256", "%q is not 64 lowercase hex digits", key))
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, &apiError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("the blob is over %d bytes", mbe.Limit)})
			return
		}
		writeError(w, &apiError{Status: http.StatusBadRequest, Msg: "read the blob: " + err.Error()})
		return
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != key {
		writeError(w, badField("sha256", "the body's sha256 is %x, not %s", sum, key))
		return
	}
	s.blobs.put(key, data)
	w.WriteHeader(http.StatusNoContent)
}

// handleHeadBlob says whether the node holds a blob.
func (s *Server) handleHeadBlob(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	if _, ok := s.blobs.get(r.PathValue("sha256")); !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// execBuild is a program to build, its files named by sha256.
type execBuild struct {
	Language string            `json:"language"`
	Version  string            `json:"version"`
	Stage    bool              `json:"stage"`
	Compile  []string          `json:"compile"`
	Env      []string          `json:"env"`
	Files    map[string]string `json:"files"`
	// Argv, when set, replaces the language's run command ({tool} and
	// {dir} placeholders expanded by the node).
	Argv []string `json:"argv"`
}

// execRequest is the body of POST /v1/exec/build and /v1/exec/run.
type execRequest struct {
	Build execBuild `json:"build"`
	// Stdin names the test's input (run only).
	Stdin string `json:"stdin"`
	// Limits bound the run (runner.Limits: durations in nanoseconds).
	Limits *runner.Limits `json:"limits"`
	// Stream answers NDJSON: {"stdout": bytes} lines as the run writes
	// (a client that watches its output, and closes the connection to
	// stop it), then the response as the last line.
	Stream bool `json:"stream"`
	// Blobs carry blobs inline (sha256 → bytes): a client behind a load
	// balancer cannot know which node got its uploads.
	Blobs map[string][]byte `json:"blobs"`
}

// execBuildOut is a build's outcome.
type execBuildOut struct {
	OK      bool          `json:"ok"`
	Message string        `json:"message,omitempty"`
	Cached  bool          `json:"cached"`
	Status  runner.Status `json:"status"`
	Usage   runner.Usage  `json:"usage"`
}

// execResponse answers an exec request.
type execResponse struct {
	// Node is the node that answered (its listen address).
	Node   string         `json:"node"`
	Build  execBuildOut   `json:"build"`
	Result *runner.Result `json:"result,omitempty"`
}

func (s *Server) handleExecBuild(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.exec(w, r, rc, false)
}

func (s *Server) handleExecRun(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.exec(w, r, rc, true)
}

func (s *Server) exec(w http.ResponseWriter, r *http.Request, rc *reqCtx, run bool) {
	var req execRequest
	if err := decodeJSON(r, &req, true); err != nil {
		writeError(w, err)
		return
	}
	rc.language = req.Build.Language
	tc, err := s.cfg.Resolver.Toolchain(req.Build.Language)
	if err != nil {
		writeError(w, &apiError{Status: http.StatusUnprocessableEntity, Field: "build.language", Msg: err.Error()})
		return
	}
	if req.Build.Version != tc.Version {
		writeError(w, &apiError{Status: http.StatusConflict, Field: "build.version",
			Msg: fmt.Sprintf("this node's %s is %q, the client's %q: the verdicts could differ", tc.Lang.ID, tc.Version, req.Build.Version)})
		return
	}
	for key, data := range req.Blobs {
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != key {
			writeError(w, badField("blobs", "the blob named %s has sha256 %x", key, sum))
			return
		}
		s.blobs.put(key, data)
	}
	files := map[string][]byte{}
	var missing []string
	for name, key := range req.Build.Files {
		data, ok := s.blobs.get(key)
		if !ok {
			missing = append(missing, key)
			continue
		}
		files[name] = data
	}
	var stdin []byte
	if run {
		if req.Limits == nil {
			writeError(w, badField("limits", "is required"))
			return
		}
		if req.Stdin != "" {
			var ok bool
			if stdin, ok = s.blobs.get(req.Stdin); !ok {
				missing = append(missing, req.Stdin)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "blobs missing: upload them (PUT /v1/blobs/{sha256})", "missing": missing})
		return
	}
	rc.tests = 1
	release, aerr := s.admit(1)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	defer release(1)

	out := execResponse{Node: s.nodeName()}
	w.Header().Set("X-Scalebox-Node", out.Node)
	engine := s.cfg.Engine
	builder := engine.Builder()
	var br *runner.BuildResult
	err = engine.Do(r.Context(), builder.Limits.MemoryBytes, func(ctx context.Context) error {
		var err error
		if req.Build.Stage {
			br, err = builder.Stage(ctx, tc, files)
		} else {
			br, err = builder.BuildWith(ctx, tc, files, runner.BuildOptions{Compile: req.Build.Compile, Env: req.Build.Env})
		}
		return err
	})
	if err != nil {
		s.execFailed(w, r, rc, "build", err)
		return
	}
	out.Build = execBuildOut{OK: br.Program != nil, Message: br.Message, Cached: br.Cached, Status: br.Status, Usage: br.Usage}
	if !run || br.Program == nil {
		writeJSON(w, http.StatusOK, out)
		return
	}
	prog := br.Program
	argv := prog.Argv
	if req.Build.Argv != nil {
		argv = tc.Expand(req.Build.Argv, runner.WorkDir)
	}
	spec := &runner.Spec{Args: argv, Env: prog.Env, Dir: runner.WorkDir, Mounts: prog.Mounts, Stdin: stdin, Limits: *req.Limits}
	var (
		mu  sync.Mutex
		enc *json.Encoder
	)
	if req.Stream {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		enc = json.NewEncoder(w)
		spec.Watch = func(chunk []byte) bool {
			mu.Lock()
			defer mu.Unlock()
			enc.Encode(map[string][]byte{"stdout": chunk})
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			return false
		}
	}
	err = engine.Do(r.Context(), req.Limits.MemoryBytes, func(ctx context.Context) error {
		var err error
		out.Result, err = engine.Sandbox().Run(ctx, spec)
		return err
	})
	s.countRemoteRun(req.Build.Language, out.Result, err)
	if !req.Stream {
		if err != nil {
			s.execFailed(w, r, rc, "run", err)
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		if r.Context().Err() == nil {
			rc.note = "run: " + err.Error()
			rc.verdict("SE")
			enc.Encode(map[string]any{"error": "run: " + err.Error(), "system_error": true})
		}
		return
	}
	// The client has the stdout already.
	res := *out.Result
	res.Stdout = nil
	out.Result = &res
	enc.Encode(out)
}

// remoteVerdict labels, in the metrics and statistics, the runs whose
// verdict a remote client decides (eval --remote): the node counts them
// and their resources, not how they were judged.
const remoteVerdict judge.Verdict = "remote"

// countRemoteRun records a run made for a remote client.
func (s *Server) countRemoteRun(lang string, res *runner.Result, err error) {
	switch {
	case err == nil && res != nil:
		s.metrics.test(lang, &eval.TestResult{Verdict: remoteVerdict, Usage: res.Usage})
		s.stats.test(lang, remoteVerdict)
	case err != nil && !errors.Is(err, context.Canceled):
		s.metrics.test(lang, &eval.TestResult{Verdict: judge.SE})
		s.stats.test(lang, judge.SE)
	}
}

// nodeName is how this node names itself to remote clients: its listen
// address, with the host name for an unspecified host (0.0.0.0:8080 on
// every node would say nothing).
func (s *Server) nodeName() string {
	addr := s.listenAddr()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			return net.JoinHostPort(h, port)
		}
	}
	return addr
}

// execFailed answers a failure of the machinery: 500 with system_error
// set, so that the client counts it against this node.
func (s *Server) execFailed(w http.ResponseWriter, r *http.Request, rc *reqCtx, what string, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	rc.note = what + ": " + err.Error()
	rc.verdict("SE")
	writeJSON(w, http.StatusInternalServerError, map[string]any{"error": fmt.Sprintf("%s: %v", what, err), "system_error": true})
}
