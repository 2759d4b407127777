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
// end of the text, as in a truncated generation; an untagged closing fence
// after code, with no opening one, ends a block that began with the text
// (a completion that finishes the prompt's function, then talks).
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
	lines := strings.SplitAfter(text, "\n")
	type fence struct {
		line int
		info string
	}
	var fences []fence
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if len(l)-len(trimmed) <= 3 && strings.HasPrefix(trimmed, "```") {
			info := strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(trimmed), "`")))
			if f := strings.Fields(info); len(f) > 0 {
				info = f[0]
			} else {
				info = ""
			}
			fences = append(fences, fence{i, info})
		}
	}
	if len(fences) == 0 {
		return nil
	}
	join := func(from, to int) string { return strings.Join(lines[from:to], "") }
	var blocks []fencedBlock
	// A completion often continues the prompt's code and ends it with a
	// closing fence: an odd number of fences, the first untagged, after
	// code. That first fence closes a block that began with the text.
	if len(fences)%2 == 1 && fences[0].info == "" && strings.TrimSpace(join(0, fences[0].line)) != "" {
		blocks = append(blocks, fencedBlock{code: join(0, fences[0].line)})
		fences = fences[1:]
	}
	for i := 0; i < len(fences); i += 2 {
		end := len(lines) // an unclosed fence runs to the end
		if i+1 < len(fences) {
			end = fences[i+1].line
		}
		blocks = append(blocks, fencedBlock{info: fences[i].info, code: join(fences[i].line+1, end)})
	}
	return blocks
}
