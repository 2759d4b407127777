package server

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/scalebox-dev/scalebox/runner"
)

// apiLanguages maps the language names of SandboxFusion and ScaleBox
// requests to scalebox's languages (runner/languages.toml). scalebox's own
// ids are accepted as they are.
var apiLanguages = map[string]string{
	"python":     "python3",
	"python3":    "python3",
	"pypy":       "pypy3",
	"pypy3":      "pypy3",
	"cpp":        "cpp",
	"c++":        "cpp",
	"c":          "c",
	"nodejs":     "javascript",
	"javascript": "javascript",
	"js":         "javascript",
	"typescript": "typescript",
	"ts":         "typescript",
	"go":         "go",
	"java":       "java",
	"rust":       "rust",
	"php":        "php",
	"ruby":       "ruby",
	"lua":        "lua",
	"bash":       "bash",
	"sh":         "bash",
	"csharp":     "csharp",
	"cs":         "csharp",
}

// compiledLanguages are those SandboxFusion compiles in a step of its own,
// reported as compile_result; for the others a program that cannot start
// fails in its run, as there.
var compiledLanguages = map[string]bool{"c": true, "cpp": true, "go": true, "java": true, "rust": true, "csharp": true}

// languages resolves the request's language names against the toolchains
// this machine has.
type languages struct {
	res *runner.Resolver
	// known are the API names whose toolchain resolved, sorted.
	known []string
	// missing says why a known language cannot run here.
	missing map[string]string
}

func newLanguages(res *runner.Resolver) *languages {
	l := &languages{res: res, missing: map[string]string{}}
	names := map[string]bool{}
	for name := range apiLanguages {
		names[name] = true
	}
	for id := range res.Languages() {
		names[id] = true
	}
	for name := range names {
		id := name
		if m, ok := apiLanguages[name]; ok {
			id = m
		}
		if _, err := res.Toolchain(id); err != nil {
			l.missing[name] = err.Error()
			continue
		}
		l.known = append(l.known, name)
	}
	sort.Strings(l.known)
	return l
}

// errUnknownLanguage marks a language name the server does not know.
var errUnknownLanguage = errors.New("unknown language")

// lookup returns scalebox's language id for an API name (case-insensitive),
// or an error that lists the known names.
func (l *languages) lookup(name string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return "", errors.New("is required")
	}
	id, ok := apiLanguages[key]
	if !ok {
		if _, own := l.res.Languages()[key]; own {
			id, ok = key, true
		}
	}
	if !ok {
		return "", fmt.Errorf("%w %q (known: %s)", errUnknownLanguage, name, strings.Join(l.known, ", "))
	}
	if why, missing := l.missing[key]; missing {
		return "", fmt.Errorf("%q cannot run on this server: %s", name, why)
	}
	return id, nil
}
