// Package benchmarks turns a benchmark (a TOML configuration and its data)
// into problems with tests, reads samples, and builds the program and the
// runs that judge a sample.
//
// It reads scalebox's own data format; the dataset families' loaders live
// in their packages (benchmarks/evalplus, livecodebench, leetcode,
// codecontests, kattis, multiple) and reach Load through RegisterFormat,
// which benchmarks/registry calls for each of them when it is initialized.
package benchmarks

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/scalebox-dev/scalebox/judge"
)

//go:embed builtin/*.toml builtin/demo/*.jsonl
var builtinFS embed.FS

// embedPrefix marks a data path inside the binary.
const embedPrefix = "embed:"

// Config is a benchmark's configuration, read from TOML.
type Config struct {
	Name        string       `toml:"name" json:"name"`
	Version     string       `toml:"version" json:"version"`
	Description string       `toml:"description" json:"description,omitempty"`
	Format      string       `toml:"format" json:"format"`
	Language    string       `toml:"language" json:"language"`
	Data        DataConfig   `toml:"data" json:"data"`
	Limits      LimitsConfig `toml:"limits" json:"limits"`
	Judge       JudgeConfig  `toml:"judge" json:"judge"`
	Eval        EvalConfig   `toml:"eval" json:"eval"`
	// Function configures function-call benchmarks (HumanEval+, MBPP+).
	Function FunctionConfig `toml:"function" json:"function"`
	// LiveCodeBench chooses the release and contest window of a
	// LiveCodeBench benchmark (format "livecodebench").
	LiveCodeBench LiveCodeBenchConfig `toml:"livecodebench,omitempty" json:"livecodebench,omitzero"`
	// Generation, when set, says how scalebox eval samples a model for
	// the benchmark's samples, so that the file is a complete recipe.
	Generation *GenerationConfig `toml:"generation" json:"generation,omitempty"`
	// Python describes the reference environment of the benchmark's Python
	// harnesses.
	Python PythonConfig `toml:"python" json:"python"`

	// Origin says where the configuration came from: "builtin", a file
	// path, or "builtin+<path>" for a builtin overridden by a file.
	Origin string `toml:"-" json:"origin"`
	// dir resolves relative data paths of a file configuration.
	dir string
}

// DataConfig says where a benchmark's problems come from.
type DataConfig struct {
	// Path is a file or folder, relative to the configuration file, or
	// "embed:<path>" for data built into scalebox.
	Path string `toml:"path" json:"path"`
	// SHA256 pins the data's content; a mismatch is an error.
	SHA256 string `toml:"sha256" json:"sha256,omitempty"`
	// URL is where `scalebox bench pull` downloads the data from.
	URL string `toml:"url" json:"url,omitempty"`
	// Samples is an optional sample file shipped with the benchmark (the
	// demo's), used when no --samples is given.
	Samples string `toml:"samples" json:"samples,omitempty"`
	// Files are the names a dataset file may have, for --data FOLDER. A
	// configuration with files but neither path nor releases has its data
	// given with --data.
	Files []string `toml:"files" json:"files,omitempty"`
	// TestGroups, for data whose tests come in groups (CodeContests:
	// public, private, generated; a Kattis package: the folders under
	// data/, such as sample and secret), are the groups judged, in this
	// order for CodeContests; empty means all.
	TestGroups []string `toml:"test_groups" json:"test_groups,omitempty"`
	// Releases are the published versions of the data; data whose sha256
	// matches one is reported as that version.
	Releases []Release `toml:"releases" json:"releases,omitempty"`
}

// Release is one published version of a benchmark's data.
type Release struct {
	Version string `toml:"version" json:"version"`
	URL     string `toml:"url" json:"url"`
	SHA256  string `toml:"sha256" json:"sha256"`
	// File is the name the download is stored under.
	File string `toml:"file" json:"file"`
}

