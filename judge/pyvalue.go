package judge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/scalebox-dev/scalebox/internal/jsonx"
)

// PyKind is the type of a Python value carried across the sandbox boundary.
type PyKind uint8

// Python value kinds. Opaque stands for an object that is not plain data
// (an instance of a user class): it equals nothing, itself included.
const (
	PyNone PyKind = iota
	PyBool
	PyInt
	PyFloat
	PyComplex
	PyStr
	PyBytes
	PyList
	PyTuple
	PyDict
	PySet
	PyFrozenSet
	PyOpaque
)

var pyKindNames = [...]string{"NoneType", "bool", "int", "float", "complex", "str", "bytes", "list", "tuple", "dict", "set", "frozenset", "object"}

func (k PyKind) String() string { return pyKindNames[k] }

// PyValue is a Python value serialised inside the sandbox and compared
// outside it, so that a program cannot lie about equality (__eq__).
//
// The wire format is JSON: null, true/false, an integer literal (int), a
// literal with "." or "e" (float), a string (str), an array (list), and
// objects for the rest: {"tuple": [...]}, {"set": [...]},
// {"frozenset": [...]}, {"dict": [[k, v], ...]}, {"float": "nan"|"inf"|"-inf"},
// {"int": "<digits>"}, {"complex": ["<real>", "<imag>"]}, {"bytes": "<base64>"},
// {"opaque": "<type name>"}.
type PyValue struct {
	Kind  PyKind
	Bool  bool
	Int   *big.Int
	Float float64
	Imag  float64 // complex: Float is the real part
	Str   string  // str; bytes as raw bytes; opaque: the type name
	Items []PyValue
	// Keys and Vals hold a dict's items in order.
	Keys, Vals []PyValue
}

// maxPyDepth bounds nesting when decoding.
const maxPyDepth = 200

// DecodePyValue parses the wire format.
func DecodePyValue(data []byte) (PyValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return PyValue{}, fmt.Errorf("decode value: %w", err)
	}
	return pyFromJSON(raw, 0)
}

// PyFromJSON converts a plain JSON document (as a dataset stores inputs,
// including Python's NaN, Infinity and -Infinity) into Python values:
// numbers with "." or an exponent are floats, others ints; arrays are
// lists; objects are dicts with string keys.
func PyFromJSON(data []byte) (PyValue, error) {
	return plainFromJSON(bytes.TrimSpace(data), 0)
}

func plainFromJSON(data []byte, depth int) (PyValue, error) {
	if depth > maxPyDepth {
		return PyValue{}, fmt.Errorf("value nested deeper than %d", maxPyDepth)
	}
	if len(data) == 0 {
		return PyValue{}, fmt.Errorf("empty JSON value")
	}
	switch data[0] {
	case '[':
		items, err := jsonx.Array(data)
		if err != nil {
			return PyValue{}, err
		}
		v := PyValue{Kind: PyList, Items: make([]PyValue, len(items))}
		for i, it := range items {
			if v.Items[i], err = plainFromJSON(it, depth+1); err != nil {
				return PyValue{}, err
			}
		}
		return v, nil
	case '{':
		members, err := jsonx.Object(data)
		if err != nil {
			return PyValue{}, err
		}
		keys := make([]string, 0, len(members))
		for k := range members {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		v := PyValue{Kind: PyDict}
		for _, k := range keys {
			item, err := plainFromJSON(members[k], depth+1)
			if err != nil {
				return PyValue{}, err
			}
			v.Keys = append(v.Keys, PyValue{Kind: PyStr, Str: k})
			v.Vals = append(v.Vals, item)
		}
		return v, nil
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return PyValue{}, err
		}
		return PyValue{Kind: PyStr, Str: s}, nil
	}
	switch string(data) {
	case "true", "false":
		return PyValue{Kind: PyBool, Bool: data[0] == 't'}, nil
	case "null":
		return PyValue{Kind: PyNone}, nil
	case "NaN":
		return PyValue{Kind: PyFloat, Float: math.NaN()}, nil
	case "Infinity":
		return PyValue{Kind: PyFloat, Float: math.Inf(1)}, nil
	case "-Infinity":
		return PyValue{Kind: PyFloat, Float: math.Inf(-1)}, nil
	}
	return numberValue(string(data))
}

