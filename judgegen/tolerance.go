package judgegen

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

// Tolerance is how the real numbers of a float problem are compared: an
// output number is correct when it is within Abs of the answer, or within
// Rel times the answer's magnitude (testlib's doubleCompare, the Kattis
// default validator). A zero field does not apply: {Abs: x} is an
// absolute tolerance only, {Rel: x} a relative one only, both set is
// "absolute or relative". It is the one description of the semantics that
// the float template judges with and that the alternatives and mutants
// validating a judge are derived from, so that the two cannot disagree.
type Tolerance struct {
	Abs, Rel float64
	// Source says where it came from: the validator flags, the statement's
	// words, or the default.
	Source string
}

// DefaultTolerance applies when a float problem states no tolerance:
// 10^-6, absolute or relative (the float comparator's default).
var DefaultTolerance = Tolerance{Abs: judge.DefaultTolerance, Rel: judge.DefaultTolerance, Source: "default"}

// Allowed is the largest difference from want that is still correct.
func (t Tolerance) Allowed(want float64) float64 {
	return math.Max(t.Abs, t.Rel*math.Abs(want))
}

// Within reports whether got is correct for want.
func (t Tolerance) Within(got, want float64) bool {
	return judge.FloatsEqual(got, want, t.Abs, t.Rel)
}

// Kind is "absolute", "relative" or "absolute or relative".
func (t Tolerance) Kind() string {
	switch {
	case t.Abs > 0 && t.Rel > 0:
		return "absolute or relative"
	case t.Rel > 0:
		return "relative"
	}
	return "absolute"
}

// String describes the tolerance: "absolute or relative 1e-06".
func (t Tolerance) String() string {
	switch {
	case t.Abs > 0 && t.Rel > 0 && t.Abs != t.Rel:
		return fmt.Sprintf("absolute %g or relative %g", t.Abs, t.Rel)
	case t.Abs > 0:
		return fmt.Sprintf("%s %g", t.Kind(), t.Abs)
	}
	return fmt.Sprintf("%s %g", t.Kind(), t.Rel)
}

// Spec is the float template: the built-in float comparator with this
// tolerance.
func (t Tolerance) Spec() *checker.Spec {
	return &checker.Spec{Protocol: checker.Builtin, Comparator: "float", AbsTol: t.Abs, RelTol: t.Rel}
}

// valid reports whether the tolerance allows something.
func (t Tolerance) valid() bool { return t.Abs > 0 || t.Rel > 0 }

// ToleranceOfSpec is the tolerance a checker judges with, when it is the
// built-in float comparator (with the comparator's own default when it
// sets none); ok is false for any other checker.
func ToleranceOfSpec(s *checker.Spec) (Tolerance, bool) {
	if s == nil || s.Protocol != checker.Builtin {
		return Tolerance{}, false
	}
	t := Tolerance{Abs: s.AbsTol, Rel: s.RelTol, Source: "the judge " + s.Name()}
	switch s.Comparator {
	case "float":
		if !t.valid() {
			t.Abs, t.Rel = DefaultTolerance.Abs, DefaultTolerance.Rel
		}
		return t, true
	case "kattis":
		// The default validator with these tolerances as its flags.
		return t, t.valid()
	}
	return Tolerance{}, false
}

// toleranceOf is the tolerance a classification records (the default
// when it records none).
func toleranceOf(c *registry.Classification) Tolerance {
	t := Tolerance{Abs: c.AbsTol, Rel: c.RelTol, Source: "classification"}
	if !t.valid() {
		return DefaultTolerance
	}
	return t
}

// FlagTolerance reads the float tolerance of Kattis output validator flags
// with the default validator's semantics (judge.NewKattis): float_tolerance
// X is absolute or relative X, float_absolute_tolerance and
// float_relative_tolerance set one each (both given: either suffices). ok
// is false when the flags set no tolerance; an error names a flag the
// default validator refuses.
func FlagTolerance(flags []string) (Tolerance, bool, error) {
	k, err := judge.NewKattis(flags)
	if err != nil {
		return Tolerance{}, false, err
	}
	t := Tolerance{Abs: max(k.AbsTol, 0), Rel: max(k.RelTol, 0), Source: "output_validator_flags: " + strings.Join(flags, " ")}
	if k.AbsTol < 0 && k.RelTol < 0 {
		return Tolerance{}, false, nil
	}
	if !t.valid() {
		// A zero tolerance compares numbers as numbers, exactly.
		return Tolerance{}, false, nil
	}
	return t, true, nil
}

