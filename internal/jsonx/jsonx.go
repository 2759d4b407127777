// Package jsonx scans JSON as Python's json module writes it: standard JSON
// plus the bare literals NaN, Infinity and -Infinity, which datasets such
// as MBPP+ contain and encoding/json rejects. It splits documents into raw
// values without decoding them, so they can be passed on unchanged.
package jsonx

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxDepth bounds nesting.
const maxDepth = 1000

// Object splits a JSON object into its members' raw values, in order of
// appearance (a later duplicate key wins).
func Object(data []byte) (map[string][]byte, error) {
	s := &scanner{data: data}
	s.space()
	if !s.eat('{') {
		return nil, s.errorf("expected an object")
	}
	out := map[string][]byte{}
	s.space()
	if s.eat('}') {
		return out, s.end()
	}
	for {
		s.space()
		start := s.pos
		if err := s.str(); err != nil {
			return nil, err
		}
		var key string
		if err := json.Unmarshal(data[start:s.pos], &key); err != nil {
			return nil, s.errorf("bad key: %v", err)
		}
		s.space()
		if !s.eat(':') {
			return nil, s.errorf("expected ':'")
		}
		s.space()
		vs := s.pos
		if err := s.value(0); err != nil {
			return nil, err
		}
		out[key] = data[vs:s.pos]
		s.space()
		if s.eat('}') {
			return out, s.end()
		}
		if !s.eat(',') {
			return nil, s.errorf("expected ',' or '}'")
		}
	}
}

// Array splits a JSON array into its elements' raw values.
func Array(data []byte) ([][]byte, error) {
	s := &scanner{data: data}
	s.space()
	if !s.eat('[') {
		return nil, s.errorf("expected an array")
	}
	var out [][]byte
	s.space()
	if s.eat(']') {
		return out, s.end()
	}
	for {
		s.space()
		vs := s.pos
		if err := s.value(0); err != nil {
			return nil, err
		}
		out = append(out, data[vs:s.pos])
		s.space()
		if s.eat(']') {
			return out, s.end()
		}
		if !s.eat(',') {
			return nil, s.errorf("expected ',' or ']'")
		}
	}
}

// Valid reports whether data is one JSON value (with Python's literals).
func Valid(data []byte) error {
	s := &scanner{data: data}
	s.space()
	if err := s.value(0); err != nil {
		return err
	}
	return s.end()
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{s.pos}, args...)...)
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.pos != len(s.data) {
		return s.errorf("unexpected text after the value")
	}
	return nil
}

func (s *scanner) str() error {
	if !s.eat('"') {
		return s.errorf("expected a string")
	}
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			s.pos += 2
		case '"':
			s.pos++
			return nil
		default:
			s.pos++
		}
	}
	return s.errorf("unterminated string")
}

var literals = [][]byte{[]byte("true"), []byte("false"), []byte("null"), []byte("NaN"), []byte("Infinity"), []byte("-Infinity")}

func (s *scanner) value(depth int) error {
	if depth > maxDepth {
		return s.errorf("nested deeper than %d", maxDepth)
	}
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end")
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		return s.str()
	case c == '[' || c == '{':
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		s.pos++
		s.space()
		if s.eat(closer) {
			return nil
		}
		for {
			s.space()
			if c == '{' {
				if err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.eat(':') {
					return s.errorf("expected ':'")
				}
				s.space()
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.eat(closer) {
				return nil
			}
			if !s.eat(',') {
				return s.errorf("expected ',' or %q", closer)
			}
		}
	}
	for _, lit := range literals {
		if bytes.HasPrefix(s.data[s.pos:], lit) {
			s.pos += len(lit)
			return nil
		}
	}
	start := s.pos
	for s.pos < len(s.data) && bytes.IndexByte([]byte("+-0123456789.eE"), s.data[s.pos]) >= 0 {
		s.pos++
	}
	if s.pos == start {
		return s.errorf("invalid character %q", s.data[s.pos])
	}
	if _, err := json.Number(s.data[start:s.pos]).Float64(); err != nil && !bytes.ContainsAny(s.data[start:s.pos], "eE") {
		// Let huge integers through (they are valid JSON); reject garbage.
		for _, b := range s.data[start:s.pos] {
			if (b < '0' || b > '9') && b != '-' {
				return s.errorf("invalid number %q", s.data[start:s.pos])
			}
		}
	}
	return nil
}
