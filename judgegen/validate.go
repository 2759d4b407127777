package judgegen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

// DefaultMutants is the default number of mutants per test.
const DefaultMutants = 8

// ValidateOptions tune a validation.
type ValidateOptions struct {
	// Mutants is K, the most mutants tried per test (default
	// DefaultMutants); every test gets as many as its output allows.
	Mutants int
	// Jobs is how many checks run at once (default 1).
	Jobs int
	// Now stamps the record (default time.Now).
	Now func() time.Time
}

func (o ValidateOptions) now() string {
	if o.Now == nil {
		return time.Now().UTC().Format(time.RFC3339)
	}
	return o.Now().UTC().Format(time.RFC3339)
}

// maxFailures bounds the failures a record keeps.
const maxFailures = 30

// check is one output a checker is asked about, and what it must say.
type check struct {
	test    int
	variant Variant
	role    string // reference, alternative, mutant
	res     checker.Result
}

// Validate proves a checker on a task before it is trusted: it must build,
// accept the reference output of every test and every alternative (other
// correct outputs), reject every strict mutant, reject at least half of
// the other mutants, and never fail itself. The returned record says what
// was tried and what went wrong; the error is for a failure of the
// machinery (no sandbox, a cancelled context), not of the checker.
func Validate(ctx context.Context, env *checker.Env, spec *checker.Spec, t *Task, c *registry.Classification, opts ValidateOptions) (*registry.Validation, error) {
	v := &registry.Validation{Date: opts.now(), Kind: "full", Tests: len(t.Tests)}
	c = judgedAs(spec, c)
	chk, err := buildChecker(ctx, env, spec, v)
	if err != nil {
		return nil, err
	}
	if chk == nil {
		return v, nil // it does not compile
	}
	k := opts.Mutants
	if k <= 0 {
		k = DefaultMutants
	}
	var checks []*check
	for i, test := range t.Tests {
		checks = append(checks, &check{test: i, role: "reference", variant: Variant{Kind: "reference", Output: test.Output}})
		for _, a := range Alternatives(test.Output, c) {
			checks = append(checks, &check{test: i, role: "alternative", variant: a})
		}
		for j, a := range t.Alternatives[i] {
			checks = append(checks, &check{test: i, role: "alternative", variant: Variant{Kind: fmt.Sprintf("other-solution-%d", j+1), Output: a}})
		}
		for _, m := range Mutants(test.Output, c, k) {
			checks = append(checks, &check{test: i, role: "mutant", variant: m})
		}
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	var mu sync.Mutex
	for _, ch := range checks {
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			test := t.Tests[ch.test]
			r := chk.Check(gctx, []byte(test.Input), []byte(test.Output), []byte(ch.variant.Output))
			mu.Lock()
			ch.res = r
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var failures, warnings []string
	nonStrict, nonStrictRejected := 0, 0
	for _, ch := range checks {
		where := fmt.Sprintf("test %d: %s %s", ch.test, ch.role, ch.variant.Kind)
		if ch.role == "reference" {
			where = fmt.Sprintf("test %d: the reference output", ch.test)
		}
		r := ch.res
		if r.Verdict == judge.SE {
			v.SystemErrors++
			failures = append(failures, fmt.Sprintf("%s: the checker failed: %s", where, r.Message))
			continue
		}
		accepted := r.Verdict == judge.AC
		switch ch.role {
		case "reference":
			if accepted {
				v.ReferenceAccepted++
			} else {
				failures = append(failures, fmt.Sprintf("%s was rejected: %s", where, r.Message))
			}
		case "alternative":
			v.Alternatives++
			if accepted {
				v.AlternativesAccepted++
			} else {
				failures = append(failures, fmt.Sprintf("%s (a correct output) was rejected: %s", where, r.Message))
			}
		case "mutant":
			v.Mutants++
			if !accepted {
				v.MutantsRejected++
			}
			if ch.variant.Strict {
				v.StrictMutants++
				if accepted {
					failures = append(failures, fmt.Sprintf("%s (a wrong output) was accepted: %s", where, preview(ch.variant.Output)))
				} else {
					v.StrictRejected++
				}
				continue
			}
			nonStrict++
			if accepted {
				warnings = append(warnings, fmt.Sprintf("%s was accepted (it may be another valid answer)", where))
			} else {
				nonStrictRejected++
			}
		}
	}
	if nonStrict > 0 && 2*nonStrictRejected < nonStrict {
		failures = append(failures, fmt.Sprintf("accepted %d of %d changed answers: the checker does not check the answer", nonStrict-nonStrictRejected, nonStrict))
	}
	v.Failures = cap30(failures)
	v.Warnings = cap30(warnings)
	v.Passed = len(failures) == 0 && v.Tests > 0
	if v.Tests == 0 {
		v.Failures = append(v.Failures, "the problem has no tests to validate on")
	}
	return v, nil
}

// judgedAs is the classification the variants of a validation are derived
// from: c, with the tolerance of the checker under test when it is the
// built-in float comparator, so that a "beyond tolerance" mutant is beyond
// under the judge's own rule and a "within tolerance" alternative within
// it, whatever the classification recorded.
func judgedAs(spec *checker.Spec, c *registry.Classification) *registry.Classification {
	tol, ok := ToleranceOfSpec(spec)
	if !ok {
		return c
	}
	cc := *c
	cc.AbsTol, cc.RelTol = tol.Abs, tol.Rel
	if cc.Category != Other && cc.Category != MultipleSolutions {
		cc.Category = FloatComparison
	}
	return &cc
}

// SmokeTests are the synthetic tests of Smoke: small inputs of common
// shapes (a count then a value, a pair, one number), each with an answer
// that the input admits.
var SmokeTests = []struct{ Input, Output string }{
	{"1\n1\n", "1\n"},
	{"1 1\n1\n", "1\n"},
	{"1\n", "1\n"},
	{"1\n1 1\n", "1 1\n"},
	{"1 1\n1 1\n", "1 1\n"},
	{"1\n", "YES\n"},
}

// buildChecker builds spec for the validation record v: a checker that
// does not compile is a failure recorded in v (and a nil Checker); an error
// is the machinery's.
func buildChecker(ctx context.Context, env *checker.Env, spec *checker.Spec, v *registry.Validation) (checker.Checker, error) {
	chk, err := env.New(ctx, spec)
	var ce *checker.CompileError
	if errors.As(err, &ce) {
		v.Failures = []string{"does not compile: " + firstLines(ce.Message, 20)}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v.Compiles = true
	return chk, nil
}

// Smoke checks a checker without a problem's data: it must build and
// accept an output identical to the expected one on one of the synthetic
// SmokeTests (tried in order). Checkers that check the answer against an
// input of another shape may fairly reject them all; the record says so.
func Smoke(ctx context.Context, env *checker.Env, spec *checker.Spec, opts ValidateOptions) (*registry.Validation, error) {
	v := &registry.Validation{Date: opts.now(), Kind: "smoke"}
	chk, err := buildChecker(ctx, env, spec, v)
	if err != nil {
		return nil, err
	}
	if chk == nil {
		return v, nil // it does not compile
	}
	var failures []string
	for i, st := range SmokeTests {
		r := chk.Check(ctx, []byte(st.Input), []byte(st.Output), []byte(st.Output))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		v.Tests++
		switch r.Verdict {
		case judge.AC:
			v.ReferenceAccepted = 1
			v.Passed = true
			v.Warnings = failures
			return v, nil
		case judge.SE:
			v.SystemErrors++
			failures = append(failures, fmt.Sprintf("synthetic test %d: the checker failed: %s", i, r.Message))
		default:
			failures = append(failures, fmt.Sprintf("synthetic test %d: an output identical to the expected one was rejected: %s", i, r.Message))
		}
	}
	v.Failures = failures
	return v, nil
}

func cap30(s []string) []string {
	if len(s) <= maxFailures {
		return s
	}
	n := len(s) - maxFailures
	return append(s[:maxFailures:maxFailures], fmt.Sprintf("… and %d more", n))
}

func preview(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q…", s[:80])
	}
	return fmt.Sprintf("%q", s)
}

func firstLines(s string, n int) string {
	lines := 0
	for i, c := range s {
		if c == '\n' {
			lines++
			if lines == n {
				return s[:i] + "\n…"
			}
		}
	}
	return s
}