// FunctionConfig sets how function-call problems run: each sample's inputs
// run in one sandboxed process per chunk, the harness timing each input.
type FunctionConfig struct {
	// Groups are the input groups judged, in order ("base", "plus").
	Groups []string `toml:"groups" json:"groups,omitempty"`
	// MinTimeLimit and TimeLimitFactor give each input's CPU time limit:
	// max(MinTimeLimit, TimeLimitFactor × the reference solution's CPU time).
	MinTimeLimit    Duration `toml:"min_time_limit" json:"min_time_limit,omitempty"`
	TimeLimitFactor float64  `toml:"time_limit_factor" json:"time_limit_factor,omitempty"`
	// TotalTimeLimit caps the CPU time of one process (evalplus: 60 s per
	// task and group); inputs left when it is reached time out.
	TotalTimeLimit Duration `toml:"total_time_limit" json:"total_time_limit,omitempty"`
	// ChunkSize is the most inputs one process runs.
	ChunkSize int `toml:"chunk_size" json:"chunk_size,omitempty"`
	// ChunkReferenceCPU, when positive, also ends a chunk before the
	// reference solution's CPU time on its inputs passes it (a chunk holds
	// at least one input): a problem whose inputs are heavy runs in several
	// processes, which spread over the slots, so that neither it nor the
	// confirmation of a TLE on it holds one slot for long.
	ChunkReferenceCPU Duration `toml:"chunk_reference_cpu" json:"chunk_reference_cpu,omitempty"`
	// Oracles names the dataset whose special comparisons apply
	// ("humaneval", "mbpp", or "" for none).
	Oracles string `toml:"oracles" json:"oracles,omitempty"`
}

// PythonConfig describes the Python environment a benchmark's reference
// harness runs programs in, which the Python harnesses reproduce so that a
// verdict does not depend on what the host happens to have installed.
type PythonConfig struct {
	// Packages are the third-party packages (top-level import names) of
	// the reference environment. A program may import them, as if they had
	// been imported before the harness's reliability guard (the reference
	// harnesses import numpy before theirs); every other package installed
	// on the host is hidden from it. A sample that failed and names a
	// package the host lacks is SE: it cannot be judged there. Default
	// ["numpy"] (evalplus, human-eval, lcb_runner and DeepSeek-Coder's
	// evaluation all import it).
	Packages []string `toml:"packages" json:"packages"`
}

// LimitsConfig bounds each test run.
type LimitsConfig struct {
	CPUTime   Duration `toml:"cpu_time" json:"cpu_time"`
	WallTime  Duration `toml:"wall_time" json:"wall_time"`
	Memory    ByteSize `toml:"memory" json:"memory"`
	Output    ByteSize `toml:"output" json:"output"`
	FileSize  ByteSize `toml:"file_size" json:"file_size"`
	Processes int      `toml:"processes" json:"processes"`
	Tmpfs     ByteSize `toml:"tmpfs" json:"tmpfs"`
	// ProblemLimits lets a problem's own time and memory limits, where its
	// data gives them (CodeContests' time_limit and memory_limit_bytes, a
	// Kattis problem.yaml's limits), replace cpu_time and memory for it.
	ProblemLimits bool `toml:"problem_limits" json:"problem_limits,omitempty"`
}

// JudgeConfig chooses the comparator.
type JudgeConfig struct {
	Comparator string  `toml:"comparator" json:"comparator"`
	AbsTol     float64 `toml:"abs_tol" json:"abs_tol,omitempty"`
	RelTol     float64 `toml:"rel_tol" json:"rel_tol,omitempty"`
	// Flags are validator flags for the kattis comparator, before each
	// problem's own ("float_tolerance", "1e-6").
	Flags []string `toml:"flags" json:"flags,omitempty"`
}

// EvalConfig sets how samples are scored.
type EvalConfig struct {
	// EarlyStop is "first-failure" (stop a sample at its first failing
	// test) or "never" (run every test: partial credit).
	EarlyStop string `toml:"early_stop" json:"early_stop"`
	// K lists the pass@k values to report.
	K []int `toml:"k" json:"k"`
}

// Early-stop policies.
const (
	EarlyStopFirstFailure = "first-failure"
	EarlyStopNever        = "never"
)

// Defaults applied to every configuration before its file is read.
func defaultConfig() Config {
	return Config{
		Format:   "scalebox",
		Language: "python3",
		Limits: LimitsConfig{
			CPUTime:   Duration(2 * time.Second),
			Memory:    256 << 20,
			Output:    16 << 20,
			FileSize:  16 << 20,
			Processes: 64,
			Tmpfs:     64 << 20,
		},
		Judge:  JudgeConfig{Comparator: "lines"},
		Eval:   EvalConfig{EarlyStop: EarlyStopFirstFailure, K: []int{1, 10, 100}},
		Python: PythonConfig{Packages: []string{"numpy"}},
		Function: FunctionConfig{
			Groups:          []string{"base"},
			MinTimeLimit:    Duration(4 * time.Second),
			TimeLimitFactor: 4,
			TotalTimeLimit:  Duration(60 * time.Second),
			ChunkSize:       1000,
			// About 2 to 8 s of a correct program's CPU per process.
			ChunkReferenceCPU: Duration(2 * time.Second),
		},
	}
}

// WallTime is the wall-clock cap: the configured one, or 3×CPU + 2s, so that
// a loaded machine cannot turn a correct program into a TLE.
func (l LimitsConfig) WallTimeOrDefault() time.Duration {
	if l.WallTime > 0 {
		return l.WallTime.Std()
	}
	return 3*l.CPUTime.Std() + 2*time.Second
}

