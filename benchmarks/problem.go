package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/runner"
)

// Kind is the shape of a problem: how a program is run and judged.
type Kind string

// Problem kinds.
const (
	// KindStdio: the program reads each test's input on stdin; its stdout is
	// compared with the expected output.
	KindStdio Kind = "stdio"
	// KindAssert: prompt + completion + test code + check(entry_point) runs
	// once; it passes when the checks run to their end without an error.
	KindAssert Kind = "assert"
)

// Problem is one task of a benchmark.
type Problem struct {
	TaskID string `json:"task_id"`
	// Warnings are things about the problem's data a user should know
	// (a problem.yaml read in part); Load gathers them into the
	// Benchmark's.
	Warnings []string `json:"-"`
	Kind     Kind     `json:"kind"`
	// Language overrides the benchmark's default language for this problem.
	Language string `json:"language,omitempty"`
	// Statement is the problem text, for people and for judge generation.
	Statement string `json:"statement,omitempty"`
	// Prompt is the code a completion is appended to.
	Prompt string `json:"prompt,omitempty"`
	// StopTokens cut a completion at the first occurrence of any of them
	// before it is appended to the prompt (MultiPL-E).
	StopTokens []string `json:"stop_tokens,omitempty"`
	EntryPoint string   `json:"entry_point,omitempty"`
	// TestCode is the assert-style test program (defines check(candidate));
	// for a leetcode problem, the setup lines its cases run after.
	TestCode string `json:"test,omitempty"`
	// Tests are the stdin/stdout cases.
	Tests []Test `json:"tests,omitempty"`
	// Files are data files a stdio problem's program finds next to itself
	// in its working directory, read-only (name -> content; names have no
	// directory).
	Files map[string]string `json:"files,omitempty"`
	// Groups are the inputs of a function problem.
	Groups []InputGroup `json:"groups,omitempty"`
	// Atol is the absolute tolerance of float results (function problems).
	Atol float64 `json:"atol,omitempty"`
	// Deserialize names the harness rule that restores argument types the
	// dataset's JSON cannot express ("mbpp:<task number>").
	Deserialize string `json:"deserialize,omitempty"`
	// Comparator, AbsTol and RelTol override the benchmark's judge settings.
	Comparator string  `json:"comparator,omitempty"`
	AbsTol     float64 `json:"abs_tol,omitempty"`
	RelTol     float64 `json:"rel_tol,omitempty"`
	// ValidatorFlags are output validator flags for the kattis comparator
	// (problem.yaml's validator_flags), for every test; each test may add
	// its group's (Test.ValidatorFlags).
	ValidatorFlags []string `json:"validator_flags,omitempty"`
	// Validation is "custom" for a problem whose outputs only its own
	// special judge can check (a Kattis package with validation: custom).
	// scalebox has no such judge yet: its samples are system errors (SE),
	// never passes or failures. Empty means the comparator decides.
	Validation string `json:"validation,omitempty"`
	// CPUTimeLimitMS and MemoryLimitBytes are the problem's own limits as
	// its data gives them (0: none). They replace the benchmark's when its
	// limits.problem_limits is set.
	CPUTimeLimitMS   int64 `json:"cpu_time_limit_ms,omitempty"`
	MemoryLimitBytes int64 `json:"memory_limit_bytes,omitempty"`
	// Checker, when set, judges every test of a stdio problem instead of
	// the comparator: a checker program or a built-in comparator.
	Checker *checker.Spec `json:"checker,omitempty"`
	// CheckerOrigin says where Checker came from: "data" (the benchmark's
	// own) or "registry" (a judge registry, see UseCheckers).
	CheckerOrigin string `json:"-"`
	// CanonicalSolution is a reference solution (a whole program for
	// stdio problems, the completion of the prompt for assert problems).
	CanonicalSolution string `json:"canonical_solution,omitempty"`
	// Meta holds facts for breakdowns (difficulty, platform, date).
	Meta map[string]string `json:"meta,omitempty"`

	ref *lazyReference
}

