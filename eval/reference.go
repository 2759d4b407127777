package eval

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

// referenceVersion changes when the harness or the cache format changes in
// a way that invalidates cached reference results.
const referenceVersion = "4"

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

// PrepareReference arranges the reference results of every function
// problem: from the cache when it holds this dataset (by sha256), the
// harness and the toolchain (each task's results are then read when a
// worker first needs them), else by running each reference solution on its
// inputs in the sandbox, once, and caching the results. cacheDir ""
// disables caching.
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
	if cacheDir != "" {
		info.Path = filepath.Join(cacheDir, referenceKey(b, tc))
		if idx, err := openReferenceCache(info.Path, b); err == nil {
			info.Cached = true
			info.Failures = idx.Failures
			return info, nil
		}
	}
	start := time.Now()
	cache := map[string]map[string][]benchmarks.RefResult{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(opts.Jobs, 1))
	for _, p := range b.Problems {
		if p.Kind != benchmarks.KindFunction {
			continue
		}
		// The workers of earlier problems read cache under mu meanwhile.
		mu.Lock()
		cache[p.TaskID] = map[string][]benchmarks.RefResult{}
		mu.Unlock()
		for gi := range p.Groups {
			grp := &p.Groups[gi]
			g.Go(func() error {
				t0 := time.Now()
				res, err := recordGroup(gctx, opts, tc, p, grp)
				opts.Logger.Debug("reference recorded", "task", p.TaskID, "group", grp.Name, "inputs", len(grp.Inputs), "elapsed", time.Since(t0))
				if err != nil {
					return fmt.Errorf("reference outputs of %s (%s inputs): %w", p.TaskID, grp.Name, err)
				}
				mu.Lock()
				cache[p.TaskID][grp.Name] = res
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, p := range b.Problems {
		for gi := range p.Groups {
			p.Groups[gi].Reference = cache[p.TaskID][p.Groups[gi].Name]
		}
	}
	info.Elapsed = time.Since(start)
	info.Failures = referenceFailures(b)
	if info.Path != "" {
		if err := writeReferenceCache(info.Path, cache, info.Failures); err != nil {
			opts.Logger.Warn("could not cache the reference outputs", "path", info.Path, "err", err)
		}
	}
	return info, nil
}

// recordGroup runs a problem's reference solution on one group's inputs.
func recordGroup(ctx context.Context, opts Options, tc *runner.Toolchain, p *benchmarks.Problem, g *benchmarks.InputGroup) ([]benchmarks.RefResult, error) {
	files := map[string][]byte{tc.Lang.Source: []byte(p.ReferenceProgram()), "harness.py": benchmarks.FunctionHarness()}
	var br *runner.BuildResult
	e := staged{opts}
	if _, err := e.retry(ctx, func() error {
		var err error
		br, err = opts.Builder.Stage(ctx, tc, files)
		return err
	}); err != nil {
		return nil, err
	}
	notNone := p.NotNone(opts.Benchmark.Config.Function.Oracles)
	lim := e.limits()
	lim.CPUTime, lim.WallTime = 10*time.Minute, 20*time.Minute
	lim.OutputBytes = 1 << 30
	out := make([]benchmarks.RefResult, len(g.Inputs))
	// When the process dies on an input (say, an output too large for the
	// memory limit), that input alone is lost: the rest run in a new one.
	for start := 0; start < len(out); {
		var mark [16]byte
		rand.Read(mark[:])
		marker := "scalebox-ref-" + hex.EncodeToString(mark[:])
		part := &benchmarks.InputGroup{Name: g.Name, Inputs: g.Inputs[start:]}
		r, err := e.runStaged(ctx, tc, br.Program, "harness.py", p.RecordSpec(marker, part, notNone, opts.Benchmark.Config.Python.Packages), lim)
		if err != nil {
			return nil, err
		}
		lines, _, err := benchmarks.ParseHarness(r.Stdout, marker)
		if err != nil {
			return nil, err
		}
		fail, ready, next := "", false, start
		for _, l := range lines {
			switch {
			case l.Ready:
				ready = true
			case l.CompileError != nil:
				fail = "does not compile: " + *l.CompileError
			case l.LoadError != nil:
				fail = "does not load: " + *l.LoadError
			case l.I != nil && *l.I >= 0 && start+*l.I < len(out):
				ref := &out[start+*l.I]
				ref.CPU = l.CPU
				switch {
				case l.Error != nil:
					ref.Err = *l.Error
				case l.Timeout:
					ref.Err = "timed out"
				default:
					ref.Out = l.Out
				}
				next = max(next, start+*l.I+1)
			}
		}
		if !ready && fail == "" {
			// The harness never ran the reference: a failure of the machinery
			// (or of the data), never to be cached as the reference's results.
			return nil, fmt.Errorf("the harness failed (%s, exit %d): %s", r.Status, r.ExitCode, lastLines(r.Stderr, 3))
		}
		if fail != "" {
			for i := start; i < len(out); i++ {
				out[i].Err = fail
			}
			break
		}
		if next < len(out) {
			out[next].Err = fmt.Sprintf("no result: the process ended (%s) on this input", r.Status)
			next++
		}
		start = next
	}
	return out, nil
}

func referenceKey(b *benchmarks.Benchmark, tc *runner.Toolchain) string {
	h := sha256.New()
	fc := b.Config.Function
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%s\x00%s\x00%q\x00", referenceVersion, b.SHA256, b.Config.Format, fc.Groups, fc.Oracles, tc.Version, b.Config.Python.Packages)
	h.Write(benchmarks.FunctionHarness())
	return b.Config.Name + "-" + hex.EncodeToString(h.Sum(nil))[:24]
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

// A cache is a directory: index.json names each task's file and lists the
// inputs on which the reference failed; each task's file holds
// length-prefixed records (uncompressed: decompressing cost more than the
// runs it fed), read by the first worker that
// needs the task: per group its name, the number of results, and for each
// result its serialised output, its error and its CPU seconds. Large
// outputs (HumanEval+ has hundreds of megabytes) then cost nothing up front.
type referenceIndex struct {
	Version  string            `json:"version"`
	Tasks    map[string]string `json:"tasks"`
	Failures []string          `json:"failures,omitempty"`
}

// openReferenceCache checks that the cache at dir covers every function
// problem of b and gives each a loader for its results.
func openReferenceCache(dir string, b *benchmarks.Benchmark) (*referenceIndex, error) {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	var idx referenceIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, err
	}
	if idx.Version != referenceVersion {
		return nil, fmt.Errorf("reference cache version %q", idx.Version)
	}
	for _, p := range b.Problems {
		if p.Kind != benchmarks.KindFunction {
			continue
		}
		if _, ok := idx.Tasks[p.TaskID]; !ok {
			return nil, fmt.Errorf("reference cache lacks %s", p.TaskID)
		}
	}
	for _, p := range b.Problems {
		if p.Kind == benchmarks.KindFunction {
			file := filepath.Join(dir, idx.Tasks[p.TaskID])
			p.SetReferenceLoader(func() (map[string][]benchmarks.RefResult, error) { return readTaskReference(file) })
		}
	}
	return &idx, nil
}

func readTaskReference(path string) (map[string][]benchmarks.RefResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	out := map[string][]benchmarks.RefResult{}
	for {
		group, err := readBlob(r)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, err
		}
		res := make([]benchmarks.RefResult, 0, min(n, 1<<20))
		for i := uint32(0); i < n; i++ {
			outb, err := readBlob(r)
			if err != nil {
				return nil, err
			}
			msg, err := readBlob(r)
			if err != nil {
				return nil, err
			}
			var bits uint64
			if err := binary.Read(r, binary.LittleEndian, &bits); err != nil {
				return nil, err
			}
			ref := benchmarks.RefResult{Err: string(msg), CPU: math.Float64frombits(bits)}
			if len(outb) > 0 {
				ref.Out = outb
			}
			res = append(res, ref)
		}
		out[string(group)] = res
	}
}

func readBlob(r *bufio.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	if n > 1<<30 {
		return nil, errors.New("reference cache: record too large")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

func writeBlob(w *bufio.Writer, b []byte) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(b)))
	w.Write(n[:])
	w.Write(b)
}

// writeReferenceCache writes the cache directory atomically: into a
// temporary directory, renamed into place.
func writeReferenceCache(dir string, cache map[string]map[string][]benchmarks.RefResult, failures []string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".ref-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	idx := referenceIndex{Version: referenceVersion, Tasks: map[string]string{}, Failures: failures}
	tasks := make([]string, 0, len(cache))
	for t := range cache {
		tasks = append(tasks, t)
	}
	sort.Strings(tasks)
	for i, t := range tasks {
		name := fmt.Sprintf("task-%04d.bin", i)
		idx.Tasks[t] = name
		if err := writeTaskReference(filepath.Join(tmp, name), cache[t]); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(idx, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "index.json"), data, 0o644); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Another scalebox may have cached the same results meanwhile, and may
	// be reading them: keep its copy.
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "index.json")); serr == nil {
			return nil
		}
		return err
	}
	return nil
}

func writeTaskReference(path string, groups map[string][]benchmarks.RefResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		res := groups[g]
		writeBlob(w, []byte(g))
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(res)))
		w.Write(n[:])
		for _, r := range res {
			writeBlob(w, r.Out)
			writeBlob(w, []byte(r.Err))
			var bits [8]byte
			binary.LittleEndian.PutUint64(bits[:], math.Float64bits(r.CPU))
			w.Write(bits[:])
		}
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// lastLines returns the last n lines of b.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
