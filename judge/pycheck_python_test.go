package judge

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const sharedData = "../../shared/data"

// needPython returns the host's python3, skipping (failing under CI=true)
// when there is none.
func needPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "/usr/local/bin/python3"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but python3 is missing")
	}
	t.Skip("python3 missing")
	return ""
}

func needFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", path)
		}
		t.Skipf("%s missing", path)
	}
}

// pyDriver runs, for each item, the program with its test in one Python
// process as the reference harnesses do (the reference verdict), and
// separately evaluates the decomposed test's calls as scalebox's harness
// does, serialising each value with the harness's encoder.
const pyDriver = `
import json, signal, sys
exec(open(sys.argv[1]).read())

def on_alarm(*a):
    raise TimeoutError("slow")

signal.signal(signal.SIGALRM, on_alarm)

def reference(item):
    src = item["program"] + "\n" + item["test"] + "\n"
    if item["check"]:
        src += "check(%s)\n" % item["entry"]
    try:
        signal.alarm(20)
        exec(compile(src, "<ref>", "exec"), {})
        return True, ""
    except BaseException as e:
        return False, _describe(e)
    finally:
        signal.alarm(0)

class _NotASingleton:
    pass

def ident(x):
    return x if (x is None or x is True or x is False) else _NotASingleton()

def decomposed(item):
    env = {}
    out = []
    try:
        signal.alarm(20)
        exec(compile(item["program"] + "\n" + item["setup"] + "\n", "<prog>", "exec"), env)
        scope = {"candidate": env[item["entry"]], "_truth": bool, "_ident": ident}
        for text in item["calls"]:
            try:
                v = eval(compile(text, "<test>", "eval"), env, scope)
                out.append({"out": json.loads(_Encoder().encode(v))})
            except Exception as e:
                out.append({"error": _describe(e)})
    except BaseException as e:
        return out, _describe(e)
    finally:
        signal.alarm(0)
    return out, ""

for line in sys.stdin:
    item = json.loads(line)
    ok, why = reference(item)
    results, load = decomposed(item)
    print(json.dumps({"ref": ok, "why": why, "results": results, "load": load}), flush=True)
`

type pyItem struct {
	Name    string   `json:"-"`
	Program string   `json:"program"`
	Test    string   `json:"test"`
	Entry   string   `json:"entry"`
	Check   bool     `json:"check"`
	Setup   string   `json:"setup"`
	Calls   []string `json:"calls"`
	prog    *CheckProgram
}

// mutations turn a correct program into others whose verdict Python decides:
// a wrapper changes what the entry point returns.
var mutations = []struct{ name, expr string }{
	{"as is", "r"},
	{"none", "None"},
	{"plus one", "r + 1 if type(r) in (int, float) else r"},
	{"float", "float(r) if type(r) is int else r"},
	{"int", "int(r) if type(r) is float else r"},
	{"bool as int", "int(r) if type(r) is bool else r"},
	{"tuple", "tuple(r) if type(r) is list else r"},
	{"iterator", "iter(r) if type(r) in (list, tuple) else r"},
	{"shorter", "r[:-1] if type(r) in (list, tuple, str) else r"},
	{"reversed", "r[::-1] if type(r) in (list, tuple, str) else r"},
	{"nudged", "r + 1e-9 if type(r) is float else r"},
	{"nudged more", "r * (1 + 1e-5) if type(r) is float else r"},
	{"str", "str(r)"},
	{"raises", "1 / 0"},
}

// mbppMutations are the mutations tried on MBPP (its 974 tasks make the
// whole set slow).
var mbppMutations = map[string]bool{"as is": true, "none": true, "float": true, "iterator": true, "nudged more": true}

func mutate(program, entry, expr string) string {
	return program + fmt.Sprintf("\n\n_scalebox_orig = %s\ndef %s(*a, **k):\n    r = _scalebox_orig(*a, **k)\n    return %s\n", entry, entry, expr)
}

