package eval

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

// referenceVersion changes when the harness or the cache format changes in
// a way that invalidates cached reference results.
const referenceVersion = "1"

// ReferenceCacheDir is where reference results are cached:
// $XDG_CACHE_HOME/scalebox/reference (or the OS's user cache directory).
func ReferenceCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "scalebox", "reference")
}

// ReferenceInfo says how the reference results were obtained.
type ReferenceInfo struct {
	// Cached is true when they were read from the cache.
	Cached bool
	Path   string
	// Failures lists inputs on which the reference solution failed; those
	// inputs are not judged.
	Failures []string
	Elapsed  time.Duration
}

type referenceCache struct {
	Version string `json:"version"`
	// Tasks maps task id -> group name -> results.
	Tasks map[string]map[string][]benchmarks.RefResult `json:"tasks"`
}

// PrepareReference fills the reference results of every function problem:
// from the cache when it holds this dataset (by sha256), the harness and
// the toolchain, else by running each reference solution on its inputs in
// the sandbox, once, and caching the result. cacheDir "" disables caching.
func PrepareReference(ctx context.Context, opts Options, cacheDir string) (*ReferenceInfo, error) {
	b := opts.Benchmark
	info := &ReferenceInfo{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if !b.NeedsReference() {
		return info, nil
	}
	tc, err := opts.Resolver.Toolchain("python3")
	if err != nil {
		return nil, fmt.Errorf("reference outputs: %w", err)
	}
	key := referenceKey(b, tc)
	if cacheDir != "" {
		info.Path = filepath.Join(cacheDir, key+".json.gz")
		if c, err := readReferenceCache(info.Path); err == nil && applyReference(b, c) {
			info.Cached = true
			info.Failures = referenceFailures(b)
			return info, nil
		}
	}
	start := time.Now()
	cache := &referenceCache{Version: referenceVersion, Tasks: map[string]map[string][]benchmarks.RefResult{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(opts.Jobs, 1))
	for _, p := range b.Problems {
		if p.Kind != benchmarks.KindFunction {
			continue
		}
		cache.Tasks[p.TaskID] = map[string][]benchmarks.RefResult{}
		for gi := range p.Groups {
			grp := &p.Groups[gi]
			g.Go(func() error {
				res, err := recordGroup(gctx, opts, tc, p, grp)
				if err != nil {
					return fmt.Errorf("reference outputs of %s (%s inputs): %w", p.TaskID, grp.Name, err)
				}
				mu.Lock()
				cache.Tasks[p.TaskID][grp.Name] = res
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if !applyReference(b, cache) {
		return nil, errors.New("reference outputs: incomplete results")
	}
	info.Elapsed = time.Since(start)
	info.Failures = referenceFailures(b)
	if info.Path != "" {
		if err := writeReferenceCache(info.Path, cache); err != nil {
			opts.Logger.Warn("could not cache the reference outputs", "path", info.Path, "err", err)
		}
	}
	return info, nil
}

// recordGroup runs a problem's reference solution on one group's inputs.
func recordGroup(ctx context.Context, opts Options, tc *runner.Toolchain, p *benchmarks.Problem, g *benchmarks.InputGroup) ([]benchmarks.RefResult, error) {
	files := map[string][]byte{tc.Lang.Source: []byte(p.ReferenceProgram()), "harness.py": benchmarks.FunctionHarness()}
	var br *runner.BuildResult
	e := &engine{opts: opts}
	if _, err := e.retry(ctx, func() error {
		var err error
		br, err = opts.Builder.Stage(ctx, tc, files)
		return err
	}); err != nil {
		return nil, err
	}
	var mark [16]byte
	rand.Read(mark[:])
	marker := "scalebox-ref-" + hex.EncodeToString(mark[:])
	notNone := p.NotNone(opts.Benchmark.Config.Function.Oracles)
	lim := e.limits()
	lim.CPUTime, lim.WallTime = 10*time.Minute, 20*time.Minute
	lim.OutputBytes = 1 << 30
	spec := &runner.Spec{
		Args:   tc.Expand([]string{"{python}", "-I", runner.WorkDir + "/harness.py"}, runner.WorkDir),
		Env:    br.Program.Env,
		Dir:    runner.WorkDir,
		Mounts: br.Program.Mounts,
		Stdin:  p.RecordSpec(marker, g, notNone),
		Limits: lim,
	}
	var r *runner.Result
	if _, err := e.retry(ctx, func() error {
		var err error
		r, err = opts.Sandbox.Run(ctx, spec)
		return err
	}); err != nil {
		return nil, err
	}
	lines, _, err := benchmarks.ParseHarness(r.Stdout, marker)
	if err != nil {
		return nil, err
	}
	out := make([]benchmarks.RefResult, len(g.Inputs))
	fail, ready := "", false
	for _, l := range lines {
		switch {
		case l.Ready:
			ready = true
		case l.CompileError != nil:
			fail = "does not compile: " + *l.CompileError
		case l.LoadError != nil:
			fail = "does not load: " + *l.LoadError
		case l.I != nil && *l.I >= 0 && *l.I < len(out):
			ref := &out[*l.I]
			ref.CPU = l.CPU
			switch {
			case l.Error != nil:
				ref.Err = *l.Error
			case l.Timeout:
				ref.Err = "timed out"
			default:
				ref.Out = l.Out
			}
		}
	}
	if !ready && fail == "" {
		// The harness never ran the reference: a failure of the machinery
		// (or of the data), never to be cached as the reference's results.
		return nil, fmt.Errorf("the harness failed (%s, exit %d): %s", r.Status, r.ExitCode, lastLines(r.Stderr, 3))
	}
	for i := range out {
		if out[i].Out == nil && out[i].Err == "" {
			out[i].Err = fail
			if out[i].Err == "" {
				out[i].Err = fmt.Sprintf("no result (the process ended: %s)", r.Status)
			}
		}
	}
	return out, nil
}

func referenceKey(b *benchmarks.Benchmark, tc *runner.Toolchain) string {
	h := sha256.New()
	fc := b.Config.Function
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%s\x00%s\x00", referenceVersion, b.SHA256, b.Config.Format, fc.Groups, fc.Oracles, tc.Version)
	h.Write(benchmarks.FunctionHarness())
	return b.Config.Name + "-" + hex.EncodeToString(h.Sum(nil))[:24]
}

// applyReference copies cached results into the problems; false when the
// cache does not cover them all.
func applyReference(b *benchmarks.Benchmark, c *referenceCache) bool {
	if c.Version != referenceVersion {
		return false
	}
	for _, p := range b.Problems {
		for gi := range p.Groups {
			g := &p.Groups[gi]
			res := c.Tasks[p.TaskID][g.Name]
			if len(res) != len(g.Inputs) {
				return false
			}
		}
	}
	for _, p := range b.Problems {
		for gi := range p.Groups {
			p.Groups[gi].Reference = c.Tasks[p.TaskID][p.Groups[gi].Name]
		}
	}
	return true
}

func referenceFailures(b *benchmarks.Benchmark) []string {
	var out []string
	for _, p := range b.Problems {
		for _, g := range p.Groups {
			for i, r := range g.Reference {
				if r.Err != "" {
					out = append(out, fmt.Sprintf("%s %s input %d: %s", p.TaskID, g.Name, i, r.Err))
				}
			}
		}
	}
	return out
}

func readReferenceCache(path string) (*referenceCache, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var c referenceCache
	if err := json.NewDecoder(zr).Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

func writeReferenceCache(path string, c *referenceCache) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ref-*")
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(tmp)
	err = json.NewEncoder(zw).Encode(c)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// lastLines returns the last n lines of b.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
