package registry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/registry"
)

// TestEveryBuiltinHasAFamily: every builtin benchmark's format has a
// family whose styles are well formed and resolve.
func TestEveryBuiltinHasAFamily(t *testing.T) {
	names, err := (&benchmarks.Registry{}).Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		cfg, err := (&benchmarks.Registry{}).Load(n)
		if err != nil {
			t.Fatal(err)
		}
		e, err := registry.ForFormat(cfg.Format)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		seen := map[string]bool{}
		for _, s := range e.Family.Styles() {
			if s.Name == "" || seen[s.Name] || (s.API != family.APIChat && s.API != family.APICompletions) || s.Doc == "" {
				t.Errorf("%s: style %+v", n, s)
			}
			seen[s.Name] = true
		}
		if _, err := family.Resolve(e.Family, "", family.APICompletions); err != nil {
			t.Errorf("%s: no default for the completions API: %v", n, err)
		}
	}
	if _, err := registry.ForFormat("nope"); err == nil {
		t.Error("an unknown format has a family")
	}
}

func TestResolve(t *testing.T) {
	e, _ := registry.ForFormat("evalplus")
	for _, c := range []struct{ name, api, want string }{
		{"", "", "evalplus-chat"},
		{"", "chat", "evalplus-chat"},
		{"", "completions", "evalplus-base"},
		{"base", "", "evalplus-base"},
		{"instruct", "", "evalplus-chat"},
		{"evalplus-base", "completions", "evalplus-base"},
	} {
		s, err := family.Resolve(e.Family, c.name, c.api)
		if err != nil || s.Name != c.want {
			t.Errorf("Resolve(%q, %q) = %s, %v; want %s", c.name, c.api, s.Name, err, c.want)
		}
	}
	for _, c := range []struct{ name, api string }{{"evalplus-base", "chat"}, {"nope", ""}} {
		if _, err := family.Resolve(e.Family, c.name, c.api); err == nil {
			t.Errorf("Resolve(%q, %q) succeeded", c.name, c.api)
		}
	}
	// scalebox's own format mixes problems with a prompt and stdin/stdout
	// problems: each is prompted as its kind is.
	native, _ := registry.ForFormat("scalebox")
	stdio := &benchmarks.Problem{TaskID: "s", Kind: benchmarks.KindStdio, Statement: "Print 1."}
	assert := &benchmarks.Problem{TaskID: "a", Kind: benchmarks.KindAssert, Prompt: "def f():\n"}
	if p, err := native.Family.Prompt(stdio, "chat", family.Options{Language: "python3"}); err != nil || len(p.Messages) != 2 || p.Style != "chat" {
		t.Errorf("stdio prompt %+v, %v", p, err)
	}
	if p, err := native.Family.Prompt(assert, "chat", family.Options{}); err != nil || len(p.Messages) != 1 || !strings.HasPrefix(p.Messages[0].Content, "Please provide a self-contained Python script") {
		t.Errorf("assert prompt %+v, %v", p, err)
	}
	if p, err := native.Family.Prompt(assert, "base", family.Options{}); err != nil || p.Text != "def f():\n" {
		t.Errorf("assert base prompt %+v, %v", p, err)
	}
}

// TestEveryFormatHasALoader: the formats with a family are the formats
// benchmarks reads once the registry has registered the families'
// loaders, and a format cannot be registered twice.
func TestEveryFormatHasALoader(t *testing.T) {
	if got, want := benchmarks.LoaderNames(), registry.Formats(); !slices.Equal(got, want) {
		t.Errorf("benchmarks.LoaderNames() = %v, registry.Formats() = %v", got, want)
	}
	for _, f := range []string{"scalebox", "evalplus", "kattis"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("registering format %s twice did not panic", f)
				}
			}()
			benchmarks.RegisterFormat(f, benchmarks.Format{File: func(*benchmarks.Config, []byte, string) ([]*benchmarks.Problem, error) { return nil, nil }})
		}()
	}
}
