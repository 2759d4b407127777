package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

const sharedData = "../../shared/data"

// needData skips a test whose shared data is missing, and fails it in CI.
func needData(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", path)
		}
		t.Skipf("%s missing", path)
	}
}

func TestCheckFlags(t *testing.T) {
	tests := []struct {
		args []string
		want checkOptions
	}{
		{[]string{"--bench", "codejam", "--data", "d", "--task", "t", "--test", "secret/1", "--output", "o.txt"},
			checkOptions{bench: "codejam", data: "d", task: "t", test: "secret/1", output: "o.txt", sandbox: "auto"}},
		{[]string{"-b", "x.toml", "--task", "t", "--test", "0", "-o", "-", "--json", "--sandbox", "none"},
			checkOptions{bench: "x.toml", task: "t", test: "0", output: "-", json: true, sandbox: "none"}},
	}
	for _, tt := range tests {
		var got *checkOptions
		home := t.TempDir()
		g := &globalOptions{deps: Deps{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return home
			}
			return ""
		}}}
		c := NewCheckCmd(g, func(_ context.Context, o *checkOptions) error { got = o; return nil })
		// As under the root command: flags, environment and config file
		// resolve into g.v, which RunE reads (--sandbox).
		c.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return g.loadConfig(c) }
		c.SetArgs(tt.args)
		if err := c.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got.g = nil
		if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(checkOptions{})); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "--bench", "demo", "--task", "demo/add", "--test", "0"},
		{"check", "--bench", "demo", "--task", "demo/add", "--output", "x"},
		{"check", "--bench", "demo", "--test", "0", "--output", "x"},
		{"check", "--bench", "demo", "--task", "demo/add", "--test", "0", "--output", "x", "extra"},
	} {
		_, stderr, code := run(t, context.Background(), "", args...)
		if code != int(ExitUsage) {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr)
		}
	}
}

// TestCheckDemo covers every exit code on the builtin demo benchmark.
func TestCheckDemo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// demo/add's test 0 is 3 4 -> 7.
	good, bad := write("good", "7\n"), write("bad", "8\n")
	tests := []struct {
		args   []string
		code   ExitCode
		stdout string
	}{
		{[]string{"--task", "demo/add", "--test", "0", "--output", good}, ExitOK, "verdict  AC\ntask     demo/add\ntest     0\njudge    lines\n"},
		{[]string{"--task", "add", "--test", "0", "--output", bad}, ExitBelowThreshold, "verdict  WA\ntask     demo/add\ntest     0\njudge    lines\nmessage  line 1: expected \"7\", got \"8\"\n"},
		{[]string{"--task", "demo/add", "--test", "99", "--output", good}, ExitUsage, ""},
		{[]string{"--task", "demo/add", "--test", "secret/1", "--output", good}, ExitUsage, ""},
		{[]string{"--task", "nope", "--test", "0", "--output", good}, ExitUsage, ""},
		{[]string{"--task", "demo/fib", "--test", "0", "--output", good}, ExitError, ""},
		{[]string{"--task", "demo/add", "--test", "0", "--output", filepath.Join(dir, "missing")}, ExitError, ""},
	}
	for _, tt := range tests {
		stdout, stderr, code := run(t, context.Background(), "", append([]string{"check", "--bench", "demo"}, tt.args...)...)
		if code != int(tt.code) {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, stdout, stderr)
		}
		if diff := cmp.Diff(tt.stdout, stdout); diff != "" {
			t.Errorf("%v: stdout (-want +got):\n%s", tt.args, diff)
		}
		if code != 0 && code != int(ExitBelowThreshold) && !strings.HasPrefix(stderr, "scalebox: ") {
			t.Errorf("%v: exit %d without an error on stderr: %q", tt.args, code, stderr)
		}
	}
	// --output - reads stdin; --json prints the result.
	var out, errb strings.Builder
	code := Execute(context.Background(), Deps{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("7"), Getenv: func(string) string { return "" }},
		[]string{"check", "--bench", "demo", "--task", "demo/add", "--test", "0", "--output", "-", "--json"})
	if code != 0 {
		t.Fatalf("--output - --json: exit %d: %s", code, errb.String())
	}
	var res checkResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(checkResult{TaskID: "demo/add", Test: 0, Judge: "lines", Verdict: "AC", Passed: true}, res); diff != "" {
		t.Errorf("--json (-want +got):\n%s", diff)
	}
}

