// Package pickle decodes the data-only subset of Python's pickle format
// (protocols 0 to 5) that benchmark files use, LiveCodeBench's test cases
// above all. It never imports or calls anything: opcodes that would (GLOBAL,
// STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, PERSID,
// BINPERSID, EXT1/2/4) are errors, and so are sets, bytearrays and
// out-of-band buffers.
//
// Values decode to Go as follows: None → nil; bool → bool; int → int64, or
// *big.Int when it does not fit; float → float64; str → string; bytes →
// []byte; list and tuple → []any; dict with str keys → map[string]any.
// Protocol 0–2 byte strings (STRING, BINSTRING, SHORT_BINSTRING) decode to
// string as Python 3's pickle.loads does by default (encoding="ASCII"), so a
// non-ASCII byte in one is an error. Objects that the pickle shares through
// its memo stay shared (the same slice or map); a structure that contains
// itself is an error.
package pickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HighestProtocol is the newest pickle protocol Decode reads.
const HighestProtocol = 5

// MaxDepth is how deeply containers may nest in a decoded value.
const MaxDepth = 1000

// MaxOpcodes bounds the opcodes a pickle may run. Each creates at most one
// object, MARK or memo entry (a str, however long, is one object), so this
// bounds the memory Decode needs beyond the bytes of its strings to about
// 150 bytes per opcode.
const MaxOpcodes = 1 << 20

// Decode decodes one pickled value from data and ignores any bytes after its
// STOP opcode, as pickle.loads does. Every length the pickle declares is
// checked against the input that remains, and a pickle may run at most
// MaxOpcodes opcodes, so Decode needs memory for a copy of the input plus at
// most about 150 MiB. Decode is safe for concurrent use.
func Decode(data []byte) (any, error) {
	d := &decoder{data: data, memo: map[int64]any{}}
	v, err := d.run()
	if err != nil {
		return nil, err
	}
	out, _, err := export(v, 0)
	if err != nil {
		return nil, fmt.Errorf("pickle: %w", err)
	}
	return out, nil
}

// Containers while decoding are pointers, so that objects shared through the
// memo stay shared when a later opcode changes one of them.
type (
	list  struct{ exported }
	tuple struct{ exported }
	dict  struct {
		m map[string]any
		conversion
	}
	exported struct {
		items []any
		conversion
	}
	// conversion is a container's progress through export.
	conversion struct {
		state  uint8
		height int // levels of containers, this one included
		out    any // the converted container
	}
)

// Conversion states of a container.
const (
	unvisited uint8 = iota
	visiting
	done
)

// export converts a decoded value at the given depth into plain Go values,
// converting each container once, and returns the value and its height.
func export(v any, depth int) (any, int, error) {
	var (
		c     *conversion
		items *[]any          // a list's or tuple's
		m     *map[string]any // a dict's
	)
	switch x := v.(type) {
	case *list:
		c, items = &x.conversion, &x.items
	case *tuple:
		c, items = &x.conversion, &x.items
	case *dict:
		c, m = &x.conversion, &x.m
	default:
		return v, 0, nil
	}
	switch c.state {
	case visiting:
		return nil, 0, fmt.Errorf("a %s contains itself: recursive structures are not supported", typeName(v))
	case done:
		// A shared container may be reached again, deeper than before.
		if depth+c.height > MaxDepth {
			return nil, 0, fmt.Errorf("containers nest deeper than %d", MaxDepth)
		}
		return c.out, c.height, nil
	}
	if depth >= MaxDepth {
		return nil, 0, fmt.Errorf("containers nest deeper than %d", MaxDepth)
	}
	c.state = visiting
	height := 0
	if items != nil {
		out := make([]any, len(*items))
		for i, item := range *items {
			y, h, err := export(item, depth+1)
			if err != nil {
				return nil, 0, err
			}
			out[i], height = y, max(height, h)
		}
		c.out, *items = out, nil
	} else {
		out := make(map[string]any, len(*m))
		for k, item := range *m {
			y, h, err := export(item, depth+1)
			if err != nil {
				return nil, 0, err
			}
			out[k], height = y, max(height, h)
		}
		c.out, *m = out, nil
	}
	c.state, c.height = done, height+1
	return c.out, c.height, nil
}

