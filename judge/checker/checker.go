// Package checker runs special judges: checker programs under the calling
// conventions of testlib, Kattis output validators and ScaleBox, each in a
// sandbox of its own, and the built-in comparators behind the same
// interface.
//
// A checker that crashes, runs out of a limit or reports its own failure
// gives SE (a system error), never AC or WA: a broken judge must not score
// a program. The judged program never sees the checker or the expected
// answer: they meet only in the checker's own sandboxed run.
package checker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/scalebox-dev/scalebox/judge"
)

// Protocol is how a checker is called and how its exit says the verdict.
type Protocol string

// Protocols (REFERENCE §3).
const (
	// Testlib: checker <input> <output> <answer>, output being the
	// contestant's; exit 0 OK, 1 WA, 2 presentation error, 3 checker
	// failure, 7 partial points.
	Testlib Protocol = "testlib"
	// Kattis: validator <input> <answer> <feedback_dir> [args] with the
	// contestant's output on stdin; exit 42 accepts, 43 rejects.
	Kattis Protocol = "kattis"
	// ScaleBox: stdin.txt (input), stdout.txt (the expected answer) and
	// answer.txt (the contestant's output) in the working directory; exit
	// 0 accepts, 1 rejects.
	ScaleBox Protocol = "scalebox"
	// Builtin: one of judge's comparators, run in-process.
	Builtin Protocol = "builtin"
)

// Protocols lists the known protocols.
var Protocols = []Protocol{Testlib, Kattis, ScaleBox, Builtin}

// ParseProtocol converts a protocol name.
func ParseProtocol(s string) (Protocol, error) {
	for _, p := range Protocols {
		if string(p) == s {
			return p, nil
		}
	}
	names := make([]string, len(Protocols))
	for i, p := range Protocols {
		names[i] = string(p)
	}
	return "", fmt.Errorf("unknown checker protocol %q (known: %s)", s, strings.Join(names, ", "))
}

// Spec describes a checker: a program and its protocol, or a built-in
// comparator. It is data: problems and the judge registry carry it.
type Spec struct {
	Protocol Protocol `json:"protocol"`
	// Language and Source are a checker program's (languages.toml ids).
	Language string `json:"language,omitempty"`
	Source   string `json:"source,omitempty"`
	// Files are support files written next to the source (a testlib.h).
	Files map[string]string `json:"files,omitempty"`
	// Args are extra arguments after the protocol's own (a Kattis
	// validator's flags).
	Args []string `json:"args,omitempty"`
	// Comparator, AbsTol and RelTol choose a built-in comparator.
	Comparator string  `json:"comparator,omitempty"`
	AbsTol     float64 `json:"abs_tol,omitempty"`
	RelTol     float64 `json:"rel_tol,omitempty"`
}

// Validate checks that the spec is complete for its protocol.
func (s *Spec) Validate() error {
	if _, err := ParseProtocol(string(s.Protocol)); err != nil {
		return err
	}
	if s.Protocol == Builtin {
		if s.Source != "" || s.Language != "" {
			return fmt.Errorf("a builtin checker has a comparator, not a source")
		}
		_, err := s.comparator()
		return err
	}
	if s.Comparator != "" {
		return fmt.Errorf("a %s checker is a program; comparator %q is for builtin checkers", s.Protocol, s.Comparator)
	}
	if s.Language == "" || strings.TrimSpace(s.Source) == "" {
		return fmt.Errorf("a %s checker needs a language and a source", s.Protocol)
	}
	return nil
}

func (s *Spec) comparator() (judge.Comparator, error) {
	return judge.NewComparator(s.Comparator, judge.ComparatorOptions{AbsTol: s.AbsTol, RelTol: s.RelTol})
}

// SHA256 identifies the checker's content: protocol, language, source,
// support files, arguments and comparator settings.
func (s *Spec) SHA256() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", s.Protocol, s.Language, len(s.Source), s.Source)
	names := make([]string, 0, len(s.Files))
	for n := range s.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", n, len(s.Files[n]), s.Files[n])
	}
	for _, a := range s.Args {
		fmt.Fprintf(h, "%d\x00%s\x00", len(a), a)
	}
	fmt.Fprintf(h, "%s\x00%g\x00%g", s.Comparator, s.AbsTol, s.RelTol)
	return hex.EncodeToString(h.Sum(nil))
}

// Name identifies the checker in reports and messages: the comparator of a
// builtin ("float(abs=1e-06,rel=1e-06)"), or protocol, language and the
// first 12 digits of the content hash ("kattis/python3@3f2a9c01b7d4").
func (s *Spec) Name() string {
	if s.Protocol == Builtin {
		if c, err := s.comparator(); err == nil {
			return c.Name()
		}
		return s.Comparator
	}
	return fmt.Sprintf("%s/%s@%s", s.Protocol, s.Language, s.SHA256()[:12])
}

// Result is a checker's judgement of one output.
type Result struct {
	// Verdict is AC, WA, or SE when the checker itself failed.
	Verdict judge.Verdict
	// Message is the checker's explanation (the end of its messages).
	Message string
	// Points is the score a testlib checker gave with a partial verdict
	// (exit 7); such a test is not accepted.
	Points *float64
}

// Checker judges a program's output against the expected answer.
// Implementations are safe for concurrent use.
type Checker interface {
	// Check judges output (the program's) for input against answer (the
	// expected one). A failure of the checker or of the machinery is a
	// Result with verdict SE. On cancellation it returns SE promptly.
	Check(ctx context.Context, input, answer, output []byte) Result
	// Name identifies the checker (see Spec.Name).
	Name() string
}

// comparatorChecker is a built-in comparator as a Checker.
type comparatorChecker struct {
	c judge.Comparator
}

// FromComparator wraps a comparator as a Checker.
func FromComparator(c judge.Comparator) Checker { return comparatorChecker{c} }

func (c comparatorChecker) Name() string { return c.c.Name() }

func (c comparatorChecker) Check(_ context.Context, _, answer, output []byte) Result {
	if ok, msg := c.c.Compare(output, answer); !ok {
		return Result{Verdict: judge.WA, Message: msg}
	}
	return Result{Verdict: judge.AC}
}
