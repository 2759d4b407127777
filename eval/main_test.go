package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/runner"
)

func TestMain(m *testing.M) {
	// As in the main program: orphans of killed sandboxes come here and are
	// reaped, so checkNoLeftovers can see that none is left.
	stop, err := runner.StartReaper()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reaper:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// checkNoLeftovers fails the test if this process still has a child (a
// sandbox, a zombie) or a cgroup, once what the test closed has ended.
func checkNoLeftovers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		kids := childProcesses(os.Getpid())
		var groups []string
		for _, pattern := range []string{"/sys/fs/cgroup/*/scalebox-%d-*", "/sys/fs/cgroup/*/*/scalebox-%d-*", "/sys/fs/cgroup/scalebox-%d-*"} {
			g, _ := filepath.Glob(fmt.Sprintf(pattern, os.Getpid()))
			groups = append(groups, g...)
		}
		temps, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("scalebox-*-%d-*", os.Getpid())))
		if len(kids) == 0 && len(groups) == 0 && len(temps) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind: processes %v, cgroups %v, temporary directories %v", kids, groups, temps)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// childProcesses lists the children of pid, live or zombie.
func childProcesses(pid int) []string {
	var kids []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		data, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) >= 2 && f[1] == strconv.Itoa(pid) {
			kids = append(kids, s[:i+1]+" "+f[0])
		}
	}
	return kids
}
