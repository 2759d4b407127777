// Package evalplus prompts models on HumanEval(+) and MBPP(+) as evalplus
// does (evalplus/evalplus at commit 26d6d00bb1fd0fa37f39c99d5290da67891d1c5e)
// and reads their answers as evalplus's codegen does.
//
// The task's prompt is passed on as task["prompt"].strip() + "\n"
// (evalplus/codegen.py, codegen). Instruct models get one user message,
// the instruction prefix of evalplus/codegen.py (run_codegen), then the
// prompt, stripped, in a ```python fence (evalplus/provider/openai.py,
// OpenAIChatDecoder.codegen, sent by evalplus/gen/util/openai_request.py);
// the answer is the solution. Base models continue the prompt, stopped by
// evalplus's EOS list and the dataset's extra stop sequences
// (evalplus/provider/utility.py, EOS and extra_eos_for_direct_completion,
// as evalplus/provider/vllm.py sends them, tabs in the output replaced by
// four spaces); the solution is the prompt followed by the completion. In
// both styles evalplus's codegen then runs its sanitizer on the solution
// (evalplus/sanitize.py), which scalebox mirrors in the sandbox.
//
// Load reads HumanEval+ and MBPP+ (data format "evalplus"),
// LoadHumanEval OpenAI's HumanEval (data format "humaneval"). The registry (benchmarks/registry)
// registers both with package benchmarks.
package evalplus

import (
	"fmt"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// Source is the reference harness's repository and commit.
const Source = "evalplus/evalplus@26d6d00"

// Style names.
const (
	StyleChat = "evalplus-chat"
	StyleBase = "evalplus-base"
)

// InstructionPrefix is evalplus's default instruction (evalplus/codegen.py).
const InstructionPrefix = "Please provide a self-contained Python script that solves the following problem in a markdown code block:"

// eos is evalplus/provider/utility.py's EOS.
var eos = []string{"<|endoftext|>", "<|endofmask|>", "</s>", "\nif __name__", "\ndef main(", "\nprint("}

// extraEOS is utility.py's extra_eos_for_direct_completion.
func extraEOS(p *benchmarks.Problem) []string {
	if strings.HasPrefix(p.TaskID, "Mbpp/") {
		return []string{"\n\"\"\"", "\nassert"}
	}
	return []string{"\ndef ", "\nclass ", "\nimport ", "\nfrom ", "\nassert "}
}

// Family is the evalplus family. Its zero value is ready to use.
type Family struct{}

var styles = []family.Style{
	{
		Name: StyleChat, API: family.APIChat, Sanitize: true,
		Source:   Source + " evalplus/provider/openai.py (OpenAIChatDecoder.codegen), evalplus/codegen.py (instruction_prefix)",
		Defaults: family.Defaults{Temperature: 0, MaxTokens: 768},
		Doc:      "one user message: evalplus's instruction, then the prompt in a ```python fence",
	},
	{
		Name: StyleBase, Base: true, API: family.APICompletions, Sanitize: true,
		Source:   Source + " evalplus/codegen.py (codegen), evalplus/provider/vllm.py and utility.py (EOS, extra_eos_for_direct_completion)",
		Defaults: family.Defaults{Temperature: 0, TopP: 0.95, MaxTokens: 768},
		Doc:      "the task's prompt, stripped, plus a newline, to continue; evalplus's stop sequences",
	},
}

// Styles implements family.Family.
func (Family) Styles() []family.Style { return styles }

// Prompt implements family.Family.
func (Family) Prompt(p *benchmarks.Problem, style string, _ family.Options) (*family.Prompt, error) {
	if p.Prompt == "" {
		return nil, fmt.Errorf("task %s has no prompt", p.TaskID)
	}
	prompt := family.PyStrip(p.Prompt) + "\n"
	switch style {
	case StyleChat:
		msg := InstructionPrefix + "\n```python\n" + family.PyStrip(prompt) + "\n```"
		return &family.Prompt{Style: style, Messages: []family.Message{{Role: "user", Content: msg}}}, nil
	case StyleBase:
		stop := append(append([]string{}, eos...), extraEOS(p)...)
		return &family.Prompt{Style: style, Text: prompt, Stop: stop}, nil
	}
	return nil, fmt.Errorf("evalplus: unknown prompt style %q", style)
}

// Extract implements family.Family: the solution evalplus's codegen hands
// to its sanitizer. For the chat style that is the answer; for the base
// style, the prompt and the completion (cut at the stop sequences, tabs
// made four spaces).
func (Family) Extract(p *benchmarks.Problem, style, answer string) family.Sample {
	if style == StyleBase {
		impl := family.CutAtStop(answer, append(append([]string{}, eos...), extraEOS(p)...))
		impl = strings.ReplaceAll(impl, "\t", "    ")
		return family.Sample{Code: family.PyStrip(p.Prompt) + "\n" + impl}
	}
	return family.Sample{Code: answer}
}
