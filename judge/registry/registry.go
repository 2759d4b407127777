// Package registry stores special judges: one record per (benchmark,
// task id) with the checker, where it came from and how it was validated.
// A registry is a directory of JSON files, <dir>/<benchmark>/<task>.json
// (names path-escaped), written atomically; people may read and edit them.
package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scalebox-dev/scalebox/judge/checker"
)

// Provenance kinds.
const (
	FromBuiltin  = "builtin"  // a built-in comparator chosen by hand
	FromTemplate = "template" // generated from a template (float tolerance, tokens)
	FromImported = "imported" // read from a file
	FromLLM      = "llm"      // written by a language model
)

// Provenance says where a checker came from.
type Provenance struct {
	// Kind is builtin, template, imported or llm.
	Kind string `json:"kind"`
	// Template names the template of a template checker.
	Template string `json:"template,omitempty"`
	// File and Item say what an imported checker was read from (a path,
	// and the record's id within it).
	File string `json:"file,omitempty"`
	Item string `json:"item,omitempty"`
	// Model, PromptSHA256 and Endpoint describe an LLM's checker; Rounds
	// counts the repair rounds it took.
	Model        string `json:"model,omitempty"`
	PromptSHA256 string `json:"prompt_sha256,omitempty"`
	Endpoint     string `json:"endpoint,omitempty"`
	Rounds       int    `json:"rounds,omitempty"`
	// Date is when the record was made (RFC 3339, UTC).
	Date string `json:"date"`
	// Note is anything else worth knowing (the source's own success flag).
	Note string `json:"note,omitempty"`
}

// Classification says whether a problem needs a special judge, and why.
type Classification struct {
	NeedsJudge bool `json:"needs_judge"`
	// Category is multiple_solutions, float_comparison, interactive,
	// other, or none when exact comparison suffices.
	Category string `json:"category"`
	Reason   string `json:"reason"`
	// Confidence is between 0 and 1.
	Confidence float64 `json:"confidence"`
	// By is "rules", "model" (judgegen's statement model) or
	// "llm:<model>".
	By string `json:"by"`
	// AbsTol and RelTol are a float problem's tolerances: a number within
	// AbsTol, or within RelTol times the answer's magnitude, is correct; a
	// zero one does not apply (judgegen.Tolerance).
	AbsTol float64 `json:"abs_tol,omitempty"`
	RelTol float64 `json:"rel_tol,omitempty"`
}

// Validation records how a checker was tested before it was trusted.
type Validation struct {
	Date string `json:"date"`
	// Passed is true when the checker compiled, accepted every correct
	// output and rejected every mutant that must be rejected.
	Passed   bool `json:"passed"`
	Compiles bool `json:"compiles"`
	// Kind is "full" (the benchmark's tests, alternatives and mutants) or
	// "smoke" (an output identical to the expected one on a synthetic test).
	Kind  string `json:"kind"`
	Tests int    `json:"tests"`
	// ReferenceAccepted counts the tests whose reference output passed.
	ReferenceAccepted int `json:"reference_accepted"`
	// Alternatives are other correct outputs (re-formatted numbers, other
	// solutions' outputs) and how many were accepted.
	Alternatives         int `json:"alternatives"`
	AlternativesAccepted int `json:"alternatives_accepted"`
	// Mutants are wrong outputs derived from the reference ones; Strict
	// ones are wrong whatever the problem, the others only likely wrong
	// (a changed number may still be a valid answer where many are).
	Mutants         int `json:"mutants"`
	MutantsRejected int `json:"mutants_rejected"`
	StrictMutants   int `json:"strict_mutants"`
	StrictRejected  int `json:"strict_rejected"`
	// SystemErrors counts checks where the checker itself failed.
	SystemErrors int `json:"system_errors"`
	// Failures explain what went wrong, at most a few dozen.
	Failures []string `json:"failures,omitempty"`
	// Warnings are doubts that did not fail the checker.
	Warnings []string `json:"warnings,omitempty"`
}

