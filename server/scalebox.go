package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
)

// sbRequest is ScaleBox's SubmitRequest, as its verl integration sends it.
type sbRequest struct {
	Dataset    string          `json:"dataset"`
	ID         json.RawMessage `json:"id"`
	Completion *string         `json:"completion"`
	Config     struct {
		Language       string   `json:"language"`
		CompileTimeout *float64 `json:"compile_timeout"`
		RunTimeout     *float64 `json:"run_timeout"`
		// MemoryLimitMB is sent by ScaleBox's verl integration (ScaleBox
		// itself ignores it; scalebox enforces it).
		MemoryLimitMB      *float64                   `json:"memory_limit_mb"`
		CustomExtractLogic *string                    `json:"custom_extract_logic"`
		ProvidedData       map[string]json.RawMessage `json:"provided_data"`
		Extra              struct {
			RunAllCases          bool     `json:"run_all_cases"`
			TotalTimeout         *float64 `json:"total_timeout"`
			SpecialJudgeProgram  *string  `json:"special_judge_program"`
			SpecialJudgeLanguage *string  `json:"special_judge_language"`
			ReturnFullCase       bool     `json:"return_full_case"`
			// Comparator names a scalebox comparator to use instead of
			// ScaleBox's rules ("scalebox"); AbsTol and RelTol tune it.
			Comparator string  `json:"comparator"`
			AbsTol     float64 `json:"abs_tol"`
			RelTol     float64 `json:"rel_tol"`
		} `json:"extra"`
	} `json:"config"`
}

// sbCases are a request's test cases, in either API's layout.
type sbCases struct {
	Type      string
	FnName    string
	JSONInput bool
	Inputs    []json.RawMessage
	Outputs   []json.RawMessage
	// Raw are the cases as sent, echoed as test_info of function calls.
	Raw []json.RawMessage
	// Assert cases: the test program and its entry point.
	Tests, EntryPoint string
}

// sbResponse is ScaleBox's EvalResult, with scalebox's summary added.
type sbResponse struct {
	ID            json.RawMessage `json:"id"`
	Accepted      bool            `json:"accepted"`
	ExtractedCode string          `json:"extracted_code"`
	FullCode      *string         `json:"full_code"`
	TestCode      *string         `json:"test_code"`
	ExtractedType *string         `json:"extracted_type"`
	Extra         any             `json:"extra"`
	Tests         []sbTest        `json:"tests"`
	Scalebox      *sbSummary      `json:"scalebox"`
}

type sbTest struct {
	Passed   bool             `json:"passed"`
	ExecInfo *runCodeResponse `json:"exec_info"`
	TestInfo any              `json:"test_info"`
}

// sbSummary is scalebox's verdict on the whole sample.
type sbSummary struct {
	Verdict      judge.Verdict `json:"verdict"`
	Message      string        `json:"message,omitempty"`
	TestsPassed  int           `json:"tests_passed"`
	TestsTotal   int           `json:"tests_total"`
	PassFraction float64       `json:"pass_fraction"`
}

func (s *Server) handleCommonEvaluateBatch(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.commonEvaluate(w, r, rc, true)
}

func (s *Server) handleCommonEvaluate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.commonEvaluate(w, r, rc, false)
}