func pyFromJSON(raw any, depth int) (PyValue, error) {
	if depth > maxPyDepth {
		return PyValue{}, fmt.Errorf("value nested deeper than %d", maxPyDepth)
	}
	switch x := raw.(type) {
	case nil:
		return PyValue{Kind: PyNone}, nil
	case bool:
		return PyValue{Kind: PyBool, Bool: x}, nil
	case json.Number:
		return numberValue(string(x))
	case string:
		return PyValue{Kind: PyStr, Str: x}, nil
	case []any:
		return seqValue(PyList, x, depth)
	case map[string]any:
		if len(x) != 1 {
			return PyValue{}, fmt.Errorf("tagged value must have one key, has %d", len(x))
		}
		for tag, body := range x {
			return taggedValue(tag, body, depth)
		}
	}
	return PyValue{}, fmt.Errorf("unexpected JSON value %T", raw)
}

func numberValue(lit string) (PyValue, error) {
	if strings.ContainsAny(lit, ".eE") {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return PyValue{}, fmt.Errorf("float %q: %w", lit, err)
		}
		return PyValue{Kind: PyFloat, Float: f}, nil
	}
	n, ok := new(big.Int).SetString(lit, 10)
	if !ok {
		return PyValue{}, fmt.Errorf("int %q is not an integer", lit)
	}
	return PyValue{Kind: PyInt, Int: n}, nil
}

func seqValue(kind PyKind, items []any, depth int) (PyValue, error) {
	v := PyValue{Kind: kind, Items: make([]PyValue, len(items))}
	for i, e := range items {
		item, err := pyFromJSON(e, depth+1)
		if err != nil {
			return PyValue{}, err
		}
		v.Items[i] = item
	}
	return v, nil
}

func taggedValue(tag string, body any, depth int) (PyValue, error) {
	str := func() (string, error) {
		s, ok := body.(string)
		if !ok {
			return "", fmt.Errorf("%s: want a string", tag)
		}
		return s, nil
	}
	switch tag {
	case "tuple", "set", "frozenset":
		items, ok := body.([]any)
		if !ok {
			return PyValue{}, fmt.Errorf("%s: want an array", tag)
		}
		kind := map[string]PyKind{"tuple": PyTuple, "set": PySet, "frozenset": PyFrozenSet}[tag]
		return seqValue(kind, items, depth)
	case "dict":
		pairs, ok := body.([]any)
		if !ok {
			return PyValue{}, fmt.Errorf("dict: want an array of pairs")
		}
		v := PyValue{Kind: PyDict}
		for _, p := range pairs {
			kv, ok := p.([]any)
			if !ok || len(kv) != 2 {
				return PyValue{}, fmt.Errorf("dict: want [key, value] pairs")
			}
			k, err := pyFromJSON(kv[0], depth+1)
			if err != nil {
				return PyValue{}, err
			}
			val, err := pyFromJSON(kv[1], depth+1)
			if err != nil {
				return PyValue{}, err
			}
			v.Keys, v.Vals = append(v.Keys, k), append(v.Vals, val)
		}
		return v, nil
	case "float":
		s, err := str()
		if err != nil {
			return PyValue{}, err
		}
		f, err := parsePyFloat(s)
		return PyValue{Kind: PyFloat, Float: f}, err
	case "int", "int16":
		s, err := str()
		if err != nil {
			return PyValue{}, err
		}
		base := 10
		if tag == "int16" {
			base = 16
		}
		n, ok := new(big.Int).SetString(s, base)
		if !ok {
			return PyValue{}, fmt.Errorf("int %q is not an integer", s)
		}
		return PyValue{Kind: PyInt, Int: n}, nil
	case "complex":
		parts, ok := body.([]any)
		if !ok || len(parts) != 2 {
			return PyValue{}, fmt.Errorf("complex: want [real, imag]")
		}
		var fs [2]float64
		for i, p := range parts {
			s, ok := p.(string)
			if !ok {
				return PyValue{}, fmt.Errorf("complex: parts must be strings")
			}
			f, err := parsePyFloat(s)
			if err != nil {
				return PyValue{}, err
			}
			fs[i] = f
		}
		return PyValue{Kind: PyComplex, Float: fs[0], Imag: fs[1]}, nil
	case "bytes":
		s, err := str()
		if err != nil {
			return PyValue{}, err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return PyValue{}, fmt.Errorf("bytes: %w", err)
		}
		return PyValue{Kind: PyBytes, Str: string(b)}, nil
	case "opaque":
		s, err := str()
		if err != nil {
			return PyValue{}, err
		}
		return PyValue{Kind: PyOpaque, Str: s}, nil
	}
	return PyValue{}, fmt.Errorf("unknown value tag %q", tag)
}

