package benchmarks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ReadSamplesFile parses a samples file in either format scalebox reads,
// told apart by its first non-space byte: '[' is LiveCodeBench's output
// format (ReadLCBSamples), anything else JSONL (ReadSamples). name is the
// file as shown in errors.
func ReadSamplesFile(data []byte, name string) ([]*Sample, error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return ReadLCBSamples(data, name)
	}
	return ReadSamples(bytes.NewReader(data), name)
}

// lcbOutput is one problem of LiveCodeBench's output format: the file
// lcb_runner's custom evaluator reads (--custom_output_file), and the
// outputs lcb_runner saves, which carry more keys (ignored here).
type lcbOutput struct {
	QuestionID json.RawMessage `json:"question_id"`
	// CodeList holds the extracted programs, one sample each.
	CodeList *[]string `json:"code_list"`
	// OutputList holds the model's raw outputs; used only when code_list
	// is absent, with lcb_runner's extraction.
	OutputList *[]string `json:"output_list"`
}

// ReadLCBSamples parses LiveCodeBench's output format: a JSON list of
// objects with question_id and code_list, each code a sample of that
// problem (task_id = question_id), numbered in list order (a question
// that appears twice continues its numbering). The codes are used as they
// are, as lcb_runner runs them. A record without code_list may give
// output_list, the raw model outputs, from which the code is extracted as
// lcb_runner's extract_code does for chat models: the lines between the
// first two lines holding ``` (none when there are fewer). A sample's Line
// is the line of the file where its record starts.
func ReadLCBSamples(data []byte, name string) ([]*Sample, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:off], []byte{'\n'}) }
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%s: not a JSON list of LiveCodeBench outputs", name)
	}
	var out []*Sample
	perTask := map[string]int{}
	for i := 0; dec.More(); i++ {
		// The record starts at the first non-space byte after the offset.
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
			off++
		}
		line := lineAt(off)
		if off < int64(len(data)) && data[off] == '[' {
			return nil, fmt.Errorf("%s:%d: record %d is a list: lcb_runner's list of code lists in benchmark order is not read here; give records {\"question_id\": ..., \"code_list\": [...]}", name, line, i)
		}
		var r lcbOutput
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s:%d: record %d: %v", name, line, i, err)
		}
		id, err := ParseTaskID(r.QuestionID)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: record %d: question_id: %v", name, line, i, err)
		}
		var codes []string
		switch {
		case r.CodeList != nil:
			codes = *r.CodeList
		case r.OutputList != nil:
			for _, o := range *r.OutputList {
				codes = append(codes, lcbExtractCode(o))
			}
		default:
			return nil, fmt.Errorf("%s:%d: question %s: neither code_list nor output_list is set", name, line, id)
		}
		for _, c := range codes {
			out = append(out, &Sample{TaskID: id, Index: perTask[id], Code: c, Line: line})
			perTask[id]++
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("%s:%d: text after the list", name, lineAt(dec.InputOffset()))
	}
	return out, nil
}

// lcbExtractCode is lcb_runner's extract_code for chat models
// (lcb_runner/utils/extraction_utils.py): the lines between the first two
// lines that contain ```, or "" when there are fewer than two.
func lcbExtractCode(output string) string {
	lines := strings.Split(output, "\n")
	var fences []int
	for i, l := range lines {
		if strings.Contains(l, "```") {
			fences = append(fences, i)
			if len(fences) == 2 {
				return strings.Join(lines[fences[0]+1:fences[1]], "\n")
			}
		}
	}
	return ""
}
