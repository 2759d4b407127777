package judge

import (
	"math"
	"math/big"
	"strings"
)

// EvalplusCheck judges one function call the way evalplus's check_output
// does (evalplus/eval/__init__.py): Python == on the values, then the
// dataset's special oracles, then, for floats, numpy.allclose with
// rtol=1e-7 and atol (forced to 1e-6 when atol is 0 and the expected
// value is a float or a sequence of floats).
//
// Unlike evalplus it compares values outside the program's process:
// out and exp were serialised in the sandbox, so an __eq__ that always
// returns True does not help (an instance of a user class is Opaque and
// equals nothing; a subclass of a builtin type arrives as its base value).
type EvalplusCheck struct {
	// Dataset selects the special oracles: "humaneval" or "mbpp".
	Dataset    string
	EntryPoint string
	Atol       float64
}

// evalplus's MBPP special cases (evalplus/eval/_special_oracle.py).
var (
	mbppOutputSetEq = map[string]bool{
		"similar_elements": true, "find_char_long": true, "common_in_nested_lists": true,
		"extract_singly": true, "larg_nnum": true, "intersection_array": true,
		"find_dissimilar": true, "Diff": true,
	}
	// MBPPOutputNotNone are the MBPP tasks whose expected output is only
	// whether the reference returned something (not None).
	MBPPOutputNotNone = map[string]bool{"check_str": true, "text_match_three": true, "text_starta_endb": true}
)

// Check reports whether out (the program's return value for the arguments
// inp) is accepted against exp.
func (c EvalplusCheck) Check(inp []PyValue, out, exp PyValue) bool {
	exact := PyEqual(out, exp)
	atol := c.Atol
	switch c.Dataset {
	case "mbpp":
		switch {
		case c.EntryPoint == "are_equivalent": // Mbpp/164
			exact = true
		case c.EntryPoint == "sum_div": // Mbpp/295
			exact = exact || PyEqual(out, pyInt(0))
		case c.EntryPoint == "surface_Area": // Mbpp/581
			if !exact {
				ok, err := surfaceAreaClose(inp, out, atol)
				if err {
					return false
				}
				exact = ok
			}
		case c.EntryPoint == "digit_distance_nums": // Mbpp/558
			if !exact {
				want, ok := digitDistance(inp)
				if !ok {
					return false
				}
				exact = PyEqual(out, want)
			}
		case mbppOutputSetEq[c.EntryPoint]:
			so, ok1 := pySet(out)
			se, ok2 := pySet(exp)
			if !ok1 || !ok2 {
				return false
			}
			exact = PyEqual(so, se)
		case MBPPOutputNotNone[c.EntryPoint]:
			if out.Kind == PyBool {
				exact = PyEqual(out, exp)
			} else {
				exact = PyEqual(exp, PyValue{Kind: PyBool, Bool: out.Kind != PyNone})
			}
		}
	case "humaneval":
		if c.EntryPoint == "find_zero" { // HumanEval/32: check the root, not the value
			if len(inp) != 1 {
				return false
			}
			p, ok := poly(inp[0], out)
			return ok && math.Abs(p) <= atol
		}
	}
	if atol == 0 && isFloats(exp) {
		atol = 1e-6
	}
	if !exact && atol != 0 {
		if out.Kind != exp.Kind {
			return false
		}
		if (exp.Kind == PyList || exp.Kind == PyTuple) && len(out.Items) != len(exp.Items) {
			return false
		}
		return allClose(out, exp, 1e-7, atol)
	}
	return exact
}

func pyInt(n int64) PyValue { return PyValue{Kind: PyInt, Int: big.NewInt(n)} }

// isFloats is evalplus's is_floats: a float, or a non-empty list or tuple
// of floats.
func isFloats(v PyValue) bool {
	switch v.Kind {
	case PyFloat:
		return true
	case PyList, PyTuple:
		if len(v.Items) == 0 {
			return false
		}
		for _, it := range v.Items {
			if it.Kind != PyFloat {
				return false
			}
		}
		return true
	}
	return false
}