// decoder is the pickle virtual machine, without the parts that run code.
type decoder struct {
	data  []byte
	pos   int   // next byte to read
	at    int   // offset of the opcode being run
	op    byte  // the opcode being run
	stack []any // the objects
	marks []int // stack lengths at each MARK
	memo  map[int64]any
	ops   int // opcodes run, against MaxOpcodes
}

// errorf returns an error that names the current opcode and its offset.
func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("pickle: offset %d: %s: %s", d.at, opName(d.op), fmt.Sprintf(format, args...))
}

// run executes opcodes up to STOP and returns the value it pops.
func (d *decoder) run() (any, error) {
	for {
		if d.pos >= len(d.data) {
			return nil, fmt.Errorf("pickle: offset %d: truncated: no STOP opcode", d.pos)
		}
		d.at, d.op = d.pos, d.data[d.pos]
		d.pos++
		if d.ops++; d.ops > MaxOpcodes {
			return nil, d.errorf("more than %d opcodes: too large to decode", MaxOpcodes)
		}
		if d.op == opStop {
			return d.pop()
		}
		if err := d.step(); err != nil {
			return nil, err
		}
	}
}

// Opcodes, as named in CPython's Lib/pickle.py.
const (
	opMark            = '('
	opStop            = '.'
	opPop             = '0'
	opPopMark         = '1'
	opDup             = '2'
	opFloat           = 'F'
	opInt             = 'I'
	opBinInt          = 'J'
	opBinInt1         = 'K'
	opLong            = 'L'
	opBinInt2         = 'M'
	opNone            = 'N'
	opString          = 'S'
	opBinString       = 'T'
	opShortBinString  = 'U'
	opUnicode         = 'V'
	opBinUnicode      = 'X'
	opAppend          = 'a'
	opDict            = 'd'
	opEmptyDict       = '}'
	opAppends         = 'e'
	opGet             = 'g'
	opBinGet          = 'h'
	opLongBinGet      = 'j'
	opList            = 'l'
	opEmptyList       = ']'
	opPut             = 'p'
	opBinPut          = 'q'
	opLongBinPut      = 'r'
	opSetItem         = 's'
	opTuple           = 't'
	opEmptyTuple      = ')'
	opSetItems        = 'u'
	opBinFloat        = 'G'
	opBinBytes        = 'B'
	opShortBinBytes   = 'C'
	opProto           = 0x80
	opTuple1          = 0x85
	opTuple2          = 0x86
	opTuple3          = 0x87
	opNewTrue         = 0x88
	opNewFalse        = 0x89
	opLong1           = 0x8a
	opLong4           = 0x8b
	opShortBinUnicode = 0x8c
	opBinUnicode8     = 0x8d
	opBinBytes8       = 0x8e
	opMemoize         = 0x94
	opFrame           = 0x95
)

// opNames names every opcode of protocols 0 to 5, for error messages.
var opNames = map[byte]string{
	'(': "MARK", '.': "STOP", '0': "POP", '1': "POP_MARK", '2': "DUP", 'F': "FLOAT", 'I': "INT",
	'J': "BININT", 'K': "BININT1", 'L': "LONG", 'M': "BININT2", 'N': "NONE", 'P': "PERSID",
	'Q': "BINPERSID", 'R': "REDUCE", 'S': "STRING", 'T': "BINSTRING", 'U': "SHORT_BINSTRING",
	'V': "UNICODE", 'X': "BINUNICODE", 'a': "APPEND", 'b': "BUILD", 'c': "GLOBAL", 'd': "DICT",
	'}': "EMPTY_DICT", 'e': "APPENDS", 'g': "GET", 'h': "BINGET", 'i': "INST", 'j': "LONG_BINGET",
	'l': "LIST", ']': "EMPTY_LIST", 'o': "OBJ", 'p': "PUT", 'q': "BINPUT", 'r': "LONG_BINPUT",
	's': "SETITEM", 't': "TUPLE", ')': "EMPTY_TUPLE", 'u': "SETITEMS", 'G': "BINFLOAT",
	'B': "BINBYTES", 'C': "SHORT_BINBYTES",
	0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1",
	0x86: "TUPLE2", 0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4",
	0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8", 0x8e: "BINBYTES8", 0x8f: "EMPTY_SET",
	0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX", 0x93: "STACK_GLOBAL", 0x94: "MEMOIZE",
	0x95: "FRAME", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
}

