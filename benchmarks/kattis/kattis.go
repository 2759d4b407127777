// Package kattis prompts models on Kattis problem packages (Google Code
// Jam and Kick Start in the layout of google/coding-competitions-archive):
// the statement, asking for a whole program in the chosen language, as
// for CodeContests (see benchmarks/codecontests: lcb_runner's stdin
// prompt). A statement written in HTML (Code Jam's problem.html) is turned
// into text first: scripts, styles and the page head dropped, block
// elements on lines of their own, <pre> kept as written, subscripts and
// superscripts as _x and ^x, entities decoded; MathJax's $$$ delimiters
// stay.
//
// Load reads a folder of problem packages (data format "kattis"),
// ReadFacts and Statement what judgegen needs of one. The registry (benchmarks/registry)
// registers Load with package benchmarks.
package kattis

import (
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/codecontests"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// Family is the Kattis and Code Jam family. Its zero value is ready to use.
type Family struct{}

// Styles implements family.Family.
func (Family) Styles() []family.Style {
	styles := codecontests.Styles()
	for i := range styles {
		if !styles[i].Base {
			styles[i].Doc += " (an HTML statement as text)"
		}
	}
	return styles
}

// Prompt implements family.Family.
func (Family) Prompt(p *benchmarks.Problem, style string, opts family.Options) (*family.Prompt, error) {
	if strings.TrimSpace(p.Statement) == "" {
		return nil, fmt.Errorf("task %s has no statement (problem_statement/problem.*)", p.TaskID)
	}
	return codecontests.Prompt(StatementText(p.Statement), style, opts)
}

// Extract implements family.Family.
func (Family) Extract(_ *benchmarks.Problem, style, answer string) family.Sample {
	return codecontests.Extract(style, answer)
}

var (
	htmlTag = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>|<!--.*?-->|<!DOCTYPE[^>]*>`)
	// dropped are elements whose content is not text for a reader.
	dropped = regexp.MustCompile(`(?is)<(head|script|style|noscript)\b.*?</(head|script|style|noscript)\s*>` +
		// Code Jam's icons and "Copied!" pop-ups of its sample boxes.
		`|<i class="material-icons[^"]*">[^<]*</i>|<span class="sample-header-copy-popup"[^>]*>[^<]*</span>`)
	blankLines  = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`)
	spaceRuns   = regexp.MustCompile(`[ \t\r\f]+`)
	blockTags   = map[string]bool{"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "pre": true, "section": true, "blockquote": true, "hr": true, "body": true, "html": true}
	headingTags = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}
)

// StatementText returns a statement as text: HTML converted, anything
// else (Markdown, LaTeX, plain text) unchanged.
func StatementText(s string) string {
	if !looksLikeHTML(s) {
		return s
	}
	s = dropped.ReplaceAllString(s, "")
	var out strings.Builder
	pre := 0
	last := 0
	text := func(t string) {
		if pre == 0 {
			t = spaceRuns.ReplaceAllString(strings.ReplaceAll(t, "\n", " "), " ")
			if o := out.String(); o == "" || o[len(o)-1] == '\n' {
				t = strings.TrimLeft(t, " ")
			}
		}
		out.WriteString(html.UnescapeString(t))
	}
	for _, m := range htmlTag.FindAllStringSubmatchIndex(s, -1) {
		text(s[last:m[0]])
		last = m[1]
		if m[4] < 0 { // a comment or doctype
			continue
		}
		closing, name := s[m[2]:m[3]] == "/", strings.ToLower(s[m[4]:m[5]])
		switch {
		case name == "pre":
			out.WriteString("\n")
			if closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		case name == "sub" && !closing:
			out.WriteString("_")
		case name == "sup" && !closing:
			out.WriteString("^")
		case name == "li":
			if !closing {
				out.WriteString("\n- ")
			}
		case headingTags[name]:
			out.WriteString("\n\n")
		case blockTags[name]:
			out.WriteString("\n")
		}
	}
	text(s[last:])
	lines := strings.Split(out.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")) + "\n"
}

func looksLikeHTML(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "<html") || strings.Contains(l, "<body") || strings.Contains(l, "</p>") || strings.Contains(l, "</div>") || strings.Contains(l, "</h")
}
