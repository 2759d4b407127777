package leetcode

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

var (
	// leetcodeInput is a case's argument line.
	leetcodeInput = regexp.MustCompile(`^test_input = \{.*\}$`)
	// leetcodeAssert is a case's check: the method called with the
	// arguments, maybe wrapped by a helper of the setup (a linked list
	// turned into a list), compared with a literal.
	leetcodeAssert = regexp.MustCompile(`^assert ((?:([A-Za-z_]\w*)\()?my_solution\.([A-Za-z_]\w*)\(\*\*test_input\)(\)?)) == (.+)$`)
)

// Load reads DeepSeek-Coder's LeetCode contest set
// (Evaluation/LeetCode/data/20240121-Jul.jsonl): task_id, prompt (the
// problem as a docstring, then the starter code), prompt_sft, test, meta
// (difficulty) and start_time. The test is setup lines (my_solution =
// Solution(), helper lambdas) and pairs of lines
//
//	test_input = { "nums": [1, 2] }
//	assert my_solution.f(**test_input) == 3
//
// each pair one test of a KindLeetCode problem: the left side of the
// assert is evaluated in the sandbox and its value compared here with the
// right side, a Python literal read by judge.ParsePyLiteral. Meta holds
// difficulty (lower case) and contest_month (YYYY-MM of start_time, UTC).
func Load(cfg *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	var out []*benchmarks.Problem
	err := benchmarks.ForEachJSONLine(data, name, func(_ int, text []byte) error {
		var r struct {
			TaskID    string `json:"task_id"`
			Prompt    string `json:"prompt"`
			PromptSFT string `json:"prompt_sft"`
			Test      string `json:"test"`
			Meta      struct {
				Difficulty string `json:"difficulty"`
			} `json:"meta"`
			StartTime *int64 `json:"start_time"`
		}
		if err := json.Unmarshal(text, &r); err != nil {
			return err
		}
		if r.TaskID == "" || r.Test == "" {
			return fmt.Errorf("a LeetCode problem needs task_id and test")
		}
		p := &benchmarks.Problem{TaskID: r.TaskID, Kind: benchmarks.KindLeetCode, Prompt: r.Prompt, Statement: r.PromptSFT, Meta: map[string]string{}}
		if r.Meta.Difficulty != "" {
			p.Meta["difficulty"] = strings.ToLower(r.Meta.Difficulty)
		}
		if r.StartTime != nil {
			p.Meta["contest_month"] = time.Unix(*r.StartTime, 0).UTC().Format("2006-01")
		}
		if err := parseLeetCodeTest(p, r.Test); err != nil {
			return fmt.Errorf("task %s: %w", r.TaskID, err)
		}
		if err := p.Validate(cfg); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// parseLeetCodeTest splits a test into setup lines and cases.
func parseLeetCodeTest(p *benchmarks.Problem, test string) error {
	var setup []string
	input := ""
	for n, line := range strings.Split(test, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
		case leetcodeInput.MatchString(t):
			if input != "" {
				return fmt.Errorf("test line %d: a second test_input before its assert", n+1)
			}
			input = t
		case strings.HasPrefix(t, "assert "):
			m := leetcodeAssert.FindStringSubmatch(t)
			if m == nil || (m[2] == "") != (m[4] == "") {
				return fmt.Errorf("test line %d: not an assert of the form `assert [helper(]my_solution.f(**test_input)[)] == literal`", n+1)
			}
			if input == "" {
				return fmt.Errorf("test line %d: an assert without test_input", n+1)
			}
			if p.EntryPoint == "" {
				p.EntryPoint = m[3]
			}
			p.Tests = append(p.Tests, benchmarks.Test{Input: input + "\n" + m[1], Output: m[5]})
			input = ""
		case len(p.Tests) == 0 && input == "" && line == t:
			// Setup, at the top level, before the first case.
			setup = append(setup, line)
		default:
			return fmt.Errorf("test line %d: unexpected %q", n+1, t)
		}
	}
	if input != "" {
		return fmt.Errorf("the last test_input has no assert")
	}
	p.TestCode = strings.Join(setup, "\n")
	return nil
}
