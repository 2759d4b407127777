package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/report"
)

const sharedData = "../../shared/data"

func needData(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", path)
		}
		t.Skipf("%s missing", path)
	}
}

// evalRun is `scalebox eval` as a process; it returns the report.
func evalRun(t testing.TB, out string, args ...string) *report.Report {
	t.Helper()
	bin := buildBinary(t)
	cmd := exec.Command(bin, append([]string{"eval", "--out", out, "-q", "--json"}, args...)...)
	data, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scalebox eval %v: %v\n%s", args, err, data)
	}
	if strings.Contains(string(data), "retrying") {
		t.Logf("scalebox eval %v:\n%s", args, data)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// comparable is a report without what differs between two runs of the
// same evaluation (times, resources, where it ran, the tool's build).
func comparable(t testing.TB, rep *report.Report) map[string]any {
	t.Helper()
	data, err := rep.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"timing", "cluster", "environment", "tool"} {
		delete(m, k)
	}
	for _, p := range m["problems"].([]any) {
		for _, s := range p.(map[string]any)["samples"].([]any) {
			sm := s.(map[string]any)
			delete(sm, "usage")
			if c, ok := sm["compile"].(map[string]any); ok {
				delete(c, "usage")
				delete(c, "node")
				delete(c, "cached")
			}
			tests, _ := sm["tests"].([]any)
			for _, tt := range tests {
				tm := tt.(map[string]any)
				delete(tm, "usage")
				delete(tm, "node")
			}
		}
	}
	return m
}

// verdicts are a report's verdicts and messages, by sample and test.
func verdicts(rep *report.Report) map[string]string {
	out := map[string]string{}
	for _, p := range rep.Problems {
		for _, s := range p.Samples {
			key := fmt.Sprintf("%s#%d", p.TaskID, s.Index)
			out[key] = fmt.Sprintf("%s %s base=%v", s.Verdict, s.Message, s.BasePassed != nil && *s.BasePassed)
			for _, tr := range s.Tests {
				out[fmt.Sprintf("%s test %d", key, tr.Index)] = tr.Verdict + " " + tr.Message
			}
		}
	}
	return out
}

