// Package report defines scalebox's versioned JSON report, computes its
// summary (pass@k, verdict counts), and renders it for people.
//
// Versioning: fields are added, never renamed or removed; SchemaVersion
// changes only when a field's meaning changes. Fields that vary from run to
// run on the same inputs (usage, timing) are confined to "usage" objects and
// the top-level "timing" section, so StripTimings makes two runs comparable
// byte for byte.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// SchemaVersion is the version of the report format written by this package.
const SchemaVersion = 1

// Report is the result of one evaluation.
type Report struct {
	SchemaVersion int         `json:"schema_version"`
	Tool          Tool        `json:"tool"`
	Benchmark     Benchmark   `json:"benchmark"`
	Config        any         `json:"config"`
	Run           Run         `json:"run"`
	Sandbox       Sandbox     `json:"sandbox"`
	Environment   Environment `json:"environment"`
	Summary       Summary     `json:"summary"`
	Problems      []Problem   `json:"problems"`
	// UnknownSamples are samples whose task_id is not in the benchmark.
	UnknownSamples []SampleRef `json:"unknown_samples,omitempty"`
	// Generation is present when the run generated its samples.
	Generation *Generation `json:"generation,omitempty"`
	Warnings   []string    `json:"warnings,omitempty"`
	Timing     *Timing     `json:"timing,omitempty"`
	// Cluster is present when the tests ran on serve nodes (eval --remote).
	Cluster *Cluster `json:"cluster,omitempty"`
}

// Cluster records a remote run: which nodes ran the tests and built the
// programs (as each names itself), and how each URL given fared.
type Cluster struct {
	URLs         []ClusterURL   `json:"urls"`
	TestsByNode  map[string]int `json:"tests_by_node"`
	BuildsByNode map[string]int `json:"builds_by_node"`
	// DistinctBlobs counts the sources and test inputs the run used;
	// BlobsUploaded counts their uploads (at most once per node each).
	DistinctBlobs int   `json:"distinct_blobs"`
	BlobsUploaded int   `json:"blobs_uploaded"`
	BytesUploaded int64 `json:"bytes_uploaded"`
	// Retries counts requests sent again (to another node, or with the
	// blobs a node lacked).
	Retries int `json:"retries"`
}

// ClusterURL is one URL of --remote: a node, or nginx before several.
type ClusterURL struct {
	URL          string `json:"url"`
	Requests     int    `json:"requests"`
	Unreachable  int    `json:"unreachable"`
	Refused      int    `json:"refused"`
	SystemErrors int    `json:"system_errors"`
	// OutOfRotation says why the node was given no more tests, if so.
	OutOfRotation string `json:"out_of_rotation,omitempty"`
}

// Tool identifies the scalebox build.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// Benchmark identifies the benchmark and its data.
type Benchmark struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	SHA256   string `json:"sha256"`
	DataPath string `json:"data_path"`
	Origin   string `json:"origin"`
	Problems int    `json:"problems"`
}

// Run records how the evaluation was run.
type Run struct {
	SamplesPath   string `json:"samples_path"`
	SamplesSHA256 string `json:"samples_sha256"`
	EarlyStop     string `json:"early_stop"`
	Retries       int    `json:"retries"`
	// ConfirmTLE is the margin by which a TLE's time limits were extended
	// when it was confirmed by running the test again alone (0.2: 20%);
	// zero when TLEs were not confirmed.
	ConfirmTLE float64 `json:"confirm_tle"`
	// LoadAllowance is the factor by which a test's time limits were
	// extended in its first run when other tests could run beside it (a
	// TLE stopped there was not confirmed); absent when they were not.
	LoadAllowance float64 `json:"load_allowance,omitempty"`
}

// Sandbox records the isolation and the limits of each test.
type Sandbox struct {
	Backend   string   `json:"backend"`
	Version   string   `json:"version,omitempty"`
	Cgroup    string   `json:"cgroup"`
	HostUID   int      `json:"host_uid"`
	Isolation []string `json:"isolation"`
	Limits    Limits   `json:"limits"`
	Warnings  []string `json:"warnings,omitempty"`
	// PythonForkServer, when set, says that Python programs were forked
	// from a warm interpreter, and how that differs from a new one.
	PythonForkServer string `json:"python_fork_server,omitempty"`
}

