package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchPrograms are typical contest programs: read a list, print its sum.
var benchPrograms = map[string]string{
	"cpp": `#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    int n; cin >> n;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    cout << accumulate(a.begin(), a.end(), 0LL) << '\n';
}
`,
	"java": `import java.io.*;
import java.util.*;

public class Solution {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(br.readLine().trim());
        StringTokenizer st = new StringTokenizer(br.readLine());
        long sum = 0;
        for (int i = 0; i < n; i++) sum += Long.parseLong(st.nextToken());
        System.out.println(sum);
    }
}
`,
}

// python3's is run in fresh interpreters and by the fork server.
func init() {
	benchPrograms["python3"] = "n = int(input())\nprint(sum(map(int, input().split()[:n])))\n"
}

const benchInput, benchOutput = "5\n1 2 3 4 5\n", "15\n"

// BenchmarkLanguages measures, in one run, for C++, Java and Python: the one-off
// prepare step, the compile time of a sample (median of three), the
// compile-cache hit rate when every test of a sample asks for its build,
// and tests per second of the built program run N times in the sandbox
// against the same binary or classes run bare (exec from Go, no sandbox):
// one at a time, the variants interleaved run by run so that a change in
// the machine's load hits them alike, and then each with one worker per
// CPU. C++ is also compiled without the precompiled header, Java also run
// without the class-data archive, Python in fresh interpreters (the pool's
// column) and by the fork server.
//
//	go test -run '^$' -bench Languages -benchtime 1x ./runner
func BenchmarkLanguages(b *testing.B) {
	const n = 500
	// A sandbox of its own: benchmarks run after the tests, some of which
	// close sandboxes, and with them the parent cgroups a sandbox of this
	// process made before.
	sb, err := NewBwrap(Options{})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { sb.Close() })
	pool, err := NewPool(Options{})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { pool.Close() })
	fresh, err := NewPool(Options{NoPythonForkServer: true})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { fresh.Close() })
	langs, err := DefaultLanguages()
	if err != nil {
		b.Fatal(err)
	}
	f := (&langFixture{sb: sb, res: NewResolver(langs, sb.Visible)}).withOwnBuilder(b)
	ctx := context.Background()
	cpus := runtime.NumCPU()
	var rows [][]string
	add := func(cells ...string) { rows = append(rows, cells) }
	f1 := func(x float64) string { return fmt.Sprintf("%.1f", x) }
	loadBefore := loadavg()
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		rows = nil
		for _, id := range []string{"cpp", "java", "python3"} {
			tc := f.toolchain(b, id)
			files := map[string][]byte{tc.Lang.Source: []byte(benchPrograms[id])}

			start := time.Now()
			if _, err := f.b.layout(ctx, tc, files); err != nil {
				b.Fatal(err)
			}
			prepare := time.Since(start)

			compilesBefore := f.b.Compiles()
			br, err := f.b.Build(ctx, tc, files)
			if err != nil || br.Program == nil {
				b.Fatalf("%s: build: %v %+v", id, err, br)
			}
			// Every test asks for the build, as a scheduler without its own
			// cache would: all but the first are hits.
			requests := int64(1)
			for i := 0; i < n; i++ {
				if r, err := f.b.Build(ctx, tc, files); err != nil || !r.Cached {
					b.Fatalf("%s: build %d: cached %v, %v", id, i, r != nil && r.Cached, err)
				}
				requests++
			}
			compiles := f.b.Compiles() - compilesBefore
			hitRate := 1 - float64(compiles)/float64(requests)
			p := br.Program

			variants := []*Toolchain{tc}
			if id == "cpp" {
				variants = append(variants, withoutPrepare(tc))
			}
			compile := f.compileTimes(b, variants, benchPrograms[id])

			in := func(sb Sandbox, argv []string) func() error {
				return func() error { return runOnceIn(sb, argv, p) }
			}
			// Each sandbox interleaved with bare runs: a per-run bwrap's
			// teardown in between would slow the pool's runs too.
			main := Sandbox(pool)
			if id == "python3" {
				main = fresh
			}
			seq := []func() error{in(main, p.Argv), bareRun(p)}
			if id == "python3" {
				seq = append(seq, in(pool, p.Argv))
			}
			noCDS := slices.DeleteFunc(slices.Clone(p.Argv), func(a string) bool { return strings.HasPrefix(a, "-XX:SharedArchiveFile=") })
			if id == "java" {
				seq = append(seq, in(pool, noCDS))
			}
			poolRates := alternate(b, n, seq...)
			bwrapRates := alternate(b, n, in(f.sb, p.Argv), bareRun(p))
			// pool, bwrap, bare (the pool's pass), [pool without CDS]
			rates := []float64{poolRates[0], bwrapRates[0], poolRates[1]}
			if id == "java" || id == "python3" {
				rates = append(rates, poolRates[2])
			}
			bwrapBare := bwrapRates[0] / bwrapRates[1]
			poolPar := parallel(b, n, cpus, in(main, p.Argv))
			bwrapPar := parallel(b, n, cpus, in(f.sb, p.Argv))
			barePar := parallel(b, n, cpus, bareRun(p))

			b.ReportMetric(compile[0].Seconds(), id+"-compile-s")
			b.ReportMetric(hitRate, id+"-cache-hit-rate")
			b.ReportMetric(rates[0], id+"-pool-tests/s")
			b.ReportMetric(rates[1], id+"-bwrap-tests/s")
			b.ReportMetric(rates[2], id+"-bare-tests/s")
			b.ReportMetric(rates[0]/rates[2], id+"-pool/bare")
			b.ReportMetric(poolPar/barePar, id+"-pool/bare-par")
			add(tc.Lang.Display, ms(prepare), ms(compile[0]), fmt.Sprintf("%d/%d (%.1f%%)", requests-compiles, requests, 100*hitRate),
				f1(rates[0]), f1(rates[1]), f1(rates[2]), fmt.Sprintf("%.3f", rates[0]/rates[2]), fmt.Sprintf("%.3f", bwrapBare),
				f1(poolPar), f1(bwrapPar), f1(barePar), fmt.Sprintf("%.3f", poolPar/barePar))
			switch id {
			case "cpp":
				b.ReportMetric(compile[1].Seconds()/compile[0].Seconds(), "cpp-compile-nopch/pch")
				add("  without precompiled header", "-", ms(compile[1]), "", "", "", "", "", "", "", "", "", "")
			case "java":
				b.ReportMetric(rates[0]/rates[3], "java-cds-speedup")
				add("  without class-data archive", "-", "-", "", f1(rates[3]), "", "", "", "", "", "", "", "")
			case "python3":
				forkPar := parallel(b, n, cpus, in(pool, p.Argv))
				b.ReportMetric(rates[3]/rates[2], "python3-fork/bare")
				add("  by the fork server", "-", "-", "", f1(rates[3]), "", "", fmt.Sprintf("%.3f", rates[3]/rates[2]), "", f1(forkPar), "", "", fmt.Sprintf("%.3f", forkPar/barePar))
			}
		}
	}
	b.StopTimer()
	fmt.Printf("\n%d runs per program, %d CPUs, cgroup %s, load average %s before, %s after; tests/s one at a time (pool and bare interleaved run by run, then bwrap and bare; bwrap/bare from its own pass), then %d at a time\n", n, cpus, f.sb.Describe().Cgroup, loadBefore, loadavg(), cpus)
	printTable(append([][]string{{"language", "prepare", "compile", "cache hits", "pool/s", "bwrap/s", "bare/s", "pool/bare", "bwrap/bare",
		fmt.Sprintf("pool ×%d", cpus), fmt.Sprintf("bwrap ×%d", cpus), fmt.Sprintf("bare ×%d", cpus), "pool/bare"}}, rows...))
}

