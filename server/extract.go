package server

import (
	"regexp"
	"strings"
)

// ScaleBox's code extraction (sandbox/utils/extraction.py's
// default_extract_helper), which its clients rely on: complete fenced
// blocks (priority 30), then language heuristics (10: Python's
// def/class blocks, a Bash script's non-blank lines), then a fence left
// open to the end of the text (20). Among the blocks of the highest
// priority found, the first whose tag names the request's language wins,
// else the first. No block at all gives an empty program.

var (
	fencedBlock     = regexp.MustCompile("(?s)```([^\n]*)\n(.*?)\n\\s*```")
	incompleteBlock = regexp.MustCompile("(?s)```([^\n]*)\n(.*)")
	pythonHeuristic = regexp.MustCompile(`(?m)(?:^(?:import|from|#)[^\n]+\n)*^(?:def|class) [^\n]+\n(?:\s+[^\n]+\n)+`)
)

// fenceLanguages maps a fence's info string to ScaleBox's language names
// (its language_to_aliases), which the request's language is compared
// with after the same mapping.
var fenceLanguages = func() map[string]string {
	aliases := map[string][]string{
		"python":     {"python", "Python", "py", "Python3", "python3", "PY"},
		"cpp":        {"cpp", "c++", "C++", "Cpp", "CPP"},
		"nodejs":     {"javascript", "Javascript", "JavaScript", "JS", "js"},
		"go":         {"go", "Go"},
		"java":       {"java", "Java"},
		"php":        {"php", "PHP"},
		"csharp":     {"csharp", "c#", "C#"},
		"bash":       {"bash", "Bash", "BASH", "sh", "shell"},
		"typescript": {"typescript"},
		"rust":       {"rust", "Rust", "rs"},
		"lua":        {"lua", "Lua"},
		"ruby":       {"ruby", "Ruby"},
		"c":          {"c", "C"},
	}
	m := map[string]string{}
	for lang, as := range aliases {
		for _, a := range as {
			m[a] = lang
		}
	}
	return m
}()

// scaleboxLanguage is ScaleBox's name for a scalebox language id, as
// fences are tagged.
var scaleboxLanguage = map[string]string{
	"python3": "python", "pypy3": "python", "cpp": "cpp", "javascript": "nodejs", "go": "go", "java": "java",
	"php": "php", "csharp": "csharp", "bash": "bash", "typescript": "typescript", "rust": "rust",
	"lua": "lua", "ruby": "ruby", "c": "c",
}

type codeBlock struct {
	priority int
	language string
	code     string
}

// extractCode returns the program in a completion as ScaleBox extracts it
// for a request in language (a scalebox language id).
func extractCode(completion, language string) string {
	lang := scaleboxLanguage[language]
	var blocks []codeBlock
	for _, m := range fencedBlock.FindAllStringSubmatch(completion, -1) {
		blocks = append(blocks, codeBlock{30, fenceLanguages[strings.TrimSpace(m[1])], m[2]})
	}
	switch lang {
	case "python":
		text := nonBlankLines(completion)
		for _, m := range pythonHeuristic.FindAllString(text, -1) {
			blocks = append(blocks, codeBlock{10, "python", m})
		}
	case "bash":
		blocks = append(blocks, codeBlock{10, "bash", nonBlankLines(completion)})
	}
	for _, m := range incompleteBlock.FindAllStringSubmatch(completion, -1) {
		blocks = append(blocks, codeBlock{20, fenceLanguages[strings.TrimSpace(m[1])], m[2]})
	}
	if len(blocks) == 0 {
		return ""
	}
	top := 0
	for _, b := range blocks {
		top = max(top, b.priority)
	}
	first := ""
	found := false
	for _, b := range blocks {
		if b.priority != top {
			continue
		}
		if b.language == lang {
			return b.code
		}
		if !found {
			first, found = b.code, true
		}
	}
	return first
}

// nonBlankLines joins the lines that are not blank, each ended by a
// newline.
func nonBlankLines(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		return "\n"
	}
	return b.String()
}
