package judge_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

func kattis(t testing.TB, flags string) judge.Comparator {
	t.Helper()
	c, err := judge.NewComparator("kattis", judge.ComparatorOptions{Flags: strings.Fields(flags)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kattisCases are verdicts of problemtools' default_validator.cc (compiled
// from its source with g++ and glibc, and run on each case) that the kattis
// comparator must reproduce.
var kattisCases = []struct {
	flags, ans, out string
	ok              bool
}{
	// Whitespace: any run matches any other, leading and trailing ignored.
	{"", "A B", "A B", true},
	{"", "A B", " A  B \t\n", true},
	{"", "A B", "A\nB", true},
	{"", "1\n2\n", "1 2", true},
	{"", "", "", true},
	{"", "", " \n\t", true},
	{"", "\n", "", true},
	{"", "A B", "A B X", false},
	{"", "A B", "X A B", false},
	{"", "A B", "A", false},
	{"", "A B", "", false},
	{"", "", "x", false},
	{"", "AB", "A B", false},
	{"", "A B", "AB", false},
	{"", "a\v\fb\r", "a b", true},
	// Case: insensitive for ASCII letters only, unless case_sensitive.
	{"", "Case #1: YES", "case #1: yes", true},
	{"", "POSSIBLE", "possible", true},
	{"case_sensitive", "POSSIBLE", "possible", false},
	{"case_sensitive", "POSSIBLE", "POSSIBLE", true},
	{"", "É", "é", false},
	// Tokens are C strings: bytes after a NUL are not compared.
	{"", "abc", "abc\x00def", true},
	{"", "abc\x00x", "abc\x00y", true},
	{"", "abc", "ab\x00c", false},
	// Without a tolerance, numbers are text.
	{"", "1.0", "1", false},
	{"", "1.0", "1.00", false},
	{"", "1e5", "1E5", true},
	// float_tolerance X: |a-o| <= X or |a-o| <= X*|a|.
	{"float_tolerance 1e-6", "1.0", "1", true},
	{"float_tolerance 1e-6", "1.0", "1.000001", true},
	{"float_tolerance 1e-6", "1.0", "1.0000011", false},
	{"float_tolerance 1e-6", "1000000", "1000001", true},
	{"float_tolerance 1e-6", "1000000", "1000001.1", false},
	{"float_tolerance 1e-6", "0", "-0.000001", true},
	{"float_tolerance 1e-6", "0", "0.0000011", false},
	{"float_tolerance 1e-6", "0.5", "5e-1", true},
	{"float_tolerance 1e-6", "0.5", "0x1p-1", true},
	{"float_tolerance 1e-6", "16", "0x10", true},
	{"float_tolerance 1e-6", "1", "1e", true},
	{"float_tolerance 1e-6", "1", "1e+", true},
	{"float_tolerance 1e-6", "1", "1ex", false},
	{"float_tolerance 1e-6", "1", "1,0", false},
	{"float_tolerance 1e-6", "1", "one", false},
	{"float_tolerance 1e-6", "0.5", ".5", true},
	{"float_tolerance 1e-6", "5", "5.", true},
	{"float_tolerance 1e-6", "5", "+5", true},
	{"float_tolerance 1e-6", "0", "0x.", true},
	{"float_tolerance 1e-6", "0", "0x", false},
	{"float_tolerance 1e-6", "0", "-0x", false},
	{"float_tolerance 1e-6", "0", ".", false},
	// Answer tokens that are not finite numbers are compared as text.
	{"float_tolerance 1e-6", "inf", "INF", true},
	{"float_tolerance 1e-6", "inf", "1e999", false},
	{"float_tolerance 1e-6", "1e999", "1E999", true},
	{"float_tolerance 1e-6", "nan", "NaN", true},
	{"float_tolerance 1e-6", "Case #1: 0.5", "case #1: 0.5000001", true},
	{"float_tolerance 1e-6", "#1:", "#1.0:", false},
	// An output number that is not finite is not a float.
	{"float_tolerance 1e-6", "1", "inf", false},
	{"float_tolerance 1e-6", "1", "nan", false},
	{"float_tolerance 1e-6", "1e308", "1e309", false},
	// One tolerance only.
	{"float_absolute_tolerance 0.1", "100", "100.1", true},
	{"float_absolute_tolerance 0.1", "100", "100.2", false},
	{"float_relative_tolerance 0.1", "100", "110", true},
	{"float_relative_tolerance 0.1", "100", "111", false},
	{"float_relative_tolerance 0.1", "0", "1e-300", false},
	{"float_absolute_tolerance 0.5 float_relative_tolerance 0.001", "1000", "1000.9", true},
	{"float_absolute_tolerance 0.5 float_relative_tolerance 0.001", "1000", "1001.1", false},
	// A negative tolerance is unset: numbers are text again.
	{"float_tolerance -1", "1.0", "1", false},
	// The later flag wins.
	{"float_tolerance 1 float_tolerance 0", "1", "1.5", false},
	{"float_tolerance 0", "1", "1.0", true},
	{"float_tolerance 0", "0.1", "0.10000000000000001", true},
	// space_change_sensitive: whitespace must be the same bytes.
	{"space_change_sensitive", "A B\n", "A B\n", true},
	{"space_change_sensitive", "A B\n", "A B", false},
	{"space_change_sensitive", "A B\n", "A B\n\n", false},
	{"space_change_sensitive", "A B\n", "A  B\n", false},
	{"space_change_sensitive", "A B\n", "A\tB\n", false},
	{"space_change_sensitive", "A B\n", " A B\n", false},
	{"space_change_sensitive", "A B", "A B", true},
	{"space_change_sensitive", "", "", true},
	{"space_change_sensitive", "", "\n", false},
	{"space_change_sensitive", "a b\n", "A B\n", true},
	{"space_change_sensitive case_sensitive", "a b\n", "A B\n", false},
	{"space_change_sensitive float_tolerance 0.01", "1.0 2\n", "1.001 2.0\n", true},
}

func TestKattis(t *testing.T) {
	for _, tt := range kattisCases {
		ok, msg := kattis(t, tt.flags).Compare([]byte(tt.out), []byte(tt.ans))
		if ok != tt.ok {
			t.Errorf("flags %q, answer %q, output %q: ok = %v, want %v (%s)", tt.flags, tt.ans, tt.out, ok, tt.ok, msg)
		}
		if ok != (msg == "") {
			t.Errorf("flags %q, answer %q, output %q: ok = %v with message %q", tt.flags, tt.ans, tt.out, ok, msg)
		}
	}
}

func TestKattisMessages(t *testing.T) {
	tests := []struct {
		flags, ans, out string
		want            string
	}{
		{"", "Case #1: YES\nCase #2: NO\n", "Case #1: YES\nCase #2: YES\n", `output line 2 (answer line 2): expected "NO", got "YES"`},
		{"", "1 2", "1", `output line 1 (answer line 1): the output ended before the answer (next answer token "2")`},
		{"", "1", "", `output line 1 (answer line 1): the output is empty (first answer token "1")`},
		{"", "1", "\n\n", `output line 3 (answer line 1): the output has no tokens (first answer token "1")`},
		{"", "1", "1\n2", `output line 2 (answer line 1): trailing output "2"`},
		{"float_tolerance 1e-6", "0.5", "x", `output line 1 (answer line 1): expected a number near "0.5", got "x"`},
		{"float_tolerance 1e-6", "0.5", "0.75", `output line 1 (answer line 1): expected "0.5", got "0.75": they differ by 0.25 (absolute tolerance 1e-06, relative 1e-06)`},
		{"float_relative_tolerance 1e-6", "0.5", "0.75", `output line 1 (answer line 1): expected "0.5", got "0.75": they differ by 0.25 (absolute tolerance unset, relative 1e-06)`},
		{"space_change_sensitive", "a b\n", "a  b\n", `output line 1 (answer line 1): space change error: the answer has no more whitespace here, got space`},
		{"space_change_sensitive", "a b\n", "a\tb\n", `output line 1 (answer line 1): space change error: got '\t', expected space`},
		{"space_change_sensitive", "a\n", "a", `output line 1 (answer line 1): space change error: the output ended where the answer has newline`},
	}
	for _, tt := range tests {
		got := compare(kattis(t, tt.flags), tt.out, tt.ans)
		if diff := cmp.Diff(result{false, tt.want}, got); diff != "" {
			t.Errorf("flags %q, answer %q, output %q (-want +got):\n%s", tt.flags, tt.ans, tt.out, diff)
		}
	}
}

func TestNewKattis(t *testing.T) {
	tests := []struct {
		flags string
		want  judge.Kattis
	}{
		{"", judge.Kattis{AbsTol: -1, RelTol: -1}},
		{"case_sensitive space_change_sensitive", judge.Kattis{CaseSensitive: true, SpaceChangeSensitive: true, AbsTol: -1, RelTol: -1}},
		{"float_tolerance 1e-6", judge.Kattis{AbsTol: 1e-6, RelTol: 1e-6}},
		{"float_absolute_tolerance 0.5", judge.Kattis{AbsTol: 0.5, RelTol: -1}},
		{"float_relative_tolerance 0x1p-3", judge.Kattis{AbsTol: -1, RelTol: 0.125}},
		{"float_tolerance 1 float_absolute_tolerance 2", judge.Kattis{AbsTol: 2, RelTol: 1}},
	}
	for _, tt := range tests {
		got, err := judge.NewKattis(strings.Fields(tt.flags))
		if err != nil {
			t.Errorf("NewKattis(%q): %v", tt.flags, err)
			continue
		}
		got.Flags = nil
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("NewKattis(%q) (-want +got):\n%s", tt.flags, diff)
		}
	}
	for _, bad := range []string{"float_tolerance", "float_tolerance x", "float_tolerance inf", "float_tolerance nan", "float_relative_tolerance 1e999", "ignore_case", "float_tolerance 1e-6 case-sensitive"} {
		if _, err := judge.NewKattis(strings.Fields(bad)); err == nil {
			t.Errorf("NewKattis(%q): no error", bad)
		}
	}
}

func TestKattisNameAndOptions(t *testing.T) {
	tests := []struct {
		opts judge.ComparatorOptions
		name string
		ans  string
		out  string
		ok   bool
	}{
		{judge.ComparatorOptions{}, "kattis", "1.0", "1", false},
		{judge.ComparatorOptions{Flags: []string{"float_tolerance", "1e-6"}}, "kattis(float_tolerance 1e-6)", "1.0", "1", true},
		// A benchmark's or problem's tolerances come before the flags.
		{judge.ComparatorOptions{AbsTol: 0.5}, "kattis(float_absolute_tolerance 0.5)", "1", "1.5", true},
		{judge.ComparatorOptions{AbsTol: 0.5, Flags: []string{"float_absolute_tolerance", "0.1"}}, "kattis(float_absolute_tolerance 0.5 float_absolute_tolerance 0.1)", "1", "1.5", false},
	}
	for _, tt := range tests {
		c, err := judge.NewComparator("kattis", tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name() != tt.name {
			t.Errorf("%+v: name %q, want %q", tt.opts, c.Name(), tt.name)
		}
		if ok, _ := c.Compare([]byte(tt.out), []byte(tt.ans)); ok != tt.ok {
			t.Errorf("%+v: %q against %q: ok = %v, want %v", tt.opts, tt.out, tt.ans, ok, tt.ok)
		}
	}
	if _, err := judge.NewComparator("kattis", judge.ComparatorOptions{Flags: []string{"bogus"}}); err == nil {
		t.Error("kattis with an unknown flag: no error")
	}
}

// TestKattisAgreesWithProblemtools runs random answers and outputs through
// problemtools' own default validator when $SCALEBOX_KATTIS_VALIDATOR names
// a build of it (g++ -O2 support/default_validator/default_validator.cc),
// and requires the same verdict every time.
func TestKattisAgreesWithProblemtools(t *testing.T) {
	bin := os.Getenv("SCALEBOX_KATTIS_VALIDATOR")
	if bin == "" {
		t.Skip("set SCALEBOX_KATTIS_VALIDATOR to a build of problemtools' default_validator to compare with it")
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	dir := t.TempDir()
	in, ans := filepath.Join(dir, "in"), filepath.Join(dir, "ans")
	if err := os.WriteFile(in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(4))
	flagSets := []string{"", "case_sensitive", "space_change_sensitive", "float_tolerance 1e-6", "float_absolute_tolerance 1e-3",
		"float_relative_tolerance 1e-4", "float_tolerance 0 case_sensitive", "float_absolute_tolerance 0.5 float_relative_tolerance 1e-9 space_change_sensitive"}
	accepted := 0
	for i := 0; i < n; i++ {
		flags := flagSets[r.Intn(len(flagSets))]
		a := randomAnswer(r)
		o := perturb(r, a)
		if err := os.WriteFile(ans, []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{in, ans, dir}, strings.Fields(flags)...)...)
		cmd.Stdin = strings.NewReader(o)
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: %v", bin, err)
		}
		want := ee.ExitCode() == 42
		if ee.ExitCode() != 42 && ee.ExitCode() != 43 {
			t.Fatalf("%s exited %d", bin, ee.ExitCode())
		}
		if want {
			accepted++
		}
		if got, msg := kattis(t, flags).Compare([]byte(o), []byte(a)); got != want {
			t.Errorf("flags %q, answer %q, output %q: ok = %v, problemtools says %v (%s)", flags, a, o, got, want, msg)
		}
	}
	t.Logf("%d cases, %d accepted by both", n, accepted)
}

// randomAnswer makes an answer file of words and numbers in many spellings.
func randomAnswer(r *rand.Rand) string {
	words := []string{"Case", "#1:", "YES", "no", "IMPOSSIBLE", "x", "0", "1", "-1", "1e", "0x", "0x1p3", ".5", "5.",
		"inf", "NaN", "1e999", "-0", "abc\x00d", "é"}
	spaces := []string{" ", "\n", "  ", "\t", "\r\n", " \n"}
	var b strings.Builder
	for n := r.Intn(6); n > 0; n-- {
		if r.Intn(2) == 0 {
			b.WriteString(words[r.Intn(len(words))])
		} else {
			b.WriteString(randomNumber(r))
		}
		b.WriteString(spaces[r.Intn(len(spaces))])
	}
	if r.Intn(4) == 0 {
		return strings.TrimSpace(b.String())
	}
	return b.String()
}

func randomNumber(r *rand.Rand) string {
	v := r.NormFloat64() * math.Pow(10, float64(r.Intn(16)-8))
	switch r.Intn(4) {
	case 0:
		return strconv.Itoa(r.Intn(2000) - 1000)
	case 1:
		return strconv.FormatFloat(v, 'f', r.Intn(10), 64)
	case 2:
		return strconv.FormatFloat(v, 'e', r.Intn(10), 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// perturb changes an answer a little: numbers nudged by about the
// tolerances used, case, whitespace, or tokens added and dropped.
func perturb(r *rand.Rand, a string) string {
	var b bytes.Buffer
	i := 0
	for i < len(a) {
		if strings.IndexByte(" \t\n\r", a[i]) >= 0 {
			switch r.Intn(12) {
			case 0:
				b.WriteString("  ")
			case 1:
				b.WriteByte('\n')
			case 2:
			default:
				b.WriteByte(a[i])
			}
			i++
			continue
		}
		j := i
		for j < len(a) && strings.IndexByte(" \t\n\r", a[j]) < 0 {
			j++
		}
		tok := a[i:j]
		i = j
		switch r.Intn(10) {
		case 0:
			if v, err := strconv.ParseFloat(tok, 64); err == nil {
				d := []float64{1e-6, 1e-3, 1e-4, 0.5, 1e-9}[r.Intn(5)] * []float64{0.5, 0.999, 1, 1.001, 2}[r.Intn(5)]
				if r.Intn(2) == 0 {
					d *= math.Abs(v)
				}
				tok = strconv.FormatFloat(v+d*float64(1-2*r.Intn(2)), 'g', -1, 64)
			}
		case 1:
			tok = strings.ToUpper(tok)
		case 2:
			tok = strings.ToLower(tok)
		case 3:
			tok = ""
		case 4:
			tok += " extra"
		}
		b.WriteString(tok)
	}
	if r.Intn(8) == 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func FuzzKattis(f *testing.F) {
	for _, tt := range kattisCases {
		f.Add(tt.flags, tt.ans, tt.out)
	}
	f.Fuzz(func(t *testing.T, flags, ans, out string) {
		k, err := judge.NewKattis(strings.Fields(flags))
		if err != nil {
			return
		}
		ok, msg := k.Compare([]byte(out), []byte(ans))
		if ok != (msg == "") {
			t.Fatalf("ok = %v with message %q", ok, msg)
		}
		// An answer accepts itself unless it holds a number that is not
		// within zero of itself (never: tolerances are not negative).
		if ok, msg := k.Compare([]byte(ans), []byte(ans)); !ok {
			t.Fatalf("the answer %q rejects itself: %s", ans, msg)
		}
		// Sensitivity only ever rejects more.
		lax := k
		lax.CaseSensitive, lax.SpaceChangeSensitive = false, false
		if laxOK, _ := lax.Compare([]byte(out), []byte(ans)); ok && !laxOK {
			t.Fatalf("accepted with %q but rejected without case and space sensitivity", flags)
		}
		// Whitespace-insensitive: re-spacing the output changes nothing.
		if !k.SpaceChangeSensitive {
			respaced := strings.Join(strings.FieldsFunc(out, func(r rune) bool { return strings.ContainsRune(" \t\n\v\f\r", r) }), "\n")
			if ok2, _ := k.Compare([]byte(respaced), []byte(ans)); ok2 != ok {
				t.Fatalf("re-spacing %q to %q changed the verdict", out, respaced)
			}
		}
	})
}

func ExampleKattis() {
	k, _ := judge.NewKattis([]string{"float_tolerance", "1e-6"})
	for _, out := range []string{"case #1: 0.3333333\n", "Case #1: 0.3334\n"} {
		if ok, msg := k.Compare([]byte(out), []byte("Case #1: 0.333333333\n")); ok {
			fmt.Println("accepted")
		} else {
			fmt.Println("rejected:", msg)
		}
	}
	// Output:
	// accepted
	// rejected: output line 1 (answer line 1): expected "0.333333333", got "0.3334": they differ by 6.67e-05 (absolute tolerance 1e-06, relative 1e-06)
}