// runsCode lists the opcodes that import or call Python code.
var runsCode = map[byte]bool{
	'P': true, 'Q': true, 'R': true, 'b': true, 'c': true, 'i': true, 'o': true,
	0x81: true, 0x82: true, 0x83: true, 0x84: true, 0x92: true, 0x93: true,
}

// opName describes op for error messages: its name and byte.
func opName(op byte) string {
	if name, ok := opNames[op]; ok {
		if op >= ' ' && op < 0x7f {
			return fmt.Sprintf("opcode %s (%q)", name, op)
		}
		return fmt.Sprintf("opcode %s (0x%02x)", name, op)
	}
	return fmt.Sprintf("unknown opcode 0x%02x", op)
}

// step runs the current opcode (other than STOP).
func (d *decoder) step() error {
	switch d.op {
	case opProto:
		b, err := d.read(1)
		if err != nil {
			return err
		}
		if b[0] > HighestProtocol {
			return d.errorf("unsupported pickle protocol %d", b[0])
		}
	case opFrame:
		n, err := d.uint(8)
		if err != nil {
			return err
		}
		// Only check that the frame is there: opcodes inside a frame read
		// as they do outside one.
		if rest := uint64(len(d.data) - d.pos); n > rest {
			return d.errorf("truncated: frame of %d bytes, %d remain", n, rest)
		}
	case opMark:
		d.marks = append(d.marks, len(d.stack))
	case opPop:
		// CPython pops a MARK when nothing was pushed after it.
		if n := len(d.marks); n > 0 && d.marks[n-1] == len(d.stack) {
			d.marks = d.marks[:n-1]
			return nil
		}
		_, err := d.pop()
		return err
	case opPopMark:
		_, err := d.popMark()
		return err
	case opDup:
		v, err := d.top()
		if err != nil {
			return err
		}
		d.push(v)

	case opNone:
		d.push(nil)
	case opNewTrue:
		d.push(true)
	case opNewFalse:
		d.push(false)
	case opBinInt:
		n, err := d.uint(4)
		if err != nil {
			return err
		}
		d.push(int64(int32(uint32(n))))
	case opBinInt1:
		n, err := d.uint(1)
		if err != nil {
			return err
		}
		d.push(int64(n))
	case opBinInt2:
		n, err := d.uint(2)
		if err != nil {
			return err
		}
		d.push(int64(n))
	case opLong1, opLong4:
		return d.loadLong()
	case opInt, opLong:
		return d.loadTextInt()
	case opBinFloat:
		n, err := d.read(8)
		if err != nil {
			return err
		}
		d.push(math.Float64frombits(binary.BigEndian.Uint64(n)))
	case opFloat:
		return d.loadTextFloat()

	case opShortBinString, opBinString, opShortBinUnicode, opBinUnicode, opBinUnicode8,
		opShortBinBytes, opBinBytes, opBinBytes8:
		return d.loadCounted()
	case opString:
		return d.loadString()
	case opUnicode:
		return d.loadUnicode()

	case opEmptyList:
		d.push(&list{})
	case opEmptyTuple:
		d.push(&tuple{})
	case opEmptyDict:
		d.push(&dict{m: map[string]any{}})
	case opList:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		d.push(&list{exported{items: slices.Clone(items)}})
	case opTuple:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		d.push(&tuple{exported{items: slices.Clone(items)}})
	case opTuple1, opTuple2, opTuple3:
		n := int(d.op-opTuple1) + 1
		if len(d.stack)-d.fence() < n {
			return d.errorf("stack underflow")
		}
		items := slices.Clone(d.stack[len(d.stack)-n:])
		d.stack = d.stack[:len(d.stack)-n]
		d.push(&tuple{exported{items: items}})
	case opDict:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		m := &dict{m: map[string]any{}}
		if err := d.setItems(m, items); err != nil {
			return err
		}
		d.push(m)
	case opAppend:
		if len(d.stack)-d.fence() < 2 {
			return d.errorf("stack underflow")
		}
		return d.appendTo(d.stack[len(d.stack)-2], d.stack[len(d.stack)-1:], 1)
	case opAppends:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		target, err := d.top()
		if err != nil {
			return err
		}
		return d.appendTo(target, items, 0)
	case opSetItem:
		if len(d.stack)-d.fence() < 3 {
			return d.errorf("stack underflow")
		}
		m, ok := d.stack[len(d.stack)-3].(*dict)
		if !ok {
			return d.errorf("target has type %s, not dict", typeName(d.stack[len(d.stack)-3]))
		}
		if err := d.setItems(m, d.stack[len(d.stack)-2:]); err != nil {
			return err
		}
		d.stack = d.stack[:len(d.stack)-2]
	case opSetItems:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		target, err := d.top()
		if err != nil {
			return err
		}
		m, ok := target.(*dict)
		if !ok {
			return d.errorf("target has type %s, not dict", typeName(target))
		}
		return d.setItems(m, items)

	case opMemoize:
		v, err := d.top()
		if err != nil {
			return err
		}
		d.memo[int64(len(d.memo))] = v
	case opPut, opBinPut, opLongBinPut:
		i, err := d.memoIndex()
		if err != nil {
			return err
		}
		v, err := d.top()
		if err != nil {
			return err
		}
		d.memo[i] = v
	case opGet, opBinGet, opLongBinGet:
		i, err := d.memoIndex()
		if err != nil {
			return err
		}
		v, ok := d.memo[i]
		if !ok {
			return d.errorf("memo has no entry %d", i)
		}
		d.push(v)

	default:
		if runsCode[d.op] {
			return d.errorf("not supported: it would import or call Python code")
		}
		if _, known := opNames[d.op]; known {
			return d.errorf("not supported")
		}
		return fmt.Errorf("pickle: offset %d: %s", d.at, opName(d.op))
	}
	return nil
}

