package registry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/judge/checker"
)

// scaleboxRow is one line of ScaleBox's checker.jsonl.
type scaleboxRow struct {
	ID      json.Number `json:"id"`
	Checker *string     `json:"checker"`
	Success *bool       `json:"success"`
}

// ReadScaleBox reads ScaleBox's checker.jsonl ({"id", "checker",
// "success"} per line; C++ programs of the three-file protocol) into
// records of benchmark bench, imported from name on date. Rows without a
// checker are not records: skipped says which, and why. A malformed line
// or a repeated id is an error naming the line.
func ReadScaleBox(data []byte, name, bench, date string) (recs []*Record, skipped []string, err error) {
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var row scaleboxRow
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if dec.More() {
			return nil, nil, fmt.Errorf("%s:%d: text after the JSON object", name, line)
		}
		id := row.ID.String()
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: id %q is not an integer", name, line, id)
		}
		if first, dup := seen[id]; dup {
			return nil, nil, fmt.Errorf("%s:%d: id %s appears twice (first on line %d)", name, line, id, first)
		}
		seen[id] = line
		success := "unset"
		if row.Success != nil {
			success = strconv.FormatBool(*row.Success)
		}
		if row.Checker == nil || strings.TrimSpace(*row.Checker) == "" {
			skipped = append(skipped, fmt.Sprintf("%s:%d: id %s has no checker (success %s)", name, line, id, success))
			continue
		}
		recs = append(recs, &Record{
			Benchmark: bench, TaskID: id,
			Checker:    checker.Spec{Protocol: checker.ScaleBox, Language: "cpp", Source: *row.Checker},
			Provenance: Provenance{Kind: FromImported, File: name, Item: id, Date: date, Note: "scalebox success: " + success},
		})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return recs, skipped, nil
}
