package eval

import (
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

// ReportInfo is what the report records besides the results.
type ReportInfo struct {
	Tool          report.Tool
	SamplesPath   string
	SamplesSHA256 string
	Sandbox       runner.Description
	Compile       runner.Limits
	Warnings      []string
	Jobs          int
	Compiles      int64
	// Prior are samples judged by an earlier, interrupted run (resumed).
	Prior []JournalEntry
}

// BuildReport assembles the report of an evaluation.
func BuildReport(res *Result, opts Options, info ReportInfo) *report.Report {
	b := opts.Benchmark
	cfg := b.Config
	lim := opts.Benchmark.BaseLimits()
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          info.Tool,
		Benchmark: report.Benchmark{
			Name: cfg.Name, Version: cfg.Version, SHA256: b.SHA256,
			DataPath: b.DataPath, Origin: cfg.Origin, Problems: len(b.Problems),
		},
		Config: cfg,
		Run: report.Run{
			SamplesPath:   info.SamplesPath,
			SamplesSHA256: info.SamplesSHA256,
			EarlyStop:     earlyStopName(opts.EarlyStop),
			Retries:       opts.Retries,
			ConfirmTLE:    opts.ConfirmTLE,
			LoadAllowance: reportedAllowance(opts),
		},
		Sandbox: report.Sandbox{
			Backend:   info.Sandbox.Backend,
			Version:   info.Sandbox.Version,
			Cgroup:    info.Sandbox.Cgroup,
			HostUID:   info.Sandbox.HostUID,
			Isolation: info.Sandbox.Isolation,
			Warnings:  info.Sandbox.Warnings,
			// The fork server matters only to a benchmark whose programs
			// run in Python; it is recorded whenever it was on.
			PythonForkServer: info.Sandbox.PythonForkServer,
			Limits: report.Limits{
				CPUTimeMS:       lim.CPUTime.Milliseconds(),
				WallTimeMS:      lim.WallTime.Milliseconds(),
				MemoryBytes:     lim.MemoryBytes,
				OutputBytes:     lim.OutputBytes,
				FileSizeBytes:   lim.FileSizeBytes,
				Processes:       lim.Processes,
				TmpfsBytes:      lim.TmpfsBytes,
				CompileCPUMS:    info.Compile.CPUTime.Milliseconds(),
				CompileMemBytes: info.Compile.MemoryBytes,
			},
		},
		Environment: Environment(opts.Resolver, res.Samples),
		Warnings:    append(append([]string{}, info.Warnings...), b.Warnings...),
	}
	r.Summary.Interrupted = res.Interrupted

	// Problems in benchmark order; samples in index order.
	bySample := map[string][]report.Sample{}
	for _, e := range info.Prior {
		bySample[e.TaskID] = append(bySample[e.TaskID], e.Sample)
	}
	for _, s := range res.Samples {
		bySample[s.Sample.TaskID] = append(bySample[s.Sample.TaskID], SampleReport(s))
	}
	for _, p := range b.Problems {
		if ss, ok := bySample[p.TaskID]; ok {
			sort.SliceStable(ss, func(i, j int) bool { return ss[i].Index < ss[j].Index })
			rp := report.Problem{TaskID: p.TaskID, Meta: p.Meta, Samples: ss}
			if c, ok := b.Checker(p); ok {
				rp.Checker = &report.Checker{Name: c.Name, Protocol: string(c.Protocol), Origin: c.Origin, SHA256: c.SHA256}
			}
			r.Problems = append(r.Problems, rp)
		}
	}
	for _, u := range res.Unknown {
		r.UnknownSamples = append(r.UnknownSamples, report.SampleRef{TaskID: u.TaskID, Line: u.Line})
	}
	r.Summarize(cfg.Eval.K)

	wall := res.Wall.Seconds()
	r.Timing = &report.Timing{
		Started:     res.Started.UTC().Format(time.RFC3339),
		Finished:    res.Started.Add(res.Wall).UTC().Format(time.RFC3339),
		WallSeconds: round3(wall),
		Jobs:        info.Jobs,
		TestsRun:    res.TestsRun,
		Compiles:    info.Compiles,
	}
	if wall > 0 {
		r.Timing.TestsPerSecond = round3(float64(res.TestsRun) / wall)
	}
	if res.Confirmations > 0 || res.ConfirmedAlone > 0 || res.PastAllowance > 0 {
		r.Timing.TLEConfirmations = &report.TLEConfirmations{Count: res.Confirmations, Overturned: res.Overturned, CPUSeconds: round3(res.ConfirmCPU.Seconds()), Alone: res.ConfirmedAlone, PastAllowance: res.PastAllowance}
	}
	return r
}