// fence is the stack length at the innermost MARK: pops may not go below it.
func (d *decoder) fence() int {
	if len(d.marks) == 0 {
		return 0
	}
	return d.marks[len(d.marks)-1]
}

func (d *decoder) push(v any) { d.stack = append(d.stack, v) }

func (d *decoder) pop() (any, error) {
	if len(d.stack) <= d.fence() {
		return nil, d.errorf("stack underflow")
	}
	v := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	return v, nil
}

func (d *decoder) top() (any, error) {
	if len(d.stack) <= d.fence() {
		return nil, d.errorf("stack underflow")
	}
	return d.stack[len(d.stack)-1], nil
}

// popMark pops the objects above the innermost MARK and the MARK. The
// result aliases the stack: copy it to keep it.
func (d *decoder) popMark() ([]any, error) {
	if len(d.marks) == 0 {
		return nil, d.errorf("no MARK to pop to")
	}
	m := d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	items := d.stack[m:]
	d.stack = d.stack[:m]
	return items, nil
}

// appendTo appends items to target, which must be a list, and then drops
// the top pop items from the stack.
func (d *decoder) appendTo(target any, items []any, pop int) error {
	l, ok := target.(*list)
	if !ok {
		return d.errorf("target has type %s, not list", typeName(target))
	}
	l.items = append(l.items, items...)
	d.stack = d.stack[:len(d.stack)-pop]
	return nil
}

// setItems sets key-value pairs in m; keys must be strings.
func (d *decoder) setItems(m *dict, kv []any) error {
	if len(kv)%2 != 0 {
		return d.errorf("odd number of items (%d) for a dict", len(kv))
	}
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return d.errorf("dict key has type %s: only str keys are supported", typeName(kv[i]))
		}
		m.m[k] = kv[i+1]
	}
	return nil
}

// typeName names the Python type of a decoded value.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case *list:
		return "list"
	case *tuple:
		return "tuple"
	case *dict:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// read returns the next n bytes.
