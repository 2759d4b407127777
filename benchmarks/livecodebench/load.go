package livecodebench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/pickle"
)

// lcbRecord is one problem of code_generation_lite. The test cases and the
// metadata are JSON text in strings (they are also accepted as JSON values).
type lcbRecord struct {
	QuestionTitle    string          `json:"question_title"`
	QuestionContent  string          `json:"question_content"`
	Platform         string          `json:"platform"`
	QuestionID       json.RawMessage `json:"question_id"`
	ContestID        json.RawMessage `json:"contest_id"`
	ContestDate      string          `json:"contest_date"`
	StarterCode      string          `json:"starter_code"`
	Difficulty       string          `json:"difficulty"`
	PublicTestCases  json.RawMessage `json:"public_test_cases"`
	PrivateTestCases json.RawMessage `json:"private_test_cases"`
	Metadata         json.RawMessage `json:"metadata"`
}

// lcbTest is one of a problem's test cases.
type lcbTest struct {
	Input    string `json:"input"`
	Output   string `json:"output"`
	TestType string `json:"testtype"`
}

// Load reads code_generation_lite JSONL (test.jsonl …): one
// problem per line, with its public and private test cases (the private
// ones JSON, or base64(zlib(pickle(JSON))) as published). As lcb_runner
// does, the tests are the public ones then the private ones; a problem
// with metadata func_name is functional (KindLCBFunction), else stdin
// (KindStdio, for the "lcb" comparator); problems outside the
// configuration's contest window are left out. Meta holds difficulty,
// platform and contest_month (YYYY-MM). Lines are decoded in parallel.
func Load(cfg *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	start, end, err := cfg.LiveCodeBench.Window()
	if err != nil {
		return nil, err
	}
	type line struct {
		n    int
		text []byte
	}
	var lines []line
	for n, rest := 1, data; len(rest) > 0; n++ {
		text := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if t := bytes.TrimSpace(text); len(t) > 0 {
			lines = append(lines, line{n, t})
		}
	}
	out := make([]*benchmarks.Problem, len(lines))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, l := range lines {
		g.Go(func() error {
			p, err := lcbProblem(cfg, l.text, start, end)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", name, l.n, err)
			}
			out[i] = p
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, p := range out {
		if p != nil {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// lcbProblem converts one record; it returns nil for a problem outside the
// contest window.
func lcbProblem(cfg *benchmarks.Config, text []byte, start, end time.Time) (*benchmarks.Problem, error) {
	var r lcbRecord
	if err := json.Unmarshal(text, &r); err != nil {
		return nil, err
	}
	id, err := benchmarks.ParseTaskID(r.QuestionID)
	if err != nil {
		return nil, fmt.Errorf("question_id: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("question %s: %s", id, fmt.Sprintf(format, args...))
	}
	date, err := parseContestDate(r.ContestDate)
	if err != nil {
		return nil, fail("%v", err)
	}
	// lcb_runner: p_start_date <= contest_date and contest_date <= p_end_date,
	// both dates at midnight.
	if !start.IsZero() && date.Before(start) || !end.IsZero() && date.After(end) {
		return nil, nil
	}
	switch r.Platform {
	case "leetcode", "codeforces", "atcoder":
	default:
		return nil, fail("platform %q is not leetcode, codeforces or atcoder", r.Platform)
	}
	switch r.Difficulty {
	case "easy", "medium", "hard":
	default:
		return nil, fail("difficulty %q is not easy, medium or hard", r.Difficulty)
	}
	public, err := lcbTests(r.PublicTestCases, false)
	if err != nil {
		return nil, fail("public_test_cases: %v", err)
	}
	private, err := lcbTests(r.PrivateTestCases, true)
	if err != nil {
		return nil, fail("private_test_cases: %v", err)
	}
	var meta struct {
		FuncName *string `json:"func_name"`
	}
	if len(r.Metadata) > 0 {
		raw, err := jsonText(r.Metadata)
		if err != nil {
			return nil, fail("metadata: %v", err)
		}
		if err := json.Unmarshal([]byte(raw), &meta); err != nil {
			return nil, fail("metadata: %v", err)
		}
	}
	p := &benchmarks.Problem{
		TaskID:    id,
		Kind:      benchmarks.KindStdio,
		Statement: r.QuestionContent,
		Prompt:    r.StarterCode,
		Meta: map[string]string{
			"difficulty":    r.Difficulty,
			"platform":      r.Platform,
			"contest_month": date.Format("2006-01"),
		},
	}
	if meta.FuncName != nil {
		p.Kind, p.EntryPoint = benchmarks.KindLCBFunction, *meta.FuncName
	}
	for _, t := range append(public, private...) {
		p.Tests = append(p.Tests, benchmarks.Test{Input: t.Input, Output: t.Output})
	}
	if err := p.Validate(cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// parseContestDate reads contest_date as datetime.fromisoformat does for
// the dataset's values ("2023-08-21T00:00:00", maybe with fractions of a
// second, or a date alone). An offset, if any, is ignored: the clock time
// is compared.
func parseContestDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("contest_date %q is not an ISO date", s)
}

// jsonText returns the JSON text a field holds: the string's content when
// the field is a string, else the field itself.
func jsonText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return string(raw), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// lcbTests decodes a test-case field: JSON, or (for private tests) also
// base64(zlib(pickle(JSON))).
func lcbTests(raw json.RawMessage, private bool) ([]lcbTest, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, fmt.Errorf("missing")
	}
	text, err := jsonText(raw)
	if err != nil {
		return nil, err
	}
	if private && !json.Valid([]byte(text)) {
		if text, err = pickle.DecodeLCBTests(text); err != nil {
			return nil, err
		}
	}
	var tests []lcbTest
	if err := json.Unmarshal([]byte(text), &tests); err != nil {
		return nil, err
	}
	for i, t := range tests {
		if t.TestType != "stdin" && t.TestType != "functional" {
			return nil, fmt.Errorf("test %d: testtype %q is not stdin or functional", i, t.TestType)
		}
	}
	return tests, nil
}

// Files lists the files of a folder of LiveCodeBench data that make up
// the configured release, in order (test.jsonl, test2.jsonl, …).
func Files(cfg *benchmarks.Config, dir string) ([]string, error) {
	return cfg.LiveCodeBench.Files(dir)
}
