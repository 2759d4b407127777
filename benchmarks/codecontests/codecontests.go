// Package codecontests prompts models on CodeContests' stdin/stdout
// problems: the statement, asking for a whole program in the chosen
// language. CodeContests has no reference prompt of its own (AlphaCode's
// is not public); the prompt is lcb_runner's for a stdin problem
// (LiveCodeBench 28fef95, lcb_runner/prompts/code_generation.py,
// OpenAIChat without starter code), which for Python it equals byte for
// byte, with the language named as ScaleBox's get_lcb_cpp_prompt names it
// for other languages; the code is extracted as lcb_runner extracts it.
//
// Load reads the problems in either published shape (data format
// "codecontests"). The registry (benchmarks/registry)
// registers Load with package benchmarks.
package codecontests

import (
	"fmt"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/livecodebench"
)

// Style names.
const (
	StyleChat   = "stdin-chat"
	StyleReason = "stdin-reason"
	StyleBase   = "stdin-base"
)

// Styles are the prompt styles of stdin/stdout problems without starter
// code, after lcb_runner's.
func Styles() []family.Style {
	lcb := livecodebench.Family{}.Styles()
	by := map[string]family.Style{}
	for _, s := range lcb {
		by[s.Name] = s
	}
	const generalized = "; in another language than Python, the language named as icip-cas/ScaleBox@0ac8e6b eval/utils/template.py (get_lcb_cpp_prompt) names it"
	chat, reason, base := by[livecodebench.StyleChat], by[livecodebench.StyleReason], by[livecodebench.StyleBase]
	chat.Name, chat.Source = StyleChat, chat.Source+generalized
	chat.Doc = "lcb_runner's stdin prompt: a system message, then the statement and the instruction to read stdin, in the chosen language"
	reason.Name, reason.Source = StyleReason, reason.Source+generalized
	base.Name = StyleBase
	base.Doc = "lcb_runner's base-model prompt for stdin problems (Python only; --few-shot)"
	return []family.Style{chat, reason, base}
}

// lcbStyle maps a stdin style to the LiveCodeBench style it follows.
var lcbStyle = map[string]string{
	StyleChat:   livecodebench.StyleChat,
	StyleReason: livecodebench.StyleReason,
	StyleBase:   livecodebench.StyleBase,
}

// Prompt is the prompt of a stdin problem with the given statement, in a
// stdin style, asking for a program in opts.Language.
func Prompt(statement, style string, opts family.Options) (*family.Prompt, error) {
	ls, ok := lcbStyle[style]
	if !ok {
		return nil, fmt.Errorf("unknown prompt style %q", style)
	}
	p, err := livecodebench.ProgramPrompt(statement, opts.Language, ls, opts)
	if err != nil {
		return nil, err
	}
	p.Style = style
	return p, nil
}

// Extract is lcb_runner's extract_code for a stdin style.
func Extract(style, answer string) family.Sample {
	return livecodebench.Family{}.Extract(nil, lcbStyle[style], answer)
}

// Family is the CodeContests family. Its zero value is ready to use.
type Family struct{}

// Styles implements family.Family.
func (Family) Styles() []family.Style { return Styles() }

// Prompt implements family.Family.
func (Family) Prompt(p *benchmarks.Problem, style string, opts family.Options) (*family.Prompt, error) {
	if p.Statement == "" {
		return nil, fmt.Errorf("task %s has no statement", p.TaskID)
	}
	return Prompt(p.Statement, style, opts)
}

// Extract implements family.Family.
func (Family) Extract(_ *benchmarks.Problem, style, answer string) family.Sample {
	return Extract(style, answer)
}
