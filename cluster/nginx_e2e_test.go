package cluster_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/cluster"
)

// TestNginxFrontsServeNodes runs the generated configuration in the real
// nginx before two real serve nodes: verl's /run_code and ScaleBox's
// /common_evaluate_batch work through it unchanged and reach both nodes,
// and a node whose queue is full (it answers 503) is passed over without
// the client seeing an error.
func TestNginxFrontsServeNodes(t *testing.T) {
	needNginx(t)
	need(t, "bwrap", "python3")
	a := startNode(t)
	// b admits one test at a time: while it runs one, it answers 503.
	b := startNode(t, "--max-queue", "1")
	front := startNginx(t, cluster.NginxOptions{Nodes: []cluster.Node{{Addr: a.addr, Slots: 4}, {Addr: b.addr, Slots: 4}}})

	// verl's sandbox_fusion client: one /run_code per test case.
	runCode := func(stdin string) map[string]any {
		return map[string]any{"code": "print(int(input()) * 2)", "language": "python", "stdin": stdin,
			"compile_timeout": 10, "run_timeout": 10, "memory_limit_MB": 1024, "files": map[string]any{}, "fetch_files": []string{}}
	}
	for i := range 4 {
		var out struct {
			Status    string `json:"status"`
			RunResult struct {
				Stdout string `json:"stdout"`
			} `json:"run_result"`
		}
		if code := postJSON(t, front.url+"/run_code", runCode("21"), &out); code != 200 || out.Status != "Success" || out.RunResult.Stdout != "42\n" {
			t.Fatalf("run_code %d through nginx: %d %+v", i, code, out)
		}
	}
	// ScaleBox's verl integration: /common_evaluate_batch.
	var batch struct {
		Accepted bool `json:"accepted"`
		Tests    []struct {
			Passed bool `json:"passed"`
		} `json:"tests"`
	}
	req := map[string]any{
		"completion": "Here:\n```python\nn = int(input())\nprint(n - 1, 1)\n```",
		"config": map[string]any{"language": "python", "compile_timeout": 30, "run_timeout": 30, "memory_limit_mb": 1024,
			"provided_data": map[string]any{"test_cases": map[string]any{"input": []string{"3", "7"}, "output": []string{"2 1", "6 1"}, "fn_name": nil, "type": "stdin_stdout"}},
			"extra":         map[string]any{"run_all_cases": true, "total_timeout": 30}},
	}
	if code := postJSON(t, front.url+"/common_evaluate_batch", req, &batch); code != 200 || !batch.Accepted || len(batch.Tests) != 2 {
		t.Fatalf("common_evaluate_batch through nginx: %d %+v", code, batch)
	}
	log := front.accessLog(t)
	served := map[string]int{}
	for _, e := range log {
		served[e.UpstreamAddr]++
		if e.UpstreamTime == "" || e.RequestTime < 0 {
			t.Errorf("access log entry without times: %+v", e)
		}
	}
	if served[a.addr] == 0 || served[b.addr] == 0 {
		t.Errorf("least_conn sent the requests to %v, not to both %s and %s", served, a.addr, b.addr)
	}

	// Fill b: a slow test sent to it directly holds its only queue place.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Refused while one of the probes below holds the place: again.
		for ctx.Err() == nil {
			body := strings.NewReader(`{"code":"import time\ntime.sleep(60)","language":"python","run_timeout":90}`)
			r, _ := http.NewRequestWithContext(ctx, "POST", b.url+"/run_code", body)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if code := postJSON(t, b.url+"/run_code", runCode("1"), nil); code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node b never answered 503 with its queue full")
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := len(front.accessLog(t))
	for i := range 4 {
		var out struct {
			Status string `json:"status"`
		}
		if code := postJSON(t, front.url+"/run_code", runCode("5"), &out); code != 200 || out.Status != "Success" {
			t.Fatalf("run_code %d with b full: %d %+v", i, code, out)
		}
	}
	bypassed := 0
	for _, e := range front.accessLog(t)[before:] {
		switch {
		case e.UpstreamStatus == "503, 200" && e.UpstreamAddr == b.addr+", "+a.addr:
			bypassed++
		case e.UpstreamStatus == "200" && e.UpstreamAddr == a.addr:
		default:
			t.Errorf("with b full, a request went %s (%s)", e.UpstreamAddr, e.UpstreamStatus)
		}
	}
	if bypassed == 0 {
		t.Errorf("no request was tried on the full node b and sent on to a:\n%s", readFile(front.dir+"/access.log"))
	}

	// scalebox eval --remote through nginx: the same report as locally
	// (b, often full, is passed over).
	humaneval := filepath.Join(sharedData, "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz")
	needData(t, humaneval)
	dir := t.TempDir()
	evalArgs := []string{"--bench", "humanevalplus", "--data", humaneval, "--samples", humanEvalSamples(t, dir, 6), "--all-tests"}
	local := evalRun(t, filepath.Join(dir, "local.json"), append(evalArgs, "-j", "2")...)
	rem := evalRun(t, filepath.Join(dir, "remote.json"), append(evalArgs, "--remote", front.url, "-j", "4")...)
	if diff := cmp.Diff(comparable(t, local), comparable(t, rem)); diff != "" {
		t.Errorf("eval --remote through nginx differs (-local +remote):\n%s", diff)
	}
	if rem.Cluster == nil || len(rem.Cluster.TestsByNode) == 0 {
		t.Errorf("the remote report names no node: %+v", rem.Cluster)
	}
}
