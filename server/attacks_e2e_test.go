package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

const attackDir = "../testdata/attacks"

type attack struct {
	name, task, lang, code, expect string
}

// loadAttacks reads the attack corpus (eval/attacks_test.go describes it).
func loadAttacks(t *testing.T) []attack {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(attackDir, "samples", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no attack samples: %v", err)
	}
	sort.Strings(files)
	var out []attack
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		parts := strings.SplitN(base, "-", 3)
		first, _, _ := strings.Cut(string(data), "\n")
		_, task, _ := strings.Cut(first, "task: ")
		code := string(data)
		if strings.Contains(base, "huge-source") {
			code = strings.Repeat("# "+strings.Repeat("padding ", 9)+"\n", 200_000) + code
		}
		lang := "python"
		if strings.HasSuffix(base, ".cpp") {
			lang = "cpp"
		}
		out = append(out, attack{name: base, task: strings.TrimSpace(task), lang: lang, code: code, expect: parts[1]})
	}
	return out
}

// TestAttackCorpusThroughEachAPI sends every attack of the corpus through
// each API at once: through /v1/evaluate (the corpus's benchmark loaded at
// start) each gets exactly its verdict; through /run_code (scored as verl
// scores it) and /common_evaluate_batch only the honest ones pass; nothing
// outlives its test and the host is untouched.
func TestAttackCorpusThroughEachAPI(t *testing.T) {
	needSandbox(t, "g++")
	s := sharedServer(t)
	attacks := loadAttacks(t)
	type problem struct {
		TaskID     string `json:"task_id"`
		Test       string `json:"test"`
		EntryPoint string `json:"entry_point"`
	}
	problems := map[string]problem{}
	data, err := os.ReadFile(filepath.Join(attackDir, "problems.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var p problem
		if err := json.Unmarshal(line, &p); err != nil {
			t.Fatal(err)
		}
		problems[p.TaskID] = p
	}

	var tag [8]byte
	rand.Read(tag[:])
	canary := filepath.Join(os.TempDir(), "scalebox-canary-"+hex.EncodeToString(tag[:]))
	if err := os.WriteFile(canary, []byte("14\nexpected\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(canary)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var samples []map[string]any
		for _, a := range attacks {
			lang := "python3"
			if a.lang == "cpp" {
				lang = "cpp"
			}
			samples = append(samples, map[string]any{"task_id": a.task, "solution": a.code, "language": lang})
		}
		var r struct {
			Results []struct {
				Index   int    `json:"index"`
				Verdict string `json:"verdict"`
				Message string `json:"message"`
			} `json:"results"`
		}
		if code := s.post(t, "/v1/evaluate", map[string]any{"benchmark": "attacks", "samples": samples}, &r); code != 200 || len(r.Results) != len(attacks) {
			t.Errorf("/v1/evaluate: status %d, %d results for %d attacks", code, len(r.Results), len(attacks))
			return
		}
		for _, res := range r.Results {
			if a := attacks[res.Index]; res.Verdict != a.expect {
				t.Errorf("/v1/evaluate %s: %s (%s), want %s", a.name, res.Verdict, res.Message, a.expect)
			}
		}
	}()
	for _, a := range attacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			honest := a.expect == "AC"
			completion := "```" + a.lang + "\n" + a.code + "\n```"
			var r sbResult
			var cases map[string]any
			switch a.task {
			case "atk/double":
				var rc runResult
				body := runCode(a.lang, a.code, "7\n", 1)
				body["memory_limit_MB"] = 128
				s.post(t, "/run_code", body, &rc)
				if got := verlScore(&rc, "14"); (got == true) != honest {
					t.Errorf("/run_code %s: verl would score %v (%s %s)", a.name, got, rc.Scalebox.Verdict, rc.Scalebox.Message)
				}
				cases = map[string]any{"type": "stdin_stdout", "input": []string{"7\n", "-3\n"}, "output": []string{"14\n", "-6\n"}}
			case "atk/inc":
				cases = map[string]any{"type": "assert", "test": "def check(candidate):\n    assert candidate(1) == 2\n    assert abs(candidate(2.5) - 3.5) < 1e-9\n", "entry_point": "inc"}
			case "atk/add":
				cases = map[string]any{"type": "function_call", "fn_name": "add", "input": []any{[]any{1, 2}, []any{3, 4}, []any{10, 20}, []any{1.5, 2.25}}, "output": []any{[]any{3}, []any{7}, []any{30}, []any{3.75}}}
			case "atk/he", "atk/he-rand", "atk/secret":
				p := problems[a.task]
				cases = map[string]any{"type": "assert", "test": p.Test, "entry_point": p.EntryPoint}
			case "atk/mbpp":
				// Bare asserts, no entry point: the server finds the function.
				cases = map[string]any{"type": "assert", "test": problems[a.task].Test}
			case "atk/mbpp-fn":
				cases = map[string]any{"type": "function_call", "fn_name": "remove_odd", "input": []any{[]any{[]int{1, 2, 3}}, []any{[]int{2, 4, 6}}, []any{[]int{10, 20, 3}}}, "output": []any{[]any{[]int{2}}, []any{[]int{2, 4, 6}}, []any{[]int{10, 20}}}}
			case "atk/lc":
				cases = map[string]any{"type": "function_call", "fn_name": "sumOdd", "json_input": true, "input": []string{"[1, 2, 3]", "[5]", "[2, 4]"}, "output": []string{"4", "5", "0"}}
			default:
				t.Errorf("%s: task %s has no ScaleBox cases here", a.name, a.task)
				return
			}
			body := sbBatch(a.lang, completion, cases, true, nil)
			cfg := body["config"].(map[string]any)
			cfg["run_timeout"], cfg["memory_limit_mb"] = 1, 128
			cfg["extra"].(map[string]any)["total_timeout"] = 300
			s.post(t, "/common_evaluate_batch", body, &r)
			if r.Accepted != honest {
				t.Errorf("/common_evaluate_batch %s: accepted %v (%s), passed %v", a.name, r.Accepted, r.Scalebox.Verdict, r.passed())
			}
		}()
	}
	wg.Wait()

	if pids := findProcs("scalebox-attack-daemon"); len(pids) > 0 {
		t.Errorf("processes outlived their tests: %v", pids)
	}
	if data, err := os.ReadFile(canary); err != nil || !bytes.Equal(data, []byte("14\nexpected\n")) {
		t.Errorf("the host's canary file changed: %q, %v", data, err)
	}
	for _, p := range []string{"/pwned", "/usr/pwned", "/etc/pwned"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written on the host", p)
		}
	}
}

// findProcs lists /proc entries whose command line contains tag.
func findProcs(tag string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		data, err := os.ReadFile(d)
		if err == nil && bytes.Contains(data, []byte(tag)) {
			found = append(found, d)
		}
	}
	return found
}
