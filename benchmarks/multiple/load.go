package multiple

import (
	"encoding/json"
	"fmt"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// multipleLanguageIDs maps MultiPL-E's language names (the dataset's
// `language` field and file names: humaneval-cpp.jsonl) to scalebox's.
var multipleLanguageIDs = map[string]string{
	"cpp": "cpp", "cs": "csharp", "java": "java", "js": "javascript",
	"ts": "typescript", "php": "php", "sh": "bash",
}

// Load reads a MultiPL-E dataset file (JSONL: name, language,
// prompt, tests, stop_tokens; other fields such as gpt_solution are
// ignored). The task id is `name` (HumanEval_23_strlen), as in MultiPL-E's
// results and in the generation files of evaluators built on it.
func Load(cfg *benchmarks.Config, data []byte, name string) ([]*benchmarks.Problem, error) {
	var out []*benchmarks.Problem
	err := benchmarks.ForEachJSONLine(data, name, func(_ int, text []byte) error {
		var r struct {
			Name       string   `json:"name"`
			TaskID     string   `json:"task_id"`
			Language   string   `json:"language"`
			Prompt     string   `json:"prompt"`
			Tests      string   `json:"tests"`
			Test       string   `json:"test"`
			StopTokens []string `json:"stop_tokens"`
		}
		if err := json.Unmarshal(text, &r); err != nil {
			return err
		}
		id := r.Name
		if id == "" {
			id = r.TaskID
		}
		if r.Tests == "" {
			// Qwen2.5-Coder's copy repeats tests as test.
			r.Tests = r.Test
		}
		for _, f := range []struct{ field, value string }{{"name", id}, {"prompt", r.Prompt}, {"tests", r.Tests}} {
			if f.value == "" {
				return fmt.Errorf("a MultiPL-E problem needs field %q (name, language, prompt, tests, stop_tokens)", f.field)
			}
		}
		for i, s := range r.StopTokens {
			if s == "" {
				return fmt.Errorf("task %s: field \"stop_tokens\": token %d is empty (it would cut every completion to nothing)", id, i)
			}
		}
		if lang, ok := multipleLanguageIDs[r.Language]; r.Language != "" && lang != cfg.Language {
			if !ok {
				return fmt.Errorf("task %s: field \"language\" is %q, but benchmark %s runs %s", id, r.Language, cfg.Name, cfg.Language)
			}
			return fmt.Errorf("task %s is written in %s (scalebox's %s), but benchmark %s runs %s: use multiple-%s", id, r.Language, lang, cfg.Name, cfg.Language, r.Language)
		}
		out = append(out, &benchmarks.Problem{TaskID: id, Kind: benchmarks.KindMultiple, Prompt: r.Prompt, TestCode: r.Tests, StopTokens: r.StopTokens})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no problems", name)
	}
	return out, err
}
