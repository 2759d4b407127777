//go:build ignore

// Command gen builds the demo benchmark's data, problems.jsonl and
// samples.jsonl, from the source tree in src/ (see src/README.md). From the
// repository root:
//
//	go run ./benchmarks/builtin/demo/gen.go          # rewrite both files
//	go run ./benchmarks/builtin/demo/gen.go -check   # fail if they are stale
//
// The output is deterministic: problems in folder order, tests in number
// order, samples in file name order. A malformed source stops it with an
// error before anything is written.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// problem is the JSON of benchmarks.Problem, whose loader rejects unknown
// fields (importing that package would embed the files this writes). The
// fields with toml tags are the keys problem.toml may set.
type problem struct {
	TaskID            string            `json:"task_id" toml:"-"`
	Kind              string            `json:"kind" toml:"kind"`
	Statement         string            `json:"statement,omitempty" toml:"statement"`
	Prompt            string            `json:"prompt,omitempty" toml:"-"`
	EntryPoint        string            `json:"entry_point,omitempty" toml:"entry_point"`
	TestCode          string            `json:"test,omitempty" toml:"-"`
	Tests             []test            `json:"tests,omitempty" toml:"-"`
	Comparator        string            `json:"comparator,omitempty" toml:"comparator"`
	AbsTol            float64           `json:"abs_tol,omitempty" toml:"abs_tol"`
	RelTol            float64           `json:"rel_tol,omitempty" toml:"rel_tol"`
	Checker           *checkerSpec      `json:"checker,omitempty" toml:"-"`
	CanonicalSolution string            `json:"canonical_solution,omitempty" toml:"-"`
	Meta              map[string]string `json:"meta,omitempty" toml:"meta"`
}

// checkerSpec is a problem's special judge: checker.py, a Kattis output
// validator in Python (judge/checker.Spec's JSON).
type checkerSpec struct {
	Protocol string `json:"protocol"`
	Language string `json:"language"`
	Source   string `json:"source"`
}

type test struct {
	Input  string `json:"input"`
	Output string `json:"output"`
}

// sample is one line of samples.jsonl; scalebox's sample reader ignores
// expect and name.
type sample struct {
	TaskID     string  `json:"task_id"`
	Solution   *string `json:"solution,omitempty"`
	Completion *string `json:"completion,omitempty"`
	Language   string  `json:"language"`
	Expect     string  `json:"expect"`
	Name       string  `json:"name"`
}

var (
	slugRe      = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	testRe      = regexp.MustCompile(`^[1-9][0-9]*\.(in|out)$`)
	sampleRe    = regexp.MustCompile(`^([0-9]{2})-(AC|WA|TLE|MLE|OLE|RE|CE)-[a-z0-9]+(-[a-z0-9]+)*\.(py|cpp)$`)
	pyNameRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	fenceRe     = regexp.MustCompile("(?m)^ {0,3}```")
	langs       = map[string]string{".py": "python3", ".cpp": "cpp"}
	comparators = map[string]bool{"": true, "exact": true, "lines": true, "tokens": true, "float": true}
	allowed     = map[string]bool{"problem.toml": true, "canonical.py": true, "prompt.py": true, "test.py": true, "tests": true, "samples": true, "checker.py": true}
)

func main() {
	dir := flag.String("dir", defaultDir(), "the demo folder: src/ is read, the .jsonl files are written next to it")
	check := flag.Bool("check", false, "write nothing; fail if the .jsonl files differ from what src/ generates")
	flag.Parse()
	var problems, samples bytes.Buffer
	np, ns := 0, 0
	for _, e := range readDir(filepath.Join(*dir, "src")) {
		if e.IsDir() { // the rest is README.md
			p, ss := readProblem(filepath.Join(*dir, "src", e.Name()), e.Name())
			encode(&problems, p)
			for _, s := range ss {
				encode(&samples, s)
			}
			np, ns = np+1, ns+len(ss)
		}
	}
	if np == 0 {
		fail("%s: no problem folders", filepath.Join(*dir, "src"))
	}
	for i, data := range [][]byte{problems.Bytes(), samples.Bytes()} {
		path := filepath.Join(*dir, []string{"problems.jsonl", "samples.jsonl"}[i])
		if !*check {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				fail("%v", err)
			}
		} else if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, data) {
			fail("%s is stale: run go run ./benchmarks/builtin/demo/gen.go", path)
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %d problems, %d samples\n", np, ns)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}

// defaultDir is the folder of this file, or else the demo folder seen from
// the repository root.
func defaultDir() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), "src")); err == nil {
			return filepath.Dir(file)
		}
	}
	return filepath.Join("benchmarks", "builtin", "demo")
}

func encode(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fail("%v", err)
	}
}

// readDir lists a folder, sorted by name.
func readDir(dir string) []os.DirEntry {
	entries, err := os.ReadDir(dir)
	if err != nil {
		fail("%v", err)
	}
	return entries
}

