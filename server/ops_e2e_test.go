package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAuth: with --token-file every endpoint but the probes needs the
// token, as a bearer header or (for clients given only a URL, like verl)
// a query parameter; listening beyond loopback without a token is refused.
func TestAuth(t *testing.T) {
	needSandbox(t)
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte("s3cret-token\n"), 0o600)
	s := startServer(t, "--token-file", token)
	body := `{"code": "print(1)", "language": "python"}`
	for _, tt := range []struct {
		path, auth string
		want       int
	}{
		{"/run_code", "", 401},
		{"/run_code", "Bearer wrong", 401},
		{"/run_code", "Bearer s3cret-token", 200},
		{"/run_code?token=s3cret-token", "", 200},
		{"/run_code?token=nope", "", 401},
	} {
		h := http.Header{}
		if tt.auth != "" {
			h.Set("Authorization", tt.auth)
		}
		resp := s.do(t, "POST", tt.path, body, h)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("POST %s with %q: %d, want %d", tt.path, tt.auth, resp.StatusCode, tt.want)
		}
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 401, "/v1/stats": 401} {
		if code, _ := s.get(t, path); code != want {
			t.Errorf("GET %s without a token: %d, want %d", path, code, want)
		}
	}

	// Beyond loopback without a token: a usage error, before listening.
	buildBinary(t)
	out, err := exec.Command(binary, "serve", "--listen", "0.0.0.0:0", "--warm", "none").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "--token-file") {
		t.Errorf("--listen 0.0.0.0:0 without a token: %v\n%s", err, out)
	}
}

// TestQueueFullAnswers503 fills a tiny queue with slow tests: the next
// request is refused at once with 503 and Retry-After, and is served
// once the queue has room.
func TestQueueFullAnswers503(t *testing.T) {
	needSandbox(t)
	s := startServer(t, "--max-queue", "2", "-j", "1")
	slow := map[string]any{"problems": []any{map[string]any{"task_id": "sleep", "kind": "stdio", "tests": []any{
		map[string]any{"input": "", "output": "ok\n"}, map[string]any{"input": "", "output": "ok\n"}}}},
		"samples": []any{map[string]any{"solution": "import time\ntime.sleep(1.5)\nprint('ok')"}}, "all_tests": true}
	done := make(chan int, 1)
	go func() { done <- s.post(t, "/v1/evaluate", slow, nil) }()
	// Wait until its tests are admitted.
	for i := 0; i < 200 && s.metric(t, "scalebox_admitted_tests") < 2; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	resp := s.do(t, "POST", "/run_code", `{"code": "print(1)", "language": "python"}`, nil)
	resp.Body.Close()
	if el := time.Since(start); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || el > 2*time.Second {
		t.Errorf("with the queue full: %d, Retry-After %q, after %v; want 503 with Retry-After at once", resp.StatusCode, resp.Header.Get("Retry-After"), el)
	}
	if code := <-done; code != 200 {
		t.Errorf("the admitted request: %d", code)
	}
	var r runResult
	if code := s.post(t, "/run_code", `{"code": "print(1)", "language": "python"}`, &r); code != 200 || r.Status != "Success" {
		t.Errorf("after the queue emptied: %d %+v", code, r)
	}
	if n := s.metric(t, `scalebox_rejected_requests_total{reason="queue_full"}`); n != 1 {
		t.Errorf("scalebox_rejected_requests_total{reason=\"queue_full\"} = %v, want 1", n)
	}
}

// TestClientDisconnectCancels: a client that gives up takes its running
// and queued tests with it; the next request does not wait for them.
func TestClientDisconnectCancels(t *testing.T) {
	needSandbox(t)
	s := startServer(t, "-j", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	// Busy for 30 s of CPU per test, five tests.
	body, _ := json.Marshal(map[string]any{"problems": []any{map[string]any{"task_id": "spin", "kind": "stdio", "tests": []any{
		map[string]any{"input": "", "output": ""}, map[string]any{"input": "", "output": ""}, map[string]any{"input": "", "output": ""},
		map[string]any{"input": "", "output": ""}, map[string]any{"input": "", "output": ""}}}},
		"limits": map[string]any{"cpu_time": "30s"}, "all_tests": true, "samples": []any{map[string]any{"solution": "while True: pass"}}})
	req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/v1/evaluate", bytes.NewReader(body))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the spinning request finished")
	}
	start := time.Now()
	var r runResult
	if code := s.post(t, "/run_code", `{"code": "print(1)", "language": "python"}`, &r); code != 200 || r.Status != "Success" {
		t.Errorf("next request: %d %+v", code, r)
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("the next request waited %v: the gone client's tests were not cancelled", el)
	}
	for i := 0; i < 100 && (s.metric(t, "scalebox_inflight_tests") > 0 || s.metric(t, "scalebox_queue_depth") > 0); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if n, q := s.metric(t, "scalebox_inflight_tests"), s.metric(t, "scalebox_queue_depth"); n != 0 || q != 0 {
		t.Errorf("after the client left: %v tests running, %v queued", n, q)
	}
	if n := s.metric(t, `scalebox_requests_total{endpoint="evaluate",code="499"}`); n != 1 {
		t.Errorf("the abandoned request is not counted as 499: %v", n)
	}
}