// reportedAllowance is the load allowance the run asked for: none without
// TLE confirmation.
func reportedAllowance(opts Options) float64 {
	if opts.ConfirmTLE <= 0 || opts.LoadAllowance <= 1 {
		return 0
	}
	return opts.LoadAllowance
}

func earlyStopName(on bool) string {
	if on {
		return benchmarks.EarlyStopFirstFailure
	}
	return benchmarks.EarlyStopNever
}

// SampleReport is the report's record of a sample.
func SampleReport(s *SampleResult) report.Sample {
	out := report.Sample{
		Index:      s.Sample.Index,
		Line:       s.Sample.Line,
		Language:   s.Language,
		Passed:     s.Passed(),
		BasePassed: s.BasePassed,
		Groups:     s.GroupPassed,
		Verdict:    string(s.Verdict),
		Message:    s.Message,
		TestsTotal: s.TestsTotal,
		Tests:      []report.Test{},
	}
	if c := s.Compile; c != nil && c.Ran {
		out.Compile = &report.Compile{OK: c.OK, Message: c.Message, Cached: c.Cached, Usage: usage(c.Usage), Node: c.Node}
	}
	for _, t := range s.Tests {
		rt := report.Test{Index: t.Index, Verdict: string(t.Verdict), Message: t.Message, Stderr: t.Stderr, Attempts: t.Attempts, Group: t.Group, Inputs: t.Inputs, Case: t.Case, Node: t.Node}
		if t.Verdict.Passed() {
			out.TestsPassed++
		}
		if t.Verdict != "SE" {
			rt.Usage = usage(t.Usage)
			rt.Usage.LimitRatio = round3(t.LimitRatio)
			switch t.Status {
			case runner.StatusTimeLimit:
				rt.Usage.StoppedBy = "cpu_time"
			case runner.StatusWallLimit:
				rt.Usage.StoppedBy = "wall_clock"
			}
			if c := t.Confirmation; c != nil {
				rt.Usage.TLEConfirmation = &report.TLEConfirmation{
					FirstCPUTimeMS: round3(float64(c.FirstCPU.Microseconds()) / 1000),
					CPUTimeMS:      round3(float64(c.CPU.Microseconds()) / 1000),
					Overturned:     c.Overturned,
					Alone:          c.Alone,
					PastAllowance:  c.PastAllowance,
					Runs:           c.Runs,
				}
			}
			if t.Status == runner.StatusExited {
				code := t.ExitCode
				rt.ExitCode = &code
			}
			if t.Status == runner.StatusSignaled {
				rt.Signal = t.Signal
			}
		}
		out.Tests = append(out.Tests, rt)
	}
	return out
}

func usage(u runner.Usage) *report.Usage {
	return &report.Usage{
		CPUTimeMS:  round3(float64(u.CPUTime.Microseconds()) / 1000),
		WallTimeMS: round3(float64(u.WallTime.Microseconds()) / 1000),
		MemoryKiB:  u.MemoryPeakBytes >> 10,
	}
}

func round3(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}

// Environment fingerprints this machine and the toolchains the samples used.
func Environment(res *runner.Resolver, samples []*SampleResult) report.Environment {
	env := report.Environment{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Toolchains: map[string]string{}}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(data))
	}
	seen := map[string]bool{}
	for _, s := range samples {
		if seen[s.Language] {
			continue
		}
		seen[s.Language] = true
		if tc, err := res.Toolchain(s.Language); err == nil {
			env.Toolchains[s.Language] = tc.Version
		}
	}
	return env
}