// loadavg is the machine's one-minute load average ("?" where unknown):
// other work on the machine skews throughput.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", d.Seconds()*1000) }

// compileTimes compiles three distinct copies of source with each toolchain,
// interleaved, and returns each toolchain's median compile time.
func (f *langFixture) compileTimes(b *testing.B, tcs []*Toolchain, source string) []time.Duration {
	const k = 3
	times := make([][]time.Duration, len(tcs))
	for i := 0; i < k; i++ {
		for j, tc := range tcs {
			comment := "//"
			if strings.HasPrefix(tc.Lang.ID, "python") {
				comment = "#"
			}
			src := fmt.Sprintf("%s\n%s copy %d %d\n", source, comment, i, time.Now().UnixNano())
			start := time.Now()
			br, err := f.b.Build(context.Background(), tc, map[string][]byte{tc.Lang.Source: []byte(src)})
			if err != nil || br.Program == nil || br.Cached {
				b.Fatalf("%s: build: %v %+v", tc.Lang.ID, err, br)
			}
			times[j] = append(times[j], time.Since(start))
		}
	}
	med := make([]time.Duration, len(tcs))
	for j := range times {
		slices.Sort(times[j])
		med[j] = times[j][k/2]
	}
	return med
}

// withoutPrepare is the toolchain with neither prepare step nor its cache.
func withoutPrepare(tc *Toolchain) *Toolchain {
	l := *tc.Lang
	l.ID += "-unprepared"
	l.Prepare = nil
	l.Compile = slices.DeleteFunc(slices.Clone(l.Compile), func(a string) bool { return strings.Contains(a, "{cache}") })
	c := *tc
	c.Lang = &l
	return &c
}

