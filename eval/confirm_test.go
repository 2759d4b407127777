package eval

import (
	"context"
	"encoding/json"
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
