package family

import (
	"strings"
	"unicode"
)

// PyStrip is Python's str.strip(): it removes leading and trailing
// whitespace as Python defines it (Unicode White_Space, and the ASCII
// separators U+001C to U+001F).
func PyStrip(s string) string { return strings.TrimFunc(s, pySpace) }

// PyRStrip is Python's str.rstrip().
func PyRStrip(s string) string { return strings.TrimRightFunc(s, pySpace) }

func pySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// LastFencedBlock is lcb_runner's extract_code for chat answers
// (lcb_runner/utils/extraction_utils.py at LiveCodeBench 28fef95): the
// lines between the last two lines that contain ``` anywhere, joined by
// newlines; "" when fewer than two lines contain ```.
func LastFencedBlock(answer string) string {
	lines := strings.Split(answer, "\n")
	var fences []int
	for i, l := range lines {
		if strings.Contains(l, "```") {
			fences = append(fences, i)
		}
	}
	if len(fences) < 2 {
		return ""
	}
	return strings.Join(lines[fences[len(fences)-2]+1:fences[len(fences)-1]], "\n")
}

// FenceTag is the tag of a markdown code fence for a scalebox language,
// and Name the language's name in an instruction.
func FenceTag(lang string) string {
	if l, ok := languageNames[lang]; ok {
		return l.tag
	}
	return lang
}

// LanguageName is the name of a scalebox language in a prompt ("Python",
// "C++").
func LanguageName(lang string) string {
	if l, ok := languageNames[lang]; ok {
		return l.name
	}
	return lang
}

var languageNames = map[string]struct{ name, tag string }{
	"python3":    {"Python", "python"},
	"pypy3":      {"Python", "python"},
	"c":          {"C", "c"},
	"cpp":        {"C++", "cpp"},
	"java":       {"Java", "java"},
	"go":         {"Go", "go"},
	"rust":       {"Rust", "rust"},
	"javascript": {"JavaScript", "javascript"},
	"typescript": {"TypeScript", "typescript"},
	"php":        {"PHP", "php"},
	"ruby":       {"Ruby", "ruby"},
	"lua":        {"Lua", "lua"},
	"bash":       {"Bash", "bash"},
	"csharp":     {"C#", "csharp"},
}