// TestCheckCodeJamCustomValidation: a problem with validation: custom is
// SE, exit 3, whatever the output.
func TestCheckCodeJamCustomValidation(t *testing.T) {
	root := filepath.Join(sharedData, "codejam")
	task := "custom_judge/codejam/2019/round_1a/pylons"
	needData(t, filepath.Join(root, task))
	ans := filepath.Join(root, task, "data/secret/subtask1/1.ans")
	stdout, stderr, code := run(t, context.Background(), "", "check", "--bench", "codejam", "--data", root, "--task", task, "--test", "secret/subtask1/1", "--output", ans)
	if code != int(ExitSystemErrors) || !strings.Contains(stdout, "verdict  SE") || !strings.Contains(stdout, "no judge for a custom-validation problem") {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitSystemErrors, stdout, stderr)
	}
}

// TestCheckCodeJamFloatTolerance is the acceptance test of the Kattis
// default validator on real data: for every float_tolerance problem of
// ../shared/data/codejam and every one of its tests (samples included)
// whose answer has numbers,
// `scalebox check` accepts the official .ans; numbers moved by 0.99 of the
// tolerance, absolutely (±0.99·abs) or relatively (×(1±0.99·rel)), are
// accepted; a number moved by 1.01·abs where rel·|a| allows it (|a| > 1.02)
// is accepted too (absolute OR relative); a number moved by 1.01 of the
// larger allowance, max(abs, rel·|a|), is rejected, both for a small number
// (|a| <= 1, the absolute tolerance decides) and a large one (|a| > 1, the
// relative one does).
func TestCheckCodeJamFloatTolerance(t *testing.T) {
	root := filepath.Join(sharedData, "codejam")
	needData(t, filepath.Join(root, "float_tolerance"))
	home := t.TempDir()
	// Override the builtin: every test, samples included.
	if err := os.MkdirAll(filepath.Join(home, "scalebox", "benchmarks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "scalebox", "benchmarks", "codejam.toml"), []byte("name = \"codejam\"\n[data]\ntest_groups = []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := (&benchmarks.Registry{Dirs: []string{filepath.Join(home, "scalebox", "benchmarks")}}).Load("codejam")
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := rand.New(rand.NewSource(1))
	var problems, checks, accepted, rejected int
	kinds := map[string]int{}
	for _, p := range b.Problems {
		if !strings.HasPrefix(p.TaskID, "float_tolerance/") {
			continue
		}
		problems++
		pkg := filepath.Join(root, p.TaskID)
		for i, tt := range p.Tests {
			k, err := judge.NewKattis(append(append([]string{}, p.ValidatorFlags...), tt.ValidatorFlags...))
			if err != nil || k.AbsTol <= 0 || k.RelTol <= 0 {
				t.Fatalf("%s: flags %v: %v", p.TaskID, p.ValidatorFlags, err)
			}
			check := func(kind, output string, wantAC bool, useRoot bool) {
				t.Helper()
				file := filepath.Join(dir, fmt.Sprintf("out%d", checks))
				if err := os.WriteFile(file, []byte(output), 0o644); err != nil {
					t.Fatal(err)
				}
				checks++
				kinds[kind]++
				// The official answer goes through the whole archive and the
				// full task id; the perturbations through the package alone.
				data, task := pkg, filepath.Base(p.TaskID)
				if useRoot {
					data, task = root, p.TaskID
				}
				stdout, stderr, code := run(t, context.Background(), home, "check", "--bench", "codejam", "--data", data, "--task", task, "--test", tt.Name, "--output", file)
				want := ExitOK
				if !wantAC {
					want = ExitBelowThreshold
				}
				if code != int(want) {
					t.Errorf("%s test %d (%s), %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", p.TaskID, i, tt.Name, kind, code, want, stdout, stderr)
					return
				}
				if wantAC {
					accepted++
				} else {
					rejected++
				}
			}
			ans, err := os.ReadFile(filepath.Join(pkg, "data", filepath.FromSlash(tt.Name)+".ans"))
			if err != nil {
				t.Fatal(err)
			}
			if string(ans) != tt.Output {
				t.Fatalf("%s: test %s is not its .ans file", p.TaskID, tt.Name)
			}
			check("official", string(ans), true, true)
			toks := numericTokens(string(ans))
			if len(toks) == 0 {
				// Kick Start's ip_address_summarization answers with
				// addresses, no numbers: its tokens are text.
				check("no numbers, lowercase", strings.ToLower(string(ans)), true, false)
				last := strings.LastIndexAny(string(ans), "0123456789")
				check("no numbers, a digit changed", string(ans[:last])+"x"+string(ans[last+1:]), false, false)
				continue
			}
			sign := func(j int) float64 { return float64(1 - 2*(j%2)) }
			check("abs inside", replaceNumbers(string(ans), toks, func(j int, a float64) float64 { return a + sign(j)*0.99*k.AbsTol }), true, false)
			check("rel inside", replaceNumbers(string(ans), toks, func(j int, a float64) float64 { return a * (1 + sign(j)*0.99*k.RelTol) }), true, false)
			var small, large []int
			for j, n := range toks {
				if math.Abs(n.value) <= 1 {
					small = append(small, j)
				} else if math.Abs(n.value) > 1.02 {
					large = append(large, j)
				}
			}
			// One number moved: which one is chosen at random (seeded).
			one := func(idx []int, f func(a float64) float64) string {
				pick := idx[r.Intn(len(idx))]
				return replaceNumbers(string(ans), toks, func(j int, a float64) float64 {
					if j == pick {
						return f(a)
					}
					return a
				})
			}
			if len(large) > 0 {
				check("abs outside, rel inside", one(large, func(a float64) float64 { return a + 1.01*k.AbsTol }), true, false)
				check("rel outside (large number)", one(large, func(a float64) float64 { return a + math.Copysign(1.01*k.RelTol*math.Abs(a), a) }), false, false)
			}
			if len(small) > 0 {
				check("abs outside (small number)", one(small, func(a float64) float64 { return a - 1.01*k.AbsTol }), false, false)
			}
		}
	}
	if problems != 40 {
		t.Errorf("%d float_tolerance problems, the archive has 40", problems)
	}
	t.Logf("%d problems, %d checks (%d accepted, %d rejected as wanted): %v", problems, checks, accepted, rejected, kinds)
}

type numToken struct {
	start, end int
	value      float64
}

// numericTokens finds the whitespace-separated tokens of s that are plain
// decimal numbers.
func numericTokens(s string) []numToken {
	var out []numToken
	i := 0
	for i < len(s) {
		for i < len(s) && strings.IndexByte(" \t\n\r\v\f", s[i]) >= 0 {
			i++
		}
		j := i
		for j < len(s) && strings.IndexByte(" \t\n\r\v\f", s[j]) < 0 {
			j++
		}
		if j > i {
			if v, err := strconv.ParseFloat(s[i:j], 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) && strings.Trim(s[i:j], "0123456789.-+eE") == "" {
				out = append(out, numToken{i, j, v})
			}
		}
		i = j
	}
	return out
}

// replaceNumbers rewrites each numeric token j of s as f(j, value), with
// enough digits to parse back to exactly that float64.
func replaceNumbers(s string, toks []numToken, f func(j int, a float64) float64) string {
	var b strings.Builder
	last := 0
	for j, n := range toks {
		b.WriteString(s[last:n.start])
		b.WriteString(strconv.FormatFloat(f(j, n.value), 'g', -1, 64))
		last = n.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// TestKattisOutputValidator: a Kattis package's own output validator (a
// Python program in output_validators/) judges `check` and `eval`: an
// answer other than the jury's is accepted, a wrong one rejected.
func TestKattisOutputValidator(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	files := map[string]string{
		"anysum/problem.yaml":      "name: Any sum\nvalidation: custom\n",
		"anysum/data/sample/1.in":  "5\n",
		"anysum/data/sample/1.ans": "2 3\n",
		"anysum/data/secret/1.in":  "10\n",
		"anysum/data/secret/1.ans": "5 5\n",
		// The Kattis protocol: input and jury answer as files, the team's
		// output on stdin, 42 accepts and 43 rejects.
		"anysum/output_validators/sum/validate.py": `import sys
n = int(open(sys.argv[1]).read())
try:
    a, b = map(int, sys.stdin.read().split())
except ValueError:
    open(sys.argv[3] + "/judgemessage.txt", "w").write("want two integers")
    sys.exit(43)
if a < 0 or b < 0 or a + b != n:
    open(sys.argv[3] + "/judgemessage.txt", "w").write(f"{a} + {b} is not {n}")
    sys.exit(43)
sys.exit(42)
`,
		"anysum.toml": "name = \"anysum\"\nversion = \"1\"\nformat = \"kattis\"\nlanguage = \"python3\"\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bench, data := filepath.Join(dir, "anysum.toml"), filepath.Join(dir, "anysum")
	for _, tt := range []struct {
		output string
		code   ExitCode
		want   string
	}{
		{"5 5\n", 0, "verdict  AC"},
		{"0 10\n", 0, "verdict  AC"},
		{"4 5\n", ExitBelowThreshold, "4 + 5 is not 10"},
		{"", ExitBelowThreshold, "want two integers"},
	} {
		out := filepath.Join(dir, "out.txt")
		if err := os.WriteFile(out, []byte(tt.output), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := run(t, context.Background(), "", "check", "--bench", bench, "--data", data, "--task", "anysum", "--test", "secret/1", "--output", out)
		if code != int(tt.code) || !strings.Contains(stdout, tt.want) || !strings.Contains(stdout, "judge    kattis") {
			t.Errorf("output %q: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", tt.output, code, tt.code, tt.want, stdout, stderr)
		}
	}
	// eval: the validator judges every test of every sample.
	samples := filepath.Join(dir, "s.jsonl")
	if err := os.WriteFile(samples, []byte(`{"task_id": "anysum", "solution": "n = int(input())\nprint(n, 0)"}
{"task_id": "anysum", "solution": "n = int(input())\nprint(n // 2, n // 2)"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "r.json")
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", bench, "--data", data, "--samples", samples, "--out", report, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d\n%s", code, stderr)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Problems []struct {
			Checker struct {
				Protocol string `json:"protocol"`
				Origin   string `json:"origin"`
			} `json:"checker"`
			Samples []struct {
				Verdict string `json:"verdict"`
				Tests   []struct {
					Verdict string `json:"verdict"`
				} `json:"tests"`
			} `json:"samples"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 {
		t.Fatalf("%d problems in the report, want 1", len(rep.Problems))
	}
	if c := rep.Problems[0].Checker; c.Protocol != "kattis" || c.Origin != "data" {
		t.Errorf("the report names checker %+v, want the kattis protocol from the data", c)
	}
	var got []string
	for _, s := range rep.Problems[0].Samples {
		v := s.Verdict
		for _, tr := range s.Tests {
			v += " " + tr.Verdict
		}
		got = append(got, v)
	}
	// n // 2 twice is 2 + 2 for n = 5: wrong on the sample.
	if diff := cmp.Diff([]string{"AC AC AC", "WA WA"}, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}