// TestGracefulShutdown: on SIGTERM the server refuses new work, finishes
// every request it accepted, and exits 0.
func TestGracefulShutdown(t *testing.T) {
	needSandbox(t)
	s := startServer(t, "--drain-timeout", "60s")
	const n = 4
	var wg sync.WaitGroup
	results := make([]runResult, n)
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.post(t, "/run_code", map[string]any{"code": "import time\ntime.sleep(1)\nprint(" + string(rune('0'+i)) + ")", "language": "python"}, &results[i])
		}()
	}
	for i := 0; i < 200 && s.metric(t, "scalebox_inflight_requests") < n+1; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	s.cmd.Process.Signal(os.Interrupt)
	// Refused while draining: a closed port or a 503.
	time.Sleep(200 * time.Millisecond)
	if resp, err := http.Post(s.url+"/run_code", "application/json", strings.NewReader(`{"code": "print(1)", "language": "python"}`)); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Errorf("a request while draining: %d, want 503 or a refused connection", resp.StatusCode)
		}
	}
	wg.Wait()
	for i := range n {
		if codes[i] != 200 || results[i].Status != "Success" || strings.TrimSpace(results[i].RunResult.Stdout) != string(rune('0'+i)) {
			t.Errorf("accepted request %d lost in the shutdown: %d %+v", i, codes[i], results[i])
		}
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("did not exit after draining")
	}
	if s.err != nil {
		t.Errorf("exit: %v, want 0\n%s", s.err, s.stderr())
	}
}

var metricLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eInfNa]+$`)

// TestMetricsStatsAndLogs: /metrics is valid Prometheus text with the
// families docs/api.md lists; /v1/stats has its history and the last
// requests; each request is logged with its id.
func TestMetricsStatsAndLogs(t *testing.T) {
	needSandbox(t)
	s := startServer(t, "--stats-interval", "200ms")
	h := http.Header{"X-Request-Id": {"my-req-42"}}
	resp := s.do(t, "POST", "/run_code", `{"code": "print(1)", "language": "python"}`, h)
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") != "my-req-42" {
		t.Errorf("X-Request-Id %q, want the client's", resp.Header.Get("X-Request-Id"))
	}
	s.post(t, "/run_code", `{"code": "1/0", "language": "python"}`, nil)
	time.Sleep(500 * time.Millisecond)

	_, body := s.get(t, "/metrics")
	families := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			families[strings.Fields(f)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if !metricLine.MatchString(line) {
			t.Errorf("not a Prometheus text line: %q", line)
		}
	}
	for _, f := range []string{"scalebox_build_info", "scalebox_requests_total", "scalebox_request_duration_seconds", "scalebox_runs_total",
		"scalebox_run_duration_seconds", "scalebox_run_cpu_seconds", "scalebox_queue_depth", "scalebox_inflight_tests",
		"scalebox_compile_cache_total", "process_resident_memory_bytes"} {
		if !families[f] {
			t.Errorf("/metrics lacks %s", f)
		}
	}
	for _, series := range []string{`scalebox_runs_total{language="python3",verdict="AC"}`, `scalebox_runs_total{language="python3",verdict="RE"}`,
		`scalebox_requests_total{endpoint="run_code",code="200"}`} {
		if s.metric(t, series) < 1 {
			t.Errorf("%s is missing", series)
		}
	}

	var st struct {
		Jobs    int `json:"jobs"`
		History []struct {
			TestsPerSecond float64        `json:"tests_per_second"`
			Verdicts       map[string]any `json:"verdicts"`
		} `json:"history"`
		Recent []struct {
			ID       string         `json:"id"`
			Endpoint string         `json:"endpoint"`
			Language string         `json:"language"`
			Tests    int            `json:"tests"`
			Verdicts map[string]int `json:"verdicts"`
		} `json:"recent_requests"`
		Totals struct {
			Tests int `json:"tests"`
		} `json:"totals"`
	}
	_, body = s.get(t, "/v1/stats")
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Jobs != 2 || len(st.History) < 2 || st.Totals.Tests != 2 {
		t.Errorf("stats: jobs %d, %d intervals, %d tests", st.Jobs, len(st.History), st.Totals.Tests)
	}
	found := false
	for _, r := range st.Recent {
		if r.ID == "my-req-42" && r.Endpoint == "run_code" && r.Language == "python3" && r.Tests == 1 && r.Verdicts["AC"] == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("recent requests lack my-req-42: %+v", st.Recent)
	}
	if !strings.Contains(s.stderr(), `"id":"my-req-42"`) {
		t.Errorf("no log line with the request id:\n%s", s.stderr())
	}
}