// TestCheckProgramAgreesWithPython decomposes every HumanEval check and
// MBPP assert list, and judges correct programs and mutations of them both
// ways: Python running the test, and the decomposed test judged here on the
// values Python's calls returned. The verdicts (pass or not) must agree.
func TestCheckProgramAgreesWithPython(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs about 7,000 programs")
	}
	python := needPython(t)
	heFile := filepath.Join(sharedData, "humaneval/HumanEval.jsonl.gz")
	mbppFile := filepath.Join(sharedData, "mbpp/mbpp.jsonl")
	needFile(t, heFile)
	needFile(t, mbppFile)

	var items []*pyItem
	add := func(name, program, test, entry string, check bool) {
		prog, err := ParseCheck(test, entry)
		if err != nil {
			return
		}
		for _, m := range mutations {
			if !check && !mbppMutations[m.name] {
				continue
			}
			items = append(items, &pyItem{Name: name + " (" + m.name + ")", Program: mutate(program, entry, m.expr),
				Test: test, Entry: entry, Check: check, Setup: prog.Setup(), Calls: prog.Calls(), prog: prog})
		}
	}
	f, err := os.Open(heFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			TaskID            string `json:"task_id"`
			Prompt            string `json:"prompt"`
			CanonicalSolution string `json:"canonical_solution"`
			Test              string `json:"test"`
			EntryPoint        string `json:"entry_point"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		add(r.TaskID, r.Prompt+r.CanonicalSolution, r.Test, r.EntryPoint, true)
	}
	data, err := os.ReadFile(mbppFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var r struct {
			TaskID        int      `json:"task_id"`
			Code          string   `json:"code"`
			TestList      []string `json:"test_list"`
			TestSetupCode string   `json:"test_setup_code"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		entry := mbppEntry(r.Code, r.TestList[0])
		test := r.TestSetupCode + "\n" + strings.Join(r.TestList, "\n") + "\n"
		add(fmt.Sprintf("Mbpp/%d", r.TaskID), strings.ReplaceAll(r.Code, "\r\n", "\n"), test, entry, false)
	}

	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "-I", "-c", pyDriver, "../benchmarks/harness/common.py")
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != len(items) {
		t.Fatalf("%d results for %d items", len(lines), len(items))
	}
	agree, passed, slow := 0, 0, 0
	for i, it := range items {
		var r struct {
			Ref     bool              `json:"ref"`
			Why     string            `json:"why"`
			Load    string            `json:"load"`
			Results []json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(lines[i], &r); err != nil {
			t.Fatal(err)
		}
		var results []CallResult
		for _, raw := range r.Results {
			var one struct {
				Out   json.RawMessage `json:"out"`
				Error string          `json:"error"`
			}
			json.Unmarshal(raw, &one)
			res := CallResult{Error: one.Error}
			if one.Error == "" {
				v, err := DecodePyValue(one.Out)
				if err != nil {
					t.Fatalf("%s: %v", it.Name, err)
				}
				res.Value = v
			}
			results = append(results, res)
		}
		if strings.Contains(r.Why+r.Load+string(lines[i]), "TimeoutError: slow") {
			slow++ // a machine too busy for the alarm: nothing to compare
			continue
		}
		got := CheckOutcome{Verdict: RE, Message: "load: " + r.Load}
		if r.Load == "" {
			got = it.prog.Judge(results)
		}
		if got.Verdict == SE {
			t.Errorf("%s: SE: %s", it.Name, got.Message)
			continue
		}
		if (got.Verdict == AC) != r.Ref {
			t.Errorf("%s: scalebox %s (%s), Python passed=%v (%s)", it.Name, got.Verdict, got.Message, r.Ref, r.Why)
			continue
		}
		agree++
		if r.Ref {
			passed++
		}
	}
	t.Logf("%d of %d verdicts agree (%d passes); %d timed out", agree, len(items), passed, slow)
	if slow > len(items)/100 {
		t.Errorf("%d of %d programs timed out", slow, len(items))
	}
}

// mbppEntry is the function of code that the first assert calls.
func mbppEntry(code, firstAssert string) string {
	for _, l := range strings.Split(code, "\n") {
		if n, ok := strings.CutPrefix(strings.TrimSpace(l), "def "); ok {
			if i := strings.IndexByte(n, '('); i > 0 {
				name := strings.TrimSpace(n[:i])
				if strings.Contains(firstAssert, name+"(") || strings.Contains(firstAssert, name+" (") {
					return name
				}
			}
		}
	}
	return ""
}