// Validate checks a merged configuration.
func (c *Config) Validate() error { return c.validate(true) }

// validate checks the configuration; withData says whether it must say
// where its data is (a benchmark made in memory has none).
func (c *Config) validate(withData bool) error {
	var errs []string
	if c.Name == "" {
		errs = append(errs, "name is missing")
	}
	if c.Version == "" {
		errs = append(errs, "version is missing")
	}
	if !knownFormat(c.Format) {
		errs = append(errs, fmt.Sprintf("format %q is unknown (known: %s)", c.Format, strings.Join(LoaderNames(), ", ")))
	}
	// Without a path, the data comes from --data: a file named in
	// data.files, a pulled release, or a folder for a folder format.
	if withData && c.Data.Path == "" && len(c.Data.Releases) == 0 && len(c.Data.Files) == 0 && !c.readsFolders() {
		errs = append(errs, "data.path is missing")
	}
	for i, r := range c.Data.Releases {
		if r.Version == "" || r.File == "" || !isHex64(r.SHA256) {
			errs = append(errs, fmt.Sprintf("data.releases[%d] needs version, file and a 64-digit sha256", i))
		}
	}
	if f := c.Function; f.TimeLimitFactor < 0 || f.ChunkSize < 0 || f.MinTimeLimit < 0 || f.ChunkReferenceCPU < 0 {
		errs = append(errs, "function: limits must not be negative")
	}
	if o := c.Function.Oracles; o != "" && o != "humaneval" && o != "mbpp" {
		errs = append(errs, fmt.Sprintf("function.oracles %q is unknown (want \"humaneval\", \"mbpp\" or empty)", o))
	}
	errs = append(errs, c.LiveCodeBench.check(c.Format)...)
	errs = append(errs, c.Generation.check()...)
	for _, p := range c.Python.Packages {
		if !pythonName.MatchString(p) {
			errs = append(errs, fmt.Sprintf("python.packages: %q is not a top-level module name", p))
		}
	}
	if c.Data.SHA256 != "" && !isHex64(c.Data.SHA256) {
		errs = append(errs, "data.sha256 must be 64 hexadecimal digits")
	}
	if c.Limits.CPUTime <= 0 {
		errs = append(errs, "limits.cpu_time must be positive")
	}
	if c.Limits.WallTime > 0 && c.Limits.WallTime < c.Limits.CPUTime {
		errs = append(errs, "limits.wall_time must not be below limits.cpu_time")
	}
	if c.Limits.Memory < 1<<20 {
		errs = append(errs, "limits.memory must be at least 1MiB")
	}
	if c.Limits.Output <= 0 {
		errs = append(errs, "limits.output must be positive")
	}
	if c.Limits.Processes <= 0 {
		errs = append(errs, "limits.processes must be positive")
	}
	if _, err := judge.NewComparator(c.Judge.Comparator, judge.ComparatorOptions{AbsTol: c.Judge.AbsTol, RelTol: c.Judge.RelTol, Flags: c.Judge.Flags}); err != nil {
		errs = append(errs, "judge."+err.Error())
	}
	if c.Eval.EarlyStop != EarlyStopFirstFailure && c.Eval.EarlyStop != EarlyStopNever {
		errs = append(errs, fmt.Sprintf("eval.early_stop %q is unknown (want %q or %q)", c.Eval.EarlyStop, EarlyStopFirstFailure, EarlyStopNever))
	}
	for _, k := range c.Eval.K {
		if k < 1 {
			errs = append(errs, fmt.Sprintf("eval.k: %d is not a positive integer", k))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("benchmark %s (%s): %s", c.Name, c.Origin, strings.Join(errs, "; "))
	}
	return nil
}

// decodeInto reads TOML from data over c (keys it lacks keep their values)
// and rejects keys that no field takes, naming the file and the key.
func decodeInto(c *Config, data []byte, file string) error {
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("%s:%d: %s", file, perr.Position.Line, perr.Message)
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("%s: unknown key %s", file, strings.Join(keys, ", "))
	}
	return nil
}

// Registry finds benchmark configurations: those built into scalebox and
// those in user directories (a user file with a builtin's name overrides
// the keys it sets).
type Registry struct {
	// Dirs are searched for *.toml benchmark files, in order.
	Dirs []string
}