// contestSamples are programs for two CodeContests problems of
// ../shared/data (a right and a wrong Python one each, and C++ ones: a
// wrong answer, a compile error), written to dir.
func contestSamples(t testing.TB, dir string) string {
	t.Helper()
	samples := []map[string]string{
		{"task_id": "3", "solution": "import sys\nfrom collections import Counter\nd = sys.stdin.read().split()\nn = int(d[0])\na, b = Counter(d[1:1 + n]), Counter(d[1 + n:1 + 2 * n])\nprint(sum((a - b).values()))\n"},
		{"task_id": "3", "solution": "import sys\nd = sys.stdin.read().split()\nn = int(d[0])\nprint(len(set(d[1:1 + n]) ^ set(d[1 + n:1 + 2 * n])))\n"},
		{"task_id": "3", "language": "cpp", "solution": "#include <cstdio>\nint main() { std::puts(\"0\"); }\n"},
		{"task_id": "17", "solution": "n = input().strip()\nm = input().strip()\nif n == \"0\":\n    best = \"0\"\nelse:\n    ds = sorted(n)\n    i = next(j for j, c in enumerate(ds) if c != \"0\")\n    best = ds[i] + \"\".join(ds[:i] + ds[i + 1:])\nprint(\"OK\" if m == best else \"WRONG_ANSWER\")\n"},
		{"task_id": "17", "solution": "print('OK')\n"},
		{"task_id": "17", "language": "cpp", "solution": "int main() { return x; }\n"},
	}
	var b strings.Builder
	for _, s := range samples {
		line, _ := json.Marshal(s)
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(dir, "contests.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// humanEvalSamples are the first n of Qwen2.5-Coder-1.5B's HumanEval+
// samples in ../shared/data.
func humanEvalSamples(t testing.TB, dir string, n int) string {
	t.Helper()
	src := filepath.Join(sharedData, "generations/qwen2.5-coder-1.5b-base/evalplus/humaneval/generated.jsonl")
	needData(t, src)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	path := filepath.Join(dir, "humaneval.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines[:n], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// metric reads one series of a node's /metrics (0 when absent).
func metric(t testing.TB, n *node, series string) float64 {
	t.Helper()
	resp, err := http.Get(n.url + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(data)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// TestRemoteEvalMatchesLocal runs the same evaluations locally and over
// two serve nodes: the reports are the same but for times and places;
// both nodes ran tests; each blob went to each node at most once; and
// --from-report reruns a report remotely to the same result.
func TestRemoteEvalMatchesLocal(t *testing.T) {
	need(t, "bwrap", "python3", "g++")
	contests := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(contests, "scalebox_code_eval_code_contests.jsonl"))
	humaneval := filepath.Join(sharedData, "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz")
	needData(t, humaneval)
	dir := t.TempDir()
	a, b := startNode(t), startNode(t)
	remote := "--remote=" + a.url + "," + b.url

	cases := []struct {
		name string
		args []string
	}{
		// Without early stop: a watched run (early stop on a function
		// problem) stops wherever the judge reads its first wrong answer,
		// locally as remotely, which the group results show.
		{"humanevalplus", []string{"--bench", "humanevalplus", "--data", humaneval, "--samples", humanEvalSamples(t, dir, 12), "--all-tests"}},
		{"codecontests", []string{"--bench", "codecontests", "--data", contests, "--samples", contestSamples(t, dir)}},
	}
	for _, c := range cases {
		local := evalRun(t, filepath.Join(dir, c.name+"-local.json"), append(c.args, "-j", "2")...)
		rem := evalRun(t, filepath.Join(dir, c.name+"-remote.json"), append(c.args, remote)...)
		if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
			t.Errorf("%s: the remote report differs (-local +remote):\n%s", c.name, diff)
		}
		cl := rem.Cluster
		if cl == nil {
			t.Fatalf("%s: the remote report has no cluster section", c.name)
		}
		if len(cl.TestsByNode) != 2 || cl.TestsByNode[a.addr] == 0 || cl.TestsByNode[b.addr] == 0 {
			t.Errorf("%s: tests by node %v, want both %s and %s", c.name, cl.TestsByNode, a.addr, b.addr)
		}
		if cl.BlobsUploaded > 2*cl.DistinctBlobs {
			t.Errorf("%s: %d uploads of %d blobs over 2 nodes", c.name, cl.BlobsUploaded, cl.DistinctBlobs)
		}
		if local.Summary.Samples == 0 || fmt.Sprint(local.Summary.Verdicts) != fmt.Sprint(rem.Summary.Verdicts) {
			t.Errorf("%s: verdicts %v locally, %v remotely", c.name, local.Summary.Verdicts, rem.Summary.Verdicts)
		}
	}
	// With early stop, a function problem's run stops at its first wrong
	// answer, as the judge reads it (streamed from the node): the
	// verdicts, their messages and the base results are the local ones
	// (which groups a stopped run decided depends on where it stopped).
	early := []string{"--bench", "humanevalplus", "--data", humaneval, "--samples", humanEvalSamples(t, dir, 12)}
	want := verdicts(evalRun(t, filepath.Join(dir, "early-local.json"), append(early, "-j", "2")...))
	got := verdicts(evalRun(t, filepath.Join(dir, "early-remote.json"), append(early, remote)...))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("early stop: the verdicts differ (-local +remote):\n%s", diff)
	}

	// Each blob was uploaded to a node at most once over both runs (the
	// tests of a problem shared by its samples included).
	for _, n := range []*node{a, b} {
		puts := metric(t, n, `scalebox_requests_total{endpoint="blob_put",code="204"}`)
		if puts == 0 {
			t.Errorf("node %s got no blob", n.addr)
		}
	}

	// --from-report reruns the CodeContests report on the nodes.
	again := evalRun(t, filepath.Join(dir, "again.json"), "--from-report", filepath.Join(dir, "codecontests-local.json"), remote)
	local, _ := report.Read(filepath.Join(dir, "codecontests-local.json"))
	if diff := cmp.Diff(comparable(t, local), comparable(t, again)); diff != "" {
		t.Errorf("--from-report --remote differs (-local +remote):\n%s", diff)
	}
}

// TestRemoteEvalNodeKilled kills a node with SIGKILL while it runs its
// share, and keeps another full (it answers 503) at the start: the tests
// the dead node had are run elsewhere, the full node gets tests once it
// has room, and the report equals a local run's.
func TestRemoteEvalNodeKilled(t *testing.T) {
	need(t, "bwrap", "python3", "g++")
	contests := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(contests, "scalebox_code_eval_code_contests.jsonl"))
	dir := t.TempDir()
	args := []string{"--bench", "codecontests", "--data", contests, "--samples", contestSamples(t, dir)}
	local := evalRun(t, filepath.Join(dir, "local.json"), append(args, "-j", "2")...)

	a, b := startNode(t), startNode(t)
	c := startNode(t, "--max-queue", "1")
	// c's one place is held by a slow test until it refuses the evaluation.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			body := strings.NewReader(`{"code":"import time\ntime.sleep(60)","language":"python","run_timeout":90}`)
			r, _ := http.NewRequestWithContext(ctx, "POST", c.url+"/run_code", body)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				return
			}
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); metric(t, c, `scalebox_rejected_requests_total{reason="queue_full"}`) == 0; {
		// A probe gets 503 once the slow test holds the place.
		if resp, err := http.Post(c.url+"/run_code", "application/json", strings.NewReader(`{"code":"print(1)","language":"python"}`)); err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatal("node c never filled")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Kill b while it runs a test of the evaluation.
	killed := make(chan time.Time, 1)
	go func() {
		defer close(killed)
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			// Killed with tests of the evaluation in it, once it has
			// answered some.
			// (The /metrics request is one of the requests in flight.)
			if metric(t, b, `scalebox_requests_total{endpoint="exec_run",code="200"}`) >= 1 && metric(t, b, "scalebox_inflight_requests") >= 2 {
				b.kill()
				killed <- time.Now()
				return
			}
		}
	}()
	// Once c has refused the evaluation, it gets room (its slow test is
	// cancelled with its request), so that it takes tests before the end.
	refusedBefore := metric(t, c, `scalebox_rejected_requests_total{reason="queue_full"}`)
	released := make(chan struct{})
	go func() {
		defer close(released)
		defer cancel()
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if metric(t, c, `scalebox_rejected_requests_total{reason="queue_full"}`) > refusedBefore {
				return
			}
		}
	}()
	rem := evalRun(t, filepath.Join(dir, "remote.json"), append(args, "--remote="+a.url+","+b.url+","+c.url)...)
	finished := time.Now()
	<-released
	if at, ok := <-killed; !ok || at.After(finished) {
		t.Fatal("node b was not killed while the evaluation ran")
	}
	if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
		t.Errorf("with a node killed, the report differs (-local +remote):\n%s", diff)
	}
	urls := map[string]report.ClusterURL{}
	for _, u := range rem.Cluster.URLs {
		urls[u.URL] = u
	}
	if u := urls[b.url]; u.Unreachable == 0 {
		t.Errorf("the killed node %s: %+v, want unreachable requests", b.url, u)
	}
	if u := urls[c.url]; u.Refused == 0 || rem.Cluster.TestsByNode[c.addr] == 0 {
		t.Errorf("the full node %s: %+v, %d tests; want 503s first, then tests", c.url, u, rem.Cluster.TestsByNode[c.addr])
	}
	if rem.Summary.SystemErrors != 0 {
		t.Errorf("%d system errors", rem.Summary.SystemErrors)
	}
}

