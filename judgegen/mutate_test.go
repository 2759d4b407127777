package judgegen_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/judgegen"
)

func TestMutants(t *testing.T) {
	c := &registry.Classification{Category: judgegen.MultipleSolutions}
	ref := "Case #1: 2 2\nCase #2: 852 88\nCase #3: IMPOSSIBLE\n"
	var got []string
	for _, m := range judgegen.Mutants(ref, c, 20) {
		got = append(got, m.Kind+" "+strings.ReplaceAll(m.Output, "\n", "|"))
	}
	want := []string{
		"empty ",
		"truncated Case #1: 2 2|Case #2: 852 88|",
		"extra-line Case #1: 2 2|Case #2: 852 88|Case #3: IMPOSSIBLE|Case #3: IMPOSSIBLE|",
		"case-label Case #2: 2 2|Case #2: 852 88|Case #3: IMPOSSIBLE|",
		"perturbed Case #1: 3 2|Case #2: 852 88|Case #3: IMPOSSIBLE|",
		"perturbed Case #1: 2 2|Case #2: 852 89|Case #3: IMPOSSIBLE|",
		"perturbed Case #1: 2 2|Case #2: 853 88|Case #3: IMPOSSIBLE|",
		"swapped Case #1: 852 2|Case #2: 2 88|Case #3: IMPOSSIBLE|",
		"changed-constant Case #1: 2 2|Case #2: 852 88|Case #3: POSSIBLE|",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mutants (-want +got):\n%s", diff)
	}
	if ms := judgegen.Mutants(ref, c, 3); len(ms) != 3 || !ms[2].Strict {
		t.Errorf("k=3: %+v", ms)
	}
}

func TestFloatVariants(t *testing.T) {
	c := &registry.Classification{Category: judgegen.FloatComparison, AbsTol: 1e-6, RelTol: 1e-6}
	ref := "Case #1: 0.250000000\nCase #2: 1500000.5\n"
	f := judge.Float{AbsTol: 1e-6, RelTol: 1e-6}
	for _, a := range judgegen.Alternatives(ref, c) {
		if ok, msg := f.Compare([]byte(a.Output), []byte(ref)); !ok {
			t.Errorf("alternative %s %q rejected by %s: %s", a.Kind, a.Output, f.Name(), msg)
		}
	}
	for _, m := range judgegen.Mutants(ref, c, 20) {
		if ok, _ := f.Compare([]byte(m.Output), []byte(ref)); ok || !m.Strict {
			t.Errorf("mutant %s %q accepted by %s (strict %v)", m.Kind, m.Output, f.Name(), m.Strict)
		}
	}
}

// FuzzVariants: for any reference output, mutants differ from it, strict
// mutants are rejected by tokens comparison, and alternatives of a float
// problem pass the float comparator at its tolerance.
func FuzzVariants(f *testing.F) {
	f.Add("Case #1: 1.5 2\nCase #2: YES\n", 1e-6)
	f.Add("3\n", 0.0)
	f.Add("", 1e-3)
	f.Add("1e308 -1e308 nan\n", 1e-6)
	f.Fuzz(func(t *testing.T, ref string, tol float64) {
		if tol < 0 || tol > 1 || tol != tol {
			return
		}
		c := &registry.Classification{Category: judgegen.FloatComparison, AbsTol: tol, RelTol: tol}
		if tol == 0 {
			c.Category = judgegen.None
		}
		for _, m := range judgegen.Mutants(ref, c, 20) {
			if ok, _ := (judge.Tokens{}).Compare([]byte(m.Output), []byte(ref)); ok && m.Strict {
				t.Errorf("strict mutant %s %q equals the reference %q token for token", m.Kind, m.Output, ref)
			}
		}
		if tol > 0 {
			cmp := judge.Float{AbsTol: tol, RelTol: tol}
			for _, a := range judgegen.Alternatives(ref, c) {
				if ok, msg := cmp.Compare([]byte(a.Output), []byte(ref)); !ok {
					t.Errorf("alternative %s %q of %q rejected: %s", a.Kind, a.Output, ref, msg)
				}
			}
		}
	})
}
