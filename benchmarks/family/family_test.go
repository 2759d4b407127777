package family_test

import (
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

func TestPyStrip(t *testing.T) {
	for in, want := range map[string]string{
		" \t\nx y\n\x1c\x1f\u00a0": "x y",
		"\u2003x":                  "x",
		"":                         "",
	} {
		if got := family.PyStrip(in); got != want {
			t.Errorf("PyStrip(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPromptSHA256(t *testing.T) {
	chat := &family.Prompt{Messages: []family.Message{{Role: "user", Content: "hi"}}, Stop: []string{"x"}}
	text := &family.Prompt{Text: "hi"}
	// The hash is the sha256 of {"messages":[...]} or {"prompt":"..."}
	// (stop sequences are not part of it): fixed values, so that a change
	// of the encoding, which would make resumed files refuse, shows.
	if got := chat.SHA256(); got != "28b1d959db3e421ca8c4d70c7ea1843622e7b3e4c98773e62bb765378ff92164" {
		t.Errorf("chat hash %s", got)
	}
	if got := text.SHA256(); got != "14479f4e87d340fe0ca0d522d87a5b3a028ebb1af24fbb8d3ef4553044fc6db6" {
		t.Errorf("text hash %s", got)
	}
	if chat.SHA256() == text.SHA256() || chat.API() != family.APIChat || text.API() != family.APICompletions {
		t.Errorf("chat and text prompts are confused")
	}
	chat.Stop = nil
	if chat.SHA256() != (&family.Prompt{Messages: []family.Message{{Role: "user", Content: "hi"}}}).SHA256() {
		t.Errorf("the hash depends on the stop sequences")
	}
}
