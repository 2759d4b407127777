package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Paths inside the sandbox.
const (
	// WorkDir is the program's working directory: a private tmpfs holding
	// read-only copies of its files.
	WorkDir = "/box"
	// OutDir is where a compile step writes its artifacts.
	OutDir = "/out"
)

// BaseEnv is the environment every sandboxed program starts with.
var BaseEnv = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/tmp", "TMPDIR=/tmp"}

// DefaultCompileLimits bound a compile step.
var DefaultCompileLimits = Limits{
	CPUTime:       30 * time.Second,
	WallTime:      90 * time.Second,
	MemoryBytes:   2 << 30,
	OutputBytes:   1 << 20,
	FileSizeBytes: 512 << 20,
	Processes:     64,
	TmpfsBytes:    512 << 20,
}

// Program is a built program: its files on the host and how to run it.
type Program struct {
	Toolchain *Toolchain
	// Key identifies the build: toolchain, compile command and files.
	Key string
	// Mounts place the program's files (read-only) in the work directory.
	Mounts []Mount
	// Argv is the language's run command.
	Argv []string
	Env  []string
}

// BuildResult is the outcome of a build. Program is nil when it failed to
// compile; Message then holds the compiler's output (truncated).
type BuildResult struct {
	Program *Program
	Message string
	Status  Status
	Usage   Usage
	// Cached reports whether an identical earlier build was reused.
	Cached bool
}

// Builder writes sources and runs compile steps in the sandbox, once per
// distinct (toolchain, compile command, files). It is safe for concurrent
// use; concurrent requests for one key wait for a single build.
type Builder struct {
	sb     Sandbox
	root   string
	owner  *[2]int // chown build dirs to the sandbox's host uid/gid when root
	Limits Limits
	// MessageBytes is how much compiler output a failed build keeps.
	MessageBytes int

	mu       sync.Mutex
	builds   map[string]*buildEntry
	compiles atomic.Int64
}

type buildEntry struct {
	done chan struct{}
	res  *BuildResult
	err  error
}

// NewBuilder creates a Builder with a private scratch directory under
// os.TempDir(). Close removes it. The first Builder of a process also
// removes what killed scalebox processes left there (ReapStaleTemp).
func NewBuilder(sb Sandbox, hostUID, hostGID int) (*Builder, error) {
	ReapStaleTemp()
	root, err := os.MkdirTemp("", TempPrefix("build"))
	if err != nil {
		return nil, err
	}
	// The sandbox user must traverse it to reach bound files, but not list it.
	if err := os.Chmod(root, 0o711); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	b := &Builder{sb: sb, root: root, Limits: DefaultCompileLimits, MessageBytes: 8 << 10, builds: map[string]*buildEntry{}}
	if isRoot() {
		if hostUID == 0 {
			hostUID = nobodyID
		}
		if hostGID == 0 {
			hostGID = nobodyID
		}
		b.owner = &[2]int{hostUID, hostGID}
	}
	return b, nil
}

// Close removes every build.
func (b *Builder) Close() error { return os.RemoveAll(b.root) }

// Compiles is the number of compile steps actually run (cache misses).
func (b *Builder) Compiles() int64 { return b.compiles.Load() }

// Build prepares a program from files (name -> content; the language's
// source file must be among them). A program that does not compile is a
// BuildResult with a nil Program; an error means the machinery failed.
func (b *Builder) Build(ctx context.Context, tc *Toolchain, files map[string][]byte) (*BuildResult, error) {
	return b.build1(ctx, tc, files, true, BuildOptions{})
}

// BuildOptions adjust one build of a language: a benchmark that must
// compile as its reference evaluator does (other flags, a library on the
// class path) says so here instead of defining a language of its own.
type BuildOptions struct {
	// Compile, when set, replaces the language's compile command; it takes
	// the same placeholders and reads the same prepared cache.
	Compile []string
	// Env is added to the environment of the compile step and of every run
	// of the program.
	Env []string
}

// BuildWith is Build with the language's compile command or environment
// adjusted. Builds with different options are cached apart.
func (b *Builder) BuildWith(ctx context.Context, tc *Toolchain, files map[string][]byte, opts BuildOptions) (*BuildResult, error) {
	return b.build1(ctx, tc, files, true, opts)
}

// Stage prepares a program like Build but skips the language's compile
// step: for harnesses that check the program themselves (a Python harness
// compiles the sample and reports a syntax error as such), saving a
// sandboxed process per sample. Languages with artifacts cannot be staged.
func (b *Builder) Stage(ctx context.Context, tc *Toolchain, files map[string][]byte) (*BuildResult, error) {
	if len(tc.Lang.Artifacts) > 0 {
		return nil, fmt.Errorf("stage %s: the language must be compiled", tc.Lang.ID)
	}
	return b.build1(ctx, tc, files, false, BuildOptions{})
}

