package judgegen

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

// Template returns a built-in checker that suffices for a classified
// task, and the template's name: for a float problem (or a custom one
// whose statement states a tolerance) the float comparator with the
// classification's tolerance (Tolerance.Spec: the same semantics its
// validation's alternatives and mutants are derived from), or a token
// variant the statement asks for. ok is false when no template fits (a
// problem with many valid answers needs a checker that understands it).
func Template(t *Task, c *registry.Classification) (spec *checker.Spec, name string, ok bool) {
	switch c.Category {
	case FloatComparison:
		return toleranceOf(c).Spec(), "float", true
	case Other:
		s := strings.ToLower(t.Statement)
		switch {
		case c.AbsTol > 0 || c.RelTol > 0:
			return toleranceOf(c).Spec(), "float", true
		case strings.Contains(s, `"yes"`) && strings.Contains(s, "any case"):
			return &checker.Spec{Protocol: checker.Builtin, Comparator: "yesno"}, "yesno", true
		case strings.Contains(s, "case-insensitive") || strings.Contains(s, "case insensitive") || strings.Contains(s, "in any case"):
			return &checker.Spec{Protocol: checker.Builtin, Comparator: "tokens-ci"}, "tokens-ci", true
		}
	}
	return nil, "", false
}

// Variant is an output derived from a reference output: a correct
// alternative, or a mutant that a checker must (Strict) or should reject.
type Variant struct {
	Kind   string
	Output string
	Strict bool
}

// line is one output line split into tokens.
type line []string

// parse splits an output into its lines that have tokens (blank lines
// carry nothing a checker should look at).
func parse(out string) []line {
	var ls []line
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			ls = append(ls, f)
		}
	}
	return ls
}

func render(ls []line, sep, end string) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(strings.Join(l, sep))
		b.WriteString(end)
	}
	return b.String()
}

func clone(ls []line) []line {
	out := make([]line, len(ls))
	for i, l := range ls {
		out[i] = append(line{}, l...)
	}
	return out
}

var caseLabelRE = regexp.MustCompile(`^#(\d+):?$`)

// isLabel reports whether token j of l is part of a "Case #i:" label.
func isLabel(l line, j int) bool {
	if strings.EqualFold(l[j], "case") && j+1 < len(l) && caseLabelRE.MatchString(l[j+1]) {
		return true
	}
	return j > 0 && strings.EqualFold(l[j-1], "case") && caseLabelRE.MatchString(l[j])
}

// pos is the place of an answer token.
type pos struct{ i, j int }

func answerTokens(ls []line) []pos {
	var ps []pos
	for i, l := range ls {
		for j := range l {
			if !isLabel(l, j) {
				ps = append(ps, pos{i, j})
			}
		}
	}
	return ps
}

