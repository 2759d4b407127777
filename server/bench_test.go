package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkServe is `make bench-serve`: the load an RL trainer puts on the
// server, measured against `scalebox eval` on the same tests in the same
// run, on loopback. It runs once whatever -benchtime says, and prints:
//
//   - verl's sandbox_fusion path: BENCH_SERVE_CLIENTS (256) concurrent
//     clients send one /run_code per test (the sample's program each time)
//     for BENCH_SERVE_SAMPLES samples (3/4 trivial Python, 1/4 trivial C++)
//     of BENCH_SERVE_TESTS tests each;
//   - ScaleBox's path: one /common_evaluate_batch per sample with all its
//     tests, 64 at once;
//
// with requests/s, tests/s, p50/p99 latency, errors (anything but a
// passing answer, 503s apart: a 503 is retried after its Retry-After),
// the server's peak RSS, and each path's tests/s over eval's. Every
// program is new to each phase, so each compiles once per phase. eval's
// fixed cost (its start, and C++'s precompiled headers, seconds that the
// server pays once when it starts) is measured on one sample and left out
// of its rate; eval runs before and after the server, and the ratio is to
// the mean.
func BenchmarkServe(b *testing.B) {
	needSandbox(b, "g++")
	samples := envInt("BENCH_SERVE_SAMPLES", 128)
	tests := envInt("BENCH_SERVE_TESTS", 8)
	clients := envInt("BENCH_SERVE_CLIENTS", 256)
	jobs := runtime.NumCPU()
	b.Logf("%d samples × %d tests, %d clients, -j %d", samples, tests, clients, jobs)

	// Baseline: scalebox eval on the same programs and tests, before and
	// after the server's phases (the machine's load may change meanwhile:
	// the ratio is to their mean).
	buildBinary(b)
	// eval's fixed cost (start, toolchains, C++'s precompiled headers),
	// which the server paid when it started: one C++ sample of one test.
	fixed := evalWall(b, "eval-fixed", 1, 1, jobs, true)
	evalBefore := evalBaseline(b, "eval-before", samples, tests, jobs, fixed)

	s := startServer(b, "-j", strconv.Itoa(jobs), "--warm", "cpp", "--max-queue", strconv.Itoa(max(4*clients, samples*tests)))
	var peakRSS atomic.Int64
	stopRSS := make(chan struct{})
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		for {
			select {
			case <-stopRSS:
				return
			case <-time.After(250 * time.Millisecond):
				if v := int64(s.metric(b, "process_resident_memory_bytes")); v > peakRSS.Load() {
					peakRSS.Store(v)
				}
			}
		}
	}()

	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Minute}

	// verl's path: one /run_code per test.
	type work struct {
		body any
		want string
	}
	var jobsA []work
	for i := range samples {
		lang, code := benchProgram("verl", i)
		for k := range tests {
			jobsA = append(jobsA, work{runCode(lang, code, fmt.Sprintf("%d\n", k+i), 10), fmt.Sprint(2 * (k + i))})
		}
	}
	a := load(hc, s.url+"/run_code", clients, len(jobsA), func(i int) (any, func([]byte) bool) {
		w := jobsA[i]
		return w.body, func(body []byte) bool {
			var r runResult
			return json.Unmarshal(body, &r) == nil && r.Status == "Success" && r.RunResult != nil && strings.TrimSpace(r.RunResult.Stdout) == w.want
		}
	})
	a.tests = len(jobsA)

	// ScaleBox's path: one batch per sample.
	c := load(hc, s.url+"/common_evaluate_batch", 64, samples, func(i int) (any, func([]byte) bool) {
		lang, code := benchProgram("batch", i)
		var in, out []string
		for k := range tests {
			in, out = append(in, fmt.Sprintf("%d\n", k+i)), append(out, fmt.Sprint(2*(k+i)))
		}
		body := sbBatch(lang, "```"+lang+"\n"+code+"\n```", map[string]any{"type": "stdin_stdout", "input": in, "output": out}, true, nil)
		body["config"].(map[string]any)["run_timeout"] = 10
		body["config"].(map[string]any)["extra"].(map[string]any)["total_timeout"] = 600
		return body, func(body []byte) bool {
			var r sbResult
			return json.Unmarshal(body, &r) == nil && r.Accepted && len(r.Tests) == tests
		}
	})
	c.tests = samples * tests
	close(stopRSS)
	<-rssDone
	s.stop()
	evalAfter := evalBaseline(b, "eval-after", samples, tests, jobs, fixed)
	evalRate := (evalBefore + evalAfter) / 2

	fmt.Printf("\nscalebox serve on loopback, -j %d, %d CPUs (%s)\n", jobs, runtime.NumCPU(), time.Now().Format(time.RFC3339))
	fmt.Printf("scalebox eval (baseline): %d tests of %d samples: %.1f tests/s before, %.1f after the server's phases (its fixed %.1fs of start-up and C++ preparation, which the server paid at start, left out)\n",
		samples*tests, samples, evalBefore, evalAfter, fixed.Seconds())
	for _, r := range []struct {
		name string
		res  loadResult
	}{{fmt.Sprintf("/run_code, %d clients (verl sandbox_fusion)", clients), a}, {"/common_evaluate_batch, 64 clients (ScaleBox)", c}} {
		rate := float64(r.res.tests) / r.res.wall.Seconds()
		fmt.Printf("%s: %d requests in %.1fs: %.1f req/s, %.1f tests/s, latency p50 %.3fs p99 %.3fs, errors %d, 503s %d (retried); tests/s over eval's: %.2f\n",
			r.name, r.res.requests, r.res.wall.Seconds(), float64(r.res.requests)/r.res.wall.Seconds(), rate,
			r.res.quantile(0.5), r.res.quantile(0.99), r.res.errors, r.res.rejected, rate/evalRate)
	}
	fmt.Printf("server peak RSS: %.1f MiB\n", float64(peakRSS.Load())/(1<<20))
	if a.errors+c.errors > 0 {
		b.Errorf("%d errors (first: %s)", a.errors+c.errors, a.firstError+c.firstError)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchProgram is sample i of a phase: a trivial program that doubles its
// input, C++ for every fourth, Python otherwise; the phase's name makes
// its source new to the compile cache.
func benchProgram(phase string, i int) (lang, code string) {
	if i%4 == 3 {
		return "cpp", fmt.Sprintf("// %s sample %d\n#include <cstdio>\nint main(){long long n; if (scanf(\"%%lld\", &n) != 1) return 1; printf(\"%%lld\\n\", 2 * n);}\n", phase, i)
	}
	return "python", fmt.Sprintf("# %s sample %d\nprint(2 * int(input()))\n", phase, i)
}

// evalBaseline runs scalebox eval on the same kind of samples and tests
// and returns its tests per second, its fixed cost left out.
func evalBaseline(b *testing.B, phase string, samples, tests, jobs int, fixed time.Duration) float64 {
	wall := evalWall(b, phase, samples, tests, jobs, false)
	return float64(samples*tests) / max(wall-fixed, time.Millisecond).Seconds()
}

// evalWall times scalebox eval on samples (only C++ ones when cppOnly) of
// tests each.
func evalWall(b *testing.B, phase string, samples, tests, jobs int, cppOnly bool) time.Duration {
	dir := b.TempDir()
	var problems, smp bytes.Buffer
	for i := range samples {
		var ts []map[string]string
		for k := range tests {
			ts = append(ts, map[string]string{"input": fmt.Sprintf("%d\n", k+i), "output": fmt.Sprintf("%d\n", 2*(k+i))})
		}
		lang, code := benchProgram(phase, i)
		if cppOnly {
			lang, code = benchProgram(phase, 3)
		}
		if lang == "python" {
			lang = "python3"
		}
		p, _ := json.Marshal(map[string]any{"task_id": fmt.Sprint(i), "kind": "stdio", "tests": ts})
		problems.Write(append(p, '\n'))
		sm, _ := json.Marshal(map[string]any{"task_id": fmt.Sprint(i), "solution": code, "language": lang})
		smp.Write(append(sm, '\n'))
	}
	os.WriteFile(filepath.Join(dir, "problems.jsonl"), problems.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "samples.jsonl"), smp.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "bench.toml"), []byte("name = \"bench-serve\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\n[limits]\ncpu_time = \"10s\"\nmemory = \"1GiB\"\n"), 0o644)
	home := b.TempDir()
	cmd := exec.Command(binary, "eval", "--bench", filepath.Join(dir, "bench.toml"), "--samples", filepath.Join(dir, "samples.jsonl"), "-j", strconv.Itoa(jobs), "-q", "--json")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("scalebox eval: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf(`"AC": %d`, samples)) {
		b.Fatalf("scalebox eval: not every sample passed:\n%s", out)
	}
	return wall
}