func (s *Server) commonEvaluate(w http.ResponseWriter, r *http.Request, rc *reqCtx, batch bool) {
	var req sbRequest
	if err := decodeJSON(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	c := &req.Config
	lang, err := s.langs.lookup(c.Language)
	if err != nil {
		writeError(w, badField("config.language", "%v", err))
		return
	}
	rc.language = lang
	if req.Completion == nil {
		writeError(w, badField("completion", "is required"))
		return
	}
	if c.CustomExtractLogic != nil {
		writeError(w, badField("config.custom_extract_logic", "is not supported: it is Python run inside the server; extract the code in the client"))
		return
	}
	cpu, aerr := seconds("config.run_timeout", c.RunTimeout)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if cpu == 0 {
		// ScaleBox's defaults: 10 s for compiled languages, 20 s otherwise.
		cpu = 20 * time.Second
		if compiledLanguages[lang] {
			cpu = 10 * time.Second
		}
	}
	if _, aerr := seconds("config.compile_timeout", c.CompileTimeout); aerr != nil {
		writeError(w, aerr)
		return
	}
	mem, aerr := megabytes("config.memory_limit_mb", c.MemoryLimitMB)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	total, aerr := seconds("config.extra.total_timeout", c.Extra.TotalTimeout)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	cases, aerr := parseCases(c.ProvidedData, batch)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	comparator := "scalebox"
	if c.Extra.Comparator != "" {
		comparator = c.Extra.Comparator
	}
	tol := judge.ComparatorOptions{AbsTol: c.Extra.AbsTol, RelTol: c.Extra.RelTol}
	if _, err := judge.NewComparator(comparator, tol); err != nil {
		writeError(w, badField("config.extra.comparator", "%v", err))
		return
	}
	code := extractCode(*req.Completion, lang)
	cfg := s.inlineConfig("scalebox", lang, cpu, mem, comparator, tol, !c.Extra.RunAllCases)
	var problems []*benchmarks.Problem
	switch cases.Type {
	case "stdin_stdout":
		p, aerr := s.stdioProblem(cases, c.Extra.SpecialJudgeProgram, c.Extra.SpecialJudgeLanguage)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		problems = []*benchmarks.Problem{p}
	case "function_call":
		if lang != "python3" {
			writeError(w, badField("config.language", "function_call test cases run in python here, not %s (use stdin_stdout or assert)", c.Language))
			return
		}
		if problems, aerr = functionProblems(cases); aerr != nil {
			writeError(w, aerr)
			return
		}
	case "assert":
		p, aerr := assertProblem(cases, lang, code)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		problems = []*benchmarks.Problem{p}
	}
	b, err := benchmarks.New(cfg, problems, "request")
	if err != nil {
		writeError(w, badField("config.provided_data.test_cases", "%v", err))
		return
	}
	samples := make([]*benchmarks.Sample, len(problems))
	for i, p := range problems {
		samples[i] = &benchmarks.Sample{TaskID: p.TaskID, Code: code, Language: lang, Line: i + 1}
	}
	ctx := r.Context()
	if total > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, total)
		defer cancel()
	}
	out, aerr := s.run(ctx, rc, eval.Request{Benchmark: b, Samples: samples, EarlyStop: !c.Extra.RunAllCases, KeepOutput: true}, nil)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if r.Context().Err() != nil {
		return // the client went away
	}
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	resp := &sbResponse{ID: req.ID, ExtractedCode: code, Tests: []sbTest{}}
	if len(resp.ID) == 0 {
		resp.ID = json.RawMessage("0")
	}
	if cases.Type == "stdin_stdout" || cases.Type == "assert" {
		resp.Tests = sbTests(lang, out.results[0], out.tests[0], cases, timedOut, c.Extra.ReturnFullCase)
	} else {
		for i := range problems {
			t := sbTests(lang, out.results[i], out.tests[i], cases, timedOut, c.Extra.ReturnFullCase)
			t[0].TestInfo = cases.Raw[i]
			resp.Tests = append(resp.Tests, t[0])
		}
	}
	resp.Scalebox = summarize(out, len(resp.Tests), resp.Tests)
	resp.Accepted = resp.Scalebox.Verdict == judge.AC
	writeJSON(w, http.StatusOK, resp)
}

// summarize gives the sample's verdict: the first failure in test order,
// else SE if a test did not finish, else AC.
func summarize(out *outcome, n int, tests []sbTest) *sbSummary {
	sum := &sbSummary{Verdict: judge.AC, TestsTotal: n}
	for _, t := range tests {
		if t.Passed {
			sum.TestsPassed++
		}
	}
	if n > 0 {
		sum.PassFraction = float64(sum.TestsPassed) / float64(n)
	}
	var se *eval.SampleResult
	for i, r := range out.results {
		switch {
		case r == nil:
			if se == nil {
				se = &eval.SampleResult{Verdict: judge.SE, Message: fmt.Sprintf("sample %d did not finish (total timeout)", i)}
			}
		case r.Verdict == judge.SE:
			if se == nil {
				se = r
			}
		case !r.Verdict.Passed():
			sum.Verdict, sum.Message = r.Verdict, r.Message
			return sum
		}
	}
	if se != nil {
		sum.Verdict, sum.Message = judge.SE, se.Message
	}
	return sum
}

