package benchmarks

import (
	"bufio"
	"bytes"
	"fmt"
)

// ForEachJSONLine calls f with each non-blank line of a JSONL file, its
// line number counted from 1; an error of f or of reading comes back
// prefixed with name and the line number.
func ForEachJSONLine(data []byte, name string, f func(line int, text []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if err := f(line, text); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return nil
}
