package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/report"
)

// run executes the root command in-process with a private config
// directory and returns stdout, stderr and the exit code.
func run(t *testing.T, ctx context.Context, configHome string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if configHome == "" {
		configHome = t.TempDir()
	}
	deps := Deps{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		switch k {
		case "XDG_CONFIG_HOME":
			return configHome
		case "HOME":
			return configHome
		}
		return ""
	}}
	code := Execute(ctx, deps, args)
	return out.String(), errb.String(), code
}

func needSandbox(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("bwrap")
	if err == nil {
		_, err = os.Stat("/usr/bin/python3")
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sandbox or python3 is missing: %v", err)
		}
		t.Skipf("sandbox unavailable: %v", err)
	}
}

type demoSample struct {
	TaskID string `json:"task_id"`
	Expect string `json:"expect"`
	Name   string `json:"name"`
}

// demoExpectations maps "task#index" to the verdict the demo sample must get.
func demoExpectations(t *testing.T) map[string]demoSample {
	t.Helper()
	f, err := os.Open("../benchmarks/builtin/demo/samples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]demoSample{}
	perTask := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s demoSample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprintf("%s#%d", s.TaskID, perTask[s.TaskID])] = s
		perTask[s.TaskID]++
	}
	return want
}

// TestEvalDemo runs the built-in demo on the real sandbox: every sample
// gets the verdict its file name promises, and every verdict but SE shows.
func TestEvalDemo(t *testing.T) {
	needSandbox(t)
	out := filepath.Join(t.TempDir(), "report.json")
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--out", out, "-j", "4")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	want := demoExpectations(t)
	seen := map[string]bool{}
	for _, p := range rep.Problems {
		for _, s := range p.Samples {
			key := fmt.Sprintf("%s#%d", p.TaskID, s.Index)
			w, ok := want[key]
			if !ok {
				t.Errorf("%s: not in the demo samples", key)
				continue
			}
			delete(want, key)
			seen[s.Verdict] = true
			if s.Verdict != w.Expect {
				t.Errorf("%s (%s): verdict %s, want %s: %s", key, w.Name, s.Verdict, w.Expect, s.Message)
			}
		}
	}
	for k := range want {
		t.Errorf("%s: missing from the report", k)
	}
	for _, v := range []string{"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE"} {
		if !seen[v] {
			t.Errorf("no demo sample got %s", v)
		}
	}
	if !strings.Contains(stdout, "pass@1") || !strings.Contains(stdout, "demo/") {
		t.Errorf("stdout lacks the summary table:\n%s", stdout)
	}
	if rep.Summary.Samples != len(demoExpectations(t)) || rep.Sandbox.Backend != "pool" || rep.Benchmark.SHA256 == "" {
		t.Errorf("summary %+v, sandbox %+v", rep.Summary, rep.Sandbox)
	}
}

// TestEvalDeterministic: -j 1 and -j 8 give byte-identical reports once
// usage and timing are stripped.
func TestEvalDeterministic(t *testing.T) {
	needSandbox(t)
	if testing.Short() {
		t.Skip("slow")
	}
	dir := t.TempDir()
	var reports [][]byte
	for _, j := range []string{"1", "8"} {
		out := filepath.Join(dir, "r"+j+".json")
		if _, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--out", out, "-j", j, "-q"); code != 0 {
			t.Fatalf("-j %s: exit %d: %s", j, code, stderr)
		}
		rep, err := report.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		rep.StripTimings()
		data, _ := rep.Marshal()
		reports = append(reports, data)
	}
	if diff := cmp.Diff(string(reports[0]), string(reports[1])); diff != "" {
		t.Errorf("reports differ between -j 1 and -j 8 (-j1 +j8):\n%s", diff)
	}
}

