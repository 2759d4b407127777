package judge

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file computes with Python values as CPython does, for the operations
// and builtins that assert tests apply to a candidate's return values (see
// CheckProgram). An operation either gives CPython's result, raises what
// CPython raises (a *pyError with its exception type), or, where CPython's
// result depends on something scalebox does not reproduce exactly (libm's
// pow, the interpreter's version, set iteration order), reports that it is
// unsupported rather than guess.

// pyError is a Python exception, or (unsupported) an operation scalebox
// does not evaluate outside Python.
type pyError struct {
	typ         string
	msg         string
	unsupported bool
}

func (e *pyError) Error() string {
	if e.unsupported {
		return "not evaluated outside Python: " + e.msg
	}
	return e.typ + ": " + e.msg
}

func raise(typ, format string, args ...any) *pyError {
	return &pyError{typ: typ, msg: fmt.Sprintf(format, args...)}
}

func unsupported(format string, args ...any) *pyError {
	return &pyError{msg: fmt.Sprintf(format, args...), unsupported: true}
}

// typeName is the Python type name of v, as error messages give it.
func typeName(v PyValue) string {
	if v.Kind == PyOpaque {
		if i := strings.LastIndexByte(v.Str, '.'); i >= 0 {
			return v.Str[i+1:]
		}
		return v.Str
	}
	return v.Kind.String()
}

func pyBool(b bool) PyValue { return PyValue{Kind: PyBool, Bool: b} }

func pyFloat(f float64) PyValue { return PyValue{Kind: PyFloat, Float: f} }

func pyBig(n *big.Int) PyValue { return PyValue{Kind: PyInt, Int: n} }

// isInt reports an int or a bool (bool is a subclass of int).
func (v PyValue) isInt() bool { return v.Kind == PyInt || v.Kind == PyBool }

// isReal reports an int, bool or float.
func (v PyValue) isReal() bool { return v.isInt() || v.Kind == PyFloat }

// asFloat converts an int, bool or float as float(x) does.
func (v PyValue) asFloat() (float64, *pyError) {
	if v.Kind == PyFloat {
		return v.Float, nil
	}
	f, _ := new(big.Float).SetInt(v.bigInt()).Float64()
	if math.IsInf(f, 0) {
		return 0, raise("OverflowError", "int too large to convert to float")
	}
	return f, nil
}

// pyTruth is bool(v).
func pyTruth(v PyValue) (bool, *pyError) {
	switch v.Kind {
	case PyNone:
		return false, nil
	case PyBool:
		return v.Bool, nil
	case PyInt:
		return v.Int.Sign() != 0, nil
	case PyFloat:
		return v.Float != 0, nil
	case PyComplex:
		return v.Float != 0 || v.Imag != 0, nil
	case PyStr, PyBytes:
		return v.Str != "", nil
	case PyList, PyTuple, PySet, PyFrozenSet:
		return len(v.Items) > 0, nil
	case PyDict:
		return len(v.Keys) > 0, nil
	}
	return false, raise("TypeError", "the truth value of a %s object is not plain data", typeName(v))
}

// maxSeqLen bounds the values built here (repetition, range, ...).
const maxSeqLen = 1 << 18