func (d *decoder) read(n uint64) ([]byte, error) {
	if rest := uint64(len(d.data) - d.pos); n > rest {
		return nil, d.errorf("truncated: %d bytes needed, %d remain", n, rest)
	}
	b := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

// uint reads an unsigned little-endian integer of size bytes (1 to 8).
func (d *decoder) uint(size uint64) (uint64, error) {
	b, err := d.read(size)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// readLine returns the bytes up to the next newline, which it consumes.
func (d *decoder) readLine() ([]byte, error) {
	for i := d.pos; i < len(d.data); i++ {
		if d.data[i] == '\n' {
			line := d.data[d.pos:i]
			d.pos = i + 1
			return line, nil
		}
	}
	return nil, d.errorf("truncated: no newline after the argument")
}

// memoIndex reads the memo index argument of PUT, GET and their binary
// forms.
func (d *decoder) memoIndex() (int64, error) {
	switch d.op {
	case opBinPut, opBinGet:
		n, err := d.uint(1)
		return int64(n), err
	case opLongBinPut, opLongBinGet:
		n, err := d.uint(4)
		return int64(n), err
	}
	line, err := d.readLine()
	if err != nil {
		return 0, err
	}
	i, err := strconv.ParseInt(string(line), 10, 64)
	if err != nil || i < 0 {
		return 0, d.errorf("bad memo index %q", line)
	}
	return i, nil
}

// loadLong runs LONG1 and LONG4: a little-endian two's-complement integer.
func (d *decoder) loadLong() error {
	size := uint64(1)
	if d.op == opLong4 {
		size = 4
	}
	n, err := d.uint(size)
	if err != nil {
		return err
	}
	if d.op == opLong4 && int32(uint32(n)) < 0 {
		return d.errorf("negative byte count %d", int32(uint32(n)))
	}
	b, err := d.read(n)
	if err != nil {
		return err
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		if len(b) > 0 && len(b) < 8 && b[len(b)-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * len(b)) // sign-extend
		}
		d.push(int64(v))
		return nil
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	v := new(big.Int).SetBytes(be)
	if be[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	d.push(normInt(v))
	return nil
}

// normInt returns v as an int64 when it fits.
func normInt(v *big.Int) any {
	if v.IsInt64() {
		return v.Int64()
	}
	return v
}

// loadTextInt runs INT and LONG, whose argument is a decimal line (LONG's
// with an "L" suffix). INT's "00" and "01" are False and True. Python reads
// these with int(s, 0); Decode takes only the decimal form that picklers
// write and rejects the rest.
func (d *decoder) loadTextInt() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	s := string(line)
	if d.op == opInt && (s == "00" || s == "01") {
		d.push(s == "01")
		return nil
	}
	if d.op == opLong && len(s) > 0 && s[len(s)-1] == 'L' {
		s = s[:len(s)-1]
	}
	digits := s
	if len(digits) > 0 && (digits[0] == '-' || digits[0] == '+') {
		digits = digits[1:]
	}
	if digits == "" || digits[0] == '0' && len(digits) > 1 || !isDigits(digits) {
		return d.errorf("not a decimal integer: %q", line)
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		d.push(v)
		return nil
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return d.errorf("not a decimal integer: %q", line)
	}
	d.push(normInt(v))
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// loadTextFloat runs FLOAT: a line that Python's float parser
// (PyOS_string_to_double) accepts, which is decimal notation, "inf",
// "infinity" or "nan" in any case, with a sign; a value out of range is an
// error there and here.
func (d *decoder) loadTextFloat() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	for _, c := range line {
		if !(c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E' ||
			'a' <= c|0x20 && c|0x20 <= 'z' && isInfNaNLetter(c|0x20)) {
			return d.errorf("not a float: %q", line)
		}
	}
	if s := strings.ToLower(string(line)); s == "+nan" || s == "-nan" {
		line = line[1:] // strconv takes no sign on NaN
	}
	v, err := strconv.ParseFloat(string(line), 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return d.errorf("float out of range: %q", line)
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return d.errorf("not a float: %q", line)
	}
	d.push(v)
	return nil
}

// isInfNaNLetter reports whether lower-case c occurs in "infinity" or "nan".
func isInfNaNLetter(c byte) bool {
	switch c {
	case 'i', 'n', 'f', 't', 'y', 'a':
		return true
	}
	return false
}

// loadCounted runs the opcodes whose argument is a length and that many
// bytes: byte strings (Python 2 str), str and bytes.
func (d *decoder) loadCounted() error {
	var size uint64
	switch d.op {
	case opShortBinString, opShortBinUnicode, opShortBinBytes:
		size = 1
	case opBinString, opBinUnicode, opBinBytes:
		size = 4
	default:
		size = 8
	}
	n, err := d.uint(size)
	if err != nil {
		return err
	}
	if d.op == opBinString && int32(uint32(n)) < 0 {
		return d.errorf("negative byte count %d", int32(uint32(n)))
	}
	b, err := d.read(n)
	if err != nil {
		return err
	}
	switch d.op {
	case opShortBinString, opBinString:
		return d.pushASCII(b)
	case opShortBinUnicode, opBinUnicode, opBinUnicode8:
		if !utf8.Valid(b) {
			return d.errorf("invalid UTF-8 (lone surrogates are not supported)")
		}
		d.push(string(b))
	default:
		d.push(slices.Clone(b))
	}
	return nil
}

// pushASCII pushes a Python 2 byte string as pickle.loads does by default:
// decoded as ASCII.
func (d *decoder) pushASCII(b []byte) error {
	for i, c := range b {
		if c >= 0x80 {
			return d.errorf("byte 0x%02x at %d of a Python 2 str is not ASCII (pickle.loads decodes them as ASCII)", c, i)
		}
	}
	d.push(string(b))
	return nil
}

// loadString runs STRING: a quoted line with Python bytes escapes.
func (d *decoder) loadString() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	if len(line) < 2 || line[0] != line[len(line)-1] || line[0] != '\'' && line[0] != '"' {
		return d.errorf("argument is not quoted")
	}
	b, err := unescapeBytes(line[1 : len(line)-1])
	if err != nil {
		return d.errorf("%v", err)
	}
	return d.pushASCII(b)
}

// unescapeBytes decodes Python's bytes escapes (codecs.escape_decode).
func unescapeBytes(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(s) {
			return nil, errors.New("trailing \\ in string")
		}
		switch c = s[i]; c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'v':
			out = append(out, '\v')
		case 'a':
			out = append(out, '\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
				i++
				v = v<<3 | int(s[i]-'0')
			}
			out = append(out, byte(v))
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("invalid \\x escape at position %d", i-1)
			}
			hi, lo := unhex(s[i+1]), unhex(s[i+2])
			if hi < 0 || lo < 0 {
				return nil, fmt.Errorf("invalid \\x escape at position %d", i-1)
			}
			out = append(out, byte(hi<<4|lo))
			i += 2
		default:
			out = append(out, '\\', c)
		}
	}
	return out, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// loadUnicode runs UNICODE: a line in Python's raw-unicode-escape codec,
