package eval

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
)

// TestTLEConfirmation runs programs that the first run judges TLE. They
// stand for a machine's load, deterministically: a program can tell the
// first run from the confirmation by its RLIMIT_CPU, which the sandbox
// sets to the CPU limit's whole seconds plus two: 2 under the 0.9 s limit,
// 3 under the confirmation's 1.08 s.
//   - "slowed": spins past its limit in the first run only, as a program
//     slowed by load would; the confirmation overturns the TLE.
//   - "slow": needs 1 s of CPU in any run: the TLE is confirmed.
//   - "sleeper": sleeps past the wall-clock cap: not confirmed (not load).
func TestTLEConfirmation(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\ncpu_time = \"900ms\"\n", `{"task_id": "t", "kind": "stdio", "tests": [{"input": "", "output": "ok\n"}]}`)
	spin := "import resource, time\ndef spin(s):\n    t = time.process_time()\n    while time.process_time() - t < s: pass\n"
	s := samples(t,
		`{"task_id": "t", "solution": "`+jsonEscape(spin+"if resource.getrlimit(resource.RLIMIT_CPU)[0] == 2:\n    spin(1.0)\nspin(0.1)\nprint('ok')\n")+`"}`,
		`{"task_id": "t", "solution": "`+jsonEscape(spin+"spin(1.0)\nprint('ok')\n")+`"}`,
		`{"task_id": "t", "solution": "import time\ntime.sleep(60)\n"}`,
	)
	opts := options(t, sb, b, s)
	opts.Jobs = 2
	opts.ConfirmTLE = 0.2
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	slowed, slow, sleeper := res.Samples[0], res.Samples[1], res.Samples[2]
	if slowed.Verdict != judge.AC || slowed.Tests[0].Confirmation == nil || !slowed.Tests[0].Confirmation.Overturned {
		t.Errorf("slowed by load: %s %q, confirmation %+v; want AC after an overturned TLE", slowed.Verdict, slowed.Message, slowed.Tests[0].Confirmation)
	}
	if slow.Verdict != judge.TLE || slow.Tests[0].Confirmation == nil || slow.Tests[0].Confirmation.Overturned {
		t.Errorf("slow: %s %q, confirmation %+v; want a confirmed TLE", slow.Verdict, slow.Message, slow.Tests[0].Confirmation)
	}
	if sleeper.Verdict != judge.TLE || sleeper.Tests[0].Confirmation != nil {
		t.Errorf("sleeper: %s, confirmation %+v; want TLE, not confirmed", sleeper.Verdict, sleeper.Tests[0].Confirmation)
	}
	if res.Confirmations != 2 || res.Overturned != 1 || res.ConfirmCPU <= 0 {
		t.Errorf("confirmations %d, overturned %d, CPU %v", res.Confirmations, res.Overturned, res.ConfirmCPU)
	}
}