// sbTests renders a sample's tests in ScaleBox's shape, every test of
// the sample accounted for: one that ran, one skipped after an earlier
// failure, one cut by the total timeout.
func sbTests(lang string, res *eval.SampleResult, done []*eval.TestResult, cases *sbCases, timedOut, full bool) []sbTest {
	n := len(cases.Inputs)
	if cases.Type != "stdin_stdout" {
		n = 1
	}
	// A finished sample's own tests: under early stop, those after the
	// first failure are left out even if they ran, so that the answer does
	// not depend on how far they got.
	byIndex := map[int]*eval.TestResult{}
	if res != nil {
		for i := range res.Tests {
			byIndex[res.Tests[i].Index] = &res.Tests[i]
		}
	} else {
		for _, t := range done {
			byIndex[t.Index] = t
		}
	}
	failedAt := -1
	out := make([]sbTest, n)
	for i := range out {
		var info any
		if cases.Type == "stdin_stdout" {
			info = stdioInfo(cases, i, full)
		}
		out[i].TestInfo = info
		t := byIndex[i]
		switch {
		case res != nil && len(res.Tests) == 0:
			// Decided without running a test: a compile error, or a
			// failure of the machinery.
			out[i].ExecInfo = runCodeFrom(lang, res, nil)
		case t != nil:
			out[i].ExecInfo = testExec(lang, res, t)
			out[i].Passed = t.Verdict == judge.AC
			if !out[i].Passed && failedAt < 0 {
				failedAt = i
			}
		case res != nil && failedAt >= 0:
			out[i].ExecInfo = &runCodeResponse{Status: "Failed", Files: map[string]string{},
				Message:  fmt.Sprintf("not run: test %d failed first and run_all_cases is false", failedAt),
				Scalebox: &verdictInfo{Skipped: true}}
		default:
			msg := "Total Timeout"
			if !timedOut {
				msg = "the test produced no result"
			}
			out[i].ExecInfo = &runCodeResponse{Status: "SandboxError", Message: msg, Files: map[string]string{},
				Scalebox: &verdictInfo{Verdict: judge.SE, Message: msg}}
		}
	}
	return out
}

// testExec is one test's run in SandboxFusion's shape.
func testExec(lang string, res *eval.SampleResult, t *eval.TestResult) *runCodeResponse {
	one := &eval.SampleResult{Verdict: t.Verdict, Message: t.Message, Compile: nil}
	if res != nil {
		one.Compile = res.Compile
	}
	ri := runCodeFrom(lang, one, t)
	if t.Verdict == judge.WA && ri.Status == "Failed" && ri.RunResult != nil && ri.RunResult.ReturnCode != nil && *ri.RunResult.ReturnCode == 0 {
		// It ran cleanly; only its answer is wrong.
		ri.Status = "Success"
	}
	if t.Verdict == judge.WA && ri.Status == "Success" {
		ri.Scalebox.Message = t.Message
	}
	return ri
}

// truncateCase shortens a test's text as ScaleBox does in test_info.
func truncateCase(s string, full bool) string {
	const maxLen, mark = 1000, "[truncated]"
	if full || len(s) <= maxLen {
		return s
	}
	half := (maxLen - len(mark)) / 2
	return strings.ToValidUTF8(s[:half]+mark+s[len(s)-half:], "\uFFFD")
}

func stdioInfo(c *sbCases, i int, full bool) any {
	var in, want string
	json.Unmarshal(c.Inputs[i], &in)
	json.Unmarshal(c.Outputs[i], &want)
	return map[string]any{
		"input":  map[string]string{"stdin": truncateCase(in, full)},
		"output": map[string]string{"stdout": truncateCase(want, full)},
	}
}