// Test is one stdin/stdout case.
type Test struct {
	Input  string `json:"input"`
	Output string `json:"output"`
	// Name is the test's name in its source data, when it has one
	// ("secret/group1/01" for data/secret/group1/01.in of a Kattis
	// package, "private/3" for CodeContests).
	Name string `json:"name,omitempty"`
	// ValidatorFlags are the output validator flags of the test's group
	// (Kattis testdata.yaml), after the problem's ValidatorFlags.
	ValidatorFlags []string `json:"validator_flags,omitempty"`
	// FetchFiles names files the program leaves in its working directory
	// to be read after the test's run (stdio problems; SandboxFusion's
	// fetch_files): relative paths, or absolute ones inside it. They are
	// not judged; a request that keeps outputs gets them back.
	FetchFiles []string `json:"fetch_files,omitempty"`
}

// ValidationCustom marks a problem that needs its own special judge.
const ValidationCustom = "custom"

// ErrNoJudge is why a problem with custom validation is not judged: its
// samples are system errors, neither passed nor failed.
var ErrNoJudge = errors.New("no judge for a custom-validation problem: its outputs need the problem's own output validator, which scalebox does not have")

// TestIndex finds a test of p by its number (from 0, as in reports) or by
// its name.
func (p *Problem) TestIndex(ref string) (int, error) {
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 0 || n >= len(p.Tests) {
			return 0, fmt.Errorf("task %s has tests 0 to %d, not %d", p.TaskID, len(p.Tests)-1, n)
		}
		return n, nil
	}
	for i, t := range p.Tests {
		if t.Name != "" && t.Name == ref {
			return i, nil
		}
	}
	var names []string
	for _, t := range p.Tests {
		if t.Name != "" {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("task %s has no test named %q; its tests are numbered 0 to %d", p.TaskID, ref, len(p.Tests)-1)
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return 0, fmt.Errorf("task %s has no test named %q (tests: %s)", p.TaskID, ref, strings.Join(names, ", "))
}

// NumTests is the number of tests the problem reports: stdio cases, one
// for an assert problem, for a function problem its inputs, and for the
// kinds that run their cases in one process (lcb-function, leetcode) the
// cases.
func (p *Problem) NumTests() int {
	switch p.Kind {
	case KindAssert, KindMultiple:
		return 1
	case KindFunction:
		n := 0
		for _, g := range p.Groups {
			n += len(g.Inputs)
		}
		return n
	}
	return len(p.Tests)
}

// Benchmark is a loaded benchmark: its configuration and problems.
type Benchmark struct {
	Config   *Config
	Problems []*Problem
	// SHA256 is the hash of the data as read.
	SHA256 string
	// DataPath is where the data was read from.
	DataPath string
	// Warnings are things about the data a user should know.
	Warnings []string
	byID     map[string]*Problem
}

// Problem returns the problem with the given task id.
func (b *Benchmark) Problem(id string) (*Problem, bool) {
	p, ok := b.byID[id]
	return p, ok
}

// Loader parses a benchmark's data into problems. name is the data's path
// as shown in errors.
type Loader func(cfg *Config, data []byte, name string) ([]*Problem, error)

var loaders = map[string]Loader{
	"scalebox": loadNative,
}

// DirLoader parses a benchmark whose data is a folder: fsys is rooted at
// the folder, name is its path as shown in errors.
type DirLoader func(cfg *Config, fsys fs.FS, name string) ([]*Problem, error)

var dirLoaders = map[string]DirLoader{}

// Format is how Load reads one data format: a file format has File, which
// parses each data file, and, when a folder of files can be its data
// (LiveCodeBench's releases), Files, which lists the folder's files to
// read, in order, for the configuration; a folder format has Dir, which
// parses the data folder.
type Format struct {
	File  Loader
	Dir   DirLoader
	Files func(cfg *Config, dir string) ([]string, error)
}

// RegisterFormat makes Load and configuration checks know the named data
// format. The dataset families' formats are registered by
// benchmarks/registry when it is initialized; benchmarks itself reads only
// scalebox's own format. RegisterFormat is meant for package
// initialization: it is not safe for concurrent use, and it panics when
// name is registered twice or f has neither File nor Dir.
func RegisterFormat(name string, f Format) {
	if knownFormat(name) {
		panic("benchmarks: format " + name + " registered twice")
	}
	switch {
	case f.File != nil && f.Dir == nil:
		loaders[name] = f.File
		if f.Files != nil {
			folderFiles[name] = f.Files
		}
	case f.Dir != nil && f.File == nil && f.Files == nil:
		dirLoaders[name] = f.Dir
	default:
		panic("benchmarks: format " + name + " needs either File (and maybe Files) or Dir")
	}
}

// LoaderNames lists the data formats scalebox reads.
func LoaderNames() []string {
	names := make([]string, 0, len(loaders)+len(dirLoaders))
	for n := range loaders {
		names = append(names, n)
	}
	for n := range dirLoaders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func knownFormat(name string) bool {
	_, file := loaders[name]
	_, dir := dirLoaders[name]
	return file || dir
}

// Load reads a benchmark's data. dataOverride, when set, replaces the
// configured data path (a file, or a folder holding one of the
// configuration's file names, relative to the working directory). Data
// whose sha256 matches a configured release is reported as that version; a
// pinned data.sha256 is enforced for the configured data.
func Load(cfg *Config, dataOverride string) (*Benchmark, error) {
	src, err := resolveData(cfg, dataOverride)
	if err != nil {
		return nil, fmt.Errorf("load benchmark %s: %w", cfg.Name, err)
	}
	if !src.given && cfg.Data.SHA256 != "" && !strings.EqualFold(cfg.Data.SHA256, src.sha256) {
		return nil, fmt.Errorf("load benchmark %s: %s has sha256 %s, but the configuration pins %s", cfg.Name, src.shown, src.sha256, cfg.Data.SHA256)
	}
	var warnings []string
	if len(cfg.Data.Releases) > 0 {
		if r, ok := cfg.matchRelease(src.sha256); ok {
			c := *cfg
			c.Version = r.Version
			cfg = &c
		} else {
			warnings = append(warnings, fmt.Sprintf("%s (sha256 %s) is no known release of %s; reporting it as version %s", src.shown, src.sha256, cfg.Name, cfg.Version))
		}
	}
	if cfg.Format == "livecodebench" {
		// The version of LiveCodeBench's data is its release.
		c := *cfg
		c.Version = cfg.LiveCodeBench.Version()
		cfg = &c
	}
	var problems []*Problem
	switch {
	case src.fsys != nil && dirLoaders[cfg.Format] != nil:
		if problems, err = dirLoaders[cfg.Format](cfg, src.fsys, src.shown); err != nil {
			return nil, fmt.Errorf("load benchmark %s: %w", cfg.Name, err)
		}
	case src.fsys == nil && loaders[cfg.Format] != nil:
		for _, part := range src.parts {
			ps, err := loaders[cfg.Format](cfg, part.data, part.shown)
			if err != nil {
				return nil, fmt.Errorf("load benchmark %s: %w", cfg.Name, err)
			}
			problems = append(problems, ps...)
		}
	default:
		return nil, fmt.Errorf("load benchmark %s: format %q is unknown (known: %s)", cfg.Name, cfg.Format, strings.Join(LoaderNames(), ", "))
	}
	if len(problems) == 0 {
		return nil, fmt.Errorf("load benchmark %s: %s: no problems%s", cfg.Name, src.shown, cfg.LiveCodeBench.windowNote())
	}
	b := &Benchmark{Config: cfg, Problems: problems, SHA256: src.sha256, DataPath: src.shown, Warnings: warnings, byID: map[string]*Problem{}}
	for _, p := range problems {
		b.Warnings = append(b.Warnings, p.Warnings...)
		if _, dup := b.byID[p.TaskID]; dup {
			return nil, fmt.Errorf("load benchmark %s: %s: task_id %q appears twice", cfg.Name, src.shown, p.TaskID)
		}
		b.byID[p.TaskID] = p
	}
	return b, nil
}

// New makes a benchmark of problems held in memory (a server's inline
// tests) under cfg, which needs no data; cfg and each problem are checked
// as Load checks them. source says where the problems came from, in
// errors and reports.
func New(cfg *Config, problems []*Problem, source string) (*Benchmark, error) {
	if err := cfg.validate(false); err != nil {
		return nil, err
	}
	b := &Benchmark{Config: cfg, Problems: problems, DataPath: source, byID: map[string]*Problem{}}
	for _, p := range problems {
		if err := p.Validate(cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		if _, dup := b.byID[p.TaskID]; dup {
			return nil, fmt.Errorf("%s: task_id %q appears twice", source, p.TaskID)
		}
		b.byID[p.TaskID] = p
	}
	return b, nil
}

// loadNative reads scalebox's own format: JSONL, one Problem per line.
func loadNative(cfg *Config, data []byte, name string) ([]*Problem, error) {
	var out []*Problem
	seen := map[string]int{}
	err := ForEachJSONLine(data, name, func(line int, text []byte) error {
		var p Problem
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return err
		}
		if dec.More() || dec.InputOffset() != int64(len(text)) {
			return errors.New("text after the problem's JSON object")
		}
		if err := p.Validate(cfg); err != nil {
			return err
		}
		if p.Checker != nil {
			p.CheckerOrigin = "data"
		}
		if first, dup := seen[p.TaskID]; dup {
			return fmt.Errorf("task_id %q appears twice (first on line %d)", p.TaskID, first)
		}
		seen[p.TaskID] = line
		out = append(out, &p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no problems", name)
	}
	return out, nil
}

// Validate checks a problem read for a benchmark configured by cfg: its
// task id, kind, limits, files and checker, and what its kind requires.
func (p *Problem) Validate(cfg *Config) error {
	if p.TaskID == "" {
		return fmt.Errorf("task_id is missing")
	}
	if p.Validation != "" && p.Validation != ValidationCustom {
		return fmt.Errorf("task %s: validation %q is unknown (want %q or none)", p.TaskID, p.Validation, ValidationCustom)
	}
	if p.CPUTimeLimitMS < 0 || p.MemoryLimitBytes < 0 {
		return fmt.Errorf("task %s: limits must not be negative", p.TaskID)
	}
	k, ok := kinds[p.Kind]
	if !ok {
		return fmt.Errorf("task %s: kind %q is unknown (want %s)", p.TaskID, p.Kind, quoteList(KindNames()))
	}
	if len(p.Files) > 0 && p.Kind != KindStdio {
		return fmt.Errorf("task %s: only stdio problems take files", p.TaskID)
	}
	for i, t := range p.Tests {
		if len(t.FetchFiles) > 0 && p.Kind != KindStdio {
			return fmt.Errorf("task %s: test %d: only stdio problems fetch files", p.TaskID, i)
		}
		if len(t.FetchFiles) > runner.MaxFetchFiles {
			return fmt.Errorf("task %s: test %d: %d files to fetch, at most %d", p.TaskID, i, len(t.FetchFiles), runner.MaxFetchFiles)
		}
	}
	for name := range p.Files {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
			return fmt.Errorf("task %s: file name %q must be a plain name, without a directory", p.TaskID, name)
		}
	}
	if p.Checker != nil {
		if p.Kind != KindStdio {
			return fmt.Errorf("task %s: only stdio problems take a checker", p.TaskID)
		}
		if err := p.Checker.Validate(); err != nil {
			return fmt.Errorf("task %s: checker: %w", p.TaskID, err)
		}
	}
	return k.Validate(p, cfg)
}

// quoteList renders names as "a", "b" or "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