func (b *Builder) build1(ctx context.Context, tc *Toolchain, files map[string][]byte, compile bool, opts BuildOptions) (*BuildResult, error) {
	if _, ok := files[tc.Lang.Source]; !ok {
		return nil, fmt.Errorf("build %s: no %s among the files", tc.Lang.ID, tc.Lang.Source)
	}
	key := buildKey(tc, files, compile, opts)
	b.mu.Lock()
	if e, ok := b.builds[key]; ok {
		b.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return nil, e.err
		}
		r := *e.res
		r.Cached = true
		return &r, nil
	}
	e := &buildEntry{done: make(chan struct{})}
	b.builds[key] = e
	b.mu.Unlock()

	e.res, e.err = b.build(ctx, tc, key, files, compile, opts)
	if e.err != nil {
		// A failed machine attempt is not cached: a retry may succeed.
		b.mu.Lock()
		delete(b.builds, key)
		b.mu.Unlock()
	}
	close(e.done)
	return e.res, e.err
}

func (b *Builder) build(ctx context.Context, tc *Toolchain, key string, files map[string][]byte, compile bool, opts BuildOptions) (*BuildResult, error) {
	lay, err := b.layout(ctx, tc, files)
	if err != nil {
		return nil, err
	}
	files = lay.files
	dir := filepath.Join(b.root, key[:16])
	src := filepath.Join(dir, "src")
	out := filepath.Join(dir, "out")
	for _, d := range []string{src, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	_ = os.Chmod(dir, 0o711)
	if b.owner != nil {
		if err := os.Chown(out, b.owner[0], b.owner[1]); err != nil {
			return nil, err
		}
	}
	names := sortedKeys(files)
	var mounts []Mount
	for _, name := range names {
		if name != filepath.Base(name) {
			return nil, fmt.Errorf("build: file name %q must not contain a directory", name)
		}
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return nil, err
		}
		mounts = append(mounts, Mount{Source: p, Target: WorkDir + "/" + name})
	}
	mounts = append(mounts, tc.Mounts...)
	mounts = append(mounts, lay.mounts...)
	prog := &Program{
		Toolchain: tc,
		Key:       key,
		Argv:      lay.argv(tc.Lang.Run),
		Env:       slices.Concat(lay.env, lay.argv(opts.Env)),
	}
	compileArgv := tc.Lang.Compile
	if opts.Compile != nil {
		compileArgv = opts.Compile
	}
	res := &BuildResult{}
	if compile && len(compileArgv) > 0 {
		b.compiles.Add(1)
		spec := &Spec{
			Args:   lay.argv(compileArgv),
			Env:    prog.Env,
			Dir:    WorkDir,
			Mounts: append([]Mount{}, mounts...),
			Limits: b.Limits,
		}
		if len(tc.Lang.Artifacts) > 0 {
			// Only a step that leaves artifacts gets somewhere to write
			// them; a check (Python's syntax check) can then run in a
			// warm sandbox.
			spec.Mounts = append(spec.Mounts, Mount{Source: out, Target: OutDir, Writable: true})
		}
		r, err := b.sb.Run(ctx, spec)
		if err != nil {
			return nil, err
		}
		res.Status, res.Usage = r.Status, r.Usage
		if r.Status != StatusExited || r.ExitCode != 0 {
			res.Message = compileMessage(r, b.Limits, b.MessageBytes)
			return res, nil
		}
	}
	for _, a := range tc.Lang.Artifacts {
		p := filepath.Join(out, a)
		if _, err := os.Stat(p); err != nil {
			res.Message = fmt.Sprintf("the compiler produced no %s", a)
			res.Status = StatusExited
			return res, nil
		}
		prog.Mounts = append(prog.Mounts, Mount{Source: p, Target: WorkDir + "/" + a})
	}
	prog.Mounts = append(prog.Mounts, mounts...)
	res.Program = prog
	return res, nil
}

// compileMessage explains a failed compile step.
func compileMessage(r *Result, lim Limits, keep int) string {
	var msg string
	switch r.Status {
	case StatusTimeLimit, StatusWallLimit:
		msg = fmt.Sprintf("compilation exceeded its time limit (%s CPU)\n", lim.CPUTime)
	case StatusMemoryLimit:
		msg = fmt.Sprintf("compilation exceeded its memory limit (%s)\n", formatBytes(lim.MemoryBytes))
	case StatusOutputLimit:
		msg = fmt.Sprintf("compilation produced too much output (%s)\n", r.Note)
	case StatusSignaled:
		msg = fmt.Sprintf("compiler killed by signal %d (%s)\n", int(r.Signal), r.Signal)
	}
	out := append(append([]byte{}, r.Stderr...), r.Stdout...)
	if len(out) > keep {
		out = append(out[:keep], "\n… (truncated)"...)
	}
	return msg + string(out)
}

func buildKey(tc *Toolchain, files map[string][]byte, compile bool, opts BuildOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00", tc.Lang.ID, tc.Version, compile)
	compileArgv := tc.Lang.Compile
	if opts.Compile != nil {
		compileArgv = opts.Compile
	}
	for _, part := range [][]string{compileArgv, opts.Env} {
		for _, a := range part {
			fmt.Fprintf(h, "%s\x00", a)
		}
		h.Write([]byte{1})
	}
	for _, name := range sortedKeys(files) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ErrNoSandbox is returned by NewSandbox when the requested backend is
// unavailable.
var ErrNoSandbox = errors.New("sandbox backend unavailable")
