package kattis

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlErrLineRE finds the line a YAML syntax error names (not always
// the line at fault: the parser names the line of its context, or none).
var yamlErrLineRE = regexp.MustCompile(`^line (\d+):`)

// maxBisectLines bounds the files whose failing line is found by parsing
// their prefixes (problem.yaml files are a few lines).
const maxBisectLines = 400

// failingLine returns the 1-based number of the first line at which a
// prefix of lines stops being valid YAML, or 0 when every prefix parses
// (or the file is too long to search).
func failingLine(lines []string) int {
	if len(lines) > maxBisectLines {
		return 0
	}
	for k := 1; k <= len(lines); k++ {
		var v any
		if yaml.Unmarshal([]byte(strings.Join(lines[:k], "\n")), &v) != nil {
			return k
		}
	}
	return 0
}

// keyValueRE is a "key: value" line of a mapping: the indentation, the
// key, and a value that does not start a quoted, flow or block scalar.
var keyValueRE = regexp.MustCompile(`^(\s*)([A-Za-z_][A-Za-z0-9_.-]*)\s*:\s+([^\s"'\[{|>&*!#].*?)\s*$`)

// judgingKeyRE is a line whose key decides how a problem is judged.
var judgingKeyRE = regexp.MustCompile(`^-?\s*(validation|validator_flags|output_validator_flags|output_validator_args|type|limits|time_limit|memory)\s*:`)

// DecodeYAML decodes a Kattis problem.yaml or testdata.yaml (file
// names it in messages) into out, a struct with yaml tags. A file that is
// not valid YAML does not lose the problem: it is read as far as it can
// be. The line the parser stops at, when it is a "key: value" line, is
// read with its whole value as a string (the Code Jam archive's
// "name: Steed 2: Cruise Control"), otherwise left out, and the parse is
// tried again. Each such line is a warning naming the file and the line.
// A line that cannot be read and would decide how the problem is judged
// (validation, validator flags, type, limits) is an error naming the file
// and line, as are values of the wrong type for out.
func DecodeYAML(file string, raw []byte, out any) (warnings []string, err error) {
	lines := strings.Split(string(raw), "\n")
	fixed := map[int]bool{}
	for tries := 0; tries <= len(lines); tries++ {
		err = yaml.Unmarshal([]byte(strings.Join(lines, "\n")), out)
		if err == nil {
			return warnings, nil
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return warnings, fmt.Errorf("%s: %w", file, err)
		}
		n := failingLine(lines)
		if n < 1 {
			break
		}
		i := n - 1
		why := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlErrLineRE.FindString(why); m != "" && strings.HasPrefix(why, m) {
			why = strings.TrimSpace(strings.TrimPrefix(why, m))
		}
		if kv := keyValueRE.FindStringSubmatch(lines[i]); kv != nil && !fixed[i] {
			q, _ := json.Marshal(kv[3])
			lines[i] = kv[1] + kv[2] + ": " + string(q)
			fixed[i] = true
			warnings = append(warnings, fmt.Sprintf("%s:%d: not valid YAML (%s); read %s as the string %s", file, n, why, kv[2], q))
			continue
		}
		trimmed := strings.TrimSpace(lines[i])
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || judgingKeyRE.MatchString(trimmed) {
			// Nothing to leave out, or a line that decides how the
			// problem is judged: guessing would judge it wrongly.
			return warnings, fmt.Errorf("%s:%d: not valid YAML: %s", file, n, why)
		}
		warnings = append(warnings, fmt.Sprintf("%s:%d: not valid YAML (%s); left out: %s", file, n, why, strconv.Quote(trimmed)))
		lines[i] = ""
	}
	return warnings, fmt.Errorf("%s: %w", file, err)
}
