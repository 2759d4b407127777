package eval

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/runner"
)

// BenchmarkEvalplusWorkloads scores the Qwen2.5-Coder-1.5B HumanEval+ and
// MBPP+ samples (reference outputs cached beforehand, as evalplus caches its
// ground truth) with one bwrap per test and with the pool of warm
// sandboxes and the Python fork server, in one run, and prints for each the
// wall time and the CPU time of every process the evaluation started
// (sandboxes, the programs, orphans reaped by this process as a child
// subreaper) and of scalebox itself, and their ratio. For scale, evalplus
// (--parallel 2) takes about 21 s for HumanEval+ and 110–125 s for MBPP+ on
// this machine kind.
//
//	go test -run '^$' -bench EvalplusWorkloads -benchtime 1x ./eval
func BenchmarkEvalplusWorkloads(b *testing.B) {
	stopReaper, err := runner.StartReaper()
	if err == nil {
		defer stopReaper()
	}
	evalplusWall := map[string]string{"humanevalplus": "~21 s", "mbppplus": "110-125 s"}
	jobs := runtime.NumCPU()
	backends := []struct {
		name, backend string
		opts          runner.Options
	}{
		{"one bwrap per test", runner.BackendBwrap, runner.Options{}},
		{"warm pool + fork server", runner.BackendPool, runner.Options{Parallelism: jobs}},
	}
	for _, c := range parityCases() {
		if c.bench != "humanevalplus" && c.bench != "mbppplus" {
			continue
		}
		b.Run(c.bench, func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				// Prepare (and cache) the reference outside the timing.
				runParityOnce(b, c, needSandbox(b), jobs, true)
				b.StartTimer()
				fmt.Printf("\n%s, -j %d, load %s:\n", c.bench, jobs, loadavg())
				var walls []time.Duration
				for _, be := range backends {
					before, machineBefore := cpuTimes(), machineCPU()
					start := time.Now()
					sb, err := runner.NewSandbox(be.backend, be.opts)
					if err != nil {
						b.Fatal(err)
					}
					res, inputs := runParityOnce(b, c, sb, jobs, false)
					wall := time.Since(start)
					sb.Close() // its processes end and are reaped: their CPU time is counted
					after, machine := cpuTimes(), machineCPU()-machineBefore
					self, children := after[0]-before[0], after[1]-before[1]
					var sandboxed time.Duration
					for _, r := range res.Samples {
						for _, tr := range r.Tests {
							sandboxed += tr.Usage.CPUTime
						}
					}
					walls = append(walls, wall)
					key := map[string]string{runner.BackendBwrap: "bwrap", runner.BackendPool: "pool"}[be.backend]
					b.ReportMetric(wall.Seconds(), key+"-wall-s")
					b.ReportMetric((self + children).Seconds(), key+"-cpu-s")
					fmt.Printf("  %-24s wall %6.1f s (evalplus: %s); CPU %6.1f s in all: %6.1f s in the processes it started (%5.1f s of it the judged programs' own), %5.1f s in scalebox; %d samples, %d inputs, %.0f inputs/s\n",
						be.name, wall.Seconds(), evalplusWall[c.bench], (self + children).Seconds(), children.Seconds(), sandboxed.Seconds(), self.Seconds(),
						len(res.Samples), inputs, float64(inputs)/wall.Seconds())
					// rusage misses what the kernel reaps when a sandbox's
					// PID namespace ends with its init killed; the machine's
					// busy time counts everything (and anything else running).
					fmt.Printf("  %-24s the machine's busy CPU time meanwhile: %.1f s\n", "", machine.Seconds())
					fmt.Printf("  %-24s TLEs: %d confirmed alone (%.1f CPU s, %d overturned), %d past the load allowance, %d ran alone\n",
						"", res.Confirmations, res.ConfirmCPU.Seconds(), res.Overturned, res.PastAllowance, res.ConfirmedAlone)
				}
				ratio := walls[1].Seconds() / walls[0].Seconds()
				b.ReportMetric(ratio, "pool/bwrap-wall")
				fmt.Printf("  wall time, pool + fork server / one bwrap per test: %.2f\n", ratio)
			}
		})
	}
}

// cpuTimes returns this process's CPU time and that of its reaped
// descendants.
func cpuTimes() [2]time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	t := func(r syscall.Rusage) time.Duration { return time.Duration(r.Utime.Nano() + r.Stime.Nano()) }
	return [2]time.Duration{t(self), t(kids)}
}

// machineCPU is the machine's busy CPU time so far (/proc/stat: user,
// nice, system, irq, softirq), zero when unknown.
func machineCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// runParityOnce evaluates a parity case in sb; with prepare it only
// prepares the reference. It returns the result and how many inputs the
// runs judged.
func runParityOnce(b *testing.B, c parityCase, sb runner.Sandbox, jobs int, prepare bool) (*Result, int) {
	b.Helper()
	needData(b, c.data, c.samples)
	opts := parityOptionsIn(b, c, sb)
	opts.Jobs = jobs
	if _, err := PrepareReference(context.Background(), opts, ReferenceCacheDir()); err != nil {
		b.Fatal(err)
	}
	if prepare {
		return nil, 0
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	inputs := 0
	for _, r := range res.Samples {
		for _, tr := range r.Tests {
			inputs += tr.Inputs
		}
	}
	return res, inputs
}
