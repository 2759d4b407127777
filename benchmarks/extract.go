package benchmarks

import (
	"strings"
)

// fenceAliases maps a language id to the info strings of fenced blocks
// written in it.
var fenceAliases = map[string][]string{
	"python3": {"python", "py", "python3", "py3"},
	"cpp":     {"cpp", "c++", "cc", "cxx", "hpp"},
}

type fencedBlock struct {
	info string
	code string
}

// ExtractCode returns the code in a model's output. Text without a markdown
// fence (a line starting with ```) is returned unchanged. Otherwise the code
// of one fenced block is returned: among blocks tagged with the language
// (or untagged when none is), the longest. An unclosed fence runs to the
// end of the text, as in a truncated generation.
func ExtractCode(text, lang string) string {
	blocks := fencedBlocks(text)
	if len(blocks) == 0 {
		return text
	}
	aliases := fenceAliases[lang]
	if lang == "" {
		aliases = fenceAliases["python3"]
	}
	pick := func(match func(info string) bool) (string, bool) {
		best, found := "", false
		for _, b := range blocks {
			if match(b.info) && (!found || len(b.code) > len(best)) {
				best, found = b.code, true
			}
		}
		return best, found
	}
	if code, ok := pick(func(info string) bool {
		for _, a := range aliases {
			if strings.EqualFold(info, a) {
				return true
			}
		}
		return false
	}); ok {
		return code
	}
	if code, ok := pick(func(info string) bool { return info == "" }); ok {
		return code
	}
	code, _ := pick(func(string) bool { return true })
	return code
}

func fencedBlocks(text string) []fencedBlock {
	var blocks []fencedBlock
	lines := strings.SplitAfter(text, "\n")
	in := false
	var cur fencedBlock
	var body strings.Builder
	for _, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		isFence := len(l)-len(trimmed) <= 3 && strings.HasPrefix(trimmed, "```")
		switch {
		case isFence && !in:
			in = true
			cur = fencedBlock{info: strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(trimmed), "`")))}
			if f := strings.Fields(cur.info); len(f) > 0 {
				cur.info = f[0]
			}
			body.Reset()
		case isFence && in:
			in = false
			cur.code = body.String()
			blocks = append(blocks, cur)
		case in:
			body.WriteString(l)
		}
	}
	if in {
		cur.code = body.String()
		blocks = append(blocks, cur)
	}
	return blocks
}