// ResolveTolerance is the one place the semantics of a float problem come
// from: the Kattis validator flags when they set a tolerance, else the
// statement's words (StatementTolerance), else the default. It never
// fails: flags the default validator refuses are passed over (the loader
// reports them).
func ResolveTolerance(flags []string, statement string) Tolerance {
	if t, ok, err := FlagTolerance(flags); err == nil && ok {
		return t
	}
	if t, ok := StatementTolerance(statement); ok {
		return t
	}
	return DefaultTolerance
}

// tolKindRE finds the words that say which error is bounded: "absolute or
// relative error", "relative or absolute error", "absolute error",
// "relative error", "absolute and/or relative", "in absolute or relative
// terms". Group 1 is the kind.
var tolKindRE = regexp.MustCompile(`(?i)\b(absolute\s+(?:or|and/or|and)\s+relative|relative\s+(?:or|and/or|and)\s+absolute|absolute|relative)\s+(?:error|tolerance|difference|precision|terms)s?\b`)

// tolGenericRE finds a bound whose kind is not named: "error of at most",
// "within 10^-6 of the correct answer", "precision of".
var tolGenericRE = regexp.MustCompile(`(?i)\b(?:error|tolerance|precision)\s+(?:of\s+|is\s+|not\s+exceeding\s+|less\s+than\s+|no\s+(?:more|larger|greater)\s+than\s+|up\s+to\s+|at\s+most\s+|of\s+at\s+most\s+|smaller\s+than\s+|does\s+not\s+exceed\s+|doesn't\s+exceed\s+)+|\bwithin\s+(?:an?\s+)?(?:error\s+of\s+)?`)

// magnitudeRE finds a tolerance value: 10^-6, 10^{-6}, 10^(-6), 10 -6 (a
// superscript whose tag was stripped), 10 −6 (a Unicode minus), 10⁻⁶,
// 1e-6, 1E−6, 5·10^-7, 2 × 10^{-9}, 0.000001, .03, and the words
// "one millionth" and the like.
var magnitudeRE = regexp.MustCompile(`(?i)` +
	`(?:(\d+(?:\.\d+)?)\s*(?:[x×*·⋅]|\\times|\\cdot)\s*)?10\s*(?:\^|\*\*)?\s*[{(]?\s*([-−–‒]|⁻)\s*([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*[})]?` +
	`|\b(\d+(?:\.\d+)?)\s*[eE]\s*([-−–])\s*(\d+)\b` +
	`|(?:^|[^\d.])(0?\.\d*[1-9]\d*)\b` +
	`|\b(?:one|a|1)[\s-]+(tenth|hundredth|thousandth|ten[\s-]thousandth|hundred[\s-]thousandth|millionth|billionth)s?\b`)

var superscriptDigits = strings.NewReplacer("⁰", "0", "¹", "1", "²", "2", "³", "3", "⁴", "4", "⁵", "5", "⁶", "6", "⁷", "7", "⁸", "8", "⁹", "9")

var fractionWords = map[string]float64{
	"tenth": 1e-1, "hundredth": 1e-2, "thousandth": 1e-3, "ten thousandth": 1e-4,
	"hundred thousandth": 1e-5, "millionth": 1e-6, "billionth": 1e-9,
}

// magnitude returns the first tolerance value in s and where it is.
func magnitude(s string) (v float64, loc []int, ok bool) {
	for _, m := range magnitudeRE.FindAllStringSubmatchIndex(s, -1) {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return s[m[2*i]:m[2*i+1]]
		}
		switch {
		case g(3) != "":
			n, err := strconv.Atoi(superscriptDigits.Replace(g(3)))
			if err != nil || n <= 0 || n > 30 {
				continue
			}
			v = math.Pow(10, -float64(n))
			if c := g(1); c != "" {
				f, err := strconv.ParseFloat(c, 64)
				if err != nil || f <= 0 {
					continue
				}
				v *= f
			}
		case g(6) != "":
			x, err := strconv.ParseFloat(g(4)+"e-"+g(6), 64)
			if err != nil || x <= 0 {
				continue
			}
			v = x
		case g(7) != "":
			x, err := strconv.ParseFloat(g(7), 64)
			if err != nil || x <= 0 || x >= 1 {
				continue
			}
			v = x
		case g(8) != "":
			v = fractionWords[strings.ToLower(strings.Join(strings.FieldsFunc(g(8), func(r rune) bool { return r == ' ' || r == '-' || r == '\t' || r == '\n' }), " "))]
			if v == 0 {
				continue
			}
		default:
			continue
		}
		return v, []int{m[0], m[1]}, true
	}
	return 0, nil, false
}