// Names returns every known benchmark name, sorted.
func (r *Registry) Names() ([]string, error) {
	seen := map[string]bool{}
	for _, n := range builtinNames() {
		seen[n] = true
	}
	files, err := r.userFiles()
	if err != nil {
		return nil, err
	}
	for name := range files {
		seen[name] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Load resolves a benchmark by name, or by path when nameOrPath ends in
// ".toml" or names an existing file.
func (r *Registry) Load(nameOrPath string) (*Config, error) {
	if strings.HasSuffix(nameOrPath, ".toml") || strings.ContainsRune(nameOrPath, os.PathSeparator) {
		return r.LoadFile(nameOrPath)
	}
	files, err := r.userFiles()
	if err != nil {
		return nil, err
	}
	if path, ok := files[nameOrPath]; ok {
		return r.LoadFile(path)
	}
	if slices.Contains(builtinNames(), nameOrPath) {
		c, err := loadBuiltin(nameOrPath)
		if err != nil {
			return nil, err
		}
		return c, c.Validate()
	}
	names, _ := r.Names()
	return nil, &UnknownBenchmarkError{Name: nameOrPath, Known: names}
}

// LoadFile reads a benchmark file. When its name is a builtin's, the file's
// keys override the builtin's.
func (r *Registry) LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read benchmark file: %w", err)
	}
	var probe struct {
		Name string `toml:"name"`
	}
	if _, err := toml.Decode(string(data), &probe); err != nil {
		// decodeInto reports it with the line.
		c := defaultConfig()
		return nil, decodeInto(&c, data, path)
	}
	if probe.Name == "" {
		return nil, fmt.Errorf("%s: name is missing", path)
	}
	var c *Config
	if slices.Contains(builtinNames(), probe.Name) {
		if c, err = loadBuiltin(probe.Name); err != nil {
			return nil, err
		}
		c.Origin = "builtin+" + path
	} else {
		d := defaultConfig()
		c = &d
		c.Origin = path
	}
	if err := decodeInto(c, data, path); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	// Data paths in the file are relative to it; an embedded path stays.
	if !strings.HasPrefix(c.Data.Path, embedPrefix) {
		c.dir = abs
	}
	return c, c.Validate()
}

// userFiles maps benchmark names to files in the registry's directories;
// the first directory wins.
func (r *Registry) userFiles() (map[string]string, error) {
	out := map[string]string{}
	for _, dir := range r.Dirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.toml"))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				return nil, err
			}
			var probe struct {
				Name string `toml:"name"`
			}
			if _, err := toml.Decode(string(data), &probe); err != nil {
				return nil, fmt.Errorf("%s: not a benchmark file: %v", m, err)
			}
			if probe.Name == "" {
				return nil, fmt.Errorf("%s: not a benchmark file: name is missing", m)
			}
			if _, dup := out[probe.Name]; !dup {
				out[probe.Name] = m
			}
		}
	}
	return out, nil
}

// builtinNames lists the builtin benchmarks: the files in builtin/ and
// those generated from templates (multiple-<lang>).
func builtinNames() []string {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	for n := range generatedBuiltins() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func loadBuiltin(name string) (*Config, error) {
	file := "builtin/" + name + ".toml"
	data, err := builtinFS.ReadFile(file)
	if gen, ok := generatedBuiltins()[name]; ok && err != nil {
		file, data, err = "builtin/multiple.toml.tmpl ("+name+")", gen, nil
	}
	if err != nil {
		return nil, err
	}
	c := defaultConfig()
	c.Origin = "builtin"
	if err := decodeInto(&c, data, file); err != nil {
		return nil, err
	}
	return &c, nil
}

// pythonName is a top-level Python module name.
var pythonName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// UnknownBenchmarkError lists the known benchmarks.
type UnknownBenchmarkError struct {
	Name  string
	Known []string
}

func (e *UnknownBenchmarkError) Error() string {
	return fmt.Sprintf("unknown benchmark %q; known benchmarks: %s (or give a path to a .toml file)", e.Name, strings.Join(e.Known, ", "))
}

// readData returns the bytes at a data path of c (relative to its file, or
// embedded) and the path as shown to users.
func (c *Config) readData(path string) ([]byte, string, error) {
	if p, ok := strings.CutPrefix(path, embedPrefix); ok {
		data, err := builtinFS.ReadFile("builtin/" + p)
		return data, path, err
	}
	if !filepath.IsAbs(path) && c.dir != "" {
		path = filepath.Join(c.dir, path)
	}
	data, err := os.ReadFile(path)
	return data, path, err
}

// ReadSamplesData returns the benchmark's own samples file (data.samples)
// and its path as shown to users.
func (c *Config) ReadSamplesData() ([]byte, string, error) {
	if c.Data.Samples == "" {
		return nil, "", fmt.Errorf("benchmark %s has no samples of its own", c.Name)
	}
	return c.readData(c.Data.Samples)
}