type loadResult struct {
	requests, tests  int
	wall             time.Duration
	latencies        []float64
	errors, rejected int
	firstError       string
}

func (r loadResult) quantile(q float64) float64 {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.latencies))+0.5) - 1
	return r.latencies[min(max(i, 0), len(r.latencies)-1)]
}

// load sends n requests from the given number of concurrent clients;
// make returns request i's body and the check of its answer. A 503 is
// counted and sent again after its Retry-After.
func load(hc *http.Client, url string, clients, n int, make func(i int) (any, func([]byte) bool)) loadResult {
	var (
		mu  sync.Mutex
		res = loadResult{requests: n}
		wg  sync.WaitGroup
	)
	next := atomic.Int64{}
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if res.firstError == "" {
			res.firstError = msg
		}
	}
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body, check := make(i)
				data, _ := json.Marshal(body)
				for attempt := 0; ; attempt++ {
					t0 := time.Now()
					resp, err := hc.Post(url, "application/json", bytes.NewReader(data))
					if err != nil {
						fail(err.Error())
						break
					}
					answer, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusServiceUnavailable && attempt < 20 {
						mu.Lock()
						res.rejected++
						mu.Unlock()
						wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
						time.Sleep(time.Duration(max(wait, 1)) * time.Second)
						continue
					}
					lat := time.Since(t0).Seconds()
					mu.Lock()
					res.latencies = append(res.latencies, lat)
					mu.Unlock()
					if resp.StatusCode != http.StatusOK || !check(answer) {
						fail(fmt.Sprintf("%d %.300s", resp.StatusCode, answer))
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	slices.Sort(res.latencies)
	return res
}
