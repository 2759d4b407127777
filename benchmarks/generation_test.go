package benchmarks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerationSection(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "mine.toml")
		os.WriteFile(p, []byte("name = \"humanevalplus\"\n"+body), 0o644)
		return p
	}
	cfg, err := (&Registry{}).LoadFile(write(`
[generation]
url = "http://127.0.0.1:8000/v1"
model = "qwen"
prompt = "instruct"
n = 10
temperature = 0.8
seed = 7
stop = ["\n#"]
few_shot = "shots"
api_key_env = "MY_KEY"
`))
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Generation
	if g == nil || g.Model != "qwen" || g.N != 10 || *g.Temperature != 0.8 || *g.Seed != 7 || g.TopP != nil || cfg.Path(g.FewShot) != filepath.Join(dir, "shots") {
		t.Errorf("generation %+v", g)
	}
	if cfg.Format != "evalplus" {
		t.Errorf("the builtin's keys were lost: format %q", cfg.Format)
	}
	for _, c := range []struct{ body, want string }{
		{"[generation]\nmodle = \"x\"\n", "unknown key generation.modle"},
		{"[generation]\napi = \"rest\"\n", `generation.api "rest" is unknown`},
		{"[generation]\ntop_p = 1.5\n", "generation.top_p must be in (0, 1]"},
		{"[generation]\nurl = \"localhost:8000\"\n", "not an http(s) URL"},
	} {
		_, err := (&Registry{}).LoadFile(write(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.body, err, c.want)
		}
	}
}
