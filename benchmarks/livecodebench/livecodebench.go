// Package livecodebench prompts models on LiveCodeBench's code generation
// problems as lcb_runner does (LiveCodeBench/LiveCodeBench at commit
// 28fef95ea8c9f7a547c8329f2cd3d32b92c1fa24) and reads the code out of
// their answers as lcb_runner does.
//
// Prompts are lcb_runner/prompts/code_generation.py's
// format_prompt_generation for the LM styles OpenAIChat (a system message,
// then the question with the starter code, or with the instruction to
// read stdin), OpenAIReasonPreview (the same in one user message),
// DeepSeekCodeInstruct and CodeQwenInstruct (raw text with the chat markup
// written in, for the completions API) and GenericBase (one few-shot
// example from lcb_runner's few_shot_examples, then the question). Code
// is extracted by lcb_runner/utils/extraction_utils.py's extract_code: the
// lines between the last two lines holding ```, or, for GenericBase, the
// whole answer stripped. Sampling defaults are lcb_runner/runner/parser.py's
// (temperature 0.2, top_p 0.95, max_tokens 1200; the stop sequence ###
// for the styles lcb_runner sends raw text for).
//
// Load reads code_generation_lite data (data format "livecodebench"),
// Files the files of a release in a folder. The registry (benchmarks/registry)
// registers both with package benchmarks.
package livecodebench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// Source is the reference harness's repository and commit.
const Source = "LiveCodeBench/LiveCodeBench@28fef95"

// Style names.
const (
	StyleChat     = "lcb-chat"
	StyleReason   = "lcb-reason"
	StyleDeepSeek = "lcb-deepseek"
	StyleCodeQwen = "lcb-codeqwen"
	StyleBase     = "lcb-base"
)

// Prompt texts of lcb_runner/prompts/code_generation.py (PromptConstants).
const (
	SystemMessage           = "You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests."
	systemMessageDeepSeek   = "You are an AI programming assistant, utilizing the DeepSeek Coder model, developed by DeepSeek Company, and you answer questions related to computer science."
	systemMessageCodeQwen   = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user"
	formatWithStarterCode   = "You will use the following starter code to write the solution to the problem and enclose your code within delimiters."
	formatWithoutStarter    = "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT."
	willNotReturnAnything   = "You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests. You will NOT return anything except for the program."
	codeGenerationPromptsPy = "lcb_runner/prompts/code_generation.py"
)

var defaults = family.Defaults{Temperature: 0.2, TopP: 0.95, MaxTokens: 1200}

// rawStop is lcb_runner's default --stop, sent with raw-text prompts.
var rawStop = []string{"###"}

var styles = []family.Style{
	{Name: StyleChat, API: family.APIChat, Defaults: defaults,
		Source: Source + " " + codeGenerationPromptsPy + " (format_prompt_generation, LMStyle.OpenAIChat)",
		Doc:    "a system message, then the question with its starter code or the instruction to read stdin"},
	{Name: StyleReason, API: family.APIChat, Defaults: defaults,
		Source: Source + " " + codeGenerationPromptsPy + " (format_prompt_generation, LMStyle.OpenAIReasonPreview)",
		Doc:    "lcb-chat's system message and question in one user message (reasoning models)"},
	{Name: StyleDeepSeek, API: family.APICompletions, Defaults: defaults,
		Source: Source + " " + codeGenerationPromptsPy + " (format_prompt_generation, LMStyle.DeepSeekCodeInstruct)",
		Doc:    "DeepSeek-Coder-Instruct's prompt as raw text, for the completions API"},
	{Name: StyleCodeQwen, API: family.APICompletions, Defaults: defaults,
		Source: Source + " " + codeGenerationPromptsPy + " (format_prompt_generation, LMStyle.CodeQwenInstruct)",
		Doc:    "CodeQwen's ChatML prompt as raw text, for the completions API"},
	{Name: StyleBase, Base: true, API: family.APICompletions, Defaults: defaults,
		Source: Source + " " + codeGenerationPromptsPy + " (format_prompt_generation, LMStyle.GenericBase)",
		Doc:    "one few-shot example of lcb_runner's (--few-shot), then the question, for base models"},
}