// TestRemoteEvalNodeSystemErrors: a node whose every run is a system
// error (a local HTTP server stands in for a node with a broken sandbox)
// is taken out of rotation and named in the report; its tests run on the
// real node, and the report equals a local run's, without system errors.
func TestRemoteEvalNodeSystemErrors(t *testing.T) {
	need(t, "bwrap", "python3")
	contests := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(contests, "scalebox_code_eval_code_contests.jsonl"))
	dir := t.TempDir()
	samples := filepath.Join(dir, "samples.jsonl")
	os.WriteFile(samples, []byte(`{"task_id": "17", "solution": "print('OK')\n"}`+"\n"+`{"task_id": "3", "solution": "print(0)\n"}`+"\n"), 0o644)
	args := []string{"--bench", "codecontests", "--data", contests, "--samples", samples}
	local := evalRun(t, filepath.Join(dir, "local.json"), append(args, "-j", "2")...)

	a := startNode(t)
	var runs atomic.Int64
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/readyz":
			w.Write([]byte(`{"status":"ready","jobs":4}`))
		case r.Method == "PUT":
			w.WriteHeader(http.StatusNoContent)
		default:
			runs.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"run: sandbox: bwrap: setting up uid map: Permission denied","system_error":true}`))
		}
	}))
	defer broken.Close()
	rem := evalRun(t, filepath.Join(dir, "remote.json"), append(args, "--remote="+broken.URL+","+a.url)...)
	if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
		t.Errorf("the report differs (-local +remote):\n%s", diff)
	}
	var out report.ClusterURL
	for _, u := range rem.Cluster.URLs {
		if u.URL == broken.URL {
			out = u
		}
	}
	if !strings.Contains(out.OutOfRotation, "3 system errors in a row") || out.SystemErrors < 3 || int64(out.SystemErrors) != runs.Load() {
		t.Errorf("the broken node: %+v after %d requests; want out of rotation after 3 system errors", out, runs.Load())
	}
	if rem.Summary.SystemErrors != 0 {
		t.Errorf("%d system errors in the report", rem.Summary.SystemErrors)
	}
}

// TestRemoteEvalResume kills `eval --remote` midway and resumes it: the
// report equals a local run's.
func TestRemoteEvalResume(t *testing.T) {
	need(t, "bwrap", "python3")
	humaneval := filepath.Join(sharedData, "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz")
	needData(t, humaneval)
	dir := t.TempDir()
	args := []string{"--bench", "humanevalplus", "--data", humaneval, "--samples", humanEvalSamples(t, dir, 30), "--all-tests"}
	local := evalRun(t, filepath.Join(dir, "local.json"), append(args, "-j", "2")...)

	a := startNode(t)
	out := filepath.Join(dir, "remote.json")
	bin := buildBinary(t)
	// One test at a time, so that it is still running when killed.
	cmd := exec.Command(bin, append([]string{"eval", "--out", out, "-q", "--remote", a.url, "-j", "1"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		data, _ := os.ReadFile(out + ".journal")
		return strings.Count(string(data), "\n") - 1
	}
	for deadline := time.Now().Add(2 * time.Minute); entries() < 5; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the journal did not fill")
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if n := entries(); n >= 30 {
		t.Fatalf("the run finished (%d samples) before it was killed", n)
	}
	rem := evalRun(t, out, append(args, "--remote", a.url, "--resume")...)
	if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
		t.Errorf("the resumed remote report differs (-local +remote):\n%s", diff)
	}
}

// TestRemoteEvalNodeStalled stops a node with SIGSTOP while it runs its
// share (it keeps its connections but never answers): after the stall
// timeout its tests run on the other node, it gets no more work while
// its /readyz does not answer, and the report equals a local run's.
func TestRemoteEvalNodeStalled(t *testing.T) {
	need(t, "bwrap", "python3", "g++")
	contests := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(contests, "scalebox_code_eval_code_contests.jsonl"))
	dir := t.TempDir()
	args := []string{"--bench", "codecontests", "--data", contests, "--samples", contestSamples(t, dir)}
	local := evalRun(t, filepath.Join(dir, "local.json"), append(args, "-j", "2")...)

	a, b := startNode(t), startNode(t)
	stopped := make(chan time.Time, 1)
	go func() {
		defer close(stopped)
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			// Stopped with requests of the evaluation in it, once it has
			// answered one.
			if metric(t, b, `scalebox_requests_total{endpoint="exec_run",code="200"}`) >= 1 && metric(t, b, "scalebox_inflight_tests") > 0 {
				b.cmd.Process.Signal(syscall.SIGSTOP)
				stopped <- time.Now()
				return
			}
		}
	}()
	// Let the node go on before the test stops it (a stopped process
	// ignores SIGTERM).
	t.Cleanup(func() { b.cmd.Process.Signal(syscall.SIGCONT) })
	start := time.Now()
	rem := evalRun(t, filepath.Join(dir, "remote.json"), append(args, "--remote="+a.url+","+b.url, "--remote-stall-timeout", "2s")...)
	finished := time.Now()
	at, ok := <-stopped
	if !ok || at.After(finished) {
		t.Fatal("node b was not stopped while the evaluation ran")
	}
	t.Logf("b stopped %.1f s into the run, which ended %.1f s later", at.Sub(start).Seconds(), finished.Sub(at).Seconds())
	if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
		t.Errorf("with a node stalled, the report differs (-local +remote):\n%s", diff)
	}
	for _, u := range rem.Cluster.URLs {
		if u.URL == b.url && u.Unreachable == 0 {
			t.Errorf("the stalled node %s: %+v, want requests without an answer", b.url, u)
		}
	}
	if rem.Summary.SystemErrors != 0 {
		t.Errorf("%d system errors", rem.Summary.SystemErrors)
	}
}