// Limits are the per-test limits, in the units their names say.
type Limits struct {
	CPUTimeMS       int64 `json:"cpu_time_ms"`
	WallTimeMS      int64 `json:"wall_time_ms"`
	MemoryBytes     int64 `json:"memory_bytes"`
	OutputBytes     int64 `json:"output_bytes"`
	FileSizeBytes   int64 `json:"file_size_bytes"`
	Processes       int   `json:"processes"`
	TmpfsBytes      int64 `json:"tmpfs_bytes"`
	CompileCPUMS    int64 `json:"compile_cpu_time_ms"`
	CompileMemBytes int64 `json:"compile_memory_bytes"`
}

// Environment fingerprints the machine.
type Environment struct {
	OS         string            `json:"os"`
	Arch       string            `json:"arch"`
	Kernel     string            `json:"kernel"`
	CPUs       int               `json:"cpus"`
	Toolchains map[string]string `json:"toolchains"`
}

// Summary aggregates the results.
type Summary struct {
	Tasks   int `json:"tasks"`
	Samples int `json:"samples"`
	// ScoredTasks is the number of tasks in pass@k: tasks with at least one
	// sample that was not a system error.
	ScoredTasks int `json:"scored_tasks"`
	// PassAtK maps k to the mean unbiased pass@k over scored tasks, for
	// each configured k not larger than the fewest scored samples of a task.
	PassAtK map[string]float64 `json:"pass_at_k"`
	// BasePassAtK is pass@k on the base inputs alone, for benchmarks with
	// base and plus inputs.
	BasePassAtK map[string]float64 `json:"base_pass_at_k,omitempty"`
	// Verdicts counts samples by verdict.
	Verdicts map[string]int `json:"verdicts"`
	// TestVerdicts counts the tests that ran, by verdict.
	TestVerdicts   map[string]int `json:"test_verdicts"`
	SystemErrors   int            `json:"system_errors"`
	UnknownSamples int            `json:"unknown_samples"`
	// TasksWithoutSamples counts benchmark tasks that no sample addressed.
	TasksWithoutSamples int  `json:"tasks_without_samples"`
	Interrupted         bool `json:"interrupted,omitempty"`
	// Breakdowns is pass@1 by problem metadata: for each key of
	// problems[].meta, for each of its values ("(unset)" for problems
	// without the key), the problems' counts and pass@1. Absent when no
	// problem has metadata.
	Breakdowns map[string]map[string]BreakdownGroup `json:"breakdowns,omitempty"`
}

// BreakdownGroup is the problems of a report with one value of a metadata
// key.
type BreakdownGroup struct {
	// Tasks counts the report's problems (those with samples) with the
	// value; ScoredTasks those with a sample that is not SE.
	Tasks       int `json:"tasks"`
	ScoredTasks int `json:"scored_tasks"`
	// PassAt1 is the mean over the scored tasks of c/n (the unbiased
	// pass@1), n counting non-SE samples; absent when none is scored.
	PassAt1 *float64 `json:"pass_at_1,omitempty"`
}

// Problem holds the results of one task's samples.
type Problem struct {
	TaskID string `json:"task_id"`
	// Meta holds the facts reports break scores down by (difficulty,
	// platform, contest_month ...), as the benchmark gives them.
	Meta map[string]string `json:"meta,omitempty"`
	// Checker names what judged the problem's outputs (stdio problems).
	Checker *Checker `json:"checker,omitempty"`
	Samples []Sample `json:"samples"`
}

// Checker names the comparator or checker program that judged a problem.
type Checker struct {
	// Name is the comparator with its parameters ("float(abs=1e-06,rel=1e-06)")
	// or protocol/language@hash of a checker program.
	Name string `json:"name"`
	// Protocol is testlib, kattis, scalebox, or builtin for a comparator.
	Protocol string `json:"protocol"`
	// Origin is benchmark, problem, data or registry.
	Origin string `json:"origin"`
	// SHA256 is a checker's content hash.
	SHA256 string `json:"sha256,omitempty"`
}

