package server

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"path"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// runCodeRequest is SandboxFusion's RunCodeRequest.
type runCodeRequest struct {
	Code           *string            `json:"code"`
	Language       string             `json:"language"`
	CompileTimeout *float64           `json:"compile_timeout"`
	RunTimeout     *float64           `json:"run_timeout"`
	MemoryLimitMB  *float64           `json:"memory_limit_MB"`
	Stdin          *string            `json:"stdin"`
	Files          map[string]*string `json:"files"`
	FetchFiles     []string           `json:"fetch_files"`
}

// commandResult is SandboxFusion's CommandRunResult: one compile or run.
type commandResult struct {
	// Status is Finished, Error or TimeLimitExceeded.
	Status        string   `json:"status"`
	ExecutionTime *float64 `json:"execution_time"`
	ReturnCode    *int     `json:"return_code"`
	Stdout        string   `json:"stdout"`
	Stderr        string   `json:"stderr"`
}

// runCodeResponse is SandboxFusion's RunCodeResponse, with the exact
// scalebox verdict added under "scalebox" (SandboxFusion has no words for
// MLE or OLE; its clients ignore fields they do not know).
type runCodeResponse struct {
	// Status is Success, Failed or SandboxError.
	Status          string            `json:"status"`
	Message         string            `json:"message"`
	CompileResult   *commandResult    `json:"compile_result"`
	RunResult       *commandResult    `json:"run_result"`
	ExecutorPodName *string           `json:"executor_pod_name"`
	Files           map[string]string `json:"files"`
	Scalebox        *verdictInfo      `json:"scalebox,omitempty"`
}

// verdictInfo is scalebox's own account of a run.
type verdictInfo struct {
	Verdict judge.Verdict `json:"verdict"`
	Message string        `json:"message,omitempty"`
	// CPUTime is in seconds; MemoryPeakBytes is the cgroup's peak.
	CPUTime         *float64 `json:"cpu_time,omitempty"`
	WallTime        *float64 `json:"wall_time,omitempty"`
	MemoryPeakBytes *int64   `json:"memory_peak_bytes,omitempty"`
	CompileCached   *bool    `json:"compile_cached,omitempty"`
	// Skipped marks a test that did not run (an earlier one failed and the
	// request stops at the first failure).
	Skipped bool `json:"skipped,omitempty"`
	// FilesTruncated names the fetched files larger than their cap: files
	// has their beginning.
	FilesTruncated []string `json:"files_truncated,omitempty"`
}