// Family is the LiveCodeBench family. Its zero value is ready to use.
type Family struct{}

// Styles implements family.Family.
func (Family) Styles() []family.Style { return styles }

// Question is a problem as lcb_runner's templates see it.
type Question struct {
	Content     string // question_content
	StarterCode string // starter_code
}

// QuestionOf reads a loaded problem's question: its statement and, as
// the LiveCodeBench loader keeps it, its starter code in Prompt.
func QuestionOf(p *benchmarks.Problem) Question {
	return Question{Content: p.Statement, StarterCode: p.Prompt}
}

// Prompt implements family.Family.
func (Family) Prompt(p *benchmarks.Problem, style string, opts family.Options) (*family.Prompt, error) {
	if p.Statement == "" {
		return nil, fmt.Errorf("task %s has no question content", p.TaskID)
	}
	return Build(QuestionOf(p), style, opts)
}

// Build is format_prompt_generation for the question in a style.
func Build(q Question, style string, opts family.Options) (*family.Prompt, error) {
	switch style {
	case StyleChat:
		return &family.Prompt{Style: style, Messages: []family.Message{
			{Role: "system", Content: SystemMessage},
			{Role: "user", Content: GenericQuestion(q)},
		}}, nil
	case StyleReason:
		return &family.Prompt{Style: style, Messages: []family.Message{
			{Role: "user", Content: SystemMessage + "\n\n" + GenericQuestion(q)},
		}}, nil
	case StyleDeepSeek:
		return &family.Prompt{Style: style, Text: systemMessageDeepSeek + "\n\n" + deepSeekQuestion(q), Stop: rawStop}, nil
	case StyleCodeQwen:
		return &family.Prompt{Style: style, Text: systemMessageCodeQwen + "\n\n" + codeQwenQuestion(q), Stop: rawStop}, nil
	case StyleBase:
		text, err := baseQuestion(q, opts.FewShotDir)
		if err != nil {
			return nil, err
		}
		return &family.Prompt{Style: style, Text: text, Stop: rawStop}, nil
	}
	return nil, fmt.Errorf("livecodebench: unknown prompt style %q", style)
}

// GenericQuestion is get_generic_question_template_answer.
func GenericQuestion(q Question) string {
	s := "### Question:\n" + q.Content + "\n\n"
	if q.StarterCode != "" {
		s += "### Format: " + formatWithStarterCode + "\n"
		s += "```python\n" + q.StarterCode + "\n```\n\n"
	} else {
		s += "### Format: " + formatWithoutStarter + "\n"
		s += "```python\n# YOUR CODE HERE\n```\n\n"
	}
	return s + "### Answer: (use the provided format with backticks)\n\n"
}

// deepSeekQuestion is get_deepseekcode_question_template_answer.
func deepSeekQuestion(q Question) string {
	s := "### Instruction: " + willNotReturnAnything + "\n\n"
	s += "Question:\n" + q.Content + "\n\n"
	if q.StarterCode != "" {
		s += "### Instruction: " + formatWithStarterCode + "\n"
		s += "```python\n" + q.StarterCode + "\n```\n\n"
	} else {
		s += "### Instruction: " + formatWithoutStarter + "\n"
		s += "```python\n# YOUR CODE HERE\n```\n\n"
	}
	return s + "### Response:\n\n"
}

// codeQwenQuestion is get_codeqwen_question_template_answer.
func codeQwenQuestion(q Question) string {
	s := willNotReturnAnything + "\n\n"
	s += "Question: " + q.Content + "\n\n"
	if q.StarterCode != "" {
		s += formatWithStarterCode + "\n"
		s += "```python\n" + q.StarterCode + "\n```\n\n<|im_end|>\n"
	} else {
		s += formatWithoutStarter + "\n"
		s += "```python\n# YOUR CODE HERE\n```\n\n<|im_end|>\n"
	}
	return s + "<|im_start|>assistant\n"
}