// TestTLELoadAllowance: beside other tests, a test's first run has twice
// its limits and is judged against its own. The programs tell the first run
// from the confirmation by RLIMIT_CPU (the CPU limit's whole seconds plus
// two): 5 under the first run's 3 s, 3 under the confirmation's 1.8 s.
//   - "runaway": loops for ever; stopped at 3 s, its TLE is final, not
//     run again.
//   - "slowed": spins past its 1.5 s limit in the first run only, within
//     the allowance; the confirmation overturns the TLE.
//   - "slow": needs 1.7 s of CPU in any run: TLE, confirmed.
//   - "crasher": spins 1.7 s, then fails for memory: past its limit it is
//     TLE, whatever it did afterwards (as an unextended run stops it first).
//   - "sleeper": sleeps past the wall-clock cap: TLE, not confirmed.
func TestTLELoadAllowance(t *testing.T) {
	sb := needSandbox(t)
	// The wall-clock cap is the default, 3 × 1.5 s + 2 s, 13 s in a first
	// run: a loaded machine must not starve the runaway of its 3 s of CPU.
	b := newBench(t, "[limits]\ncpu_time = \"1500ms\"\n", `{"task_id": "t", "kind": "stdio", "tests": [{"input": "", "output": "ok\n"}]}`)
	spin := "import resource, time\ndef spin(s):\n    t = time.process_time()\n    while time.process_time() - t < s: pass\n"
	s := samples(t,
		`{"task_id": "t", "solution": "while True: pass\n"}`,
		`{"task_id": "t", "solution": "`+jsonEscape(spin+"if resource.getrlimit(resource.RLIMIT_CPU)[0] == 5:\n    spin(1.7)\nspin(0.1)\nprint('ok')\n")+`"}`,
		`{"task_id": "t", "solution": "`+jsonEscape(spin+"spin(1.7)\nprint('ok')\n")+`"}`,
		`{"task_id": "t", "solution": "`+jsonEscape(spin+"spin(1.7)\nx = bytearray(1 << 40)\n")+`"}`,
		`{"task_id": "t", "solution": "import time\ntime.sleep(60)\n"}`,
	)
	opts := options(t, sb, b, s)
	opts.Jobs = 2
	opts.ConfirmTLE = 0.2
	opts.LoadAllowance = 2
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	runaway, slowed, slow, crasher, sleeper := res.Samples[0], res.Samples[1], res.Samples[2], res.Samples[3], res.Samples[4]
	if c := runaway.Tests[0].Confirmation; runaway.Verdict != judge.TLE || c == nil || !c.PastAllowance || c.Overturned || c.CPU < 3*time.Second {
		t.Errorf("runaway: %s %q, confirmation %+v; want a TLE past the allowance (3 s)", runaway.Verdict, runaway.Message, c)
	}
	if strings.Contains(runaway.Message, "limit 3s") || !strings.Contains(runaway.Message, "limit 1.5s") || !strings.Contains(runaway.Message, "cap 6.5s") {
		t.Errorf("runaway: %q; want the test's own limit named, not the allowance's", runaway.Message)
	}
	if c := slowed.Tests[0].Confirmation; slowed.Verdict != judge.AC || c == nil || !c.Overturned || c.FirstCPU < 1500*time.Millisecond {
		t.Errorf("slowed by load: %s %q, confirmation %+v; want AC after an overturned TLE", slowed.Verdict, slowed.Message, c)
	}
	if c := slow.Tests[0].Confirmation; slow.Verdict != judge.TLE || c == nil || c.Overturned || c.PastAllowance {
		t.Errorf("slow: %s %q, confirmation %+v; want a confirmed TLE", slow.Verdict, slow.Message, c)
	}
	if c := crasher.Tests[0].Confirmation; crasher.Verdict != judge.TLE || c == nil || c.Overturned {
		t.Errorf("crasher: %s %q, confirmation %+v; want a confirmed TLE", crasher.Verdict, crasher.Message, c)
	}
	if sleeper.Verdict != judge.TLE || sleeper.Tests[0].Confirmation != nil {
		t.Errorf("sleeper: %s, confirmation %+v; want TLE, not confirmed", sleeper.Verdict, sleeper.Tests[0].Confirmation)
	}
	if res.Confirmations != 3 || res.Overturned != 1 || res.PastAllowance != 1 {
		t.Errorf("confirmations %d, overturned %d, past the allowance %d; want 3, 1, 1", res.Confirmations, res.Overturned, res.PastAllowance)
	}
	rep := BuildReport(res, opts, ReportInfo{})
	if tc := rep.Timing.TLEConfirmations; tc == nil || tc.Count != 3 || tc.PastAllowance != 1 || rep.Run.LoadAllowance != 2 {
		t.Errorf("report: %+v, load allowance %v", tc, rep.Run.LoadAllowance)
	}
}

// jsonEscape escapes s for a JSON string literal.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestTLEAloneNotConfirmed: at -j 1 every run has the engine to itself,
// as a confirmation would: a TLE is not run again, and the report says it
// ran alone.
func TestTLEAloneNotConfirmed(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\ncpu_time = \"500ms\"\n", `{"task_id": "t", "kind": "stdio", "tests": [{"input": "", "output": "ok\n"}, {"input": "", "output": "ok\n"}]}`)
	s := samples(t,
		`{"task_id": "t", "solution": "print('ok')\n"}`,
		`{"task_id": "t", "solution": "while True: pass\n"}`,
	)
	opts := options(t, sb, b, s)
	opts.Jobs = 1
	opts.ConfirmTLE = 0.2
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ok, loop := res.Samples[0], res.Samples[1]
	if ok.Verdict != judge.AC {
		t.Errorf("print: %s %q", ok.Verdict, ok.Message)
	}
	c := loop.Tests[0].Confirmation
	if loop.Verdict != judge.TLE || c == nil || !c.Alone || c.Overturned || c.CPU < 500*time.Millisecond {
		t.Errorf("loop: %s %q, confirmation %+v; want TLE that ran alone", loop.Verdict, loop.Message, c)
	}
	if res.Confirmations != 0 || res.ConfirmedAlone != 1 || res.ConfirmCPU != 0 {
		t.Errorf("confirmations %d (CPU %v), alone %d; want 0 and 1", res.Confirmations, res.ConfirmCPU, res.ConfirmedAlone)
	}
	rep := BuildReport(res, opts, ReportInfo{})
	if tc := rep.Timing.TLEConfirmations; tc == nil || tc.Count != 0 || tc.Alone != 1 {
		t.Errorf("report: %+v", tc)
	}
}

