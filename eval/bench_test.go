package eval

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// BenchmarkStdioThroughput measures, in one run, how many trivial Python
// stdin tests per second scalebox judges (sandboxed, each test a fresh
// process) against running the same program on the same inputs bare from
// a shell: a sequential loop, and xargs -P with as many processes as CPUs.
// scalebox runs with each backend: one bwrap per test, the pool of warm
// sandboxes starting each program as a new interpreter, and the pool with
// the Python fork server.
//
//	go test -run '^$' -bench StdioThroughput -benchtime 1x ./eval
func BenchmarkStdioThroughput(b *testing.B) {
	const samplesN, testsPer = 20, 25
	cpus := runtime.NumCPU()
	program := "print(int(input()) * 2)\n"

	var tests []string
	for i := 0; i < testsPer; i++ {
		tests = append(tests, fmt.Sprintf(`{"input": "%d\n", "output": "%d\n"}`, i, 2*i))
	}
	bench := newBench(b, "", `{"task_id": "double", "kind": "stdio", "tests": [`+strings.Join(tests, ",")+`]}`)
	var lines []string
	for i := 0; i < samplesN; i++ {
		// Distinct sources, so that each sample is built (syntax-checked) once.
		lines = append(lines, fmt.Sprintf(`{"task_id": "double", "solution": "# sample %d\nprint(int(input()) * 2)\n"}`, i))
	}
	smp := samples(b, lines...)
	total := samplesN * testsPer

	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "main.py"), []byte(program), 0o644)
	var inputs []string
	for s := 0; s < samplesN; s++ {
		for i := 0; i < testsPer; i++ {
			p := filepath.Join(dir, fmt.Sprintf("in-%d-%d", s, i))
			os.WriteFile(p, []byte(fmt.Sprintf("%d\n", i)), 0o644)
			inputs = append(inputs, p)
		}
	}
	os.WriteFile(filepath.Join(dir, "inputs"), []byte(strings.Join(inputs, "\n")+"\n"), 0o644)
	bare := func(script string) time.Duration {
		start := time.Now()
		c := exec.Command("/bin/sh", "-c", script)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v: %s", script, err, out)
		}
		return time.Since(start)
	}
	backends := []struct {
		name string
		sb   runner.ClosableSandbox
	}{
		{"one bwrap per test", newSandbox(b, runner.BackendBwrap, runner.Options{})},
		{"warm pool, new interpreters", newSandbox(b, runner.BackendPool, runner.Options{NoPythonForkServer: true, Parallelism: cpus})},
		{"warm pool, fork server", newSandbox(b, runner.BackendPool, runner.Options{Parallelism: cpus})},
	}
	scalebox := func(sb runner.Sandbox, jobs int) time.Duration {
		opts := options(b, sb, bench, smp)
		opts.Jobs = jobs
		start := time.Now()
		res, err := Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		for _, r := range res.Samples {
			if r.Verdict != judge.AC {
				b.Fatalf("sample %d: %s %s", r.Sample.Index, r.Verdict, r.Message)
			}
		}
		return el
	}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, be := range backends {
			scalebox(be.sb, cpus) // warm: sandboxes started, sources built
		}
		loop := bare(`while read f; do /usr/bin/python3 -I main.py < "$f" > /dev/null; done < inputs`)
		par := bare(fmt.Sprintf(`xargs -P %d -I{} sh -c '/usr/bin/python3 -I main.py < {} > /dev/null' < inputs`, cpus))
		rate := func(d time.Duration) float64 { return float64(total) / d.Seconds() }
		fmt.Printf("\n%d trivial Python stdin tests (%d samples x %d), %d CPUs, load %s:\n", total, samplesN, testsPer, cpus, loadavg())
		fmt.Printf("  %-34s %7.1f tests/s\n", "bare shell loop (sequential)", rate(loop))
		fmt.Printf("  %-34s %7.1f tests/s\n", fmt.Sprintf("bare xargs -P %d", cpus), rate(par))
		b.ReportMetric(rate(loop), "bare-loop-tests/s")
		b.ReportMetric(rate(par), "bare-xargs-tests/s")
		for _, be := range backends {
			one := scalebox(be.sb, 1)
			all := scalebox(be.sb, cpus)
			fmt.Printf("  %-34s %7.1f tests/s   ratio to the bare loop  %5.2f\n", "scalebox -j 1, "+be.name, rate(one), rate(one)/rate(loop))
			fmt.Printf("  %-34s %7.1f tests/s   ratio to bare xargs     %5.2f\n", fmt.Sprintf("scalebox -j %d, %s", cpus, be.name), rate(all), rate(all)/rate(par))
			key := strings.NewReplacer(" ", "-", ",", "").Replace(be.name)
			b.ReportMetric(rate(one)/rate(loop), key+"-j1/loop")
			b.ReportMetric(rate(all)/rate(par), key+"-jN/xargs")
		}
	}
}

// newSandbox starts a backend for a benchmark, or skips.
func newSandbox(b *testing.B, backend string, o runner.Options) runner.ClosableSandbox {
	b.Helper()
	sb, err := runner.NewSandbox(backend, o)
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("CI=true but the sandbox is unavailable: %v", err)
		}
		b.Skipf("sandbox unavailable: %v", err)
	}
	b.Cleanup(func() { sb.Close() })
	return sb
}

// loadavg is the one-minute load average, to print beside a figure.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}
