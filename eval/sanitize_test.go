package eval

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

// incProblem is a HumanEval-style problem: check(inc) runs asserts.
const incProblem = `{"task_id": "a/inc", "kind": "assert", "entry_point": "inc", "prompt": "def inc(x):\n", "test": "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(-1) == 0\n"}`

// decProblem's prompt defines a helper its test calls, as HumanEval/38's
// check of decode_cyclic calls encode_cyclic.
const decProblem = `{"task_id": "a/dec", "kind": "assert", "entry_point": "dec", "prompt": "def shift(x):\n    return x - 1\n\n\ndef dec(x):\n", "test": "def check(candidate):\n    assert candidate(shift(3)) == 1\n"}`

// chatAnswer is a chat model's answer: prose, a fenced program with an
// unused helper, example calls (one that raises), asserts and a main block.
const chatAnswer = "Sure! Here is the solution:\n\n```python\nimport math\nfrom typing import List\n\n\ndef unused(x):\n    return math.sqrt(x)\n\n\ndef helper(x):\n    return x + 1\n\n\ndef inc(x):\n    # add one\n    return helper(x)\n\n\nprint(inc(1))\nprint(inc(None))\nassert inc(2) == 3\n\nif __name__ == \"__main__\":\n    print(inc(5))\n```\n\nThe helper adds one; `inc` calls it.\n"

const chatSanitized = "import math\nfrom typing import List\n\n\ndef helper(x):\n    return x + 1\n\n\ndef inc(x):\n    # add one\n    return helper(x)\n"