// Sample is the result of one sample.
type Sample struct {
	Index    int    `json:"index"`
	Line     int    `json:"line"`
	Language string `json:"language"`
	Passed   bool   `json:"passed"`
	// BasePassed is present for benchmarks with base and plus inputs
	// (HumanEval+, MBPP+): whether the base inputs all passed. Passed then
	// means base and plus both passed.
	BasePassed *bool `json:"base_passed,omitempty"`
	// Groups says, for each input group decided, whether all its inputs
	// passed (with --all-tests every group is decided).
	Groups  map[string]bool `json:"groups,omitempty"`
	Verdict string          `json:"verdict"`
	Message string          `json:"message,omitempty"`
	// TestsTotal is the problem's number of tests; Tests lists those that
	// decided the verdict (up to the first failure under early stop).
	TestsTotal  int      `json:"tests_total"`
	TestsPassed int      `json:"tests_passed"`
	Compile     *Compile `json:"compile,omitempty"`
	Tests       []Test   `json:"tests"`
}

// Compile is the outcome of a sample's compile step.
type Compile struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	Cached  bool   `json:"cached"`
	Usage   *Usage `json:"usage,omitempty"`
	// Node is the serve node that built it (eval --remote).
	Node string `json:"node,omitempty"`
}

// Test is the result of one test.
type Test struct {
	Index   int    `json:"index"`
	Verdict string `json:"verdict"`
	Message string `json:"message,omitempty"`
	// Stderr is the end of a failed test's standard error.
	Stderr string `json:"stderr,omitempty"`
	// Group and Inputs describe a run of a function problem: which input
	// group and how many of its inputs the run judged.
	Group    string `json:"group,omitempty"`
	Inputs   int    `json:"inputs,omitempty"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Signal   int    `json:"signal,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Usage    *Usage `json:"usage,omitempty"`
	// Case is, for a sample's deciding (first failing) test, what it was
	// given, what it should have produced and what it produced, each cut
	// to a bounded size; absent for other tests, system errors, and runs
	// with no single input to show (assert programs, MultiPL-E test
	// files). Reports written before it existed lack it.
	Case *Case `json:"case,omitempty"`
	// Node is the serve node that ran it (eval --remote).
	Node string `json:"node,omitempty"`
}

// Case is the data of a failed test, or of the failing input of a function
// problem's run. Each text is cut to at most a few KiB (eval.CaseBytes) at
// a UTF-8 boundary; Truncated names the fields that were cut.
type Case struct {
	// Input is the test's standard input, or the call of a function
	// problem's input ("add(1, 2)").
	Input string `json:"input"`
	// Expected is the expected output, or the expected return value's
	// Python repr; absent when there is none.
	Expected *string `json:"expected,omitempty"`
	// Got is what the program wrote (stdout) or returned (a repr); absent
	// when there is nothing comparable: a limit ended the run, or the
	// call raised.
	Got *string `json:"got,omitempty"`
	// FromLine, when set, is the line (from 1) of the expected and the
	// actual output at which Expected and Got start: their first
	// difference lay beyond the size kept from the start, so the excerpts
	// begin a few lines before it.
	FromLine int `json:"from_line,omitempty"`
	// Truncated lists the fields cut short: "input", "expected", "got".
	Truncated []string `json:"truncated,omitempty"`
}

// Usage is what a run consumed. It varies between runs.
type Usage struct {
	CPUTimeMS  float64 `json:"cpu_time_ms"`
	WallTimeMS float64 `json:"wall_time_ms"`
	MemoryKiB  int64   `json:"memory_kib"`
	// LimitRatio is, for function problems, the largest share of its CPU
	// time limit an input used (1 or more: it timed out).
	LimitRatio float64 `json:"limit_ratio,omitempty"`
	// StoppedBy says which limit ended a run that timed out: "cpu_time"
	// or "wall_clock" (the cap that stops a sleeping or starved program).
	StoppedBy string `json:"stopped_by,omitempty"`
	// TLEConfirmation records the confirmation of a TLE: the test ran
	// again alone with extended limits. The usage above is the run whose
	// verdict stands.
	TLEConfirmation *TLEConfirmation `json:"tle_confirmation,omitempty"`
}