// runOnceIn runs argv of p once in sb and checks its output.
func runOnceIn(sb Sandbox, argv []string, p *Program) error {
	r, err := sb.Run(context.Background(), &Spec{Args: argv, Env: p.Env, Dir: WorkDir, Mounts: p.Mounts, Stdin: []byte(benchInput), Limits: langLimits})
	if err != nil {
		return err
	}
	if r.Status != StatusExited || r.ExitCode != 0 || string(r.Stdout) != benchOutput {
		return fmt.Errorf("%s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
	}
	return nil
}

// bareRun returns a function that runs p's command without a sandbox, its
// paths in the sandbox replaced by the host paths mounted there.
func bareRun(p *Program) func() error {
	argv := make([]string, len(p.Argv))
	for i, a := range p.Argv {
		for _, m := range p.Mounts {
			if i := strings.Index(a, m.Target); i >= 0 && (len(a) == i+len(m.Target) || a[i+len(m.Target)] == '/') {
				a = a[:i] + m.Source + a[i+len(m.Target):]
				break
			}
		}
		argv[i] = a
	}
	return func() error {
		c := exec.Command(argv[0], argv[1:]...)
		c.Env = p.Env
		c.Dir = os.TempDir()
		c.Stdin = strings.NewReader(benchInput)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Run(); err != nil || out.String() != benchOutput {
			return fmt.Errorf("bare %q: %v, stdout %q, stderr %q", argv, err, out.String(), tail(errb.Bytes()))
		}
		return nil
	}
}

// alternate calls each of runs n times, one call of each in turn, and
// returns for each the calls per second of the time spent in its calls.
func alternate(b *testing.B, n int, runs ...func() error) []float64 {
	spent := make([]time.Duration, len(runs))
	for i := 0; i < n; i++ {
		for j, run := range runs {
			start := time.Now()
			if err := run(); err != nil {
				b.Fatal(err)
			}
			spent[j] += time.Since(start)
		}
	}
	rates := make([]float64, len(runs))
	for j := range runs {
		rates[j] = float64(n) / spent[j].Seconds()
	}
	return rates
}

// parallel calls run n times from jobs goroutines and returns calls per
// second; the first error fails the benchmark.
func parallel(b *testing.B, n, jobs int, run func() error) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := run(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
	return float64(n) / time.Since(start).Seconds()
}

func printTable(rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var sb strings.Builder
		for i, c := range r {
			sb.WriteString(c + strings.Repeat(" ", widths[i]-len([]rune(c))+2))
		}
		fmt.Println(strings.TrimRight(sb.String(), " "))
	}
}

// BenchmarkPoolOverhead measures what a warm sandbox adds to a run: /bin/true
// run n times through the pool and n times bare (fork and exec from Go),
// interleaved, and prints the distribution of both and of their difference.
//
//	go test -run '^$' -bench PoolOverhead -benchtime 1x ./runner
func BenchmarkPoolOverhead(b *testing.B) {
	const n = 2000
	pool, err := NewPool(Options{})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { pool.Close() })
	spec := &Spec{Args: []string{"/bin/true"}, Env: BaseEnv, Limits: Limits{CPUTime: time.Second, WallTime: 5 * time.Second, MemoryBytes: 256 << 20, OutputBytes: 1 << 20, Processes: 16}}
	viaPool := func() error {
		r, err := pool.Run(context.Background(), spec)
		if err == nil && (r.Status != StatusExited || r.ExitCode != 0) {
			err = fmt.Errorf("/bin/true: %s exit %d", r.Status, r.ExitCode)
		}
		return err
	}
	bare := func() error { return exec.Command("/bin/true").Run() }
	for i := 0; i < 50; i++ { // warm up
		viaPool()
	}
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		var pd, bd []time.Duration
		for i := 0; i < n; i++ {
			for j, run := range []func() error{viaPool, bare} {
				start := time.Now()
				if err := run(); err != nil {
					b.Fatal(err)
				}
				if j == 0 {
					pd = append(pd, time.Since(start))
				} else {
					bd = append(bd, time.Since(start))
				}
			}
		}
		slices.Sort(pd)
		slices.Sort(bd)
		q := func(d []time.Duration, p float64) time.Duration { return d[int(p*float64(len(d)-1))] }
		us := func(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1000) }
		fmt.Printf("\n/bin/true, %d runs each, interleaved, load %s:\n", n, loadavg())
		fmt.Printf("  bare fork+exec   p50 %s  p90 %s  p99 %s\n", us(q(bd, .5)), us(q(bd, .9)), us(q(bd, .99)))
		fmt.Printf("  warm pool        p50 %s  p90 %s  p99 %s\n", us(q(pd, .5)), us(q(pd, .9)), us(q(pd, .99)))
		fmt.Printf("  pool overhead    p50 %s  p99 %s (difference of the quantiles)\n", us(q(pd, .5)-q(bd, .5)), us(q(pd, .99)-q(bd, .99)))
		b.ReportMetric(float64((q(pd, .5) - q(bd, .5)).Microseconds()), "overhead-p50-µs")
		b.ReportMetric(float64((q(pd, .99) - q(bd, .99)).Microseconds()), "overhead-p99-µs")
	}
}