// Record is one problem's special judge.
type Record struct {
	Benchmark      string          `json:"benchmark"`
	TaskID         string          `json:"task_id"`
	Checker        checker.Spec    `json:"checker"`
	Provenance     Provenance      `json:"provenance"`
	Classification *Classification `json:"classification,omitempty"`
	Validation     *Validation     `json:"validation,omitempty"`
}

// Usable reports whether benchmarks should judge with the record: its
// checker is valid and it did not fail its validation.
func (r *Record) Usable() bool {
	return r.Checker.Validate() == nil && (r.Validation == nil || r.Validation.Passed)
}

// Status is a one-word summary: validated, failed or unvalidated.
func (r *Record) Status() string {
	switch {
	case r.Validation == nil:
		return "unvalidated"
	case r.Validation.Passed:
		return "validated"
	}
	return "failed"
}

// Dir is a registry directory. Its methods are safe for concurrent use by
// several goroutines or processes as long as they write different records.
type Dir struct {
	Path string
}

// DefaultPath is the registry under the user's data directory:
// $XDG_DATA_HOME/scalebox/judges, else ~/.local/share/scalebox/judges.
func DefaultPath(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "scalebox", "judges")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "scalebox", "judges")
	}
	return ""
}

func (d *Dir) file(bench, task string) string {
	return filepath.Join(d.Path, url.PathEscape(bench), url.PathEscape(task)+".json")
}

// Put writes a record, replacing any with the same benchmark and task id.
func (d *Dir) Put(r *Record) error {
	if r.Benchmark == "" || r.TaskID == "" {
		return errors.New("judge registry: a record needs a benchmark and a task id")
	}
	if err := r.Checker.Validate(); err != nil {
		return fmt.Errorf("judge registry: %s %s: %w", r.Benchmark, r.TaskID, err)
	}
	path := d.file(r.Benchmark, r.TaskID)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("judge registry: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("judge registry: %w", err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("judge registry: write %s: %w", path, err)
	}
	return nil
}

// ErrNotFound is returned by Get and Remove for a missing record.
var ErrNotFound = errors.New("no such judge")

// Get reads the record of a task.
func (d *Dir) Get(bench, task string) (*Record, error) {
	path := d.file(bench, task)
	r, err := readRecord(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("judge registry %s: %s %s: %w", d.Path, bench, task, ErrNotFound)
	}
	return r, err
}

func readRecord(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("judge registry: %s: %w", path, err)
	}
	return &r, nil
}

// Remove deletes the record of a task.
func (d *Dir) Remove(bench, task string) error {
	err := os.Remove(d.file(bench, task))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("judge registry %s: %s %s: %w", d.Path, bench, task, ErrNotFound)
	}
	return err
}

// Benchmarks lists the benchmarks that have records, sorted.
func (d *Dir) Benchmarks() ([]string, error) {
	entries, err := os.ReadDir(d.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("judge registry: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if name, err := url.PathUnescape(e.Name()); err == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// List reads the records of a benchmark (all benchmarks when bench is
// empty), sorted by benchmark and task id.
func (d *Dir) List(bench string) ([]*Record, error) {
	benches := []string{bench}
	if bench == "" {
		var err error
		if benches, err = d.Benchmarks(); err != nil {
			return nil, err
		}
	}
	var out []*Record
	for _, b := range benches {
		dir := filepath.Join(d.Path, url.PathEscape(b))
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("judge registry: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			r, err := readRecord(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Benchmark != out[j].Benchmark {
			return out[i].Benchmark < out[j].Benchmark
		}
		return lessTask(out[i].TaskID, out[j].TaskID)
	})
	return out, nil
}

// lessTask orders task ids with numbers in numeric order ("2" < "10").
func lessTask(a, b string) bool {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Checkers returns the usable checkers of a benchmark by task id, and the
// records left out because their validation failed.
func (d *Dir) Checkers(bench string) (map[string]*checker.Spec, []*Record, error) {
	recs, err := d.List(bench)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*checker.Spec{}
	var skipped []*Record
	for _, r := range recs {
		if !r.Usable() {
			skipped = append(skipped, r)
			continue
		}
		spec := r.Checker
		out[r.TaskID] = &spec
	}
	return out, skipped, nil
}
