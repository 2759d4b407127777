// Package judge turns program output into verdicts: the verdict set, and
// comparators that decide whether an output matches the expected answer.
// It knows nothing of sandboxes or benchmarks.
package judge

import "fmt"

// Verdict is the judgement of one test or one sample.
type Verdict string

// Verdicts. SE is not a judgement of the program: the machinery failed, and
// such results are retried, reported apart and never counted as pass or fail.
const (
	AC  Verdict = "AC"  // accepted
	WA  Verdict = "WA"  // wrong answer
	TLE Verdict = "TLE" // CPU time limit exceeded (or the wall-clock cap)
	MLE Verdict = "MLE" // memory limit exceeded
	OLE Verdict = "OLE" // output limit exceeded
	RE  Verdict = "RE"  // runtime error: non-zero exit or a signal
	CE  Verdict = "CE"  // compile error
	SE  Verdict = "SE"  // system error
)

// All lists every verdict in report order.
var All = []Verdict{AC, WA, TLE, MLE, OLE, RE, CE, SE}

var descriptions = map[Verdict]string{
	AC: "accepted", WA: "wrong answer", TLE: "time limit exceeded", MLE: "memory limit exceeded",
	OLE: "output limit exceeded", RE: "runtime error", CE: "compile error", SE: "system error",
}

// Describe returns the verdict's name in words.
func (v Verdict) Describe() string {
	if d, ok := descriptions[v]; ok {
		return d
	}
	return string(v)
}

// Passed reports whether v is AC.
func (v Verdict) Passed() bool { return v == AC }

// Definite reports whether v judges the program (everything but SE).
func (v Verdict) Definite() bool { return v != SE }

// Parse converts a verdict name.
func Parse(s string) (Verdict, error) {
	v := Verdict(s)
	if _, ok := descriptions[v]; !ok {
		return "", fmt.Errorf("unknown verdict %q", s)
	}
	return v, nil
}
