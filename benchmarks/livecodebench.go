package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/internal/pickle"
)

func init() {
	loaders["livecodebench"] = loadLiveCodeBench
	folderFiles["livecodebench"] = func(cfg *Config, dir string) ([]string, error) {
		return cfg.LiveCodeBench.files(dir)
	}
}

// LiveCodeBenchConfig selects the problems of LiveCodeBench's
// code_generation_lite data, as lcb_runner's --release_version,
// --start_date and --end_date do.
type LiveCodeBenchConfig struct {
	// Release is "v1" … "vN" (also spelt "release_vN"): the first N files
	// of a data folder (test.jsonl, test2.jsonl, … testN.jsonl), as the
	// dataset's release_vN; or "latest": every file of the series present.
	// A data file (not a folder) is read as the release's data.
	Release string `toml:"release" json:"release,omitempty"`
	// StartDate and EndDate (YYYY-MM-DD) keep the problems whose
	// contest_date lies in [StartDate 00:00, EndDate 00:00], the bounds
	// included, exactly as lcb_runner compares them.
	StartDate string `toml:"start_date" json:"start_date,omitempty"`
	EndDate   string `toml:"end_date" json:"end_date,omitempty"`
}

// lcbDate is the layout of the window's dates.
const lcbDate = "2006-01-02"

// releaseN parses the release: N for "vN" or "release_vN", 0 for latest.
func (l LiveCodeBenchConfig) releaseN() (int, error) {
	r := strings.TrimPrefix(l.Release, "release_")
	if r == "latest" {
		return 0, nil
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(r, "v")); err == nil && strings.HasPrefix(r, "v") && n >= 1 && n <= 99 {
		return n, nil
	}
	return 0, fmt.Errorf("livecodebench.release %q is unknown (want v1 … v6, release_vN or latest)", l.Release)
}

// Version is the dataset's name of the release: "release_v6",
// "release_latest".
func (l LiveCodeBenchConfig) Version() string {
	n, err := l.releaseN()
	switch {
	case err != nil || l.Release == "":
		return l.Release
	case n == 0:
		return "release_latest"
	}
	return fmt.Sprintf("release_v%d", n)
}

// lcbFileName is the name of the n-th file of the dataset (from 1).
func lcbFileName(n int) string {
	if n == 1 {
		return "test.jsonl"
	}
	return fmt.Sprintf("test%d.jsonl", n)
}

// files lists the files of dir that make up the release.
func (l LiveCodeBenchConfig) files(dir string) ([]string, error) {
	n, err := l.releaseN()
	if err != nil {
		return nil, err
	}
	exists := func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && !fi.IsDir()
	}
	var names []string
	if n == 0 {
		for i := 1; exists(lcbFileName(i)); i++ {
			names = append(names, lcbFileName(i))
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s holds no LiveCodeBench data (test.jsonl, test2.jsonl, …)", dir)
		}
		return names, nil
	}
	for i := 1; i <= n; i++ {
		name := lcbFileName(i)
		if !exists(name) {
			return nil, fmt.Errorf("%s: LiveCodeBench %s needs %s, which is not there (release vN is test.jsonl … testN.jsonl)", dir, l.Version(), name)
		}
		names = append(names, name)
	}
	return names, nil
}

// window returns the bounds of the contest window; a zero time is no bound.
func (l LiveCodeBenchConfig) window() (start, end time.Time, err error) {
	if l.StartDate != "" {
		if start, err = time.Parse(lcbDate, l.StartDate); err != nil {
			return start, end, fmt.Errorf("livecodebench.start_date %q is not a date (YYYY-MM-DD)", l.StartDate)
		}
	}
	if l.EndDate != "" {
		if end, err = time.Parse(lcbDate, l.EndDate); err != nil {
			return start, end, fmt.Errorf("livecodebench.end_date %q is not a date (YYYY-MM-DD)", l.EndDate)
		}
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return start, end, fmt.Errorf("livecodebench: end_date %s is before start_date %s", l.EndDate, l.StartDate)
	}
	return start, end, nil
}

// windowNote says which window left a benchmark without problems.
func (l LiveCodeBenchConfig) windowNote() string {
	if l.StartDate == "" && l.EndDate == "" {
		return ""
	}
	return fmt.Sprintf(" with a contest_date from %s to %s", orOpen(l.StartDate), orOpen(l.EndDate))
}

func orOpen(d string) string {
	if d == "" {
		return "(open)"
	}
	return d
}

// check validates the section for a configuration of the given format.
func (l LiveCodeBenchConfig) check(format string) []string {
	if l == (LiveCodeBenchConfig{}) {
		return nil
	}
	if format != "livecodebench" {
		return []string{fmt.Sprintf("livecodebench applies to format \"livecodebench\", not %q", format)}
	}
	var errs []string
	if l.Release != "" {
		if _, err := l.releaseN(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if _, _, err := l.window(); err != nil {
		errs = append(errs, err.Error())
	}
	return errs
}

// SetLiveCodeBench sets the non-empty ones of the release and the contest
// window (as the eval flags give them) and checks the section; the
// configuration must be a LiveCodeBench one.
func (c *Config) SetLiveCodeBench(release, startDate, endDate string) error {
	if release == "" && startDate == "" && endDate == "" {
		return nil
	}
	if c.Format != "livecodebench" {
		return fmt.Errorf("benchmark %s is not a LiveCodeBench benchmark (format %q): a release and a contest window apply only to format \"livecodebench\"", c.Name, c.Format)
	}
	for dst, v := range map[*string]string{&c.LiveCodeBench.Release: release, &c.LiveCodeBench.StartDate: startDate, &c.LiveCodeBench.EndDate: endDate} {
		if v != "" {
			*dst = v
		}
	}
	if errs := c.LiveCodeBench.check(c.Format); len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

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

// loadLiveCodeBench reads code_generation_lite JSONL (test.jsonl …): one
// problem per line, with its public and private test cases (the private
// ones JSON, or base64(zlib(pickle(JSON))) as published). As lcb_runner
// does, the tests are the public ones then the private ones; a problem
// with metadata func_name is functional (KindLCBFunction), else stdin
// (KindStdio, for the "lcb" comparator); problems outside the
// configuration's contest window are left out. Meta holds difficulty,
// platform and contest_month (YYYY-MM). Lines are decoded in parallel.
func loadLiveCodeBench(cfg *Config, data []byte, name string) ([]*Problem, error) {
	start, end, err := cfg.LiveCodeBench.window()
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
	out := make([]*Problem, len(lines))
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
func lcbProblem(cfg *Config, text []byte, start, end time.Time) (*Problem, error) {
	var r lcbRecord
	if err := json.Unmarshal(text, &r); err != nil {
		return nil, err
	}
	id, err := taskID(r.QuestionID)
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
	p := &Problem{
		TaskID:    id,
		Kind:      KindStdio,
		Statement: r.QuestionContent,
		Prompt:    r.StarterCode,
		Meta: map[string]string{
			"difficulty":    r.Difficulty,
			"platform":      r.Platform,
			"contest_month": date.Format("2006-01"),
		},
	}
	if meta.FuncName != nil {
		p.Kind, p.EntryPoint = KindLCBFunction, *meta.FuncName
	}
	for _, t := range append(public, private...) {
		p.Tests = append(p.Tests, Test{Input: t.Input, Output: t.Output})
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
