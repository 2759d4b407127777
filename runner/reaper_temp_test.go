package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// A directory a killed scalebox left is removed; one of a live process, of
// this process, or not named by TempPrefix is kept.
func TestReapStaleTemp(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(cmd.Process.Pid)
	live := strconv.Itoa(os.Getppid())
	self := strconv.Itoa(os.Getpid())
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "sub", "a.out"), []byte("x"), 0o400); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := []string{mk("scalebox-build-" + dead + "-123"), mk("scalebox-check-" + dead + "-9")}
	kept := []string{
		mk("scalebox-build-" + live + "-1"),
		mk("scalebox-build-" + self + "-1"),
		mk("scalebox-chromium-" + dead),
		mk("scalebox-other-" + dead + "-1"),
		mk("scalebox-build-x" + dead + "-1"),
	}
	if err := os.WriteFile(filepath.Join(dir, "scalebox-fetch-"+dead+"-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed := reapStaleTemp(dir)
	if len(removed) != len(gone) {
		t.Errorf("removed %v, want the %d of pid %s", removed, len(gone), dead)
	}
	for _, p := range gone {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", p, err)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
}
