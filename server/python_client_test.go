package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPythonClient runs the Python reward function's tests
// (clients/python) with python3 against a live server.
func TestPythonClient(t *testing.T) {
	needSandbox(t, "g++")
	s := sharedServer(t)
	cmd := exec.Command("python3", "-m", "unittest", "-v", "test_scalebox_reward")
	cmd.Dir = "../clients/python"
	cmd.Env = append(cmd.Environ(), "SCALEBOX_URL="+s.url, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "skipped") {
		t.Fatalf("python3 -m unittest: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