func readProblem(dir, name string) (*problem, []sample) {
	bad := func(format string, args ...any) { fail("%s: "+format, append([]any{dir}, args...)...) }
	if !slugRe.MatchString(name) {
		bad("a problem folder's name is lower-case words joined by '-'")
	}
	has := map[string]bool{}
	for _, e := range readDir(dir) {
		if !allowed[e.Name()] {
			bad("unexpected %s (allowed: problem.toml, canonical.py, prompt.py, test.py, checker.py, tests/, samples/)", e.Name())
		}
		has[e.Name()] = true
	}
	p := &problem{}
	md, err := toml.DecodeFile(filepath.Join(dir, "problem.toml"), p)
	if err != nil {
		bad("%v", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		bad("problem.toml: unknown key %q", und[0].String())
	}
	p.TaskID, p.Statement = "demo/"+name, strings.TrimSpace(p.Statement)
	if p.Statement == "" {
		bad("problem.toml: statement is missing")
	}
	p.CanonicalSolution = readCode(dir, "canonical.py")
	switch p.Kind {
	case "stdio":
		switch {
		case has["prompt.py"] || has["test.py"] || p.EntryPoint != "":
			bad("a stdio problem has no prompt.py, test.py or entry_point")
		case !comparators[p.Comparator]:
			bad("problem.toml: comparator %q is not exact, lines, tokens or float", p.Comparator)
		case (p.AbsTol != 0 || p.RelTol != 0) && p.Comparator != "float", !tolerance(p.AbsTol), !tolerance(p.RelTol):
			bad("problem.toml: abs_tol and rel_tol are finite, non-negative and need comparator = \"float\"")
		}
		p.Tests = readTests(filepath.Join(dir, "tests"))
		if has["checker.py"] {
			if p.Comparator != "" {
				bad("a problem with checker.py has no comparator: the checker judges every test")
			}
			p.Checker = &checkerSpec{Protocol: "kattis", Language: "python3", Source: readCode(dir, "checker.py")}
		}
	case "assert":
		switch {
		case has["tests"] || has["checker.py"] || p.Comparator != "" || p.AbsTol != 0 || p.RelTol != 0:
			bad("an assert problem has no tests/, checker.py, comparator or tolerances")
		case !pyNameRe.MatchString(p.EntryPoint):
			bad("problem.toml: entry_point %q is not a Python name", p.EntryPoint)
		}
		p.Prompt, p.TestCode = readCode(dir, "prompt.py"), readCode(dir, "test.py")
		if !defines(p.Prompt, p.EntryPoint) || !defines(p.TestCode, "check") {
			bad("prompt.py must define %s, and test.py must define check", p.EntryPoint)
		}
	default:
		bad("problem.toml: kind %q is not \"stdio\" or \"assert\"", p.Kind)
	}
	return p, readSamples(filepath.Join(dir, "samples"), p)
}

func tolerance(v float64) bool { return v >= 0 && !math.IsInf(v, 0) }

// defines reports whether code has a top-level def of name.
func defines(code, name string) bool {
	return regexp.MustCompile(`(?m)^def ` + regexp.QuoteMeta(name) + `\s*\(`).MatchString(code)
}

// readText reads a UTF-8 text file.
func readText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	if !utf8.Valid(b) {
		fail("%s is not valid UTF-8", path)
	}
	return string(b)
}

// readCode reads a program. A line starting with ``` would make scalebox's
// markdown extraction cut the program, so it is refused.
func readCode(dir, name string) string {
	path := filepath.Join(dir, name)
	s := readText(path)
	if strings.TrimSpace(s) == "" {
		fail("%s is empty", path)
	}
	if fenceRe.MatchString(s) {
		fail("%s has a line starting with ``` (a markdown fence)", path)
	}
	return s
}

// readTests reads tests/<n>.in and tests/<n>.out for n = 1, 2, ...
func readTests(dir string) []test {
	files := map[string]string{}
	for _, e := range readDir(dir) {
		if !testRe.MatchString(e.Name()) || e.IsDir() {
			fail("%s/%s: test files are named <n>.in and <n>.out", dir, e.Name())
		}
		files[e.Name()] = readText(filepath.Join(dir, e.Name()))
	}
	var tests []test
	for n := 1; len(files) > 0; n++ {
		in, out := strconv.Itoa(n)+".in", strconv.Itoa(n)+".out"
		i, okIn := files[in]
		o, okOut := files[out]
		if !okIn || !okOut {
			fail("%s: %s or %s is missing (tests are numbered from 1, without gaps)", dir, in, out)
		}
		delete(files, in)
		delete(files, out)
		tests = append(tests, test{Input: i, Output: o})
	}
	if len(tests) == 0 {
		fail("%s: no tests", dir)
	}
	return tests
}

// readSamples reads samples/<NN>-<VERDICT>-<words>.<py|cpp>. In an assert
// problem, a sample that defines the entry point at the top level is a whole
// solution; any other is a completion, appended to the prompt.
func readSamples(dir string, p *problem) []sample {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	var out []sample
	seen := map[string]string{}
	for _, e := range readDir(dir) {
		name := e.Name()
		m := sampleRe.FindStringSubmatch(name)
		if m == nil || e.IsDir() {
			fail("%s/%s: samples are named NN-VERDICT-words.py or .cpp, e.g. 01-AC-correct.py (VERDICT: AC WA TLE MLE OLE RE CE)", dir, name)
		}
		if other, dup := seen[m[1]]; dup {
			fail("%s: %s and %s share the number %s", dir, other, name, m[1])
		}
		seen[m[1]] = name
		code := readCode(dir, name)
		s := sample{TaskID: p.TaskID, Language: langs[filepath.Ext(name)], Expect: m[2], Name: name}
		switch {
		case p.Kind == "stdio" || s.Language == "python3" && defines(code, p.EntryPoint):
			s.Solution = &code
		case s.Language != "python3":
			fail("%s/%s: assert problems take Python samples only", dir, name)
		default:
			s.Completion = &code
		}
		out = append(out, s)
	}
	return out
}