// sentenceAround returns the sentence of s around [i, j): from after the
// previous ". " (or line break pair) to the next one, at most 300 bytes
// each side.
func sentenceAround(s string, i, j int) (string, int) {
	lo := max(0, i-300)
	start := lo
	if k := lastSentenceEnd(s[lo:i]); k >= 0 {
		start = lo + k
	}
	hi := min(len(s), j+300)
	end := hi
	if k := firstSentenceEnd(s[j:hi]); k >= 0 {
		end = j + k
	}
	return s[start:end], start
}

var sentenceEndRE = regexp.MustCompile(`[.!?;]\s+[A-Z]|\n\s*\n`)

func lastSentenceEnd(s string) int {
	ms := sentenceEndRE.FindAllStringIndex(s, -1)
	if len(ms) == 0 {
		return -1
	}
	m := ms[len(ms)-1]
	// Keep the capital letter that starts the sentence.
	if s[m[1]-1] != '\n' {
		return m[1] - 1
	}
	return m[1]
}

func firstSentenceEnd(s string) int {
	if m := sentenceEndRE.FindStringIndex(s); m != nil {
		return m[0] + 1
	}
	return -1
}

// StatementTolerance reads the tolerance a statement states for real
// numbers: "within an absolute or relative error of 10^-6" (either),
// "relative error of at most 1e-9" (relative only), "within an absolute
// error of 0.03" (absolute only), "within 10^-6 of the exact answer, in
// absolute or relative error", "absolute error 10^-6 or relative error
// 10^-9" (each its own). A bound whose kind is not named ("an error of at
// most 10^-6") is taken as absolute or relative, as testlib and the Code
// Jam FAQ read it. A named kind with no value ("see the FAQ") gets 10^-6.
// ok is false when the statement bounds no error.
func StatementTolerance(statement string) (Tolerance, bool) {
	s := statement
	if l := strings.ToLower(s); !strings.Contains(l, "absolute") && !strings.Contains(l, "relative") &&
		!strings.Contains(l, "error") && !strings.Contains(l, "tolerance") && !strings.Contains(l, "precision") && !strings.Contains(l, "within") {
		return Tolerance{}, false
	}
	var t Tolerance
	var phrases []string
	seen := map[int]bool{} // sentences already read
	for _, m := range tolKindRE.FindAllStringSubmatchIndex(s, -1) {
		sent, off := sentenceAround(s, m[0], m[1])
		if !mentionsNumbersBound(sent) {
			continue // "the absolute value", "coordinates relative to"
		}
		kind := strings.ToLower(s[m[2]:m[3]])
		// The value nearest after the kind's words in the sentence, else
		// before them ("within 10^-6 ..., in absolute or relative error").
		after := s[m[1]:min(len(s), m[1]+120)]
		if e := firstSentenceEnd(after); e >= 0 {
			after = after[:e]
		}
		v, _, ok := magnitude(after)
		if !ok {
			v, _, ok = magnitude(s[off:m[0]])
		}
		if !ok {
			v = judge.DefaultTolerance
		}
		switch {
		case strings.Contains(kind, "absolute") && strings.Contains(kind, "relative"):
			t.Abs, t.Rel = max(t.Abs, v), max(t.Rel, v)
		case kind == "absolute":
			t.Abs = max(t.Abs, v)
		default:
			t.Rel = max(t.Rel, v)
		}
		seen[off] = true
		phrases = append(phrases, squeeze(s[m[0]:m[1]])+" "+strconv.FormatFloat(v, 'g', -1, 64))
	}
	if !t.valid() {
		for _, m := range tolGenericRE.FindAllStringIndex(s, -1) {
			sent, off := sentenceAround(s, m[0], m[1])
			if seen[off] || !strings.Contains(strings.ToLower(sent), "answer") && !strings.Contains(strings.ToLower(sent), "correct") && !strings.Contains(strings.ToLower(sent), "accept") {
				continue
			}
			after := s[m[1]:min(len(s), m[1]+40)]
			v, loc, ok := magnitude(after)
			if !ok || loc[0] > 12 {
				continue
			}
			t.Abs, t.Rel = v, v
			phrases = append(phrases, squeeze(s[m[0]:m[1]+loc[1]]))
			break
		}
	}
	if !t.valid() {
		return Tolerance{}, false
	}
	t.Source = "statement: " + strconv.Quote(strings.Join(phrases, "; "))
	return t, true
}

// mentionsNumbersBound reports whether a sentence with "absolute ..." or
// "relative ..." bounds an answer: it speaks of an answer being correct or
// accepted, or of an error.
func mentionsNumbersBound(sent string) bool {
	l := strings.ToLower(sent)
	return strings.Contains(l, "error") || strings.Contains(l, "correct") || strings.Contains(l, "accept") || strings.Contains(l, "tolerance")
}
