package benchmarks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Sample is one model output for one task.
type Sample struct {
	TaskID string
	// Index numbers the samples of one task in file order, from 0.
	Index int
	// Code is the program text after markdown fences were removed.
	Code string
	// Completion is true when Code is appended to the problem's prompt,
	// false when it is a whole program.
	Completion bool
	// Language, when set, overrides the problem's language.
	Language string
	// Line is the sample's line in its file.
	Line int
}

// sampleLine is what a JSONL sample line may hold. Other keys (a model's
// metadata, evalplus's _identifier) are ignored. generation is the whole
// program as the DeepSeek-Coder and Qwen2.5-Coder evaluations write it
// (prompt and completion): a solution.
type sampleLine struct {
	TaskID     json.RawMessage `json:"task_id"`
	Solution   *string         `json:"solution"`
	Generation *string         `json:"generation"`
	Completion *string         `json:"completion"`
	Language   string          `json:"language"`
}

// ReadSamples parses JSONL samples: each line has task_id and either
// solution (a whole program; generation is a synonym) or completion
// (appended to the prompt). Errors
// name the file and line. Several lines with one task_id are several samples.
func ReadSamples(r io.Reader, name string) ([]*Sample, error) {
	var out []*Sample
	perTask := map[string]int{}
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	for {
		text, err := br.ReadBytes('\n')
		if len(text) > 0 {
			line++
			if s, perr := parseSampleLine(bytes.TrimSpace(text)); perr != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, line, perr)
			} else if s != nil {
				s.Line = line
				s.Index = perTask[s.TaskID]
				perTask[s.TaskID]++
				out = append(out, s)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
		}
	}
	return out, nil
}

func parseSampleLine(text []byte) (*Sample, error) {
	if len(text) == 0 {
		return nil, nil
	}
	var l sampleLine
	if err := json.Unmarshal(text, &l); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	id, err := ParseTaskID(l.TaskID)
	if err != nil {
		return nil, err
	}
	s := &Sample{TaskID: id, Language: l.Language}
	if l.Generation != nil {
		switch {
		case l.Solution != nil:
			return nil, fmt.Errorf("task %s: both solution and generation are set; give one", id)
		case l.Completion != nil:
			return nil, fmt.Errorf("task %s: both generation and completion are set; give one", id)
		}
		l.Solution = l.Generation
	}
	switch {
	case l.Solution != nil && l.Completion != nil:
		return nil, fmt.Errorf("task %s: both solution and completion are set; give one", id)
	case l.Solution != nil:
		s.Code = ExtractCode(*l.Solution, s.Language)
	case l.Completion != nil:
		s.Code, s.Completion = ExtractCode(*l.Completion, s.Language), true
	default:
		return nil, fmt.Errorf("task %s: neither solution nor completion is set", id)
	}
	return s, nil
}

// ParseTaskID reads a task id given as a string or an integer (MBPP uses
// integers).
func ParseTaskID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("task_id is missing")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return "", fmt.Errorf("task_id is empty")
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return string(n), nil
		}
	}
	return "", fmt.Errorf("task_id must be a string or an integer, not %s", raw)
}