// parseCases reads provided_data.test_cases: for the batch endpoint an
// object of parallel lists ({type, fn_name, json_input, input: [...],
// output: [...]}, or an assert's {type: "assert", test, entry_point}); for
// /common_evaluate a list of cases ({type, fn_name, input, output}).
func parseCases(data map[string]json.RawMessage, batch bool) (*sbCases, *apiError) {
	const field = "config.provided_data.test_cases"
	raw, ok := data["test_cases"]
	if !ok {
		return nil, badField(field, "is required (scalebox has no dataset rows to look the tests up in)")
	}
	c := &sbCases{}
	if batch {
		var v struct {
			Type       *string           `json:"type"`
			FnName     *string           `json:"fn_name"`
			JSONInput  bool              `json:"json_input"`
			Input      []json.RawMessage `json:"input"`
			Output     []json.RawMessage `json:"output"`
			Test       string            `json:"test"`
			Tests      string            `json:"tests"`
			EntryPoint string            `json:"entry_point"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, badField(field, "must be an object {type, input: [...], output: [...]}: %v", err)
		}
		c.Type = caseType(v.Type, v.FnName)
		if v.FnName != nil {
			c.FnName = *v.FnName
		}
		c.JSONInput, c.Inputs, c.Outputs = v.JSONInput, v.Input, v.Output
		c.Tests, c.EntryPoint = v.Tests, v.EntryPoint
		if c.Tests == "" {
			c.Tests = v.Test
		}
		for i := range c.Inputs {
			one := map[string]any{"type": c.Type, "fn_name": v.FnName, "input": c.Inputs[i]}
			if i < len(c.Outputs) {
				one["output"] = c.Outputs[i]
			}
			b, _ := json.Marshal(one)
			c.Raw = append(c.Raw, b)
		}
	} else {
		var list []struct {
			Type   *string         `json:"type"`
			FnName *string         `json:"fn_name"`
			Input  json.RawMessage `json:"input"`
			Output json.RawMessage `json:"output"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, badField(field, "must be a list of {input, output} cases: %v", err)
		}
		if len(list) == 0 {
			return nil, badField(field, "holds no test case")
		}
		c.Type = caseType(list[0].Type, list[0].FnName)
		if list[0].FnName != nil {
			c.FnName = *list[0].FnName
		}
		var items []json.RawMessage
		json.Unmarshal(raw, &items)
		for i, x := range list {
			c.Inputs = append(c.Inputs, x.Input)
			c.Outputs = append(c.Outputs, x.Output)
			c.Raw = append(c.Raw, items[i])
		}
	}
	switch c.Type {
	case "assert":
		if c.Tests == "" {
			return nil, badField(field+".test", "an assert case needs its test program (test or tests)")
		}
		return c, nil
	case "stdin_stdout", "function_call":
	default:
		return nil, badField(field+".type", "%q is unknown (want stdin_stdout, function_call or assert)", c.Type)
	}
	if len(c.Inputs) == 0 {
		return nil, badField(field+".input", "holds no test case")
	}
	if len(c.Inputs) != len(c.Outputs) {
		return nil, badField(field+".output", "has %d items for %d inputs", len(c.Outputs), len(c.Inputs))
	}
	if c.Type == "function_call" && c.FnName == "" {
		return nil, badField(field+".fn_name", "a function_call case needs the function's name")
	}
	return c, nil
}

// caseType is ScaleBox's dispatch: the type if given, else function_call
// when fn_name is set, else stdin_stdout.
func caseType(typ, fn *string) string {
	switch {
	case typ != nil && *typ != "":
		return *typ
	case fn != nil && *fn != "":
		return "function_call"
	}
	return "stdin_stdout"
}

// stdioProblem is a stdio problem of the cases; a special judge, when
// given, judges every test (ScaleBox asks it only after a textual
// mismatch, which lets a wrong output that happens to match through).
func (s *Server) stdioProblem(c *sbCases, judgeProgram, judgeLanguage *string) (*benchmarks.Problem, *apiError) {
	p := &benchmarks.Problem{TaskID: "cases", Kind: benchmarks.KindStdio}
	for i := range c.Inputs {
		var in, out string
		if err := json.Unmarshal(c.Inputs[i], &in); err != nil {
			return nil, badField(fmt.Sprintf("config.provided_data.test_cases.input[%d]", i), "a stdin_stdout input must be a string")
		}
		if err := json.Unmarshal(c.Outputs[i], &out); err != nil {
			return nil, badField(fmt.Sprintf("config.provided_data.test_cases.output[%d]", i), "a stdin_stdout output must be a string")
		}
		p.Tests = append(p.Tests, benchmarks.Test{Input: in, Output: out})
	}
	if judgeProgram != nil && strings.TrimSpace(*judgeProgram) != "" {
		jl := "python"
		if judgeLanguage != nil && *judgeLanguage != "" {
			jl = *judgeLanguage
		}
		id, err := s.langs.lookup(jl)
		if err != nil {
			return nil, badField("config.extra.special_judge_language", "%v", err)
		}
		p.Checker = &checker.Spec{Protocol: checker.ScaleBox, Language: id, Source: *judgeProgram}
	}
	return p, nil
}

