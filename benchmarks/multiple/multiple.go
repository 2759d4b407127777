// Package multiple prompts base models on MultiPL-E's problems as
// MultiPL-E does (nuprl/MultiPL-E at commit
// 0adb7a42f95996e4000c31dfb5e48cd4ac571762, multipl_e/completions.py): the
// problem's prompt, as it is, for the model to continue, stopped by the
// problem's own stop tokens (top_p 0.95, at most 512 tokens). The
// completion, cut at the first stop token (stop_at_stop_token), is
// appended to the prompt and the tests, as the MultiPL-E benchmark runs
// it.
//
// Load reads a MultiPL-E dataset file (data format "multipl-e"); the
// programs run through package benchmarks' MultiPL-E harness
// (KindMultiple), which the server also uses for tests in those languages. The registry (benchmarks/registry)
// registers Load with package benchmarks.
package multiple

import (
	"fmt"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// Source is the reference harness's repository and commit.
const Source = "nuprl/MultiPL-E@0adb7a4"

// StyleBase is the style name.
const StyleBase = "multiple-base"

var styles = []family.Style{
	{Name: StyleBase, Base: true, API: family.APICompletions, Defaults: family.Defaults{Temperature: 0.2, TopP: 0.95, MaxTokens: 512},
		Source: Source + " multipl_e/completions.py (make_main, stop_at_stop_token)",
		Doc:    "the problem's prompt as it is, to continue; the problem's stop tokens"},
}

// Family is the MultiPL-E family. Its zero value is ready to use.
type Family struct{}

// Styles implements family.Family.
func (Family) Styles() []family.Style { return styles }

// Prompt implements family.Family.
func (Family) Prompt(p *benchmarks.Problem, style string, _ family.Options) (*family.Prompt, error) {
	if style != StyleBase {
		return nil, fmt.Errorf("multipl-e: unknown prompt style %q", style)
	}
	if p.Prompt == "" {
		return nil, fmt.Errorf("task %s has no prompt", p.TaskID)
	}
	return &family.Prompt{Style: style, Text: p.Prompt, Stop: append([]string{}, p.StopTokens...)}, nil
}

// Extract implements family.Family: the completion up to its first stop
// token, appended to the prompt.
func (Family) Extract(p *benchmarks.Problem, _ string, answer string) family.Sample {
	return family.Sample{Code: family.CutAtStop(answer, p.StopTokens), Completion: true}
}