func TestEvalJSONAndAllTests(t *testing.T) {
	needSandbox(t)
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--json", "--all-tests", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s report.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("stdout is not the summary JSON: %v\n%s", err, stdout)
	}
	if s.Samples == 0 || s.PassAtK["1"] <= 0 || s.PassAtK["1"] >= 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"task_id\": \"demo/add\", \"solution\": \"print(1)\"}\n{not json\n"), 0o644)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"unknown benchmark", []string{"eval", "--bench", "nope"}, 1, "demo, humaneval"},
		{"malformed sample line", []string{"eval", "--bench", "demo", "--samples", bad}, 1, bad + ":2: invalid JSON"},
		{"missing samples file", []string{"eval", "--bench", "demo", "--samples", filepath.Join(dir, "none.jsonl")}, 1, "none.jsonl"},
		{"no bench", []string{"eval"}, 2, "--bench is required"},
		{"bad flag", []string{"eval", "--bench", "demo", "--frobnicate"}, 2, "unknown flag"},
		{"bad memory", []string{"eval", "--bench", "demo", "--memory", "lots"}, 2, "--memory"},
		{"unknown sandbox", []string{"eval", "--bench", "demo", "--sandbox", "docker"}, 1, "unknown sandbox backend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, context.Background(), "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.contains) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.contains)
			}
		})
	}
}

func TestEvalUnknownTaskIsReported(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.jsonl")
	os.WriteFile(samples, []byte("{\"task_id\": \"demo/add\", \"solution\": \"a, b = map(int, input().split())\\nprint(a + b)\"}\n{\"task_id\": \"demo/nope\", \"solution\": \"print(1)\"}\n"), 0o644)
	out := filepath.Join(dir, "r.json")
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--samples", samples, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, samples+`:2: task_id "demo/nope" is not in benchmark demo`) {
		t.Errorf("stderr does not name the unknown sample: %q", stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]report.SampleRef{{TaskID: "demo/nope", Line: 2}}, rep.UnknownSamples); diff != "" {
		t.Errorf("unknown_samples (-want +got):\n%s", diff)
	}
	if rep.Summary.PassAtK["1"] != 1 || rep.Summary.TasksWithoutSamples != rep.Summary.Tasks-1 || !strings.Contains(stdout, "no sample") {
		t.Errorf("summary %+v", rep.Summary)
	}
}

func TestEvalNoSandboxWarns(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.jsonl")
	os.WriteFile(samples, []byte("{\"task_id\": \"demo/add\", \"solution\": \"a, b = map(int, input().split())\\nprint(a + b)\"}\n"), 0o644)
	out := filepath.Join(dir, "r.json")
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--samples", samples, "--sandbox", "none", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "without isolation") {
		t.Errorf("no warning on stderr: %q", stderr)
	}
	rep, _ := report.Read(out)
	if rep.Sandbox.Backend != "none" || len(rep.Warnings) == 0 || rep.Summary.PassAtK["1"] != 1 {
		t.Errorf("sandbox %+v warnings %v summary %+v", rep.Sandbox, rep.Warnings, rep.Summary)
	}
}

