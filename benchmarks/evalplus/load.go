package evalplus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/jsonx"
)

// LoadHumanEval reads OpenAI's HumanEval.jsonl: task_id, prompt,
// canonical_solution, test (defining check(candidate)) and entry_point.
// Each task is an assert problem judged by its original tests.
func LoadHumanEval(_ *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	var out []*benchmarks.Problem
	err := benchmarks.ForEachJSONLine(data, name, func(_ int, text []byte) error {
		var r struct {
			TaskID            string `json:"task_id"`
			Prompt            string `json:"prompt"`
			CanonicalSolution string `json:"canonical_solution"`
			Test              string `json:"test"`
			EntryPoint        string `json:"entry_point"`
		}
		if err := json.Unmarshal(text, &r); err != nil {
			return err
		}
		if r.TaskID == "" || r.Test == "" || r.EntryPoint == "" {
			return fmt.Errorf("a HumanEval task needs task_id, test and entry_point")
		}
		out = append(out, &benchmarks.Problem{
			TaskID: r.TaskID, Kind: benchmarks.KindAssert, Prompt: r.Prompt, EntryPoint: r.EntryPoint,
			TestCode: r.Test, CanonicalSolution: r.CanonicalSolution,
		})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no tasks", name)
	}
	return out, err
}

// Load reads HumanEval+ and MBPP+ (evalplus's release files):
// task_id, prompt, entry_point, canonical_solution, base_input, plus_input
// and atol. The configuration's function.groups choose which inputs are
// judged; function.oracles = "mbpp" also restores MBPP+'s argument types.
func Load(cfg *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	var out []*benchmarks.Problem
	err := benchmarks.ForEachJSONLine(data, name, func(_ int, text []byte) error {
		// Python's json writes NaN and Infinity, which encoding/json
		// rejects: split the line leniently and keep inputs raw.
		members, err := jsonx.Object(text)
		if err != nil {
			return err
		}
		var r struct {
			TaskID, Prompt, EntryPoint, CanonicalSolution string
			BaseInput, PlusInput                          []json.RawMessage
			Atol                                          float64
		}
		for key, dst := range map[string]*string{"task_id": &r.TaskID, "prompt": &r.Prompt, "entry_point": &r.EntryPoint, "canonical_solution": &r.CanonicalSolution} {
			if raw, ok := members[key]; ok {
				if err := json.Unmarshal(raw, dst); err != nil {
					return fmt.Errorf("%s: %v", key, err)
				}
			}
		}
		if raw, ok := members["atol"]; ok {
			if err := json.Unmarshal(raw, &r.Atol); err != nil {
				return fmt.Errorf("atol: %v", err)
			}
		}
		for key, dst := range map[string]*[]json.RawMessage{"base_input": &r.BaseInput, "plus_input": &r.PlusInput} {
			raw, ok := members[key]
			if !ok || string(bytes.TrimSpace(raw)) == "{}" { // Mbpp/793 has plus_input {}
				continue
			}
			items, err := jsonx.Array(raw)
			if err != nil {
				return fmt.Errorf("%s: %v", key, err)
			}
			for _, it := range items {
				// The line's buffer is reused for the next line: copy.
				*dst = append(*dst, json.RawMessage(bytes.Clone(it)))
			}
		}
		p := &benchmarks.Problem{
			TaskID: r.TaskID, Kind: benchmarks.KindFunction, Prompt: r.Prompt, EntryPoint: r.EntryPoint,
			CanonicalSolution: r.CanonicalSolution, Atol: r.Atol,
		}
		if cfg.Function.Oracles == "mbpp" {
			n := r.TaskID[strings.LastIndexByte(r.TaskID, '/')+1:]
			p.Deserialize = "mbpp:" + n
		}
		for _, g := range cfg.Function.Groups {
			var inputs []json.RawMessage
			switch g {
			case "base":
				inputs = r.BaseInput
			case "plus":
				inputs = r.PlusInput
			default:
				return fmt.Errorf("function.groups: %q is not an evalplus input group (base, plus)", g)
			}
			p.Groups = append(p.Groups, benchmarks.InputGroup{Name: g, Inputs: inputs})
		}
		out = append(out, p)
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no tasks", name)
	}
	return out, err
}
