// Package leetcode prompts models on DeepSeek-Coder's LeetCode contest set
// as DeepSeek-Coder's evaluation does (deepseek-ai/DeepSeek-Coder at commit
// ab5d1b2c65d2034feae338a93f5a3885166d266b, Evaluation/LeetCode) and reads
// their answers as its evaluate_leetcode.py does.
//
// Instruct models get one user message, the problem's prompt_sft (the
// statement, then "Please complete the code below to solve above prblem:"
// and the starter code in a ```python fence), as vllm_inference.py's
// generate_batch sends it; the chain-of-thought variant appends
// _convert_for_sft's instruction. The answer becomes the program by
// evaluate_leetcode.py's rules: an answer that starts with a newline and
// eight spaces continues the starter code; otherwise the first
// ```python block ([PYTHON] tags count as fences), or, without one, the
// text before the first top-level def, class, if, comment or print.
//
// DeepSeek evaluates instruct models only; the base style, scalebox's own,
// has a base model continue the problem's prompt (the statement as a
// docstring, then the starter code), stopped where DeepSeek's extraction
// would cut unfenced code.
//
// Load reads the problems (data format "leetcode"). The registry (benchmarks/registry)
// registers Load with package benchmarks.
package leetcode

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// Source is the reference harness's repository and commit.
const Source = "deepseek-ai/DeepSeek-Coder@ab5d1b2"

// Style names.
const (
	StyleChat    = "deepseek-chat"
	StyleChatCoT = "deepseek-chat-cot"
	StyleBase    = "leetcode-base"
)

// CoTInstruction is what vllm_inference.py's --cot appends to prompt_sft.
const CoTInstruction = "\nYou need first write a step-by-step outline and then write the code."

// baseStop cut a base completion where evaluate_leetcode.py cuts unfenced
// code.
var baseStop = []string{"\ndef", "\nclass", "\nif", "\n#", "\nprint"}

var styles = []family.Style{
	{Name: StyleChat, API: family.APIChat, Defaults: family.Defaults{Temperature: 0, MaxTokens: 1024},
		Source: Source + " Evaluation/LeetCode/vllm_inference.py (generate_batch), evaluate_leetcode.py (extract_python_code)",
		Doc:    "one user message: the problem's prompt_sft"},
	{Name: StyleChatCoT, API: family.APIChat, Defaults: family.Defaults{Temperature: 0, MaxTokens: 1024},
		Source: Source + " Evaluation/LeetCode/vllm_inference.py (--cot, _convert_for_sft), evaluate_leetcode.py (extract_python_code)",
		Doc:    "prompt_sft and DeepSeek's step-by-step outline instruction"},
	{Name: StyleBase, Base: true, API: family.APICompletions, Defaults: family.Defaults{Temperature: 0, MaxTokens: 1024},
		Doc: "scalebox's own (DeepSeek has no base-model prompt): the problem's prompt, docstring and starter code, to continue"},
}

// Family is the LeetCode family. Its zero value is ready to use.
type Family struct{}

// Styles implements family.Family.
func (Family) Styles() []family.Style { return styles }

// Prompt implements family.Family. The loader keeps prompt_sft as the
// problem's Statement and the docstring-and-starter prompt as its Prompt.
func (Family) Prompt(p *benchmarks.Problem, style string, _ family.Options) (*family.Prompt, error) {
	switch style {
	case StyleChat, StyleChatCoT:
		if p.Statement == "" {
			return nil, fmt.Errorf("task %s has no prompt_sft", p.TaskID)
		}
		msg := p.Statement
		if style == StyleChatCoT {
			msg += CoTInstruction
		}
		return &family.Prompt{Style: style, Messages: []family.Message{{Role: "user", Content: msg}}}, nil
	case StyleBase:
		if p.Prompt == "" {
			return nil, fmt.Errorf("task %s has no prompt", p.TaskID)
		}
		return &family.Prompt{Style: style, Text: p.Prompt, Stop: baseStop}, nil
	}
	return nil, fmt.Errorf("leetcode: unknown prompt style %q", style)
}

// Extract implements family.Family.
func (Family) Extract(p *benchmarks.Problem, style, answer string) family.Sample {
	if style == StyleBase {
		return family.Sample{Code: family.CutAtStop(answer, baseStop), Completion: true}
	}
	return family.Sample{Code: Generation(p.Statement, answer)}
}

var pythonBlock = regexp.MustCompile("(?s)```python\n(.*?)\n```")

// unfencedEnd is where extract_python_code cuts code without a fence.
var unfencedEnd = regexp.MustCompile("\ndef|\nclass|\nif|\n#|\nprint")

// extractPythonCode is evaluate_leetcode.py's extract_python_code; ok is
// false where the Python raises (a ```python without a closed block).
func extractPythonCode(generation string) (code string, ok bool) {
	generation = strings.ReplaceAll(strings.ReplaceAll(generation, "[PYTHON]", "```python"), "[/PYTHON]", "```")
	if strings.Contains(generation, "```python") {
		m := pythonBlock.FindStringSubmatch(generation)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	if loc := unfencedEnd.FindStringIndex(generation); loc != nil {
		return generation[:loc[0]], true
	}
	return generation, true
}

// Generation is evaluate_leetcode.py's program for an answer (output) to
// prompt_sft.
func Generation(promptSFT, output string) string {
	if strings.HasPrefix(output, "\n        ") {
		funcCode, ok := extractPythonCode(promptSFT)
		if !ok {
			return output
		}
		return family.PyStrip(funcCode) + "\n" + output
	}
	code, ok := extractPythonCode(output)
	if !ok {
		return output
	}
	return code
}