// parsePyFloat parses Python's repr of a float, including nan and inf.
func parsePyFloat(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "inf", "+inf", "infinity":
		return math.Inf(1), nil
	case "-inf", "-infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("float %q: %w", s, err)
	}
	return f, nil
}

func (v PyValue) isNumber() bool {
	return v.Kind == PyBool || v.Kind == PyInt || v.Kind == PyFloat || v.Kind == PyComplex
}

// bigInt returns an int or bool value as an integer.
func (v PyValue) bigInt() *big.Int {
	if v.Kind == PyBool {
		if v.Bool {
			return big.NewInt(1)
		}
		return big.NewInt(0)
	}
	return v.Int
}

// PyEqual is Python's ==: numbers compare by value across bool, int, float
// and complex (exactly, as CPython does); list and tuple never equal each
// other; dicts and sets compare as collections; NaN equals nothing.
func PyEqual(a, b PyValue) bool {
	if a.isNumber() && b.isNumber() {
		return numEqual(a, b)
	}
	switch {
	case a.Kind == PySet || a.Kind == PyFrozenSet:
		if b.Kind != PySet && b.Kind != PyFrozenSet {
			return false
		}
		return setEqual(a.Items, b.Items)
	case a.Kind != b.Kind:
		return false
	}
	switch a.Kind {
	case PyNone:
		return true
	case PyStr, PyBytes:
		return a.Str == b.Str
	case PyList, PyTuple:
		if len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if !PyEqual(a.Items[i], b.Items[i]) {
				return false
			}
		}
		return true
	case PyDict:
		if len(a.Keys) != len(b.Keys) {
			return false
		}
		idx := map[string]int{}
		for i, k := range b.Keys {
			idx[hashKey(k)] = i
		}
		for i, k := range a.Keys {
			j, ok := idx[hashKey(k)]
			if !ok || !PyEqual(k, b.Keys[j]) || !PyEqual(a.Vals[i], b.Vals[j]) {
				return false
			}
		}
		return true
	}
	return false // opaque
}

func numEqual(a, b PyValue) bool {
	if a.Kind == PyComplex || b.Kind == PyComplex {
		ar, ai := a.complexParts()
		br, bi := b.complexParts()
		return numEqual(ar, br) && ai == bi
	}
	if a.Kind == PyFloat && b.Kind == PyFloat {
		return a.Float == b.Float
	}
	if a.Kind != PyFloat && b.Kind != PyFloat {
		return a.bigInt().Cmp(b.bigInt()) == 0
	}
	// int vs float: exact, as CPython compares them.
	f, n := a, b
	if b.Kind == PyFloat {
		f, n = b, a
	}
	if math.IsNaN(f.Float) || math.IsInf(f.Float, 0) {
		return false
	}
	bf := new(big.Float).SetFloat64(f.Float)
	if !bf.IsInt() {
		return false
	}
	i, _ := bf.Int(nil)
	return i.Cmp(n.bigInt()) == 0
}

// complexParts returns the real part as a value and the imaginary part.
func (v PyValue) complexParts() (PyValue, float64) {
	if v.Kind == PyComplex {
		return PyValue{Kind: PyFloat, Float: v.Float}, v.Imag
	}
	return v, 0
}

func setEqual(a, b []PyValue) bool {
	ka, kb := setKeys(a), setKeys(b)
	if len(ka) != len(kb) {
		return false
	}
	for k, va := range ka {
		vb, ok := kb[k]
		if !ok || !PyEqual(va, vb) {
			return false
		}
	}
	return true
}