// TestEvalInterrupt cancels a run midway: exit 130 and a partial report
// holding what finished.
func TestEvalInterrupt(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.jsonl")
	var b strings.Builder
	b.WriteString("{\"task_id\": \"demo/add\", \"solution\": \"a, b = map(int, input().split())\\nprint(a + b)\"}\n")
	for i := 0; i < 10; i++ {
		b.WriteString("{\"task_id\": \"demo/add\", \"solution\": \"import time\\ntime.sleep(60)\"}\n")
	}
	os.WriteFile(samples, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "r.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, stderr, code := run(t, ctx, "", "eval", "--bench", "demo", "--samples", samples, "--out", out, "-j", "2")
	if code != 130 {
		t.Fatalf("exit %d, want 130: %s", code, stderr)
	}
	if el := time.Since(start); el > 8*time.Second {
		t.Errorf("interrupt took %v", el)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatalf("no partial report: %v", err)
	}
	if !rep.Summary.Interrupted || rep.Summary.Samples != 1 {
		t.Errorf("summary %+v, want interrupted with the one finished sample", rep.Summary)
	}
}

func TestBenchListShowAndOverride(t *testing.T) {
	home := t.TempDir()
	stdout, stderr, code := run(t, context.Background(), home, "bench", "list")
	if code != 0 || !strings.Contains(stdout, "demo") || !strings.Contains(stdout, "builtin") {
		t.Fatalf("list: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code = run(t, context.Background(), home, "bench", "show", "demo")
	if code != 0 || !strings.Contains(stdout, `cpu_time = "1s"`) || !strings.Contains(stdout, "demo/add") {
		t.Fatalf("show: exit %d\n%s", code, stdout)
	}

	// A user file with the builtin's name overrides only what it sets.
	bdir := filepath.Join(home, "scalebox", "benchmarks")
	os.MkdirAll(bdir, 0o755)
	os.WriteFile(filepath.Join(bdir, "demo.toml"), []byte("name = \"demo\"\n[limits]\ncpu_time = \"3s\"\n"), 0o644)
	stdout, stderr, code = run(t, context.Background(), home, "bench", "show", "demo")
	if code != 0 || !strings.Contains(stdout, `cpu_time = "3s"`) || !strings.Contains(stdout, `memory = "128MiB"`) || !strings.Contains(stdout, "builtin+") {
		t.Fatalf("override: exit %d\n%s%s", code, stdout, stderr)
	}

	// Unknown keys name the file and the key.
	bad := filepath.Join(bdir, "demo.toml")
	os.WriteFile(bad, []byte("name = \"demo\"\n[limits]\ncpu_tme = \"3s\"\n"), 0o644)
	_, stderr, code = run(t, context.Background(), home, "bench", "show", "demo")
	if code != 1 || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "limits.cpu_tme") {
		t.Errorf("unknown key: exit %d, stderr %q", code, stderr)
	}
}

func TestConfigFile(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "scalebox"), 0o755)
	cfg := filepath.Join(home, "scalebox", "config.toml")
	os.WriteFile(cfg, []byte("jobs = 3\nsandbox = \"bwrap\"\n"), 0o644)
	var got *evalOptions
	capture := func(_ context.Context, o *evalOptions) error { got = o; return nil }
	runWith := func(env map[string]string, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		g := &globalOptions{deps: Deps{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return home
			}
			return env[k]
		}}}
		c := NewEvalCmd(g, capture)
		c.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return g.loadConfig(c) }
		c.SetArgs(args)
		c.SetOut(&out)
		c.SetErr(&errb)
		for k, v := range env {
			t.Setenv(k, v)
		}
		if err := c.Execute(); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
	}
	runWith(nil, "--bench", "demo")
	if got.jobs != 3 || got.sandbox != "bwrap" {
		t.Errorf("from the config file: jobs %d sandbox %q", got.jobs, got.sandbox)
	}
	runWith(map[string]string{"SCALEBOX_JOBS": "5"}, "--bench", "demo")
	if got.jobs != 5 {
		t.Errorf("environment over file: jobs %d, want 5", got.jobs)
	}
	runWith(map[string]string{"SCALEBOX_JOBS": "5"}, "--bench", "demo", "-j", "7")
	if got.jobs != 7 {
		t.Errorf("flag over environment: jobs %d, want 7", got.jobs)
	}

	os.WriteFile(cfg, []byte("jobs = 3\njbos = 4\n"), 0o644)
	_, stderr, code := run(t, context.Background(), home, "eval", "--bench", "demo")
	if code != 1 || !strings.Contains(stderr, cfg) || !strings.Contains(stderr, `"jbos"`) {
		t.Errorf("unknown config key: exit %d, stderr %q", code, stderr)
	}
}

func TestVersionAndDoctor(t *testing.T) {
	stdout, _, code := run(t, context.Background(), "", "version")
	if code != 0 || !strings.HasPrefix(stdout, "scalebox ") {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	needSandbox(t)
	stdout, stderr, code := run(t, context.Background(), "", "doctor")
	if code != 0 {
		t.Fatalf("doctor: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"sandbox pool", "cgroups", "language python3", "language cpp"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "language python3") && !strings.Contains(line, " ok ") {
			t.Errorf("python3 does not work: %s", line)
		}
	}
}