// where \uXXXX and \UXXXXXXXX are escapes and every other byte is the code
// point of the same value.
func (d *decoder) loadUnicode() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != '\\' || i+1 == len(line) || line[i+1] != 'u' && line[i+1] != 'U' {
			if c == '\\' && i+1 < len(line) {
				// A backslash and the byte after it stand for themselves.
				out = utf8.AppendRune(out, '\\')
				i++
				c = line[i]
			}
			out = utf8.AppendRune(out, rune(c))
			continue
		}
		n := 4
		if line[i+1] == 'U' {
			n = 8
		}
		if i+2+n > len(line) {
			return d.errorf("truncated \\%c escape at position %d", line[i+1], i)
		}
		var r rune
		for _, h := range line[i+2 : i+2+n] {
			v := unhex(h)
			if v < 0 {
				return d.errorf("bad \\%c escape at position %d", line[i+1], i)
			}
			r = r<<4 | rune(v)
		}
		if r > utf8.MaxRune || r < 0 {
			return d.errorf("\\U escape out of range at position %d", i)
		}
		if !utf8.ValidRune(r) {
			return d.errorf("lone surrogate at position %d is not supported", i)
		}
		out = utf8.AppendRune(out, r)
		i += 1 + n
	}
	d.push(string(out))
	return nil
}