// pySet is Python's set(x) for an iterable of hashable items.
func pySet(v PyValue) (PyValue, bool) {
	switch v.Kind {
	case PyList, PyTuple, PySet, PyFrozenSet:
		for _, it := range v.Items {
			if !hashable(it) {
				return PyValue{}, false
			}
		}
		return PyValue{Kind: PySet, Items: v.Items}, true
	case PyDict:
		return PyValue{Kind: PySet, Items: v.Keys}, true
	case PyStr:
		s := PyValue{Kind: PySet}
		for _, r := range v.Str {
			s.Items = append(s.Items, PyValue{Kind: PyStr, Str: string(r)})
		}
		return s, true
	case PyBytes:
		s := PyValue{Kind: PySet}
		for i := 0; i < len(v.Str); i++ {
			s.Items = append(s.Items, pyInt(int64(v.Str[i])))
		}
		return s, true
	}
	return PyValue{}, false
}

func hashable(v PyValue) bool {
	switch v.Kind {
	case PyList, PyDict, PySet, PyOpaque:
		return false
	case PyTuple:
		for _, it := range v.Items {
			if !hashable(it) {
				return false
			}
		}
	}
	return true
}

// allClose is numpy.allclose(a, b, rtol, atol) for values numpy turns into
// numeric arrays of one shape; anything else (strings, None, ragged or
// mismatched shapes, integers beyond int64) is not close, as numpy raises.
func allClose(a, b PyValue, rtol, atol float64) bool {
	fa, sa, ok1 := flatten(a)
	fb, sb, ok2 := flatten(b)
	if !ok1 || !ok2 || sa != sb || len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if !isClose(fa[i], fb[i], rtol, atol) {
			return false
		}
	}
	return true
}