// setKeys collapses items equal under Python's hash and == into one.
func setKeys(items []PyValue) map[string]PyValue {
	m := make(map[string]PyValue, len(items))
	for _, it := range items {
		m[hashKey(it)] = it
	}
	return m
}

// hashKey is a string equal for values Python treats as the same key
// (1, 1.0 and True; frozensets in any order). NaN gets a unique key.
func hashKey(v PyValue) string {
	var b strings.Builder
	writeKey(&b, v)
	return b.String()
}

// uniqueSeq numbers values that must not collide with any other key.
var uniqueSeq atomic.Int64

func writeKey(b *strings.Builder, v PyValue) {
	switch v.Kind {
	case PyNone:
		b.WriteString("N")
	case PyBool, PyInt:
		b.WriteString("n")
		b.WriteString(v.bigInt().String())
	case PyFloat:
		switch {
		case math.IsNaN(v.Float):
			fmt.Fprintf(b, "nan#%d", uniqueSeq.Add(1))
		case !math.IsInf(v.Float, 0) && v.Float == math.Trunc(v.Float):
			i, _ := new(big.Float).SetFloat64(v.Float).Int(nil)
			b.WriteString("n")
			b.WriteString(i.String())
		default:
			b.WriteString("f")
			b.WriteString(strconv.FormatFloat(v.Float, 'g', -1, 64))
		}
	case PyComplex:
		if v.Imag == 0 {
			writeKey(b, PyValue{Kind: PyFloat, Float: v.Float})
			return
		}
		fmt.Fprintf(b, "c%v,%v", v.Float, v.Imag)
	case PyStr:
		b.WriteString("s")
		b.WriteString(strconv.Quote(v.Str))
	case PyBytes:
		b.WriteString("b")
		b.WriteString(strconv.Quote(v.Str))
	case PyTuple, PyList:
		b.WriteString("(")
		for _, it := range v.Items {
			writeKey(b, it)
			b.WriteString(",")
		}
		b.WriteString(")")
	case PyFrozenSet, PySet:
		keys := make([]string, 0, len(v.Items))
		for k := range setKeys(v.Items) {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{" + strings.Join(keys, ",") + "}")
	default:
		fmt.Fprintf(b, "obj#%d", uniqueSeq.Add(1))
	}
}

// Repr renders v like Python's repr, shortened to about max bytes.
func (v PyValue) Repr(max int) string {
	var b strings.Builder
	v.repr(&b, max)
	s := b.String()
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func (v PyValue) repr(b *strings.Builder, max int) {
	if b.Len() > max {
		return
	}
	seq := func(open, close string, items []PyValue) {
		b.WriteString(open)
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > max {
				b.WriteString("...")
				break
			}
			it.repr(b, max)
		}
		if len(items) == 1 && open == "(" {
			b.WriteString(",")
		}
		b.WriteString(close)
	}
	switch v.Kind {
	case PyNone:
		b.WriteString("None")
	case PyBool:
		if v.Bool {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case PyInt:
		b.WriteString(v.Int.String())
	case PyFloat:
		b.WriteString(pyFloatRepr(v.Float))
	case PyComplex:
		fmt.Fprintf(b, "(%s%+sj)", pyFloatRepr(v.Float), pyFloatRepr(v.Imag))
	case PyStr:
		b.WriteString(strconv.Quote(v.Str))
	case PyBytes:
		b.WriteString("b" + strconv.Quote(v.Str))
	case PyList:
		seq("[", "]", v.Items)
	case PyTuple:
		seq("(", ")", v.Items)
	case PySet:
		if len(v.Items) == 0 {
			b.WriteString("set()")
			return
		}
		seq("{", "}", v.Items)
	case PyFrozenSet:
		seq("frozenset({", "})", v.Items)
	case PyDict:
		b.WriteString("{")
		for i := range v.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > max {
				b.WriteString("...")
				break
			}
			v.Keys[i].repr(b, max)
			b.WriteString(": ")
			v.Vals[i].repr(b, max)
		}
		b.WriteString("}")
	case PyOpaque:
		b.WriteString("<" + v.Str + " object>")
	}
}

func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}
