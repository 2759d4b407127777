package judgegen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/llm"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/checker/checkertest"
	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/judgegen"
)

// replay is a chat-completions server that answers from recorded
// responses (testdata/llm), chosen by the task named in the request and
// by whether it is a classification, a first try or a repair.
type replay struct {
	t     *testing.T
	mu    sync.Mutex
	calls []string
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Model    string        `json:"model"`
		Messages []llm.Message `json:"messages"`
	}
	if req.URL.Path != "/v1/chat/completions" || json.NewDecoder(req.Body).Decode(&body) != nil || body.Model != "recorded-model" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	first := body.Messages[0].Content
	if len(body.Messages) > 1 {
		first = body.Messages[1].Content
	}
	last := body.Messages[len(body.Messages)-1].Content
	task := ""
	for _, name := range []string{"PAIRSUM", "STRICTSUM", "CIRCLE"} {
		if strings.Contains(first, name) {
			task = name
		}
	}
	kind := "generate"
	switch {
	case strings.Contains(last, "Answer with one JSON object"):
		kind = "classify"
	case strings.Contains(last, "failed validation"):
		kind = "repair"
	}
	r.mu.Lock()
	r.calls = append(r.calls, task+" "+kind)
	r.mu.Unlock()
	file := map[string]string{
		"PAIRSUM classify":   "classify_pair_sum.json",
		"STRICTSUM classify": "classify_pair_sum.json",
		"PAIRSUM generate":   "pair_sum_wrong.json",
		"PAIRSUM repair":     "pair_sum_repaired.json",
		"STRICTSUM generate": "pair_sum_exact.json",
		"STRICTSUM repair":   "pair_sum_exact.json",
	}[task+" "+kind]
	if file == "" {
		http.Error(w, `{"error": {"message": "no recording"}}`, http.StatusNotFound)
		return
	}
	data, err := os.ReadFile("testdata/llm/" + file)
	if err != nil {
		r.t.Error(err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func (r *replay) taken() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

func pairSumTask(marker string) judgegen.Task {
	return judgegen.Task{
		Benchmark: "llm-test", ID: strings.ToLower(marker),
		Statement: marker + ": given N, print two positive integers A and B such that A + B = N. If there are several answers, print any of them.",
		Tests: []benchmarks.Test{
			{Input: "2\n", Output: "1 1\n"}, {Input: "10\n", Output: "3 7\n"}, {Input: "1000\n", Output: "999 1\n"},
		},
	}
}

// TestLLMGenerateRepairReject: through a local chat-completions server
// replaying recorded answers, a wrong judge (it accepts anything) is
// rejected by validation and repaired into one that is accepted; a judge
// that stays too strict is rejected after the repair rounds; a float
// problem gets its template without asking for code. Results are stored,
// and a second run resumes from the registry and the answer cache.
func TestLLMGenerateRepairReject(t *testing.T) {
	env := checkertest.Env(t)
	rep := &replay{t: t}
	srv := httptest.NewServer(rep)
	defer srv.Close()
	reg := &registry.Dir{Path: t.TempDir()}
	client := &llm.Client{URL: srv.URL + "/v1", Model: "recorded-model", Retries: 1, Backoff: time.Millisecond, CacheDir: reg.Path + "/.llm-cache"}
	tasks := []judgegen.Task{
		pairSumTask("PAIRSUM"),
		pairSumTask("STRICTSUM"),
		{Benchmark: "llm-test", ID: "circle", Statement: "CIRCLE: print the area of a circle of radius R. Answers within an absolute or relative error of 10^-6 are accepted.",
			Tests: []benchmarks.Test{{Input: "1\n", Output: "3.141592653589793\n"}, {Input: "2.5\n", Output: "19.634954084936208\n"}}},
	}
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// The LLM classifies every task (LLMBelow above 1); CIRCLE's request
	// has no recording, so the statement model's answer stands for it.
	opts := judgegen.Options{Registry: reg, Env: env, LLM: client, LLMBelow: 1.1, RepairRounds: 1, Tasks: 2,
		Validate: judgegen.ValidateOptions{Mutants: 8, Jobs: 2}, Now: func() time.Time { return date }}
	sum, err := judgegen.Run(context.Background(), tasks, opts)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID, By, Generated string
		Validated, Stored bool
		Rounds            int
	}
	var got []row
	for _, r := range sum.Rows {
		got = append(got, row{r.TaskID, r.Classification.By, r.Generated, r.Validated, r.Stored, r.Rounds})
	}
	want := []row{
		{"pairsum", "llm:recorded-model", "llm", true, true, 1},
		{"strictsum", "llm:recorded-model", "llm", false, false, 1},
		{"circle", "model", "template:float", true, true, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if !strings.Contains(sum.Rows[1].Reason, "rejected after 1 repair rounds") || !strings.Contains(sum.Rows[1].Reason, "respaced") {
		t.Errorf("strictsum reason %q", sum.Rows[1].Reason)
	}
	if sum.Classified != 3 || sum.NeedJudge != 3 || sum.Generated != 3 || sum.Validated != 2 || sum.Rejected != 1 {
		t.Errorf("summary %+v", sum)
	}
	calls := rep.taken()
	for _, c := range []string{"PAIRSUM classify", "PAIRSUM generate", "PAIRSUM repair", "STRICTSUM generate", "STRICTSUM repair", "CIRCLE classify"} {
		if !contains(calls, c) {
			t.Errorf("no %q request among %v", c, calls)
		}
	}
	if contains(calls, "CIRCLE generate") {
		t.Errorf("asked for a float checker the template covers: %v", calls)
	}

	rec, err := reg.Get("llm-test", "pairsum")
	if err != nil {
		t.Fatal(err)
	}
	p := rec.Provenance
	if p.Kind != registry.FromLLM || p.Model != "recorded-model" || len(p.PromptSHA256) != 64 || p.Rounds != 1 || p.Date != "2026-01-02T03:04:05Z" || p.Endpoint != srv.URL+"/v1/chat/completions" {
		t.Errorf("provenance %+v", p)
	}
	if !strings.Contains(rec.Checker.Source, "reject(") || !rec.Validation.Passed || rec.Validation.StrictRejected != rec.Validation.StrictMutants {
		t.Errorf("stored record %+v", rec)
	}
	if _, err := reg.Get("llm-test", "strictsum"); err == nil {
		t.Error("a rejected judge was stored")
	}
	var table bytes.Buffer
	sum.WriteTable(&table)
	for _, s := range []string{"pairsum", "template:float", "classified 3, need a judge 3, generated 3, validated 2, rejected 1"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}

	// Resume: validated judges are kept; the rejected task asks again,
	// but its answers come from the cache.
	sum, err = judgegen.Run(context.Background(), tasks, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows[0].Generated != "existing" || sum.Rows[2].Generated != "existing" || sum.Rows[1].Validated {
		t.Errorf("second run rows %+v", sum.Rows)
	}
	if calls := rep.taken(); len(calls) != 0 {
		t.Errorf("second run sent %v; want every answer from the cache", calls)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestNoLLM: without an LLM, judgegen still classifies by rules and makes
// template judges; a problem with many answers is left for an LLM or a
// checker of one's own.
func TestNoLLM(t *testing.T) {
	reg := &registry.Dir{Path: t.TempDir()}
	tasks := []judgegen.Task{
		pairSumTask("PAIRSUM"),
		{Benchmark: "b", ID: "float", ValidatorFlags: "float_tolerance 1e-4", Tests: []benchmarks.Test{{Input: "", Output: "Case #1: 0.5\n"}}},
		{Benchmark: "b", ID: "plain", Statement: "Print the sum.", Tests: []benchmarks.Test{{Input: "1 2", Output: "3\n"}}},
	}
	sum, err := judgegen.Run(context.Background(), tasks, judgegen.Options{Registry: reg, Env: &checker.Env{}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sum.Rows {
		got = append(got, r.TaskID+" "+r.Classification.Category+" "+r.Generated)
	}
	want := []string{"pairsum multiple_solutions ", "float float_comparison template:float", "plain none "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if !strings.Contains(sum.Rows[0].Reason, "needs an LLM") || sum.Skipped != 1 || sum.Validated != 1 {
		t.Errorf("summary %+v", sum)
	}
	rec, err := reg.Get("b", "float")
	if err != nil || rec.Checker.Name() != "float(abs=0.0001,rel=0.0001)" || rec.Provenance.Kind != registry.FromTemplate {
		t.Errorf("float record %+v, %v", rec, err)
	}
}