// pyBinary is a op b for op in + - * / // % ** & | ^ << >>.
func pyBinary(op string, a, b PyValue) (PyValue, *pyError) {
	if a.isNumber() && b.isNumber() {
		return numBinary(op, a, b)
	}
	switch op {
	case "+":
		if a.Kind == b.Kind {
			switch a.Kind {
			case PyStr, PyBytes:
				if len(a.Str)+len(b.Str) > maxSeqLen {
					return PyValue{}, unsupported("a string longer than %d bytes", maxSeqLen)
				}
				return PyValue{Kind: a.Kind, Str: a.Str + b.Str}, nil
			case PyList, PyTuple:
				if len(a.Items)+len(b.Items) > maxSeqLen {
					return PyValue{}, unsupported("a sequence longer than %d items", maxSeqLen)
				}
				items := append(append(make([]PyValue, 0, len(a.Items)+len(b.Items)), a.Items...), b.Items...)
				return PyValue{Kind: a.Kind, Items: items}, nil
			}
		}
	case "*":
		if b.isInt() && isSequence(a) {
			return repeat(a, b)
		}
		if a.isInt() && isSequence(b) {
			return repeat(b, a)
		}
	case "-", "&", "|", "^":
		if isSetKind(a) && isSetKind(b) {
			return setOp(op, a, b), nil
		}
	case "%":
		if a.Kind == PyStr || a.Kind == PyBytes {
			return PyValue{}, unsupported("%% formatting")
		}
	}
	return PyValue{}, raise("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func isSequence(v PyValue) bool {
	return v.Kind == PyStr || v.Kind == PyBytes || v.Kind == PyList || v.Kind == PyTuple
}

func isSetKind(v PyValue) bool { return v.Kind == PySet || v.Kind == PyFrozenSet }

func repeat(seq, n PyValue) (PyValue, *pyError) {
	k := n.bigInt()
	if k.Sign() <= 0 {
		return PyValue{Kind: seq.Kind}, nil
	}
	size := len(seq.Str) + len(seq.Items)
	if size > 0 && (!k.IsInt64() || k.Int64()*int64(size) > maxSeqLen) {
		return PyValue{}, unsupported("a sequence longer than %d items", maxSeqLen)
	}
	times := int(k.Int64())
	if seq.Kind == PyStr || seq.Kind == PyBytes {
		return PyValue{Kind: seq.Kind, Str: strings.Repeat(seq.Str, times)}, nil
	}
	for _, it := range seq.Items {
		if mutable(it) {
			// [[0] * 3] * 3 holds one list three times: copies here would
			// not share what a candidate could change.
			return PyValue{}, unsupported("repeating a sequence of mutable items")
		}
	}
	items := make([]PyValue, 0, len(seq.Items)*times)
	for i := 0; i < times; i++ {
		items = append(items, seq.Items...)
	}
	return PyValue{Kind: seq.Kind, Items: items}, nil
}

// mutable reports a value that is, or holds, a list, dict or set.
func mutable(v PyValue) bool {
	switch v.Kind {
	case PyList, PyDict, PySet:
		return true
	case PyTuple, PyFrozenSet:
		for _, it := range v.Items {
			if mutable(it) {
				return true
			}
		}
	}
	return false
}

func setOp(op string, a, b PyValue) PyValue {
	ka, kb := setKeys(a.Items), setKeys(b.Items)
	out := PyValue{Kind: a.Kind}
	add := func(m map[string]PyValue, keep func(k string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if keep(k) {
				out.Items = append(out.Items, m[k])
			}
		}
	}
	switch op {
	case "-":
		add(ka, func(k string) bool { _, in := kb[k]; return !in })
	case "&":
		add(ka, func(k string) bool { _, in := kb[k]; return in })
	case "|":
		add(ka, func(string) bool { return true })
		add(kb, func(k string) bool { _, in := ka[k]; return !in })
	case "^":
		add(ka, func(k string) bool { _, in := kb[k]; return !in })
		add(kb, func(k string) bool { _, in := ka[k]; return !in })
	}
	return out
}

func numBinary(op string, a, b PyValue) (PyValue, *pyError) {
	if a.Kind == PyComplex || b.Kind == PyComplex {
		return complexBinary(op, a, b)
	}
	if a.isInt() && b.isInt() {
		return intBinary(op, a.bigInt(), b.bigInt(), a.Kind == PyBool && b.Kind == PyBool)
	}
	switch op {
	case "&", "|", "^", "<<", ">>":
		return PyValue{}, raise("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
	case "**":
		return PyValue{}, unsupported("float powers (they depend on the C library)")
	}
	x, err := a.asFloat()
	if err != nil {
		return PyValue{}, err
	}
	y, err := b.asFloat()
	if err != nil {
		return PyValue{}, err
	}
	switch op {
	case "+":
		return pyFloat(x + y), nil
	case "-":
		return pyFloat(x - y), nil
	case "*":
		return pyFloat(x * y), nil
	case "/":
		if y == 0 {
			return PyValue{}, raise("ZeroDivisionError", "float division by zero")
		}
		return pyFloat(x / y), nil
	case "//", "%":
		if y == 0 {
			return PyValue{}, raise("ZeroDivisionError", "float modulo")
		}
		div, mod := floatDivmod(x, y)
		if op == "%" {
			return pyFloat(mod), nil
		}
		return pyFloat(div), nil
	}
	return PyValue{}, unsupported("the operator %s", op)
}

// floatDivmod is CPython's _float_div_mod.
func floatDivmod(vx, wx float64) (floordiv, mod float64) {
	mod = math.Mod(vx, wx)
	div := (vx - mod) / wx
	if mod != 0 {
		if (wx < 0) != (mod < 0) {
			mod += wx
			div -= 1.0
		}
	} else {
		mod = math.Copysign(0, wx)
	}
	if div != 0 {
		floordiv = math.Floor(div)
		if div-floordiv > 0.5 {
			floordiv += 1.0
		}
	} else {
		floordiv = math.Copysign(0, vx/wx)
	}
	return floordiv, mod
}

func intBinary(op string, x, y *big.Int, bools bool) (PyValue, *pyError) {
	z := new(big.Int)
	switch op {
	case "+":
		return pyBig(z.Add(x, y)), nil
	case "-":
		return pyBig(z.Sub(x, y)), nil
	case "*":
		if x.BitLen()+y.BitLen() > 1<<22 {
			return PyValue{}, unsupported("an integer of more than %d bits", 1<<22)
		}
		return pyBig(z.Mul(x, y)), nil
	case "/":
		if y.Sign() == 0 {
			return PyValue{}, raise("ZeroDivisionError", "division by zero")
		}
		f, _ := new(big.Rat).SetFrac(x, y).Float64()
		if math.IsInf(f, 0) {
			return PyValue{}, raise("OverflowError", "integer division result too large for a float")
		}
		return pyFloat(f), nil
	case "//", "%":
		if y.Sign() == 0 {
			return PyValue{}, raise("ZeroDivisionError", "integer division or modulo by zero")
		}
		q, r := new(big.Int).QuoRem(x, y, new(big.Int))
		if r.Sign() != 0 && (r.Sign() < 0) != (y.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
			r.Add(r, y)
		}
		if op == "//" {
			return pyBig(q), nil
		}
		return pyBig(r), nil
	case "**":
		if y.Sign() < 0 {
			return PyValue{}, unsupported("negative integer powers (float results)")
		}
		if x.BitLen() > 1 && (!y.IsInt64() || int64(x.BitLen())*y.Int64() > 1<<22) {
			return PyValue{}, unsupported("an integer of more than %d bits", 1<<22)
		}
		return pyBig(z.Exp(x, y, nil)), nil
	case "&", "|", "^":
		switch op {
		case "&":
			z.And(x, y)
		case "|":
			z.Or(x, y)
		default:
			z.Xor(x, y)
		}
		if bools {
			return pyBool(z.Sign() != 0), nil
		}
		return pyBig(z), nil
	case "<<", ">>":
		if y.Sign() < 0 {
			return PyValue{}, raise("ValueError", "negative shift count")
		}
		if op == ">>" {
			if !y.IsInt64() || y.Int64() > int64(x.BitLen()) {
				if x.Sign() < 0 {
					return pyBig(big.NewInt(-1)), nil
				}
				return pyBig(z), nil
			}
			return pyBig(z.Rsh(x, uint(y.Int64()))), nil
		}
		if x.Sign() == 0 {
			return pyBig(z), nil
		}
		if !y.IsInt64() || y.Int64() > 1<<22 {
			return PyValue{}, unsupported("an integer of more than %d bits", 1<<22)
		}
		return pyBig(z.Lsh(x, uint(y.Int64()))), nil
	}
	return PyValue{}, unsupported("the operator %s", op)
}

func complexBinary(op string, a, b PyValue) (PyValue, *pyError) {
	ar, ai, err := complexOf(a)
	if err != nil {
		return PyValue{}, err
	}
	br, bi, err := complexOf(b)
	if err != nil {
		return PyValue{}, err
	}
	switch op {
	case "+":
		return PyValue{Kind: PyComplex, Float: ar + br, Imag: ai + bi}, nil
	case "-":
		return PyValue{Kind: PyComplex, Float: ar - br, Imag: ai - bi}, nil
	case "*":
		// _Py_c_prod; the conversions keep Go from fusing multiply-adds.
		return PyValue{Kind: PyComplex, Float: float64(ar*br) - float64(ai*bi), Imag: float64(ar*bi) + float64(ai*br)}, nil
	case "//", "%":
		return PyValue{}, raise("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
	}
	return PyValue{}, unsupported("complex %s", op)
}

func complexOf(v PyValue) (re, im float64, err *pyError) {
	if v.Kind == PyComplex {
		return v.Float, v.Imag, nil
	}
	f, err := v.asFloat()
	return f, 0, err
}

// pyUnary is op x for op in - + ~.
func pyUnary(op string, x PyValue) (PyValue, *pyError) {
	switch {
	case x.isInt():
		n := x.bigInt()
		switch op {
		case "-":
			return pyBig(new(big.Int).Neg(n)), nil
		case "+":
			return pyBig(new(big.Int).Set(n)), nil
		case "~":
			return pyBig(new(big.Int).Not(n)), nil
		}
	case x.Kind == PyFloat && op != "~":
		if op == "-" {
			return pyFloat(-x.Float), nil
		}
		return x, nil
	case x.Kind == PyComplex && op != "~":
		if op == "-" {
			return PyValue{Kind: PyComplex, Float: -x.Float, Imag: -x.Imag}, nil
		}
		return x, nil
	}
	return PyValue{}, raise("TypeError", "bad operand type for unary %s: '%s'", op, typeName(x))
}

// pyCompare is a op b for the comparison operators, in, not in, and is /
// is not against None, True or False.
func pyCompare(op string, a, b PyValue) (bool, *pyError) {
	switch op {
	case "==":
		return PyEqual(a, b), nil
	case "!=":
		return !PyEqual(a, b), nil
	case "in", "not in":
		in, err := contains(b, a)
		return in == (op == "in"), err
	case "is", "is not":
		same, err := identical(a, b)
		return same == (op == "is"), err
	}
	return richCompare(op, a, b)
}

// identical is `a is b` where one side is None, True or False (the
// singletons whose identity is their value).
func identical(a, b PyValue) (bool, *pyError) {
	single := func(v PyValue) bool { return v.Kind == PyNone || v.Kind == PyBool }
	if !single(a) && !single(b) {
		return false, unsupported("identity of values other than None, True and False")
	}
	if a.Kind != b.Kind {
		return false, nil
	}
	return a.Kind == PyNone || a.Bool == b.Bool, nil
}

// contains is `x in c`.
func contains(c, x PyValue) (bool, *pyError) {
	switch c.Kind {
	case PyList, PyTuple:
		for _, it := range c.Items {
			if PyEqual(it, x) {
				return true, nil
			}
		}
		return false, nil
	case PyStr:
		if x.Kind != PyStr {
			return false, raise("TypeError", "'in <string>' requires string as left operand, not %s", typeName(x))
		}
		return strings.Contains(c.Str, x.Str), nil
	case PyBytes:
		switch {
		case x.Kind == PyBytes:
			return strings.Contains(c.Str, x.Str), nil
		case x.isInt():
			n := x.bigInt()
			if !n.IsInt64() || n.Int64() < 0 || n.Int64() > 255 {
				return false, raise("ValueError", "byte must be in range(0, 256)")
			}
			return strings.IndexByte(c.Str, byte(n.Int64())) >= 0, nil
		}
		return false, raise("TypeError", "a bytes-like object is required, not '%s'", typeName(x))
	case PyDict, PySet, PyFrozenSet:
		if !hashable(x) {
			return false, raise("TypeError", "unhashable type: '%s'", typeName(x))
		}
		items := c.Items
		if c.Kind == PyDict {
			items = c.Keys
		}
		k := hashKey(x)
		for _, it := range items {
			if hashKey(it) == k && PyEqual(it, x) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, raise("TypeError", "argument of type '%s' is not iterable", typeName(c))
}

// richCompare is a op b for < <= > >=.
func richCompare(op string, a, b PyValue) (bool, *pyError) {
	fail := raise("TypeError", "'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
	switch {
	case a.isReal() && b.isReal():
		c, ok := numCompare(a, b)
		if !ok {
			return false, nil // NaN
		}
		return cmpResult(op, c), nil
	case a.Kind == PyStr && b.Kind == PyStr, a.Kind == PyBytes && b.Kind == PyBytes:
		return cmpResult(op, strings.Compare(a.Str, b.Str)), nil
	case (a.Kind == PyList && b.Kind == PyList) || (a.Kind == PyTuple && b.Kind == PyTuple):
		for i := 0; i < len(a.Items) && i < len(b.Items); i++ {
			if !PyEqual(a.Items[i], b.Items[i]) {
				return richCompare(op, a.Items[i], b.Items[i])
			}
		}
		return cmpResult(op, len(a.Items)-len(b.Items)), nil
	case isSetKind(a) && isSetKind(b):
		ka, kb := setKeys(a.Items), setKeys(b.Items)
		sub := func(x, y map[string]PyValue) bool {
			for k := range x {
				if _, ok := y[k]; !ok {
					return false
				}
			}
			return true
		}
		switch op {
		case "<=":
			return sub(ka, kb), nil
		case "<":
			return len(ka) < len(kb) && sub(ka, kb), nil
		case ">=":
			return sub(kb, ka), nil
		default:
			return len(kb) < len(ka) && sub(kb, ka), nil
		}
	}
	return false, fail
}

func cmpResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// numCompare compares two real numbers exactly (as CPython compares ints
// with floats); ok is false when one is NaN.
func numCompare(a, b PyValue) (int, bool) {
	if a.Kind == PyFloat && math.IsNaN(a.Float) || b.Kind == PyFloat && math.IsNaN(b.Float) {
		return 0, false
	}
	if a.Kind == PyFloat && b.Kind == PyFloat {
		switch {
		case a.Float < b.Float:
			return -1, true
		case a.Float > b.Float:
			return 1, true
		}
		return 0, true
	}
	if a.isInt() && b.isInt() {
		return a.bigInt().Cmp(b.bigInt()), true
	}
	toBig := func(v PyValue) *big.Float {
		if v.Kind == PyFloat {
			return new(big.Float).SetFloat64(v.Float) // ±Inf is allowed
		}
		return new(big.Float).SetInt(v.bigInt())
	}
	return toBig(a).Cmp(toBig(b)), true
}

// iterate returns the items `for x in v` visits.
func iterate(v PyValue) ([]PyValue, *pyError) {
	switch v.Kind {
	case PyList, PyTuple:
		return v.Items, nil
	case PyDict:
		return v.Keys, nil
	case PyStr:
		out := make([]PyValue, 0, len(v.Str))
		for _, r := range v.Str {
			out = append(out, PyValue{Kind: PyStr, Str: string(r)})
		}
		return out, nil
	case PyBytes:
		out := make([]PyValue, len(v.Str))
		for i := 0; i < len(v.Str); i++ {
			out[i] = pyInt(int64(v.Str[i]))
		}
		return out, nil
	case PySet, PyFrozenSet:
		if len(v.Items) > 1 {
			return nil, unsupported("the iteration order of a set")
		}
		return v.Items, nil
	}
	return nil, raise("TypeError", "'%s' object is not iterable", typeName(v))
}

// builtinLen is len(v).
func builtinLen(v PyValue) (PyValue, *pyError) {
	switch v.Kind {
	case PyStr:
		return pyInt(int64(utf8.RuneCountInString(v.Str))), nil
	case PyBytes:
		return pyInt(int64(len(v.Str))), nil
	case PyList, PyTuple, PySet, PyFrozenSet:
		return pyInt(int64(len(v.Items))), nil
	case PyDict:
		return pyInt(int64(len(v.Keys))), nil
	}
	return PyValue{}, raise("TypeError", "object of type '%s' has no len()", typeName(v))
}

func builtinAbs(v PyValue) (PyValue, *pyError) {
	switch {
	case v.isInt():
		return pyBig(new(big.Int).Abs(v.bigInt())), nil
	case v.Kind == PyFloat:
		return pyFloat(math.Abs(v.Float)), nil
	case v.Kind == PyComplex:
		return PyValue{}, unsupported("abs of a complex number (libm's hypot)")
	}
	return PyValue{}, raise("TypeError", "bad operand type for abs(): '%s'", typeName(v))
}

// builtinStr is str(v) for the values whose str scalebox writes exactly.
func builtinStr(v PyValue) (PyValue, *pyError) {
	switch v.Kind {
	case PyStr:
		return v, nil
	case PyNone:
		return PyValue{Kind: PyStr, Str: "None"}, nil
	case PyBool:
		if v.Bool {
			return PyValue{Kind: PyStr, Str: "True"}, nil
		}
		return PyValue{Kind: PyStr, Str: "False"}, nil
	case PyInt:
		s := v.Int.String()
		if len(strings.TrimPrefix(s, "-")) > 4300 {
			return PyValue{}, unsupported("str of an int of more than 4300 digits (Python's limit depends on its version and settings)")
		}
		return PyValue{Kind: PyStr, Str: s}, nil
	case PyFloat:
		return PyValue{Kind: PyStr, Str: floatRepr(v.Float)}, nil
	}
	return PyValue{}, unsupported("str of a %s", typeName(v))
}

// floatRepr is Python's repr of a float: the shortest digits that read
// back as it, in positional notation for exponents from -4 to 15.
func floatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // the value is 0.digits × 10^decpt
	if decpt > 16 || decpt < -3 {
		out := digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		es := fmt.Sprintf("%+03d", exp)
		return sign + out + "e" + es
	}
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	}
	return sign + digits[:decpt] + "." + digits[decpt:]
}

var (
	pyIntText   = regexp.MustCompile(`^[+-]?[0-9](?:_?[0-9])*$`)
	pyFloatText = regexp.MustCompile(`^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$`)
)

// pyStrip is str.strip() for ASCII whitespace; other whitespace is left to
// Python (unsupported).
func pyStrip(s string) (string, bool) {
	t := strings.Trim(s, " \t\n\r\v\f")
	for _, r := range t {
		if r >= 0x80 {
			return "", false
		}
	}
	return t, true
}

func builtinInt(v PyValue) (PyValue, *pyError) {
	switch {
	case v.isInt():
		return pyBig(new(big.Int).Set(v.bigInt())), nil
	case v.Kind == PyFloat:
		if math.IsNaN(v.Float) {
			return PyValue{}, raise("ValueError", "cannot convert float NaN to integer")
		}
		if math.IsInf(v.Float, 0) {
			return PyValue{}, raise("OverflowError", "cannot convert float infinity to integer")
		}
		n, _ := new(big.Float).SetFloat64(math.Trunc(v.Float)).Int(nil)
		return pyBig(n), nil
	case v.Kind == PyStr:
		t, ok := pyStrip(v.Str)
		if !ok {
			return PyValue{}, unsupported("int() of non-ASCII text")
		}
		if !pyIntText.MatchString(t) {
			return PyValue{}, raise("ValueError", "invalid literal for int() with base 10: %s", strReprShort(v.Str))
		}
		n, _ := new(big.Int).SetString(strings.ReplaceAll(strings.TrimPrefix(t, "+"), "_", ""), 10)
		return pyBig(n), nil
	}
	return PyValue{}, raise("TypeError", "int() argument must be a string, a bytes-like object or a real number, not '%s'", typeName(v))
}

func builtinFloat(v PyValue) (PyValue, *pyError) {
	switch {
	case v.isReal():
		f, err := v.asFloat()
		return pyFloat(f), err
	case v.Kind == PyStr:
		t, ok := pyStrip(v.Str)
		if !ok {
			return PyValue{}, unsupported("float() of non-ASCII text")
		}
		low := strings.ToLower(strings.TrimLeft(t, "+-"))
		neg := strings.HasPrefix(t, "-")
		switch {
		case low == "nan" && len(t)-len(low) <= 1:
			return pyFloat(math.NaN()), nil
		case (low == "inf" || low == "infinity") && len(t)-len(low) <= 1:
			if neg {
				return pyFloat(math.Inf(-1)), nil
			}
			return pyFloat(math.Inf(1)), nil
		case pyFloatText.MatchString(t):
			f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
			if err != nil && !math.IsInf(f, 0) {
				return PyValue{}, raise("ValueError", "could not convert string to float: %s", strReprShort(v.Str))
			}
			return pyFloat(f), nil
		}
		return PyValue{}, raise("ValueError", "could not convert string to float: %s", strReprShort(v.Str))
	}
	return PyValue{}, raise("TypeError", "float() argument must be a string or a real number, not '%s'", typeName(v))
}

func strReprShort(s string) string {
	return PyValue{Kind: PyStr, Str: s}.Repr(60)
}

// toList is list(v); kind makes it a tuple.
func toSequence(v PyValue, kind PyKind) (PyValue, *pyError) {
	items, err := iterate(v)
	if err != nil {
		return PyValue{}, err
	}
	return PyValue{Kind: kind, Items: append([]PyValue(nil), items...)}, nil
}

// toSet is set(v) or frozenset(v).
func toSet(v PyValue, kind PyKind) (PyValue, *pyError) {
	var items []PyValue
	if isSetKind(v) {
		items = v.Items
	} else {
		var err *pyError
		if items, err = iterate(v); err != nil {
			return PyValue{}, err
		}
	}
	seen := map[string]bool{}
	out := PyValue{Kind: kind}
	for _, it := range items {
		if !hashable(it) {
			return PyValue{}, raise("TypeError", "unhashable type: '%s'", typeName(it))
		}
		if k := hashKey(it); !seen[k] {
			seen[k] = true
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}

// allItems returns the items of an iterable, a set's in any order (for
// functions whose result does not depend on it).
func allItems(v PyValue) ([]PyValue, *pyError) {
	if isSetKind(v) {
		return v.Items, nil
	}
	return iterate(v)
}

func builtinSorted(v PyValue) (PyValue, *pyError) {
	items, err := allItems(v)
	if err != nil {
		return PyValue{}, err
	}
	out := append([]PyValue(nil), items...)
	for _, it := range out {
		if it.Kind == PyFloat && math.IsNaN(it.Float) {
			return PyValue{}, unsupported("sorting NaN (the order depends on the sort algorithm)")
		}
	}
	var cmpErr *pyError
	sort.SliceStable(out, func(i, j int) bool {
		less, err := richCompare("<", out[i], out[j])
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return less
	})
	if cmpErr != nil {
		return PyValue{}, cmpErr
	}
	return PyValue{Kind: PyList, Items: out}, nil
}

// builtinMinMax is min(items) or max(items): the first smallest or largest.
func builtinMinMax(name string, items []PyValue) (PyValue, *pyError) {
	if len(items) == 0 {
		return PyValue{}, raise("ValueError", "%s() arg is an empty sequence", name)
	}
	op := "<"
	if name == "max" {
		op = ">"
	}
	best := items[0]
	for _, it := range items[1:] {
		better, err := richCompare(op, it, best)
		if err != nil {
			return PyValue{}, err
		}
		if better {
			best = it
		}
	}
	return best, nil
}

// builtinSum is sum(items, start) for integers; a float sum depends on the
// Python version (3.12 compensates rounding errors).
func builtinSum(items []PyValue, start PyValue) (PyValue, *pyError) {
	acc := start
	for _, it := range items {
		if !it.isInt() || !acc.isInt() {
			if isSequence(acc) || acc.Kind == PyStr {
				return PyValue{}, raise("TypeError", "sum() can't sum strings")
			}
			if it.isNumber() && acc.isNumber() {
				return PyValue{}, unsupported("summing floats (the result depends on the Python version)")
			}
			return PyValue{}, raise("TypeError", "unsupported operand type(s) for +: '%s' and '%s'", typeName(acc), typeName(it))
		}
		acc = pyBig(new(big.Int).Add(acc.bigInt(), it.bigInt()))
	}
	if acc.Kind == PyBool {
		acc = pyBig(acc.bigInt())
	}
	return acc, nil
}

// mathIsClose is math.isclose (CPython's math_isclose_impl).
func mathIsClose(a, b PyValue, relTol, absTol float64) (PyValue, *pyError) {
	if !a.isReal() || !b.isReal() {
		bad := a
		if a.isReal() {
			bad = b
		}
		return PyValue{}, raise("TypeError", "must be real number, not %s", typeName(bad))
	}
	x, err := a.asFloat()
	if err != nil {
		return PyValue{}, err
	}
	y, err := b.asFloat()
	if err != nil {
		return PyValue{}, err
	}
	if relTol < 0 || absTol < 0 {
		return PyValue{}, raise("ValueError", "tolerances must be non-negative")
	}
	if x == y {
		return pyBool(true), nil
	}
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		return pyBool(false), nil
	}
	diff := math.Abs(y - x)
	return pyBool(diff <= math.Abs(float64(relTol*y)) || diff <= math.Abs(float64(relTol*x)) || diff <= absTol), nil
}

// renderPy writes v as Python source that evaluates to an equal value of
// the same type (names it uses: float, complex, set, frozenset).
func renderPy(v PyValue) (string, error) {
	var b strings.Builder
	if err := writePy(&b, v, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writePy(b *strings.Builder, v PyValue, depth int) error {
	if depth > maxPyDepth {
		return fmt.Errorf("value nested too deeply")
	}
	seq := func(open, close string, items []PyValue) error {
		b.WriteString(open)
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writePy(b, it, depth+1); err != nil {
				return err
			}
		}
		if len(items) == 1 && open == "(" {
			b.WriteString(",")
		}
		b.WriteString(close)
		return nil
	}
	switch v.Kind {
	case PyNone:
		b.WriteString("None")
	case PyBool:
		b.WriteString(map[bool]string{true: "True", false: "False"}[v.Bool])
	case PyInt:
		b.WriteString(v.Int.String())
	case PyFloat:
		b.WriteString(floatSource(v.Float))
	case PyComplex:
		b.WriteString("complex(" + floatSource(v.Float) + ", " + floatSource(v.Imag) + ")")
	case PyStr:
		b.WriteString(quotePy(v.Str, false))
	case PyBytes:
		b.WriteString("b" + quotePy(v.Str, true))
	case PyList:
		return seq("[", "]", v.Items)
	case PyTuple:
		return seq("(", ")", v.Items)
	case PySet:
		if len(v.Items) == 0 {
			b.WriteString("set()")
			return nil
		}
		return seq("{", "}", v.Items)
	case PyFrozenSet:
		if len(v.Items) == 0 {
			b.WriteString("frozenset()")
			return nil
		}
		return seq("frozenset({", "})", v.Items)
	case PyDict:
		b.WriteString("{")
		for i := range v.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writePy(b, v.Keys[i], depth+1); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := writePy(b, v.Vals[i], depth+1); err != nil {
				return err
			}
		}
		b.WriteString("}")
	default:
		return fmt.Errorf("a %s object cannot be written as Python source", typeName(v))
	}
	return nil
}

func floatSource(f float64) string {
	switch {
	case math.IsNaN(f):
		return "float('nan')"
	case math.IsInf(f, 1):
		return "float('inf')"
	case math.IsInf(f, -1):
		return "float('-inf')"
	}
	return floatRepr(f)
}

// quotePy writes s as a double-quoted Python literal with only ASCII in it.
func quotePy(s string, bytesLit bool) string {
	var b strings.Builder
	b.WriteByte('"')
	if bytesLit {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' || c == '"':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c >= 0x20 && c < 0x7f:
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "\\x%02x", c)
			}
		}
	} else {
		for _, r := range s {
			switch {
			case r == '\\' || r == '"':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r >= 0x20 && r < 0x7f:
				b.WriteRune(r)
			case r < 0x100:
				fmt.Fprintf(&b, "\\x%02x", r)
			case r < 0x10000:
				fmt.Fprintf(&b, "\\u%04x", r)
			default:
				fmt.Fprintf(&b, "\\U%08x", r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
