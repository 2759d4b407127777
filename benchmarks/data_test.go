package benchmarks_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// TestTreeSHA256MatchesShell: a folder's sha256 is what the documented
// shell pipeline prints.
func TestTreeSHA256MatchesShell(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"a/b": "1", "a.txt": "2", "z/y/x": "3\n", "sp ace": ""} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := benchmarks.TreeSHA256(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sh", "-c", `cd "$1" && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0r sha256sum | sha256sum`, "sh", dir).Output()
	if err != nil {
		t.Skipf("no GNU find, sort and sha256sum here: %v", err)
	}
	if want := strings.Fields(string(out))[0]; got != want {
		t.Errorf("treeSHA256 = %s, the shell says %s", got, want)
	}
}