// flatten turns a number or a nested list/tuple of numbers into its
// elements and a shape signature.
func flatten(v PyValue) ([]complex128, string, bool) {
	switch v.Kind {
	case PyBool, PyInt, PyFloat, PyComplex:
		c, ok := toComplex(v)
		return []complex128{c}, "", ok
	case PyList, PyTuple:
		var out []complex128
		shape := ""
		for i, it := range v.Items {
			f, s, ok := flatten(it)
			if !ok || (i > 0 && s != shape) {
				return nil, "", false
			}
			shape = s
			out = append(out, f...)
		}
		return out, "[" + itoa(len(v.Items)) + "]" + shape, true
	}
	return nil, "", false
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func toComplex(v PyValue) (complex128, bool) {
	switch v.Kind {
	case PyBool:
		if v.Bool {
			return 1, true
		}
		return 0, true
	case PyInt:
		if !v.Int.IsInt64() {
			return 0, false
		}
		return complex(float64(v.Int.Int64()), 0), true
	case PyFloat:
		return complex(v.Float, 0), true
	case PyComplex:
		return complex(v.Float, v.Imag), true
	}
	return 0, false
}

// isClose is numpy.isclose: |a-b| <= atol + rtol*|b|; infinities are close
// only to themselves; NaN to nothing.
func isClose(a, b complex128, rtol, atol float64) bool {
	if isNaNc(a) || isNaNc(b) {
		return false
	}
	if isInfc(a) || isInfc(b) {
		return a == b
	}
	return cabs(a-b) <= atol+rtol*cabs(b)
}

func cabs(c complex128) float64 { return math.Hypot(real(c), imag(c)) }
func isNaNc(c complex128) bool  { return math.IsNaN(real(c)) || math.IsNaN(imag(c)) }
func isInfc(c complex128) bool  { return math.IsInf(real(c), 0) || math.IsInf(imag(c), 0) }

// pyToFloat is Python's float(x) for an int, bool or float.
func pyToFloat(v PyValue) (float64, bool) {
	switch v.Kind {
	case PyFloat:
		return v.Float, true
	case PyBool, PyInt:
		f, acc := new(big.Float).SetInt(v.bigInt()).Float64()
		if math.IsInf(f, 0) {
			_ = acc
			return 0, false // OverflowError
		}
		return f, true
	}
	return 0, false
}

// poly is evalplus's _poly(xs, x): sum(coeff * math.pow(x, i)).
func poly(xs, x PyValue) (float64, bool) {
	if xs.Kind != PyList && xs.Kind != PyTuple {
		return 0, false
	}
	xf, ok := pyToFloat(x)
	if !ok {
		return 0, false
	}
	sum := 0.0
	for i, c := range xs.Items {
		p, ok := exactPow(xf, i)
		if !ok {
			return 0, false
		}
		cf, ok := pyToFloat(c)
		if !ok {
			return 0, false
		}
		sum += cf * p
	}
	return sum, true
}

// exactPow is math.pow(x, n) for a small integer n, correctly rounded (as
// glibc's pow is for these arguments); false on overflow (OverflowError).
func exactPow(x float64, n int) (float64, bool) {
	if n == 0 {
		return 1, true
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return math.Pow(x, float64(n)), true
	}
	prec := uint(64*n + 64)
	acc := new(big.Float).SetPrec(prec).SetFloat64(x)
	base := new(big.Float).SetPrec(prec).SetFloat64(x)
	for i := 1; i < n; i++ {
		acc.Mul(acc, base)
	}
	f, _ := acc.Float64()
	if math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// surfaceAreaClose is `abs(out - _surface_Area(*inp)) <= atol` of evalplus's
// oracle for Mbpp/581; err reports a Python exception (which fails the input).
func surfaceAreaClose(inp []PyValue, out PyValue, atol float64) (ok, err bool) {
	if len(inp) != 2 {
		return false, true
	}
	edge, e1 := pyToFloat(inp[0])
	h, e2 := pyToFloat(inp[1])
	if !e1 || !e2 {
		return false, true
	}
	intEdge := inp[0].Kind == PyInt || inp[0].Kind == PyBool
	intH := inp[1].Kind == PyInt || inp[1].Kind == PyBool
	half := edge / 2
	if intEdge {
		half = trueDiv(inp[0].bigInt(), 2)
	}
	h2 := h * h
	if intH {
		h2i := new(big.Int).Mul(inp[1].bigInt(), inp[1].bigInt())
		h2, _ = new(big.Float).SetInt(h2i).Float64()
	}
	slant := math.Sqrt(half*half + h2)
	lateral := 4 * (edge * slant) / 2
	var total float64
	if intEdge {
		area := new(big.Int).Mul(inp[0].bigInt(), inp[0].bigInt())
		af, _ := new(big.Float).SetInt(area).Float64()
		total = af + lateral
	} else {
		total = edge*edge + lateral
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return false, true // round() raises
	}
	want := math.RoundToEven(total)
	switch out.Kind {
	case PyInt, PyBool:
		d := new(big.Float).Sub(new(big.Float).SetInt(out.bigInt()), big.NewFloat(want))
		d.Abs(d)
		df, _ := d.Float64()
		return df <= atol, false
	case PyFloat:
		return math.Abs(out.Float-want) <= atol, false
	}
	return false, true
}

// trueDiv is Python's int / int, correctly rounded.
func trueDiv(n *big.Int, d int64) float64 {
	f, _ := new(big.Rat).SetFrac(n, big.NewInt(d)).Float64()
	return f
}

// digitDistance is evalplus's _digit_distance_nums for two ints.
func digitDistance(inp []PyValue) (PyValue, bool) {
	if len(inp) != 2 || inp[0].Kind != PyInt || inp[1].Kind != PyInt {
		return PyValue{}, false
	}
	a, b := inp[0].Int.String(), inp[1].Int.String()
	if strings.HasPrefix(a, "-") || strings.HasPrefix(b, "-") {
		return PyValue{}, false // int('-') raises
	}
	for len(a) < len(b) {
		a = "0" + a
	}
	for len(b) < len(a) {
		b = "0" + b
	}
	sum := int64(0)
	for i := range a {
		d := int64(a[i]) - int64(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return pyInt(sum), true
}