// TestTLEConfirmedInputByInput: a function problem's TLE is confirmed for
// the input judged TLE alone, and the inputs after it run again beside the
// others. The programs tell a run with the load allowance from the
// confirmation by the harness's CPU timer: 2 s per input, against 1.2 s.
// The companion sleeps, so that the first runs share the machine. "slow"
// needs 1.1 s in a confirmation: within the margin, over its limit.
func TestTLEConfirmedInputByInput(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", addProblem)
	b.Config.Function.MinTimeLimit = 1e9 // 1 s per input
	spin := "import signal, time\ndef spin(s):\n    t = time.process_time()\n    while time.process_time() - t < s: pass\ndef allowance():\n    return signal.getitimer(signal.ITIMER_PROF)[0] > 1.5\n"
	s := samples(t,
		solution("import time\ndef add(a, b):\n    time.sleep(0.5)\n    return a + b\n"),
		solution(spin+"def add(a, b):\n    if a == 3 and allowance():\n        spin(1.3)\n    return a + b\n"),
		solution(spin+"def add(a, b):\n    if a == 1.5:\n        spin(1.5 if allowance() else 1.1)\n    return a + b\n"),
		solution("def add(a, b):\n    while a == 10:\n        pass\n    return a + b\n"),
	)
	opts := options(t, sb, b, s)
	if _, err := PrepareReference(context.Background(), opts, ""); err != nil {
		t.Fatal(err)
	}
	opts.ConfirmTLE = 0.2
	opts.LoadAllowance = 2
	var results [2]*Result
	for n, jobs := range []int{2, 1} {
		opts.Jobs = jobs
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		results[n] = res
		want := []struct {
			verdict    judge.Verdict
			msg        string
			base, plus bool
		}{
			{judge.AC, "", true, true},
			{judge.AC, "", true, true},
			{judge.TLE, "plus input 1", true, false},
			{judge.TLE, "plus input 0", true, false},
		}
		for i, w := range want {
			got := res.Samples[i]
			if got.Verdict != w.verdict || !strings.Contains(got.Message, w.msg) || got.GroupPassed["base"] != w.base || got.GroupPassed["plus"] != w.plus {
				t.Errorf("-j %d, sample %d: %s %q, groups %v; want %s %q, base %v, plus %v", jobs, i, got.Verdict, got.Message, got.GroupPassed, w.verdict, w.msg, w.base, w.plus)
			}
		}
	}
	res := results[0]
	slowed, slow, runaway := res.Samples[1].Tests[0], res.Samples[2].Tests[0], res.Samples[3].Tests[0]
	if c := slowed.Confirmation; c == nil || !c.Overturned || c.Runs != 1 || c.CPU > time.Second || slowed.Usage.CPUTime < 1300*time.Millisecond {
		t.Errorf("slowed by load: confirmation %+v, usage %+v; want one input confirmed alone, overturned, the runs' CPU added up", c, slowed.Usage)
	}
	if c := slow.Confirmation; c == nil || c.Overturned || c.CPU < 1100*time.Millisecond {
		t.Errorf("slow: confirmation %+v; want the TLE confirmed, the input let run to 1.1 s within the margin", c)
	}
	if c := runaway.Confirmation; c == nil || c.Overturned || !(c.PastAllowance || c.Alone) || c.Runs != 0 {
		t.Errorf("runaway: confirmation %+v; want no run alone (past the allowance, or alone)", c)
	}
}
