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

const benchInput, benchOutput = "5\n1 2 3 4 5\n", "15\n"

// BenchmarkLanguages measures, in one run, for C++ and Java: the one-off
// prepare step, the compile time of one sample, the compile-cache hit rate
// when every test of the sample asks for a build, and tests per second of
// the built program run N times in the sandbox against the same binary or
// classes run bare (exec from Go, no sandbox), one at a time and with one
// worker per CPU. C++ is also compiled without the precompiled header, Java
// also run without the class-data archive.
//
//	go test -run '^$' -bench Languages -benchtime 1x ./runner
func BenchmarkLanguages(b *testing.B) {
	const n = 500
	f := newLangFixture(b).withOwnBuilder(b)
	ctx := context.Background()
	cpus := runtime.NumCPU()
	var rows [][]string
	add := func(cells ...string) { rows = append(rows, cells) }
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		rows = nil
		for _, id := range []string{"cpp", "java"} {
			tc := f.toolchain(b, id)
			files := map[string][]byte{tc.Lang.Source: []byte(benchPrograms[id])}

			start := time.Now()
			if _, err := f.b.layout(ctx, tc, files); err != nil {
				b.Fatal(err)
			}
			prepare := time.Since(start)

			compilesBefore := f.b.Compiles()
			start = time.Now()
			br, err := f.b.Build(ctx, tc, files)
			if err != nil || br.Program == nil {
				b.Fatalf("%s: build: %v %+v", id, err, br)
			}
			compile := time.Since(start)
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

			sandboxSeq := f.throughput(b, p.Argv, p, n, 1)
			sandboxPar := f.throughput(b, p.Argv, p, n, cpus)
			bareSeq := bareThroughput(b, p, n, 1)
			barePar := bareThroughput(b, p, n, cpus)
			b.ReportMetric(compile.Seconds(), id+"-compile-s")
			b.ReportMetric(hitRate, id+"-cache-hit-rate")
			b.ReportMetric(sandboxSeq, id+"-sandbox-tests/s")
			b.ReportMetric(bareSeq, id+"-bare-tests/s")
			b.ReportMetric(sandboxSeq/bareSeq, id+"-sandbox/bare")
			b.ReportMetric(sandboxPar/barePar, id+"-sandbox/bare-par")
			add(tc.Lang.Display, ms(prepare), ms(compile), fmt.Sprintf("%d/%d (%.1f%%)", requests-compiles, requests, 100*hitRate),
				fmt.Sprintf("%.0f", sandboxSeq), fmt.Sprintf("%.0f", bareSeq), fmt.Sprintf("%.2f", sandboxSeq/bareSeq),
				fmt.Sprintf("%.0f", sandboxPar), fmt.Sprintf("%.0f", barePar), fmt.Sprintf("%.2f", sandboxPar/barePar))

			switch id {
			case "cpp":
				plain := withoutPrepare(tc)
				start = time.Now()
				if br, err := f.b.Build(ctx, plain, files); err != nil || br.Program == nil {
					b.Fatalf("cpp without PCH: %v %+v", err, br)
				}
				nopch := time.Since(start)
				b.ReportMetric(nopch.Seconds()/compile.Seconds(), "cpp-compile-nopch/pch")
				add("  without precompiled header", "-", ms(nopch), "", "", "", "", "", "", "")
			case "java":
				argv := slices.DeleteFunc(slices.Clone(p.Argv), func(a string) bool { return strings.HasPrefix(a, "-XX:SharedArchiveFile=") })
				noCDS := f.throughput(b, argv, p, n, 1)
				b.ReportMetric(sandboxSeq/noCDS, "java-cds-speedup")
				add("  without class-data archive", "-", "-", "", fmt.Sprintf("%.0f", noCDS), "", "", "", "", "")
			}
		}
	}
	b.StopTimer()
	fmt.Printf("\n%d runs per program, %d CPUs, sandbox bwrap (cgroup %s)\n", n, cpus, f.sb.Describe().Cgroup)
	printTable(append([][]string{{"language", "prepare", "compile", "cache hits", "sandbox/s", "bare/s", "ratio", fmt.Sprintf("sandbox/s ×%d", cpus), fmt.Sprintf("bare/s ×%d", cpus), "ratio"}}, rows...))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", d.Seconds()*1000) }

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

// throughput runs argv of p n times in the sandbox with jobs workers and
// returns tests per second.
func (f *langFixture) throughput(b *testing.B, argv []string, p *Program, n, jobs int) float64 {
	return parallel(b, n, jobs, func() error {
		r, err := f.sb.Run(context.Background(), &Spec{Args: argv, Env: p.Env, Dir: WorkDir, Mounts: p.Mounts, Stdin: []byte(benchInput), Limits: langLimits})
		if err != nil {
			return err
		}
		if r.Status != StatusExited || r.ExitCode != 0 || string(r.Stdout) != benchOutput {
			return fmt.Errorf("%s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
		}
		return nil
	})
}

// bareThroughput runs p's command n times without a sandbox, its paths in
// the sandbox replaced by the host paths mounted there.
func bareThroughput(b *testing.B, p *Program, n, jobs int) float64 {
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
	return parallel(b, n, jobs, func() error {
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
	})
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
