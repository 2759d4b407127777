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
)

// BenchmarkStdioThroughput measures, in one run, how many trivial Python
// stdin tests per second scalebox judges (sandboxed, each test a fresh
// process) against running the same program on the same inputs bare from
// a shell: a sequential loop, and xargs -P with as many processes as CPUs.
//
//	go test -run '^$' -bench StdioThroughput -benchtime 1x ./eval
func BenchmarkStdioThroughput(b *testing.B) {
	const samplesN, testsPer = 20, 25
	sb := needSandbox(b)
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
	scalebox := func(jobs int) time.Duration {
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
		loop := bare(`while read f; do /usr/bin/python3 -I main.py < "$f" > /dev/null; done < inputs`)
		par := bare(fmt.Sprintf(`xargs -P %d -I{} sh -c '/usr/bin/python3 -I main.py < {} > /dev/null' < inputs`, cpus))
		one := scalebox(1)
		all := scalebox(cpus)
		rate := func(d time.Duration) float64 { return float64(total) / d.Seconds() }
		b.ReportMetric(rate(all), "scalebox-tests/s")
		b.ReportMetric(rate(one), "scalebox-j1-tests/s")
		b.ReportMetric(rate(loop), "bare-loop-tests/s")
		b.ReportMetric(rate(par), "bare-xargs-tests/s")
		fmt.Printf("\n%d trivial Python stdin tests (%d samples x %d), %d CPUs:\n", total, samplesN, testsPer, cpus)
		fmt.Printf("  bare shell loop (sequential)   %7.1f tests/s\n", rate(loop))
		fmt.Printf("  bare xargs -P %-2d               %7.1f tests/s\n", cpus, rate(par))
		fmt.Printf("  scalebox -j 1 (sandboxed)      %7.1f tests/s   ratio to bare loop  %.2f\n", rate(one), rate(one)/rate(loop))
		fmt.Printf("  scalebox -j %-2d (sandboxed)     %7.1f tests/s   ratio to bare xargs %.2f, to bare loop %.2f\n",
			cpus, rate(all), rate(all)/rate(par), rate(all)/rate(loop))
	}
}