// functionProblems makes one problem per function-call case, each run in
// a process of its own as ScaleBox does: the case's arguments (one JSON
// value per line; with json_input the input already is such lines) are
// passed to the function (Solution().fn when the code has a class
// Solution), and its value is compared outside the sandbox with the
// expected one (the first item of output; with json_input, the decoded
// output) with Python's ==.
func functionProblems(c *sbCases) ([]*benchmarks.Problem, *apiError) {
	var out []*benchmarks.Problem
	for i := range c.Inputs {
		field := fmt.Sprintf("config.provided_data.test_cases.input[%d]", i)
		var lines []string
		var text string
		if c.JSONInput && json.Unmarshal(c.Inputs[i], &text) == nil {
			lines = strings.Split(text, "\n")
		} else {
			var args []json.RawMessage
			if err := json.Unmarshal(c.Inputs[i], &args); err != nil {
				return nil, badField(field, "a function_call input must be the list of the arguments")
			}
			for _, a := range args {
				lines = append(lines, string(compactJSON(a)))
			}
		}
		ofield := fmt.Sprintf("config.provided_data.test_cases.output[%d]", i)
		var want json.RawMessage
		if c.JSONInput && json.Unmarshal(c.Outputs[i], &text) == nil {
			want = json.RawMessage(text)
		} else {
			var outs []json.RawMessage
			if err := json.Unmarshal(c.Outputs[i], &outs); err != nil || len(outs) == 0 {
				return nil, badField(ofield, "a function_call output must be a list whose first item is the expected value")
			}
			want = outs[0]
		}
		if !json.Valid(want) {
			return nil, badField(ofield, "the expected value is not JSON")
		}
		out = append(out, &benchmarks.Problem{
			TaskID: fmt.Sprintf("case-%d", i), Kind: benchmarks.KindLCBFunction, EntryPoint: c.FnName,
			Tests: []benchmarks.Test{{Input: strings.Join(lines, "\n"), Output: string(compactJSON(want))}},
		})
	}
	return out, nil
}

func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// assertProblem is the program followed by its tests: a Python program
// under the assert harness (a check function, called by the harness, or
// bare asserts that call the function under test by name), another
// language under its MultiPL-E harness. Either passes only when the tests
// ran to their end (a completion marker), not on exit code 0 alone.
func assertProblem(c *sbCases, lang, code string) (*benchmarks.Problem, *apiError) {
	if lang == "python3" {
		p := &benchmarks.Problem{TaskID: "assert", Kind: benchmarks.KindAssert, Language: lang, TestCode: c.Tests, EntryPoint: c.EntryPoint}
		if p.EntryPoint == "" && !strings.Contains(c.Tests, "def check(") {
			// Bare asserts name the function they test; the harness runs
			// the tests apart from the program and needs that name.
			p.EntryPoint = assertedFunction(c.Tests, code)
			if p.EntryPoint == "" {
				return nil, badField("config.provided_data.test_cases.entry_point", "the asserts call no function of the program: name the function they test")
			}
		}
		if p.EntryPoint == "" {
			return nil, badField("config.provided_data.test_cases.entry_point", "the tests define check(candidate): name the function it checks")
		}
		return p, nil
	}
	for _, l := range benchmarks.MultipleLanguages() {
		if l == lang {
			return &benchmarks.Problem{TaskID: "assert", Kind: benchmarks.KindMultiple, Language: lang, TestCode: c.Tests}, nil
		}
	}
	return nil, badField("config.language", "assert test cases run in python3, %s here, not %s", strings.Join(benchmarks.MultipleLanguages(), ", "), lang)
}

var (
	calledName  = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	definedName = regexp.MustCompile(`(?m)^(?:async\s+)?(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)|^([A-Za-z_][A-Za-z0-9_]*)\s*=[^=]`)
)

// assertedFunction is the function bare asserts test: the first name they
// call that the program defines at its top level, else the first name
// they call that is not one of Python's builtins (the program then fails
// to define it, as it would under the reference), else "".
func assertedFunction(tests, code string) string {
	defined := map[string]bool{}
	for _, m := range definedName.FindAllStringSubmatch(code, -1) {
		defined[m[1]+m[2]] = true
	}
	var fallback string
	for _, m := range calledName.FindAllStringSubmatchIndex(tests, -1) {
		if m[2] > 0 && tests[m[2]-1] == '.' {
			continue // a method or a module's function
		}
		switch name := tests[m[2]:m[3]]; {
		case defined[name]:
			return name
		case fallback == "" && !pythonBuiltins[name]:
			fallback = name
		}
	}
	return fallback
}

// pythonBuiltins are names an assert calls without the program defining
// them (builtins, keywords followed by a parenthesis).
var pythonBuiltins = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`abs all any ascii bin bool bytearray bytes callable chr
		complex dict dir divmod enumerate filter float format frozenset getattr hasattr hash hex
		id int isinstance issubclass iter len list map max min next object oct ord pow print range
		repr reversed round set sorted str sum tuple type vars zip assert and or not in is if else
		lambda return`) {
		m[n] = true
	}
	return m
}()
