// Package family is the interface between scalebox's dataset families
// (evalplus, LiveCodeBench, the DeepSeek LeetCode set, CodeContests,
// Kattis and Code Jam packages, MultiPL-E) and the code that samples a
// model on their problems: each family builds a problem's prompt as its
// benchmark's reference harness does, in the styles that harness offers
// (base models complete the problem's code, instruct models answer a chat
// message), and reads the program out of the model's answer by that
// harness's rules.
//
// A family is one value implementing Family; benchmarks/registry maps a
// benchmark's data format (its loader) to its family. Every method is safe
// for concurrent use.
package family

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// APIs a prompt is sent to.
const (
	// APIChat is the chat-completions API: a list of messages.
	APIChat = "chat"
	// APICompletions is the completions API: one text the model continues.
	APICompletions = "completions"
)

// Family builds prompts for a dataset family's problems and reads the
// programs out of a model's answers.
type Family interface {
	// Styles lists the ways the family's problems can be prompted, the
	// default instruct style first.
	Styles() []Style
	// Prompt builds problem p's prompt in the named style. An error says
	// why the style cannot prompt p (it needs a file, a language it does
	// not support, a field p lacks).
	Prompt(p *benchmarks.Problem, style string, opts Options) (*Prompt, error)
	// Extract turns a model's answer to p's prompt in the named style into
	// the sample the evaluator judges, as the style's reference harness
	// does. It never fails: an answer without code becomes a sample that
	// fails its tests.
	Extract(p *benchmarks.Problem, style, answer string) Sample
}

// Style is one way of prompting a family's problems.
type Style struct {
	// Name identifies the style on the command line and in reports.
	Name string `json:"name"`
	// Base is true for styles meant for base (pretrained) models: the
	// model continues the problem's code.
	Base bool `json:"base"`
	// API is the API the style's prompts are sent to (APIChat or
	// APICompletions). Some instruct styles write the chat markup
	// themselves and use APICompletions.
	API string `json:"api"`
	// Source names the reference harness the style follows: repository,
	// commit, file and function. Empty for a style of scalebox's own.
	Source string `json:"source,omitempty"`
	// Sanitize is true when the reference harness runs evalplus's
	// sanitizer on every answer (evalplus's codegen does).
	Sanitize bool `json:"sanitize,omitempty"`
	// Defaults are the reference harness's sampling settings, used for
	// those the user does not give.
	Defaults Defaults `json:"defaults"`
	// Doc says in a line what the style sends.
	Doc string `json:"doc"`
}

// Defaults are a style's sampling settings.
type Defaults struct {
	Temperature float64 `json:"temperature"`
	// TopP is 0 when the harness leaves it to the server.
	TopP      float64 `json:"top_p,omitempty"`
	MaxTokens int     `json:"max_tokens,omitempty"`
}

// Options give a family what some styles need besides the problem.
type Options struct {
	// Language is the scalebox language id the model is asked to write in
	// ("python3", "cpp"): the problem's, or the benchmark's default. The
	// caller sets it.
	Language string
	// FewShotDir is a folder with lcb_runner's few-shot examples
	// (lcb_runner/prompts/few_shot_examples/generation: func.json and
	// stdin.json), which LiveCodeBench's base-model prompt quotes.
	FewShotDir string
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Prompt is the request for one problem.
type Prompt struct {
	// Style is the name of the style that built it.
	Style string `json:"style"`
	// Messages are sent to the chat API; Text, when Messages is nil, to
	// the completions API.
	Messages []Message `json:"messages,omitempty"`
	Text     string    `json:"prompt,omitempty"`
	// Stop are the stop sequences the reference harness sends.
	Stop []string `json:"stop,omitempty"`
}

// API is the API the prompt is sent to.
func (p *Prompt) API() string {
	if p.Messages != nil {
		return APIChat
	}
	return APICompletions
}

// SHA256 identifies the prompt's content (messages or text; not the stop
// sequences): the sha256 of its JSON {"messages": [...]} or {"prompt": "..."}.
func (p *Prompt) SHA256() string {
	var b []byte
	if p.Messages != nil {
		b, _ = json.Marshal(struct {
			Messages []Message `json:"messages"`
		}{p.Messages})
	} else {
		b, _ = json.Marshal(struct {
			Prompt string `json:"prompt"`
		}{p.Text})
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Sample is what a model's answer becomes.
type Sample struct {
	// Code is the program, or, when Completion is set, the code appended
	// to the problem's prompt (benchmarks.Problem.Prompt).
	Code       string
	Completion bool
}

// Resolve picks a style of f: by name, or "base" or "instruct" for the
// family's default of that kind, or, for an empty name, the default
// instruct style unless api is APICompletions, which picks the default
// base style. An api that the style cannot use is an error.
func Resolve(f Family, name, api string) (Style, error) {
	styles := f.Styles()
	var names []string
	for _, s := range styles {
		names = append(names, s.Name)
	}
	pick := func(base bool) (Style, bool) {
		for _, s := range styles {
			if s.Base == base {
				return s, true
			}
		}
		return Style{}, false
	}
	var (
		s  Style
		ok bool
	)
	switch name {
	case "":
		s, ok = pick(api == APICompletions)
		if !ok {
			s, ok = styles[0], true
		}
	case "base", "instruct":
		s, ok = pick(name == "base")
		if !ok {
			return Style{}, fmt.Errorf("no %s prompt style for this benchmark (styles: %s)", name, strings.Join(names, ", "))
		}
	default:
		i := slices.IndexFunc(styles, func(s Style) bool { return s.Name == name })
		if i < 0 {
			return Style{}, fmt.Errorf("prompt style %q is unknown for this benchmark (styles: %s, or base, instruct)", name, strings.Join(names, ", "))
		}
		s, ok = styles[i], true
	}
	if api != "" && api != s.API {
		return Style{}, fmt.Errorf("prompt style %s is sent to the %s API, not %s", s.Name, s.API, api)
	}
	return s, nil
}

// StyleByName returns f's style called name.
func StyleByName(f Family, name string) (Style, bool) {
	for _, s := range f.Styles() {
		if s.Name == name {
			return s, true
		}
	}
	return Style{}, false
}

// CutAtStop returns text up to the first occurrence of any stop sequence,
// as a server that honours stop sequences returns it.
func CutAtStop(text string, stop []string) string {
	return benchmarks.CutAtStopTokens(text, stop)
}