func (s *Server) handleRunCode(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	var req runCodeRequest
	if err := decodeJSON(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	lang, err := s.langs.lookup(req.Language)
	if err != nil {
		writeError(w, badField("language", "%v", err))
		return
	}
	rc.language = lang
	if req.Code == nil {
		writeError(w, badField("code", "is required"))
		return
	}
	cpu, aerr := seconds("run_timeout", req.RunTimeout)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if _, aerr := seconds("compile_timeout", req.CompileTimeout); aerr != nil {
		writeError(w, aerr)
		return
	}
	mem, aerr := megabytes("memory_limit_MB", req.MemoryLimitMB)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := checkFetchFiles(req.FetchFiles); aerr != nil {
		writeError(w, aerr)
		return
	}
	files, aerr := decodeFiles(req.Files)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	stdin := ""
	if req.Stdin != nil {
		stdin = *req.Stdin
	}
	cfg := s.inlineConfig("run_code", lang, cpu, mem, "any", judge.ComparatorOptions{}, false)
	p := &benchmarks.Problem{TaskID: "run_code", Kind: benchmarks.KindStdio, Tests: []benchmarks.Test{{Input: stdin, FetchFiles: req.FetchFiles}}, Files: files}
	b, berr := benchmarks.New(cfg, []*benchmarks.Problem{p}, "request")
	if berr != nil {
		writeError(w, badField("files", "%v", berr))
		return
	}
	sample := &benchmarks.Sample{TaskID: p.TaskID, Code: *req.Code, Language: lang, Line: 1}
	out, aerr := s.run(r.Context(), rc, eval.Request{Benchmark: b, Samples: []*benchmarks.Sample{sample}, KeepOutput: true}, nil)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	res := out.results[0]
	if res == nil {
		// The client went away; nobody reads this.
		writeError(w, &apiError{Status: http.StatusServiceUnavailable, Msg: "cancelled"})
		return
	}
	var t *eval.TestResult
	if len(res.Tests) > 0 {
		t = &res.Tests[0]
	}
	writeJSON(w, http.StatusOK, runCodeFrom(lang, res, t))
}

// runCodeFrom renders a sample's build and its one test as SandboxFusion
// does: SandboxError for a failure of the machinery, Failed for a program
// that did not compile or did not run cleanly, Success otherwise.
func runCodeFrom(lang string, res *eval.SampleResult, t *eval.TestResult) *runCodeResponse {
	out := &runCodeResponse{Files: map[string]string{}, Scalebox: &verdictInfo{Verdict: res.Verdict, Message: res.Message}}
	if c := res.Compile; c != nil {
		out.Scalebox.CompileCached = &c.Cached
	}
	compiled := compiledLanguages[lang]
	if c := res.Compile; c != nil && c.Ran && compiled {
		out.CompileResult = compileResult(c)
	}
	switch {
	case res.Verdict == judge.SE && (t == nil || t.Verdict == judge.SE):
		out.Status, out.Message = "SandboxError", res.Message
		return out
	case res.Verdict == judge.CE:
		out.Status = "Failed"
		if !compiled {
			// SandboxFusion has no compile step here: the program fails
			// when it runs, with the interpreter's message.
			rc := 1
			out.RunResult = &commandResult{Status: "Finished", ReturnCode: &rc, Stderr: res.Message, ExecutionTime: secondsOf(0)}
		} else if out.CompileResult == nil {
			rc := 1
			out.CompileResult = &commandResult{Status: "Finished", ReturnCode: &rc, Stderr: res.Message, ExecutionTime: secondsOf(0)}
		}
		return out
	case t == nil:
		out.Status, out.Message = "SandboxError", "the test produced no result"
		return out
	}
	out.RunResult = runResult(t)
	if t.Output != nil {
		for _, f := range t.Output.Files {
			out.Files[f.Name] = base64.StdEncoding.EncodeToString(f.Data)
			if f.Truncated {
				out.Scalebox.FilesTruncated = append(out.Scalebox.FilesTruncated, f.Name)
			}
		}
	}
	out.Scalebox.CPUTime = secondsOf(t.Usage.CPUTime)
	out.Scalebox.WallTime = secondsOf(t.Usage.WallTime)
	out.Scalebox.MemoryPeakBytes = &t.Usage.MemoryPeakBytes
	out.Status = "Success"
	if t.Verdict != judge.AC || out.RunResult.ReturnCode == nil || *out.RunResult.ReturnCode != 0 {
		out.Status = "Failed"
	}
	return out
}

func compileResult(c *eval.CompileResult) *commandResult {
	cr := &commandResult{Status: "Finished", ExecutionTime: secondsOf(c.Usage.WallTime)}
	switch {
	case c.OK:
		rc := 0
		cr.ReturnCode = &rc
	case c.Status == runner.StatusTimeLimit || c.Status == runner.StatusWallLimit:
		cr.Status = "TimeLimitExceeded"
		cr.Stderr = c.Message
	default:
		rc := 1
		cr.ReturnCode = &rc
		cr.Stderr = c.Message
	}
	return cr
}

// runResult is a test's run as SandboxFusion reports it: the return code
// is the exit code, or minus the signal for a killed program (an OOM kill
// is -9, as there), and none for a timeout.
func runResult(t *eval.TestResult) *commandResult {
	rr := &commandResult{Status: "Finished", ExecutionTime: secondsOf(t.Usage.WallTime)}
	if o := t.Output; o != nil {
		rr.Stdout, rr.Stderr = text(o.Stdout), text(o.Stderr)
	}
	switch t.Status {
	case runner.StatusTimeLimit, runner.StatusWallLimit:
		rr.Status = "TimeLimitExceeded"
	case runner.StatusExited:
		rc := t.ExitCode
		rr.ReturnCode = &rc
	case runner.StatusSignaled:
		rc := -t.Signal
		rr.ReturnCode = &rc
	default:
		// Memory or output over the limit: the sandbox killed it.
		rc := -int(syscall.SIGKILL)
		rr.ReturnCode = &rc
	}
	return rr
}

// text makes output valid UTF-8 for JSON (bytes that are not become
// U+FFFD, as Python's errors="replace" does).
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func secondsOf(d time.Duration) *float64 {
	x := math.Round(d.Seconds()*1e6) / 1e6
	return &x
}

// seconds reads a timeout field: positive seconds, at most an hour; nil
// means the default.
func seconds(field string, v *float64) (time.Duration, *apiError) {
	if v == nil {
		return 0, nil
	}
	if math.IsNaN(*v) || *v <= 0 || *v > 3600 {
		return 0, badField(field, "must be a number of seconds in (0, 3600], not %v", *v)
	}
	return time.Duration(*v * float64(time.Second)), nil
}

// megabytes reads a memory limit in MiB; nil or a negative value (-1,
// SandboxFusion's "none") means the server's default.
func megabytes(field string, v *float64) (int64, *apiError) {
	if v == nil || *v < 0 {
		return 0, nil
	}
	if math.IsNaN(*v) || *v < 1 || *v > 1<<20 {
		return 0, badField(field, "must be at least 1 (MiB), not %v", *v)
	}
	return int64(*v * (1 << 20)), nil
}

// checkFetchFiles checks SandboxFusion's fetch_files: paths of files the
// program leaves in its working directory, relative or absolute inside
// it. A file that is not there (or is not a regular file, or is reached
// through a symbolic link, or lies outside the directory) is left out of
// the response's files, as SandboxFusion leaves out a missing one.
func checkFetchFiles(names []string) *apiError {
	if len(names) > runner.MaxFetchFiles {
		return badField("fetch_files", "%d files, at most %d", len(names), runner.MaxFetchFiles)
	}
	for i, n := range names {
		if n == "" || strings.ContainsRune(n, 0) {
			return badField(fmt.Sprintf("fetch_files[%d]", i), "must be a path, not %q", n)
		}
	}
	return nil
}

// decodeFiles reads SandboxFusion's files: name -> base64 content; a null
// content is skipped. Files land next to the program, so names may not
// hold directories.
func decodeFiles(in map[string]*string) (map[string]string, *apiError) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for name, b64 := range in {
		if b64 == nil {
			continue
		}
		clean := path.Clean(name)
		if clean != path.Base(clean) || clean == "." || clean == ".." || clean == "/" {
			return nil, badField("files", "%q: files are placed next to the program, so a name cannot hold a directory", name)
		}
		data, err := base64.StdEncoding.DecodeString(*b64)
		if err != nil {
			return nil, badField("files", "%q: not base64: %v", name, err)
		}
		out[clean] = string(data)
	}
	return out, nil
}
