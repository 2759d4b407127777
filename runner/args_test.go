package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRlimitArgs(t *testing.T) {
	lim := Limits{CPUTime: 1500 * time.Millisecond, MemoryBytes: 64 << 20, FileSizeBytes: 1 << 20, Processes: 8}
	want := []string{"--core=0:0", "--nofile=1024:1024", "--cpu=3:4", "--fsize=1048576:1048576", "--stack=67108864:67108864"}
	if diff := cmp.Diff(want, rlimitArgs(lim, false)); diff != "" {
		t.Errorf("with cgroups (-want +got):\n%s", diff)
	}
	want = append(want, "--as=67108864:67108864", "--nproc=8:8")
	if diff := cmp.Diff(want, rlimitArgs(lim, true)); diff != "" {
		t.Errorf("without cgroups (-want +got):\n%s", diff)
	}
}

func TestBwrapArgs(t *testing.T) {
	b := &Bwrap{base: []string{"bwrap", "--unshare-all"}}
	spec := &Spec{
		Args:   []string{"/usr/bin/python3", "/box/main.py"},
		Env:    []string{"PATH=/usr/bin", "A=b=c"},
		Mounts: []Mount{{Source: "/host/main.py", Target: "/box/main.py"}, {Source: "/host/out", Target: "/out", Writable: true}},
		Limits: Limits{TmpfsBytes: 1 << 20},
	}
	got := strings.Join(b.args(spec), " ")
	want := "bwrap --unshare-all --size 1048576 --tmpfs /tmp --size 1048576 --tmpfs /dev/shm --remount-ro /dev --size 1048576 --tmpfs /box --ro-bind /host/main.py /box/main.py --bind /host/out /out --remount-ro / --chdir /box --clearenv --setenv PATH /usr/bin --setenv A b=c -- /usr/bin/python3 /box/main.py"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBwrapBaseArgsKeepsIsolation(t *testing.T) {
	o := Options{}
	a := bwrapBaseArgs(o.withDefaults())
	for _, flag := range []string{"--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "--proc", "--dev"} {
		if !slices.Contains(a, flag) {
			t.Errorf("base arguments lack %s: %v", flag, a)
		}
	}
	if slices.Contains(a, "/etc/shadow") || slices.Contains(a, "/root") {
		t.Errorf("base arguments expose host secrets: %v", a)
	}
}

func TestNsjailArgs(t *testing.T) {
	n := &Nsjail{base: []string{"nsjail", "--mode", "o"}}
	spec := &Spec{
		Args:   []string{"/box/main"},
		Env:    []string{"PATH=/usr/bin"},
		Mounts: []Mount{{Source: "/host/main", Target: "/box/main"}},
		Limits: Limits{TmpfsBytes: 4096},
	}
	got := strings.Join(n.args(spec), " ")
	want := "nsjail --mode o --mount none:/tmp:tmpfs:size=4096 --mount none:/box:tmpfs:size=4096 --bindmount_ro /host/main:/box/main --cwd /box --env PATH=/usr/bin -- /box/main"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	no := Options{HostUID: 1000, HostGID: 1001}
	base := strings.Join(nsjailBaseArgs(no.withDefaults(), true), " ")
	for _, part := range []string{"--disable_rlimits", "--time_limit 0", "--user 1000:1000", "--group 1001:1001"} {
		if !strings.Contains(base, part) {
			t.Errorf("nsjail base arguments lack %q: %s", part, base)
		}
	}
}

func TestReadCgroupMounts(t *testing.T) {
	dir := t.TempDir()
	hybrid := `25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
29 25 0:26 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids
`
	unified := `30 25 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
`
	tests := []struct {
		name, mountinfo string
		want            cgroupMounts
	}{
		{"hybrid", hybrid, cgroupMounts{v2: "/sys/fs/cgroup/unified", v1: map[string]string{
			"memory": "/sys/fs/cgroup/memory", "cpu": "/sys/fs/cgroup/cpu,cpuacct", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct", "pids": "/sys/fs/cgroup/pids"}}},
		{"unified", unified, cgroupMounts{v2: "/sys/fs/cgroup", v1: map[string]string{}}},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, tt.name)
		os.WriteFile(p, []byte(tt.mountinfo), 0o644)
		got, err := readCgroupMounts(p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(cgroupMounts{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	p := filepath.Join(dir, "cgroup")
	os.WriteFile(p, []byte("12:pids:/a\n4:cpu,cpuacct:/b\n0::/c\n"), 0o644)
	own, err := readOwnCgroups(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"pids": "/a", "cpu": "/b", "cpuacct": "/b", "": "/c"}, own); diff != "" {
		t.Errorf("own cgroups (-want +got):\n%s", diff)
	}
}

func TestIsShimAndFindTool(t *testing.T) {
	dir := t.TempDir()
	shim := filepath.Join(dir, "python3")
	os.WriteFile(shim, []byte("#!/usr/bin/env bash\nexec \"$(pyenv root)/libexec/pyenv\" exec \"$program\" \"$@\"\n"), 0o755)
	if !isShim(shim) {
		t.Error("a pyenv shim is not recognised")
	}
	if got := findTool([]string{shim, "/bin/sh"}); got != "/bin/sh" {
		t.Errorf("findTool skipped to %q, want /bin/sh", got)
	}
	if got := findTool([]string{filepath.Join(dir, "none")}); got != "" {
		t.Errorf("findTool found %q in nothing", got)
	}
}

func TestVisibleIn(t *testing.T) {
	dirs := []string{"/usr", "/bin"}
	hidden := []string{"/usr/local"}
	for path, want := range map[string]bool{"/usr/bin/python3": true, "/usr/local/bin/python3": false, "/opt/x/bin/y": false, "/usrx/bin": false} {
		if got := visibleIn(path, dirs, hidden); got != want {
			t.Errorf("visibleIn(%q) = %v, want %v", path, got, want)
		}
	}
}