// fewShot is an example of lcb_runner's few_shot_examples/generation.
type fewShot struct {
	Question   string `json:"question"`
	SampleCode string `json:"sample_code"`
	Answer     string `json:"answer"`
}

// ReadFewShot reads the first example of lcb_runner's func.json (problems
// with starter code) or stdin.json from dir.
func ReadFewShot(dir string, starter bool) (question, sampleCode, answer string, err error) {
	if dir == "" {
		return "", "", "", fmt.Errorf("LiveCodeBench's base-model prompt quotes lcb_runner's few-shot examples: give their folder (lcb_runner/prompts/few_shot_examples/generation, with func.json and stdin.json) with --few-shot")
	}
	name := "stdin.json"
	if starter {
		name = "func.json"
	}
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", "", fmt.Errorf("few-shot examples: %w", err)
	}
	var ex []fewShot
	if err := json.Unmarshal(data, &ex); err != nil {
		return "", "", "", fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return "", "", "", fmt.Errorf("%s: no examples", path)
	}
	return ex[0].Question, ex[0].SampleCode, ex[0].Answer, nil
}

// baseQuestion is get_base_model_question_template_answer.
func baseQuestion(q Question, dir string) (string, error) {
	starter := q.StarterCode != ""
	exQ, exCode, exAnswer, err := ReadFewShot(dir, starter)
	if err != nil {
		return "", err
	}
	example := func(question, sampleCode, answer string) string {
		s := "### Question\n" + question + "\n\n"
		if starter {
			s += "### Starter Code\n" + sampleCode + "\n\n"
		}
		s += "### Answer\n\n" + answer
		if answer != "" {
			s += "\n\n"
		}
		return s
	}
	return example(exQ, exCode, exAnswer) + example(q.Content, q.StarterCode, ""), nil
}

// Extract implements family.Family: lcb_runner's extract_code.
func (Family) Extract(_ *benchmarks.Problem, style, answer string) family.Sample {
	if style == StyleBase {
		return family.Sample{Code: family.PyStrip(answer)}
	}
	return family.Sample{Code: family.LastFencedBlock(answer)}
}

// ProgramPrompt is lcb_runner's prompt for a stdin problem without starter
// code (OpenAIChat, OpenAIReasonPreview or GenericBase as style lcb-chat,
// lcb-reason or lcb-base) asking for a whole program in lang, a scalebox
// language id: for Python byte for byte lcb_runner's, for another
// language with "Python" in the system message and the instruction, and
// the fence's tag, replaced by the language's (as ScaleBox's
// get_lcb_cpp_prompt does for C++). The base style is Python only: its
// few-shot example is.
func ProgramPrompt(content, lang, style string, opts family.Options) (*family.Prompt, error) {
	q := Question{Content: content}
	if lang == "" || lang == "python3" || lang == "pypy3" {
		return Build(q, style, opts)
	}
	name, tag := family.LanguageName(lang), family.FenceTag(lang)
	system := strings.Replace(strings.Replace(SystemMessage, "Python programmer", name+" programmer", 1), "Python program", name+" program", 1)
	user := GenericQuestion(q)
	user = strings.Replace(user, "python program runs", name+" program runs", 1)
	user = strings.Replace(user, "```python\n", "```"+tag+"\n", 1)
	switch style {
	case StyleChat:
		return &family.Prompt{Style: style, Messages: []family.Message{{Role: "system", Content: system}, {Role: "user", Content: user}}}, nil
	case StyleReason:
		return &family.Prompt{Style: style, Messages: []family.Message{{Role: "user", Content: system + "\n\n" + user}}}, nil
	case StyleBase:
		return nil, fmt.Errorf("the base-model prompt asks for Python (its few-shot example is Python), not %s", name)
	}
	return nil, fmt.Errorf("unknown prompt style %q for a stdin program", style)
}