func TestSanitize(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", incProblem, decProblem)
	type sample struct {
		Code       string
		Completion bool
	}
	tests := []struct {
		name     string
		task     string
		language string
		in, want sample
	}{
		{"chat answer with fences", "a/inc", "", sample{chatAnswer, false}, sample{chatSanitized, false}},
		{"several fenced blocks, python ones joined", "a/inc", "",
			sample{"First a helper:\n```python\ndef helper(x):\n    return x * 2\n```\nThen:\n```py\ndef inc(x):\n    return helper(x) - x + 1\n```\nOutput:\n```text\n2\n```\n```python\nprint(inc(1))\n```\n", false},
			sample{"def helper(x):\n    return x * 2\n\ndef inc(x):\n    return helper(x) - x + 1\n", false}},
		{"prose without fences", "a/inc", "",
			sample{"Here is my solution:\n\nimport math\n\ndef inc(x):\n    return x + 1\n\nThis adds one to x.\nExample usage:\n\nprint(inc(3))\n", false},
			sample{"import math\n\ndef inc(x):\n    return x + 1\n", false}},
		{"main block removed", "a/inc", "",
			sample{"def inc(x):\n    return x + 1\n\nif __name__ == \"__main__\":\n    import sys\n    print(inc(int(sys.argv[1])))\n", false},
			sample{"def inc(x):\n    return x + 1\n", false}},
		{"helpers reached, base class and decorator kept", "a/inc", "",
			sample{"import functools\n\nclass Base:\n    STEP = 1\n\nclass Impl(Base):\n    def go(self, x):\n        return x + TABLE[0]\n\nclass Unused:\n    pass\n\nTABLE = [1]\nTABLE.append(2)\nOTHER = [3]\nOTHER.append(4)\n\ndef unrelated():\n    return OTHER\n\ndef trace(f):\n    @functools.wraps(f)\n    def wrapper(*a):\n        return f(*a)\n    return wrapper\n\n@trace\ndef inc(x):\n    result = Impl().go(x)\n    return result\n\nresult = inc(3)\nprint(result, unrelated())\n", false},
			sample{"import functools\n\nclass Base:\n    STEP = 1\n\nclass Impl(Base):\n    def go(self, x):\n        return x + TABLE[0]\n\nTABLE = [1]\nTABLE.append(2)\n\ndef trace(f):\n    @functools.wraps(f)\n    def wrapper(*a):\n        return f(*a)\n    return wrapper\n\n@trace\ndef inc(x):\n    result = Impl().go(x)\n    return result\n", false}},
		{"a test's import of the answer dropped, recursion limit kept", "a/inc", "",
			sample{"import sys\nimport unittest\nfrom solution import inc\nsys.setrecursionlimit(10000)\n\ndef inc(x):\n    return x + 1\n\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(inc(1), 2)\n\nunittest.main()\n", false},
			sample{"import sys\nimport unittest\nsys.setrecursionlimit(10000)\n\ndef inc(x):\n    return x + 1\n", false}},
		{"the prompt's helper kept", "a/dec", "",
			sample{"def shift(x):\n    return x - 1\n\ndef dec(x):\n    return x - 1\n\nprint(dec(shift(3)))\n", false},
			sample{"def shift(x):\n    return x - 1\n\ndef dec(x):\n    return x - 1\n", false}},
		{"completion with tests becomes a program", "a/inc", "",
			sample{"    return helper(x)\n\n\ndef helper(x):\n    return x + 1\n\n\nprint(inc(1))\nassert inc(1) == 2\n", true},
			sample{"def inc(x):\n    return helper(x)\n\n\ndef helper(x):\n    return x + 1\n", false}},
		{"completion followed by prose becomes a program", "a/inc", "",
			sample{"    return x + 1\n\nThis returns x plus one.\n", true},
			sample{"def inc(x):\n    return x + 1\n", false}},
		{"completion body unchanged", "a/inc", "", sample{"    return x + 1\n", true}, sample{"    return x + 1\n", true}},
		{"body given as a program unchanged", "a/inc", "", sample{"    return x + 1\n", false}, sample{"    return x + 1\n", false}},
		{"clean program unchanged", "a/inc", "", sample{"import math\n\n\ndef inc(x):\n    return x + 1\n", false}, sample{"import math\n\n\ndef inc(x):\n    return x + 1\n", false}},
		{"no entry point unchanged", "a/inc", "", sample{"def other(x):\n    return x\n\nprint(other(1))\n", false}, sample{"def other(x):\n    return x\n\nprint(other(1))\n", false}},
		{"no code unchanged", "a/inc", "", sample{"I cannot help with that.\n", false}, sample{"I cannot help with that.\n", false}},
		{"unknown task unchanged", "a/nope", "", sample{"def inc(x):\n    return x\nprint(1)\n", false}, sample{"def inc(x):\n    return x\nprint(1)\n", false}},
		{"not Python unchanged", "a/inc", "cpp", sample{"int inc(int x) { return x + 1; }\n", false}, sample{"int inc(int x) { return x + 1; }\n", false}},
	}
	var in []*benchmarks.Sample
	wantChanged := 0
	for _, tt := range tests {
		in = append(in, &benchmarks.Sample{TaskID: tt.task, Language: tt.language, Code: tt.in.Code, Completion: tt.in.Completion})
		if tt.in != tt.want {
			wantChanged++
		}
	}
	changed, err := Sanitize(context.Background(), options(t, sb, b, in), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if diff := cmp.Diff(tt.want, sample{in[i].Code, in[i].Completion}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if changed != wantChanged {
		t.Errorf("Sanitize changed %d samples, want %d", changed, wantChanged)
	}
}

// TestSanitizedChatAnswerPasses: the fenced program of a chat answer fails
// as it is (an example call raises when it loads) and passes once
// sanitized.
func TestSanitizedChatAnswerPasses(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", incProblem)
	line := `{"task_id": "a/inc", "solution": ` + jsonString(chatAnswer) + `}`

	raw := samples(t, line)
	res, err := Run(context.Background(), options(t, sb, b, raw))
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Samples[0].Verdict; v == judge.AC {
		t.Fatalf("unsanitized answer: verdict AC, want a failure (its example call raises)")
	}

	s := samples(t, line)
	opts := options(t, sb, b, s)
	if n, err := Sanitize(context.Background(), opts, s); err != nil || n != 1 {
		t.Fatalf("Sanitize: %d changed, %v; want 1", n, err)
	}
	if diff := cmp.Diff(chatSanitized, s[0].Code); diff != "" {
		t.Errorf("sanitized code (-want +got):\n%s", diff)
	}
	res, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Samples[0]; got.Verdict != judge.AC {
		t.Errorf("sanitized answer: verdict %s (%s), want AC", got.Verdict, got.Message)
	}
}

// TestSanitizeGarbage: a megabyte of random text is given up quickly (the
// search for code in it is bounded) and the other samples still sanitized.
func TestSanitizeGarbage(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", incProblem)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\n\t()[]{}:;,.=+-*/%<>!\"'#@`~^&|\\?"
	r := rand.New(rand.NewPCG(1, 2))
	var garbage strings.Builder
	for garbage.Len() < 1<<20 {
		garbage.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	s := []*benchmarks.Sample{
		{TaskID: "a/inc", Code: garbage.String()},
		{TaskID: "a/inc", Code: "def inc(x):\n    return x + 1\n\nprint(inc(1))\n"},
	}
	start := time.Now()
	n, err := Sanitize(context.Background(), options(t, sb, b, s), s)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("sanitizing 1 MB of random text took %v", el)
	}
	if n != 1 || s[0].Code != garbage.String() || s[1].Code != "def inc(x):\n    return x + 1\n" {
		t.Errorf("%d changed, garbage unchanged %v, second sample %q; want 1, true, the function alone", n, s[0].Code == garbage.String(), s[1].Code)
	}
}

// TestSanitizeSandboxFailure: a failed run is retried; when every run
// fails, Sanitize reports the error and changes nothing.
func TestSanitizeSandboxFailure(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", incProblem)
	code := "def inc(x):\n    return x + 1\n\nprint(inc(1))\n"

	s := []*benchmarks.Sample{{TaskID: "a/inc", Code: code}}
	opts := options(t, &flaky{Sandbox: sb, fail: 1}, b, s)
	opts.Retries = 1
	if n, err := Sanitize(context.Background(), opts, s); err != nil || n != 1 {
		t.Errorf("after one failure and a retry: %d changed, %v; want 1", n, err)
	}

	s = []*benchmarks.Sample{{TaskID: "a/inc", Code: code}}
	opts = options(t, &flaky{Sandbox: sb, fail: 1 << 30}, b, s)
	opts.Retries = 1
	n, err := Sanitize(context.Background(), opts, s)
	if err == nil || !strings.Contains(err.Error(), "injected") || n != 0 || s[0].Code != code {
		t.Errorf("always failing: %d changed, %v, code %q; want an error naming the failure and no change", n, err, s[0].Code)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// FuzzSanitize: any text is sanitized without a machinery error, and a
// sanitized program is a fixed point (sanitizing it again changes nothing).
func FuzzSanitize(f *testing.F) {
	sb := needSandbox(f)
	b := newBench(f, "", incProblem)
	for _, seed := range []string{chatAnswer, "    return x + 1\n", "Here:\n\ndef inc(x):\n    return x\n\nprint(inc(1))\n", "```python\ndef inc(x):\n    return x\n```\n", "def inc(x):\n    return (x +\n", "\x00def inc(x): pass\n"} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, code string, completion bool) {
		s := []*benchmarks.Sample{{TaskID: "a/inc", Code: code, Completion: completion}}
		opts := options(t, sb, b, s)
		if _, err := Sanitize(context.Background(), opts, s); err != nil {
			t.Fatal(err)
		}
		first := *s[0]
		n, err := Sanitize(context.Background(), opts, s)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("sanitizing %q again changed it to %q", first.Code, s[0].Code)
		}
	})
}
