package benchmarks_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scalebox-dev/scalebox/benchmarks"
)

// tinyProblems is a small benchmark in scalebox format.
const tinyProblems = `{"task_id": "t/1", "kind": "stdio", "tests": [{"input": "1\n", "output": "1\n"}]}
{"task_id": "t/2", "kind": "assert", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n"}
`

var tinyWant = []*benchmarks.Problem{
	{TaskID: "t/1", Kind: benchmarks.KindStdio, Tests: []benchmarks.Test{{Input: "1\n", Output: "1\n"}}},
	{TaskID: "t/2", Kind: benchmarks.KindAssert, Prompt: "def f():\n", EntryPoint: "f", TestCode: "def check(c):\n    assert c() == 1\n"},
}

// ignoreDir ignores Config's unexported fields (the file's directory).
var ignoreDir = cmpopts.IgnoreUnexported(benchmarks.Config{})

// writeFile writes content to dir/name, creating folders, and returns the
// path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func loadDemo(t *testing.T) *benchmarks.Config {
	t.Helper()
	c, err := (&benchmarks.Registry{}).Load("demo")
	if err != nil {
		t.Fatalf(`Load("demo"): %v`, err)
	}
	return c
}

func TestBuiltinDemo(t *testing.T) {
	c := loadDemo(t)
	type head struct{ Name, Format, Origin, DataPath string }
	want := head{"demo", "scalebox", "builtin", "embed:demo/problems.jsonl"}
	if diff := cmp.Diff(want, head{c.Name, c.Format, c.Origin, c.Data.Path}); diff != "" {
		t.Errorf(`Load("demo") mismatch (-want +got):\n%s`, diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	b, err := benchmarks.Load(c, "")
	if err != nil {
		t.Fatalf("Load demo data: %v", err)
	}
	if len(b.Problems) == 0 || b.DataPath != "embed:demo/problems.jsonl" || len(b.SHA256) != 64 || b.Config != c {
		t.Errorf("demo benchmark: %d problems, data %q, sha256 %q", len(b.Problems), b.DataPath, b.SHA256)
	}
	for _, p := range b.Problems {
		if got, ok := b.Problem(p.TaskID); !ok || got != p {
			t.Errorf("Problem(%q) = %v, %v", p.TaskID, got, ok)
		}
		if _, err := b.Comparator(p); err != nil {
			t.Errorf("demo problem %s: %v", p.TaskID, err)
		}
	}
	if p, ok := b.Problem("no such task"); ok {
		t.Errorf(`Problem("no such task") = %v`, p)
	}
}

// TestBuiltinDemoSamples reads the demo's shipped samples and checks that
// each names a demo problem.
func TestBuiltinDemoSamples(t *testing.T) {
	c := loadDemo(t)
	b, err := benchmarks.Load(c, "")
	if err != nil {
		t.Fatal(err)
	}
	name, ok := strings.CutPrefix(c.Data.Samples, "embed:")
	if !ok {
		t.Skipf("demo samples %q are not embedded", c.Data.Samples)
	}
	f, err := os.Open(filepath.Join("builtin", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, err := benchmarks.ReadSamples(f, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Errorf("%s has no samples", name)
	}
	for _, s := range samples {
		if _, ok := b.Problem(s.TaskID); !ok {
			t.Errorf("%s:%d: task %q is not a demo problem", name, s.Line, s.TaskID)
		}
	}
}

func TestBuiltinNames(t *testing.T) {
	names, err := (&benchmarks.Registry{}).Names()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "demo") || !slices.IsSorted(names) {
		t.Errorf("Names() = %q, want a sorted list with demo", names)
	}
}

// TestBuiltinsValidate loads every builtin benchmark's configuration.
func TestBuiltinsValidate(t *testing.T) {
	names, err := (&benchmarks.Registry{}).Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, err := (&benchmarks.Registry{}).Load(name); err != nil {
			t.Errorf("Load(%q): %v", name, err)
		}
	}
}

func TestLoadUnknown(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p.jsonl\"\n")
	r := &benchmarks.Registry{Dirs: []string{dir}}
	names, err := r.Names()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "mine") || !slices.Contains(names, "demo") {
		t.Errorf("Names() = %q, want demo and mine among them", names)
	}
	_, err = r.Load("nope")
	var unknown *benchmarks.UnknownBenchmarkError
	if !errors.As(err, &unknown) {
		t.Fatalf(`Load("nope") error = %v, want *UnknownBenchmarkError`, err)
	}
	if diff := cmp.Diff(&benchmarks.UnknownBenchmarkError{Name: "nope", Known: names}, unknown); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
	want := `unknown benchmark "nope"; known benchmarks: ` + strings.Join(names, ", ") + " (or give a path to a .toml file)"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("message mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadUnknownKey(t *testing.T) {
	const head = "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p.jsonl\"\n"
	tests := []struct {
		content, keys string
	}{
		{"bogus = 1\n" + head, "bogus"},
		{head + "[limits]\nfoo = 1\n", "limits.foo"},
		{head + "[limits]\ncpu_time = \"1s\"\ncpu-time = \"2s\"\n", "limits.cpu-time"},
		{head + "[judge]\ncomparator = \"float\"\ntolerance = 1e-6\n", "judge.tolerance"},
		{head + "[eval]\nearly-stop = \"never\"\n", "eval.early-stop"},
		{head + "[limit]\ncpu_time = \"1s\"\n", "limit, limit.cpu_time"},
		{"name = \"demo\"\n[limits]\nfoo = 1\n", "limits.foo"},
		{"name = \"demo\"\nversion = \"2\"\nlanguages = [\"cpp\"]\n", "languages"},
	}
	for i, tt := range tests {
		path := writeFile(t, t.TempDir(), fmt.Sprintf("b%d.toml", i), tt.content)
		_, err := (&benchmarks.Registry{}).LoadFile(path)
		if diff := cmp.Diff(path+": unknown key "+tt.keys, errText(err)); diff != "" {
			t.Errorf("LoadFile(%q) error mismatch (-want +got):\n%s", tt.content, diff)
		}
	}
}

func TestLoadUnknownKeyByName(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p.jsonl\"\n[data.mirror]\nurl = \"x\"\n")
	_, err := (&benchmarks.Registry{Dirs: []string{dir}}).Load("mine")
	if diff := cmp.Diff(path+": unknown key data.mirror, data.mirror.url", errText(err)); diff != "" {
		t.Errorf("Load error mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadFileSyntaxError(t *testing.T) {
	tests := []struct {
		content string
		line    int
	}{
		{"name = \"mine\"\nversion = \n", 2},
		{"name = \"mine\"\nversion = \"1\"\n[lim its]\ncpu_time = \"1s\"\n", 3},
		{"name = \"mine\"\n\n\ndescription = \"unterminated\n", 4},
		{"name = \"demo\"\n[limits]\ncpu_time = 1s\n", 3},
		{"name = \"mine\"\nname = \"again\"\n", 2},
		// A value the field rejects is reported with its line too.
		{"name = \"mine\"\nversion = \"1\"\n[limits]\ncpu_time = \"fast\"\n", 4},
		{"name = \"demo\"\n[limits]\nmemory = \"lots\"\n", 3},
	}
	for i, tt := range tests {
		path := writeFile(t, t.TempDir(), fmt.Sprintf("b%d.toml", i), tt.content)
		_, err := (&benchmarks.Registry{}).LoadFile(path)
		if prefix := fmt.Sprintf("%s:%d: ", path, tt.line); !strings.HasPrefix(errText(err), prefix) {
			t.Errorf("LoadFile(%q) error = %v, want it to start with %q", tt.content, err, prefix)
		}
	}
}

func TestLoadFileTypeError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "b.toml", "name = \"mine\"\nversion = \"1\"\n[limits]\nprocesses = \"many\"\n")
	_, err := (&benchmarks.Registry{}).LoadFile(path)
	if got := errText(err); !strings.HasPrefix(got, path+": ") || !strings.Contains(got, "limits.processes") || !strings.Contains(got, "line 4") {
		t.Errorf("LoadFile error = %q, want it to name %s, line 4 and limits.processes", got, path)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"noname.toml", "version = \"1\"\n", "%s: name is missing"},
		{"empty.toml", "", "%s: name is missing"},
		{"nover.toml", "name = \"mine\"\n[data]\npath = \"p.jsonl\"\n", "benchmark mine (%s): version is missing"},
		{"nodata.toml", "name = \"mine\"\nversion = \"1\"\n", "benchmark mine (%s): data.path is missing"},
		{"format.toml", "name = \"mine\"\nversion = \"1\"\nformat = \"xml\"\n[data]\npath = \"p\"\n", `benchmark mine (%s): format "xml" is unknown (known: codecontests, evalplus, humaneval, kattis, leetcode, livecodebench, multipl-e, scalebox)`},
		{"wall.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p\"\n[limits]\ncpu_time = \"2s\"\nwall_time = \"1s\"\n", "benchmark mine (%s): limits.wall_time must not be below limits.cpu_time"},
		{"cmp.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p\"\n[judge]\ncomparator = \"fuzzy\"\n", `benchmark mine (%s): judge.unknown comparator "fuzzy" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"stop.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p\"\n[eval]\nearly_stop = \"sometimes\"\n", `benchmark mine (%s): eval.early_stop "sometimes" is unknown (want "first-failure" or "never")`},
		{"k.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p\"\n[eval]\nk = [1, 0]\n", "benchmark mine (%s): eval.k: 0 is not a positive integer"},
		{"demo.toml", "name = \"demo\"\n[limits]\ncpu_time = \"1h\"\nwall_time = \"1s\"\n", "benchmark demo (builtin+%s): limits.wall_time must not be below limits.cpu_time"},
	}
	for _, tt := range tests {
		path := writeFile(t, dir, tt.name, tt.content)
		_, err := (&benchmarks.Registry{}).LoadFile(path)
		if diff := cmp.Diff(fmt.Sprintf(tt.want, path), errText(err)); diff != "" {
			t.Errorf("LoadFile(%s) error mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestLoadFileLimitsOutOfRange: limits that do not fit (NaN, or more
// seconds than a time.Duration holds) must be rejected, not turned into
// negative values that Validate then ignores or reports misleadingly.
func TestLoadFileLimitsOutOfRange(t *testing.T) {
	const head = "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p\"\n[limits]\n"
	for i, limits := range []string{
		"wall_time = nan\n",
		"tmpfs = \"NaN\"\n",
		"file_size = \"nan\"\n",
		"cpu_time = 1\nwall_time = 10000000000\n",
	} {
		path := writeFile(t, t.TempDir(), fmt.Sprintf("b%d.toml", i), head+limits)
		c, err := (&benchmarks.Registry{}).LoadFile(path)
		if err == nil {
			t.Errorf("LoadFile with %q = limits %+v, want an error", limits, c.Limits)
		}
	}
}

func TestLoadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.toml")
	_, err := (&benchmarks.Registry{}).Load(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(errText(err), path) {
		t.Errorf("Load(%q) error = %v, want a not-exist error naming the file", path, err)
	}
}

func TestOverrideBuiltin(t *testing.T) {
	base := loadDemo(t)
	half := base.Limits.CPUTime / 2
	tests := []struct {
		content string
		change  func(c *benchmarks.Config)
	}{
		{fmt.Sprintf("name = \"demo\"\n[limits]\ncpu_time = %q\n", half.Std().String()), func(c *benchmarks.Config) { c.Limits.CPUTime = half }},
		{"name = \"demo\"\n[limits]\nmemory = \"200MiB\"\n", func(c *benchmarks.Config) { c.Limits.Memory = 200 << 20 }},
		{"name = \"demo\"\n[eval]\nk = [5]\n", func(c *benchmarks.Config) { c.Eval.K = []int{5} }},
		{"name = \"demo\"\n[judge]\ncomparator = \"float\"\nabs_tol = 0.001\n", func(c *benchmarks.Config) {
			c.Judge = benchmarks.JudgeConfig{Comparator: "float", AbsTol: 0.001, RelTol: base.Judge.RelTol}
		}},
		{"name = \"demo\"\ndescription = \"mine\"\nversion = \"9\"\n", func(c *benchmarks.Config) { c.Description, c.Version = "mine", "9" }},
		{"name = \"demo\"\n[data]\npath = \"local.jsonl\"\n", func(c *benchmarks.Config) { c.Data.Path = "local.jsonl" }},
		// A reference environment without numpy, and one with more.
		{"name = \"demo\"\n[python]\npackages = []\n", func(c *benchmarks.Config) { c.Python.Packages = []string{} }},
		{"name = \"demo\"\n[python]\npackages = [\"numpy\", \"scipy\"]\n", func(c *benchmarks.Config) { c.Python.Packages = []string{"numpy", "scipy"} }},
	}
	for i, tt := range tests {
		dir := t.TempDir()
		path := writeFile(t, dir, fmt.Sprintf("o%d.toml", i), tt.content)
		want := *base
		want.Eval.K = slices.Clone(base.Eval.K)
		want.Origin = "builtin+" + path
		tt.change(&want)
		got, err := (&benchmarks.Registry{Dirs: []string{dir}}).Load("demo")
		if err != nil {
			t.Errorf("Load(demo) with %q: %v", tt.content, err)
			continue
		}
		if diff := cmp.Diff(&want, got, ignoreDir); diff != "" {
			t.Errorf("Load(demo) with %q mismatch (-want +got):\n%s", tt.content, diff)
		}
	}
}

func TestOverrideBuiltinKeepsEmbeddedData(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "demo.toml", "name = \"demo\"\n[limits]\nmemory = \"200MiB\"\n")
	c, err := (&benchmarks.Registry{Dirs: []string{dir}}).Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := benchmarks.Load(c, ""); err != nil {
		t.Errorf("load overridden demo's embedded data: %v", err)
	}
}

func TestOverrideBuiltinLocalData(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "demo.toml", "name = \"demo\"\n[data]\npath = \"local.jsonl\"\n")
	data := writeFile(t, dir, "local.jsonl", tinyProblems)
	t.Chdir(t.TempDir())
	c, err := (&benchmarks.Registry{}).LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(c, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tinyWant, b.Problems, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" || b.DataPath != data {
		t.Errorf("problems from %s mismatch (-want +got):\n%s", b.DataPath, diff)
	}
}

func TestUserBenchmarkRelativeData(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "bench")
	writeFile(t, dir, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"data/problems.jsonl\"\n")
	data := writeFile(t, dir, "data/problems.jsonl", tinyProblems)

	t.Chdir(t.TempDir()) // data paths must not resolve against the working directory
	c, err := (&benchmarks.Registry{Dirs: []string{dir}}).Load("mine")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(filepath.Join(dir, "mine.toml"), c.Origin); diff != "" {
		t.Errorf("Origin mismatch (-want +got):\n%s", diff)
	}
	b, err := benchmarks.Load(c, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tinyWant, b.Problems, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
	if b.DataPath != data || b.SHA256 != sha256Hex(tinyProblems) {
		t.Errorf("DataPath, SHA256 = %q, %q, want %q, %q", b.DataPath, b.SHA256, data, sha256Hex(tinyProblems))
	}
}

func TestUserBenchmarkRelativeFilePath(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "bench/mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\n")
	data := writeFile(t, root, "bench/problems.jsonl", tinyProblems)

	t.Chdir(root)
	c, err := (&benchmarks.Registry{}).Load(filepath.Join("bench", "mine.toml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // the file's directory was resolved when it was read
	b, err := benchmarks.Load(c, "")
	if err != nil {
		t.Fatal(err)
	}
	if b.DataPath != data || len(b.Problems) != 2 {
		t.Errorf("DataPath = %q with %d problems, want %q with 2", b.DataPath, len(b.Problems), data)
	}
}

func TestLoadByPathWithTOMLSuffix(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\n")
	writeFile(t, root, "problems.jsonl", tinyProblems)
	t.Chdir(root)
	c, err := (&benchmarks.Registry{}).Load("mine.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "mine" || c.Origin != "mine.toml" {
		t.Errorf(`Load("mine.toml") = name %q, origin %q`, c.Name, c.Origin)
	}
}

func TestLoadDataOverride(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, root, "bench/mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\nsha256 = \""+strings.Repeat("0", 64)+"\"\n")
	writeFile(t, root, "elsewhere/other.jsonl", tinyProblems)
	c, err := (&benchmarks.Registry{}).LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The override is relative to the working directory, and the pinned
	// hash does not apply to it.
	t.Chdir(filepath.Join(root, "elsewhere"))
	b, err := benchmarks.Load(c, "other.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if b.DataPath != "other.jsonl" || len(b.Problems) != 2 {
		t.Errorf("DataPath = %q with %d problems", b.DataPath, len(b.Problems))
	}
}

func TestLoadMissingData(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"missing.jsonl\"\n")
	c, err := (&benchmarks.Registry{}).LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = benchmarks.Load(c, "")
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(errText(err), "load benchmark mine: ") || !strings.Contains(errText(err), filepath.Join(dir, "missing.jsonl")) {
		t.Errorf("Load error = %v, want a not-exist error naming the benchmark and the data file", err)
	}
}

func TestSHA256(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "problems.jsonl", tinyProblems)
	hash := sha256Hex(tinyProblems)
	wrong := strings.Repeat("0", 64)
	tests := []struct {
		pin, want string
	}{
		{hash, ""},
		{strings.ToUpper(hash), ""},
		{wrong, fmt.Sprintf("load benchmark mine: %s has sha256 %s, but the configuration pins %s", data, hash, wrong)},
		{hash[1:] + "0", fmt.Sprintf("load benchmark mine: %s has sha256 %s, but the configuration pins %s", data, hash, hash[1:]+"0")},
	}
	for i, tt := range tests {
		path := writeFile(t, dir, fmt.Sprintf("b%d.toml", i), "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\nsha256 = \""+tt.pin+"\"\n")
		c, err := (&benchmarks.Registry{}).LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = benchmarks.Load(c, "")
		if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
			t.Errorf("sha256 %s: Load error mismatch (-want +got):\n%s", tt.pin, diff)
		}
	}
}

func TestRegistryDirsPrecedence(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	writeFile(t, d1, "a.toml", "name = \"x\"\nversion = \"1\"\n[data]\npath = \"p\"\n")
	writeFile(t, d2, "b.toml", "name = \"x\"\nversion = \"2\"\n[data]\npath = \"p\"\n")
	writeFile(t, d2, "c.toml", "name = \"y\"\nversion = \"3\"\n[data]\npath = \"p\"\n")
	writeFile(t, d2, "README.md", "not a benchmark")
	writeFile(t, d1, "demo.toml", "name = \"demo\"\ndescription = \"from d1\"\n")
	writeFile(t, d2, "zz.toml", "name = \"demo\"\ndescription = \"from d2\"\n")
	demo := loadDemo(t).Version
	tests := []struct {
		dirs                     []string
		name, version, desc, dir string
	}{
		{[]string{d1, d2}, "x", "1", "", d1},
		{[]string{d2, d1}, "x", "2", "", d2},
		{[]string{d1, d2}, "y", "3", "", d2},
		{[]string{d1, d2}, "demo", demo, "from d1", d1},
		{[]string{d2, d1}, "demo", demo, "from d2", d2},
	}
	for _, tt := range tests {
		c, err := (&benchmarks.Registry{Dirs: tt.dirs}).Load(tt.name)
		if err != nil {
			t.Errorf("Load(%q) with dirs %q: %v", tt.name, tt.dirs, err)
			continue
		}
		type got struct{ Version, Desc, Dir string }
		if diff := cmp.Diff(got{tt.version, tt.desc, tt.dir}, got{c.Version, c.Description, filepath.Dir(strings.TrimPrefix(c.Origin, "builtin+"))}); diff != "" {
			t.Errorf("Load(%q) with dirs %q mismatch (-want +got):\n%s", tt.name, tt.dirs, diff)
		}
	}
	names, err := (&benchmarks.Registry{Dirs: []string{d1, d2}}).Names()
	if err != nil {
		t.Fatal(err)
	}
	builtins, _ := (&benchmarks.Registry{}).Names()
	want := slices.Sorted(slices.Values(append(slices.Clone(builtins), "x", "y")))
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
}

func TestRegistryBadFile(t *testing.T) {
	tests := []struct {
		content, want string
	}{
		{"version = \"1\"\n", "%s: not a benchmark file"},
		{"name = \n", "%s: not a benchmark file: toml: line 1"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		path := writeFile(t, dir, "bad.toml", tt.content)
		_, err := (&benchmarks.Registry{Dirs: []string{dir}}).Names()
		if want := fmt.Sprintf(tt.want, path); !strings.HasPrefix(errText(err), want) {
			t.Errorf("Names() with %q: error = %v, want it to start with %q", tt.content, err, want)
		}
	}
}

// TestRegistryBadFileMessage: a user file without a name is reported as
// "<path>: not a benchmark file (<nil>)", printing the nil decode error.
func TestRegistryBadFileMessage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.toml", "version = \"1\"\n")
	_, err := (&benchmarks.Registry{Dirs: []string{dir}}).Names()
	if strings.Contains(errText(err), "<nil>") {
		t.Errorf("Names() error = %q, shows a nil error", err)
	}
}

func validConfig() benchmarks.Config {
	return benchmarks.Config{
		Name: "x", Version: "1", Format: "scalebox", Language: "python3",
		Data: benchmarks.DataConfig{Path: "p.jsonl"},
		Limits: benchmarks.LimitsConfig{
			CPUTime: benchmarks.Duration(2 * time.Second), Memory: 256 << 20, Output: 16 << 20,
			FileSize: 16 << 20, Processes: 64, Tmpfs: 64 << 20,
		},
		Judge:  benchmarks.JudgeConfig{Comparator: "lines"},
		Eval:   benchmarks.EvalConfig{EarlyStop: benchmarks.EarlyStopFirstFailure, K: []int{1, 10}},
		Origin: "test.toml",
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *benchmarks.Config)
		want   string
	}{
		{"valid", func(c *benchmarks.Config) {}, ""},
		{"wall equals cpu", func(c *benchmarks.Config) { c.Limits.WallTime = c.Limits.CPUTime }, ""},
		{"memory 1MiB", func(c *benchmarks.Config) { c.Limits.Memory = 1 << 20 }, ""},
		{"early stop never", func(c *benchmarks.Config) { c.Eval.EarlyStop = benchmarks.EarlyStopNever }, ""},
		{"no k", func(c *benchmarks.Config) { c.Eval.K = nil }, ""},
		{"float tolerances", func(c *benchmarks.Config) { c.Judge = benchmarks.JudgeConfig{Comparator: "float", AbsTol: 1e-9} }, ""},
		{"sha256", func(c *benchmarks.Config) { c.Data.SHA256 = sha256Hex("x") }, ""},
		{"sha256 upper case", func(c *benchmarks.Config) { c.Data.SHA256 = strings.ToUpper(sha256Hex("x")) }, ""},

		{"no name", func(c *benchmarks.Config) { c.Name = "" }, "benchmark  (test.toml): name is missing"},
		{"no version", func(c *benchmarks.Config) { c.Version = "" }, "benchmark x (test.toml): version is missing"},
		{"no data path", func(c *benchmarks.Config) { c.Data.Path = "" }, "benchmark x (test.toml): data.path is missing"},
		{"unknown format", func(c *benchmarks.Config) { c.Format = "xml" }, `benchmark x (test.toml): format "xml" is unknown (known: codecontests, evalplus, humaneval, kattis, leetcode, livecodebench, multipl-e, scalebox)`},
		{"no format", func(c *benchmarks.Config) { c.Format = "" }, `benchmark x (test.toml): format "" is unknown (known: codecontests, evalplus, humaneval, kattis, leetcode, livecodebench, multipl-e, scalebox)`},
		{"short sha256", func(c *benchmarks.Config) { c.Data.SHA256 = "abc" }, "benchmark x (test.toml): data.sha256 must be 64 hexadecimal digits"},
		{"no cpu time", func(c *benchmarks.Config) { c.Limits.CPUTime = 0 }, "benchmark x (test.toml): limits.cpu_time must be positive"},
		{"negative cpu time", func(c *benchmarks.Config) { c.Limits.CPUTime = -1 }, "benchmark x (test.toml): limits.cpu_time must be positive"},
		{"wall below cpu", func(c *benchmarks.Config) { c.Limits.WallTime = c.Limits.CPUTime - 1 }, "benchmark x (test.toml): limits.wall_time must not be below limits.cpu_time"},
		{"memory below 1MiB", func(c *benchmarks.Config) { c.Limits.Memory = 1<<20 - 1 }, "benchmark x (test.toml): limits.memory must be at least 1MiB"},
		{"no output", func(c *benchmarks.Config) { c.Limits.Output = 0 }, "benchmark x (test.toml): limits.output must be positive"},
		{"no processes", func(c *benchmarks.Config) { c.Limits.Processes = 0 }, "benchmark x (test.toml): limits.processes must be positive"},
		{"unknown comparator", func(c *benchmarks.Config) { c.Judge.Comparator = "diff" }, `benchmark x (test.toml): judge.unknown comparator "diff" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"no comparator", func(c *benchmarks.Config) { c.Judge.Comparator = "" }, `benchmark x (test.toml): judge.unknown comparator "" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"negative tolerance", func(c *benchmarks.Config) { c.Judge = benchmarks.JudgeConfig{Comparator: "float", RelTol: -1} }, "benchmark x (test.toml): judge.float comparator: tolerances must be non-negative numbers (abs 0, rel -1)"},
		{"bad early stop", func(c *benchmarks.Config) { c.Eval.EarlyStop = "always" }, `benchmark x (test.toml): eval.early_stop "always" is unknown (want "first-failure" or "never")`},
		{"no early stop", func(c *benchmarks.Config) { c.Eval.EarlyStop = "" }, `benchmark x (test.toml): eval.early_stop "" is unknown (want "first-failure" or "never")`},
		{"k zero", func(c *benchmarks.Config) { c.Eval.K = []int{1, 0} }, "benchmark x (test.toml): eval.k: 0 is not a positive integer"},
		{"k negative", func(c *benchmarks.Config) { c.Eval.K = []int{-5} }, "benchmark x (test.toml): eval.k: -5 is not a positive integer"},
		{"no python packages", func(c *benchmarks.Config) { c.Python.Packages = nil }, ""},
		{"python package path", func(c *benchmarks.Config) { c.Python.Packages = []string{"numpy.linalg"} }, `benchmark x (test.toml): python.packages: "numpy.linalg" is not a top-level module name`},
		{"several", func(c *benchmarks.Config) { c.Version, c.Data.Path, c.Eval.K = "", "", []int{0} },
			"benchmark x (test.toml): version is missing; data.path is missing; eval.k: 0 is not a positive integer"},
	}
	for _, tt := range tests {
		c := validConfig()
		tt.change(&c)
		if diff := cmp.Diff(tt.want, errText(c.Validate())); diff != "" {
			t.Errorf("%s: Validate error mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestValidateSHA256NotHex: Validate says data.sha256 "must be 64
// hexadecimal digits" but checks only the length.
func TestValidateSHA256NotHex(t *testing.T) {
	c := validConfig()
	c.Data.SHA256 = strings.Repeat("z", 64)
	if err := c.Validate(); err == nil {
		t.Errorf("Validate accepted data.sha256 = %q", c.Data.SHA256)
	}
}

// TestLoadUnknownFormat: Load of a configuration that was not validated
// must return an error for an unknown format, not call a nil loader.
func TestLoadUnknownFormat(t *testing.T) {
	c := validConfig()
	c.Format = "xml"
	c.Data.Path = writeFile(t, t.TempDir(), "p.jsonl", tinyProblems)
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Load with format %q panicked: %v", c.Format, r)
		}
	}()
	if _, err := benchmarks.Load(&c, ""); err == nil {
		t.Errorf("Load with format %q succeeded", c.Format)
	}
}

func TestWallTimeOrDefault(t *testing.T) {
	tests := []struct {
		cpu, wall, want time.Duration
	}{
		{2 * time.Second, 0, 8 * time.Second},
		{time.Second, 0, 5 * time.Second},
		{time.Second, 7 * time.Second, 7 * time.Second},
		{time.Second, time.Second, time.Second},
	}
	for _, tt := range tests {
		l := benchmarks.LimitsConfig{CPUTime: benchmarks.Duration(tt.cpu), WallTime: benchmarks.Duration(tt.wall)}
		if got := l.WallTimeOrDefault(); got != tt.want {
			t.Errorf("WallTimeOrDefault(cpu %v, wall %v) = %v, want %v", tt.cpu, tt.wall, got, tt.want)
		}
	}
}

// FuzzLoadFile checks that reading a benchmark file never panics, that an
// error names the file, and that a loaded configuration is valid.
func FuzzLoadFile(f *testing.F) {
	f.Add("name = \"mine\"\nversion = \"1\"\n[data]\npath = \"p.jsonl\"\n")
	f.Add("name = \"demo\"\n[limits]\ncpu_time = 2\nwall_time = 9.5\nmemory = 134217728\n")
	f.Add("name = \"demo\"\n[judge]\ncomparator = \"float\"\nabs_tol = 1e-3\n[eval]\nk = [1, 5]\nearly_stop = \"never\"\n")
	f.Add("name = \"x\"\nversion = \"1\"\n[limits]\nfoo = 1\n")
	f.Add("name = \n")
	f.Fuzz(func(t *testing.T, content string) {
		path := writeFile(t, t.TempDir(), "b.toml", content)
		c, err := (&benchmarks.Registry{}).LoadFile(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("LoadFile error does not name the file: %v", err)
			}
			return
		}
		if c == nil || c.Name == "" {
			t.Fatalf("LoadFile = %+v with no error", c)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("LoadFile returned an invalid configuration: %v", err)
		}
		l := c.Limits
		if l.WallTime < 0 || l.FileSize < 0 || l.Tmpfs < 0 {
			t.Errorf("LoadFile returned negative limits: %+v", l)
		}
	})
}