// TLEConfirmation is the confirmation of one TLE.
type TLEConfirmation struct {
	// FirstCPUTimeMS is the CPU time of the run first judged TLE.
	FirstCPUTimeMS float64 `json:"first_cpu_time_ms"`
	// CPUTimeMS is the CPU time of the confirmation run.
	CPUTimeMS float64 `json:"cpu_time_ms"`
	// Overturned says the confirmation stayed within the original limits:
	// the first run was cut short by load, and the confirmation decided.
	Overturned bool `json:"overturned"`
	// Alone says the run judged TLE had no other test of the run beside
	// it, as a confirmation would: it was not run again, and the CPU times
	// are its own.
	Alone bool `json:"alone,omitempty"`
	// PastAllowance says the run judged TLE ran with its time limits
	// extended by the load allowance and was stopped there: it was not run
	// again, and the CPU times are its own.
	PastAllowance bool `json:"past_allowance,omitempty"`
	// Runs counts the runs alone (absent: none); more than one when a
	// function problem's inputs were confirmed one by one, CPUTimeMS then
	// their sum.
	Runs int `json:"runs,omitempty"`
}

// TLEConfirmations sums up a run's TLE confirmations.
type TLEConfirmations struct {
	// Count is the confirmations run, Overturned those that found the first
	// run cut short by load, CPUSeconds their CPU time.
	Count      int     `json:"count"`
	Overturned int     `json:"overturned"`
	CPUSeconds float64 `json:"cpu_seconds"`
	// Alone counts the TLEs whose run had no other test beside it: they
	// needed no confirmation.
	Alone int `json:"alone,omitempty"`
	// PastAllowance counts the TLEs stopped past the load allowance: they
	// needed no confirmation.
	PastAllowance int `json:"past_allowance,omitempty"`
}

// SampleRef points at a sample in its file.
type SampleRef struct {
	TaskID string `json:"task_id"`
	Line   int    `json:"line"`
}

// Timing says when and how fast the run went. It varies between runs.
type Timing struct {
	Started        string  `json:"started"`
	Finished       string  `json:"finished"`
	WallSeconds    float64 `json:"wall_seconds"`
	Jobs           int     `json:"jobs"`
	TestsRun       int     `json:"tests_run"`
	TestsPerSecond float64 `json:"tests_per_second"`
	Compiles       int64   `json:"compiles"`
	// TLEConfirmations counts the TLEs confirmed and their CPU cost.
	TLEConfirmations *TLEConfirmations `json:"tle_confirmations,omitempty"`
}

// Marshal encodes r as indented JSON with a final newline.
func (r *Report) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes r atomically: to a temporary file next to path, then
// renamed, so a reader never sees half a report.
func (r *Report) WriteFile(path string) error {
	data, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, renamed into place, so a reader never sees half a file. The
// file is readable by all (0644), as os.WriteFile would make it.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".scalebox-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(0o644) // CreateTemp makes it 0600
	}
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, firstErr(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// StripTimings removes every field that varies between runs on the same
// inputs: per-test and compile usage, compile.cached, the timing section,
// and where a remote run ran what (the cluster section, the nodes).
func (r *Report) StripTimings() {
	r.Timing = nil
	r.Cluster = nil
	if r.Generation != nil {
		r.Generation.Usage = nil
	}
	for i := range r.Problems {
		for j := range r.Problems[i].Samples {
			s := &r.Problems[i].Samples[j]
			if s.Compile != nil {
				// Which of two identical sources built first depends on scheduling.
				s.Compile.Usage, s.Compile.Cached, s.Compile.Node = nil, false, ""
			}
			for k := range s.Tests {
				s.Tests[k].Usage, s.Tests[k].Node = nil, ""
			}
		}
	}
}

// Read parses a report file.
func Read(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Parse decodes a report, checking its schema version.
func Parse(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not a scalebox report: %w", err)
	}
	if r.SchemaVersion < 1 || r.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("report schema_version %d is not supported (this scalebox reads 1..%d)", r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
