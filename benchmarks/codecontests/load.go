package codecontests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// Load reads CodeContests problems, one JSON object a line, in
// either of the two shapes they are published in:
//
//   - SandboxFusion's and ScaleBox's (code_eval_code_contests.jsonl): id,
//     content (the statement), labels ({difficulty, name, source}, as an
//     object or a JSON string), test (a list of {input: {stdin}, output:
//     {stdout}}, as a list or a JSON string) and, optionally,
//     canonical_solution ({language: code}). The task id is id.
//   - DeepMind's (deepmind/code_contests rows): name, description,
//     public_tests, private_tests and generated_tests ({input: [...],
//     output: [...]}), time_limit ({seconds, nanos}), memory_limit_bytes,
//     source and difficulty (numbers or names), cf_rating, cf_tags and
//     solutions ({language: [...], solution: [...]}). The task id is name;
//     tests are named public/0, private/3, generated/10, and
//     data.test_groups chooses the groups judged (all by default, in that
//     order).
//
// Difficulty, source, name (and cf_rating, cf_tags) go to the problem's
// meta. The canonical solution is one in the benchmark's language. Other
// fields are ignored.
func Load(cfg *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	var out []*benchmarks.Problem
	err := benchmarks.ForEachJSONLine(data, name, func(_ int, text []byte) error {
		var row map[string]json.RawMessage
		if err := json.Unmarshal(text, &row); err != nil {
			return err
		}
		if row == nil {
			return fmt.Errorf("not a JSON object")
		}
		var p *benchmarks.Problem
		var err error
		if _, ok := row["test"]; ok {
			p, err = codeContestsScaleBox(cfg, row)
		} else {
			p, err = codeContestsDeepMind(cfg, row)
		}
		if err != nil {
			return err
		}
		if len(p.Tests) == 0 {
			return fmt.Errorf("task %s: no tests", p.TaskID)
		}
		out = append(out, p)
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no problems", name)
	}
	return out, err
}

// codeContestsScaleBox reads SandboxFusion's shape.
func codeContestsScaleBox(cfg *benchmarks.Config, row map[string]json.RawMessage) (*benchmarks.Problem, error) {
	p := &benchmarks.Problem{Kind: benchmarks.KindStdio, Meta: map[string]string{}}
	id, err := jsonScalar(row["id"])
	if err != nil || id == "" {
		return nil, fmt.Errorf("id: want a number or a string")
	}
	p.TaskID = id
	if err := decodeField(row, "content", &p.Statement); err != nil {
		return nil, fmt.Errorf("task %s: %w", id, err)
	}
	if raw, ok := row["labels"]; ok {
		var labels map[string]json.RawMessage
		if err := decodeMaybeString(raw, &labels); err != nil {
			return nil, fmt.Errorf("task %s: labels: %w", id, err)
		}
		for k, v := range labels {
			if s, err := jsonScalar(v); err == nil && s != "" {
				p.Meta[k] = s
			}
		}
	}
	var tests []struct {
		Input struct {
			Stdin *string `json:"stdin"`
		} `json:"input"`
		Output struct {
			Stdout *string `json:"stdout"`
		} `json:"output"`
	}
	if err := decodeMaybeString(row["test"], &tests); err != nil {
		return nil, fmt.Errorf("task %s: test: %w", id, err)
	}
	for i, t := range tests {
		if t.Input.Stdin == nil || t.Output.Stdout == nil {
			return nil, fmt.Errorf("task %s: test %d: want {input: {stdin}, output: {stdout}}", id, i)
		}
		p.Tests = append(p.Tests, benchmarks.Test{Input: *t.Input.Stdin, Output: *t.Output.Stdout})
	}
	if raw, ok := row["canonical_solution"]; ok && !isJSONNull(raw) {
		var bySource map[string]string
		if err := json.Unmarshal(raw, &bySource); err != nil {
			var code string
			if json.Unmarshal(raw, &code) != nil {
				return nil, fmt.Errorf("task %s: canonical_solution: want {language: code} or code", id)
			}
			bySource = map[string]string{cfg.Language: code}
		}
		for lang, code := range bySource {
			if codeContestsLanguage(lang) == cfg.Language {
				p.CanonicalSolution = code
			}
		}
	}
	return p, nil
}

// Names of DeepMind's enums (contest_problem.proto).
var (
	ccSources      = []string{"UNKNOWN_SOURCE", "CODECHEF", "CODEFORCES", "HACKEREARTH", "CODEJAM", "ATCODER", "AIZU"}
	ccDifficulties = []string{"UNKNOWN_DIFFICULTY", "EASY", "MEDIUM", "HARD", "HARDER", "HARDEST", "EXTERNAL",
		"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V"}
	ccLanguages = []string{"UNKNOWN_LANGUAGE", "PYTHON", "CPP", "PYTHON3", "JAVA"}
)

// ccTestGroups are DeepMind's test groups, in their order.
var ccTestGroups = []string{"public", "private", "generated"}

// codeContestsDeepMind reads DeepMind's shape.
func codeContestsDeepMind(cfg *benchmarks.Config, row map[string]json.RawMessage) (*benchmarks.Problem, error) {
	p := &benchmarks.Problem{Kind: benchmarks.KindStdio, Meta: map[string]string{}}
	if err := decodeField(row, "name", &p.TaskID); err != nil || p.TaskID == "" {
		return nil, fmt.Errorf("a CodeContests row needs test (ScaleBox's shape) or name (DeepMind's)")
	}
	id := p.TaskID
	p.Meta["name"] = id
	if err := decodeField(row, "description", &p.Statement); err != nil {
		return nil, fmt.Errorf("task %s: %w", id, err)
	}
	for key, names := range map[string][]string{"source": ccSources, "difficulty": ccDifficulties} {
		if v, err := enumName(row[key], names); err != nil {
			return nil, fmt.Errorf("task %s: %s: %w", id, key, err)
		} else if v != "" {
			p.Meta[key] = v
		}
	}
	if s, err := jsonScalar(row["cf_rating"]); err == nil && s != "" && s != "0" {
		p.Meta["cf_rating"] = s
	}
	var tags []string
	if err := decodeField(row, "cf_tags", &tags); err == nil && len(tags) > 0 {
		p.Meta["cf_tags"] = strings.Join(tags, ",")
	}
	groups := ccTestGroups
	if len(cfg.Data.TestGroups) > 0 {
		groups = cfg.Data.TestGroups
	}
	for _, g := range groups {
		if !slices.Contains(ccTestGroups, g) {
			return nil, fmt.Errorf("data.test_groups: %q is not a CodeContests test group (public, private, generated)", g)
		}
		var tests struct {
			Input  []string `json:"input"`
			Output []string `json:"output"`
		}
		if err := decodeField(row, g+"_tests", &tests); err != nil {
			return nil, fmt.Errorf("task %s: %w", id, err)
		}
		if len(tests.Input) != len(tests.Output) {
			return nil, fmt.Errorf("task %s: %s_tests has %d inputs and %d outputs", id, g, len(tests.Input), len(tests.Output))
		}
		for i := range tests.Input {
			p.Tests = append(p.Tests, benchmarks.Test{Name: g + "/" + strconv.Itoa(i), Input: tests.Input[i], Output: tests.Output[i]})
		}
	}
	if raw, ok := row["time_limit"]; ok && !isJSONNull(raw) {
		var tl struct {
			Seconds int64 `json:"seconds"`
			Nanos   int64 `json:"nanos"`
		}
		var secs float64
		if json.Unmarshal(raw, &secs) == nil {
			tl.Nanos = int64(math.Round(secs * 1e9))
		} else if err := json.Unmarshal(raw, &tl); err != nil {
			return nil, fmt.Errorf("task %s: time_limit: want {seconds, nanos} or seconds", id)
		}
		ms := (tl.Seconds*1e9 + tl.Nanos + 999_999) / 1e6
		if ms < 0 {
			return nil, fmt.Errorf("task %s: time_limit is negative", id)
		}
		p.CPUTimeLimitMS = ms
	}
	if err := decodeField(row, "memory_limit_bytes", &p.MemoryLimitBytes); err != nil || p.MemoryLimitBytes < 0 {
		return nil, fmt.Errorf("task %s: memory_limit_bytes: want a number of bytes", id)
	}
	var sols struct {
		Language []json.RawMessage `json:"language"`
		Solution []string          `json:"solution"`
	}
	if err := decodeField(row, "solutions", &sols); err == nil {
		for i := range min(len(sols.Language), len(sols.Solution)) {
			lang, err := enumName(sols.Language[i], ccLanguages)
			if err == nil && codeContestsLanguage(lang) == cfg.Language {
				p.CanonicalSolution = sols.Solution[i]
				break
			}
		}
	}
	return p, nil
}

// codeContestsLanguage maps a dataset's language name to scalebox's.
func codeContestsLanguage(name string) string {
	switch strings.ToLower(name) {
	case "python3", "python":
		return "python3"
	case "cpp", "c++":
		return "cpp"
	case "java":
		return "java"
	}
	return strings.ToLower(name)
}

// decodeField decodes row[key] into v; a missing key or null leaves v.
func decodeField(row map[string]json.RawMessage, key string, v any) error {
	raw, ok := row[key]
	if !ok || isJSONNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// decodeMaybeString decodes raw into v, or the JSON document that raw
// holds as a string (as SandboxFusion stores labels and tests).
func decodeMaybeString(raw json.RawMessage, v any) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	return json.Unmarshal(raw, v)
}

// jsonScalar renders a JSON string, number or boolean as text; null and a
// missing value are "".
func jsonScalar(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || isJSONNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), nil
	}
	return "", fmt.Errorf("not a string or number")
}

// enumName reads an enum given as its number or its name.
func enumName(raw json.RawMessage, names []string) (string, error) {
	s, err := jsonScalar(raw)
	if err != nil || s == "" {
		return "", err
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n >= len(names) {
			return "", fmt.Errorf("%d is not a known value", n)
		}
		return names[n], nil
	}
	return s, nil
}

func isJSONNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}