func number(tok string) (float64, bool) {
	if tok == "" || strings.ContainsAny(tok, "xX_") {
		return 0, false
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func isInteger(tok string) bool {
	_, err := strconv.ParseInt(tok, 10, 64)
	return err == nil
}

// floatTolerance is the tolerance the variants of a classified task are
// derived from: the classification's (toleranceOf) when numbers are
// compared with one (a float problem, or a custom one that states a
// tolerance); ok is false when numbers must be equal.
func floatTolerance(c *registry.Classification) (Tolerance, bool) {
	switch {
	case c.Category == FloatComparison:
		return toleranceOf(c), true
	case c.Category == Other && (c.AbsTol > 0 || c.RelTol > 0):
		return toleranceOf(c), true
	}
	return Tolerance{}, false
}

// Alternatives returns correct outputs that differ from the reference:
// re-spaced, and for a float problem with numbers re-formatted and moved
// by half the tolerance.
func Alternatives(ref string, c *registry.Classification) []Variant {
	ls := parse(ref)
	if len(ls) == 0 {
		return nil
	}
	out := []Variant{{Kind: "respaced", Output: render(ls, "  ", " \n")}}
	tol, ok := floatTolerance(c)
	if !ok {
		return out
	}
	re, moved := clone(ls), clone(ls)
	changed := false
	for _, p := range answerTokens(ls) {
		v, ok := number(ls[p.i][p.j])
		if !ok {
			continue
		}
		changed = true
		re[p.i][p.j] = reformat(ls[p.i][p.j], v)
		moved[p.i][p.j] = within(v, tol)
	}
	if changed {
		out = append(out,
			Variant{Kind: "reformatted", Output: render(re, " ", "\n")},
			Variant{Kind: "within-tolerance", Output: render(moved, " ", "\n")})
	}
	return out
}

// within returns v moved by half what tol allows, written so that it
// reads back within: the largest move that is safely inside the rule
// whichever of absolute and relative allows more.
func within(v float64, tol Tolerance) string {
	d := tol.Allowed(v) / 2
	if d == 0 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v+d, 'g', -1, 64)
}

// beyond returns v moved by ten times what tol allows, so that the number
// is wrong under the judge's own rule: for "absolute or relative" beyond
// both the absolute and the relative tolerance.
func beyond(v float64, tol Tolerance) string {
	d := 10 * tol.Allowed(v)
	if d == 0 || v+d == v {
		d = math.Max(1, math.Abs(v))
	}
	return strconv.FormatFloat(v+d, 'g', -1, 64)
}

// reformat writes the number v of token tok another way: an integer with
// ".0", a decimal with more zeros, an exponent in positional form.
func reformat(tok string, v float64) string {
	if !strings.ContainsAny(tok, ".eE") {
		return tok + ".0"
	}
	if !strings.ContainsAny(tok, "eE") {
		return tok + "000"
	}
	if f := strconv.FormatFloat(v, 'f', -1, 64); f != tok {
		return f
	}
	return strconv.FormatFloat(v, 'e', -1, 64)
}

// Mutants returns up to k wrong outputs derived from the reference, most
// certain first: empty, truncated, an extra line, a changed case label
// (all Strict), then changed values: a number moved beyond the tolerance,
// answers of two lines swapped, a changed word. Value mutants are Strict
// only where the answer is unique (float and exact problems); where many
// answers are valid, a changed value may happen to be one.
func Mutants(ref string, c *registry.Classification, k int) []Variant {
	ls := parse(ref)
	strictValues := c.Category == FloatComparison || c.Category == None
	var out []Variant
	add := func(v Variant) {
		for _, o := range out {
			if o.Output == v.Output {
				return
			}
		}
		if v.Output != render(ls, " ", "\n") {
			out = append(out, v)
		}
	}
	add(Variant{Kind: "empty", Output: "", Strict: true})
	if len(ls) == 0 {
		return out
	}
	switch {
	case len(ls) > 1:
		add(Variant{Kind: "truncated", Output: render(ls[:len(ls)-1], " ", "\n"), Strict: true})
	case len(ls[0]) > 1:
		add(Variant{Kind: "truncated", Output: render([]line{ls[0][:len(ls[0])-1]}, " ", "\n"), Strict: true})
	}
	extra := append(clone(ls), append(line{}, ls[len(ls)-1]...))
	add(Variant{Kind: "extra-line", Output: render(extra, " ", "\n"), Strict: true})
	for i, l := range ls {
		if len(l) > 1 && strings.EqualFold(l[0], "case") && caseLabelRE.MatchString(l[1]) {
			m := clone(ls)
			n, _ := strconv.Atoi(caseLabelRE.FindStringSubmatch(l[1])[1])
			m[i][1] = fmt.Sprintf("#%d:", n+1)
			add(Variant{Kind: "case-label", Output: render(m, " ", "\n"), Strict: true})
			break
		}
	}

	ps := answerTokens(ls)
	// Value mutants, taken in turn from the front, the back and the middle
	// of the output so that a checker that reads only a part is caught.
	var nums, words []pos
	for _, p := range ps {
		if _, ok := number(ls[p.i][p.j]); ok {
			nums = append(nums, p)
		} else {
			words = append(words, p)
		}
	}
	tol, isFloat := floatTolerance(c)
	var values []Variant
	for _, p := range spread(nums, 3) {
		tok := ls[p.i][p.j]
		v, _ := number(tok)
		m := clone(ls)
		switch {
		case isFloat:
			m[p.i][p.j] = beyond(v, tol)
		case isInteger(tok):
			n, _ := strconv.ParseInt(tok, 10, 64)
			m[p.i][p.j] = strconv.FormatInt(n+1, 10)
		default:
			m[p.i][p.j] = strconv.FormatFloat(v+1, 'g', -1, 64)
		}
		values = append(values, Variant{Kind: "perturbed", Output: render(m, " ", "\n"), Strict: strictValues})
	}
	if a, b, ok := swapPair(ls, ps, tol, isFloat); ok {
		m := clone(ls)
		m[a.i][a.j], m[b.i][b.j] = m[b.i][b.j], m[a.i][a.j]
		values = append(values, Variant{Kind: "swapped", Output: render(m, " ", "\n"), Strict: strictValues})
	}
	for _, p := range spread(words, 2) {
		m := clone(ls)
		m[p.i][p.j] = changeWord(m[p.i][p.j])
		values = append(values, Variant{Kind: "changed-constant", Output: render(m, " ", "\n"), Strict: strictValues})
	}
	for _, v := range values {
		add(v)
	}
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	return out
}

// spread picks up to n positions: the first, the last, then the middle.
func spread(ps []pos, n int) []pos {
	var out []pos
	for _, i := range []int{0, len(ps) - 1, len(ps) / 2} {
		if i < 0 || i >= len(ps) || len(out) >= n {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == ps[i]
		}
		if !dup {
			out = append(out, ps[i])
		}
	}
	return out
}

// swapPair finds two answer tokens to swap that make a different output:
// on different lines when it can (two cases' answers), otherwise within
// one line. For floats they must differ by more than the tolerance.
func swapPair(ls []line, ps []pos, tol Tolerance, isFloat bool) (pos, pos, bool) {
	differ := func(a, b pos) bool {
		x, y := ls[a.i][a.j], ls[b.i][b.j]
		if x == y {
			return false
		}
		if isFloat {
			u, ok1 := number(x)
			v, ok2 := number(y)
			if ok1 && ok2 {
				// Each swapped number must be wrong for the other's place.
				return !tol.Within(u, v) && !tol.Within(v, u) && math.Abs(u-v) > 2*math.Max(tol.Allowed(u), tol.Allowed(v))
			}
		}
		return true
	}
	for _, sameLine := range []bool{false, true} {
		for x := range ps {
			for y := x + 1; y < len(ps) && y < x+64; y++ {
				a, b := ps[x], ps[y]
				if (a.i == b.i) == sameLine && differ(a, b) {
					return a, b, true
				}
			}
		}
	}
	return pos{}, pos{}, false
}

// changeWord returns a different word: the opposite of a verdict word, or
// the word with its first letter changed.
func changeWord(w string) string {
	flips := map[string]string{"YES": "NO", "NO": "YES", "POSSIBLE": "IMPOSSIBLE", "IMPOSSIBLE": "POSSIBLE", "TRUE": "FALSE", "FALSE": "TRUE"}
	if f, ok := flips[strings.ToUpper(w)]; ok {
		if w == strings.ToLower(w) {
			return strings.ToLower(f)
		}
		return f
	}
	r := []byte(w)
	switch {
	case r[0] >= 'A' && r[0] < 'Z', r[0] >= 'a' && r[0] < 'z', r[0] >= '0' && r[0] < '9':
		r[0]++
	case r[0] == 'Z', r[0] == 'z', r[0] == '9':
		r[0]--
	default:
		return w + "x"
	}
	return string(r)
}
