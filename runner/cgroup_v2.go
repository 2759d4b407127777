package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// cgroupV2 manages runs on the unified hierarchy.
type cgroupV2 struct {
	parent string // <our cgroup>/scalebox-<pid>, with memory and pids enabled for children
}

func newCgroupV2(mount, own string) (*cgroupV2, error) {
	base := filepath.Join(mount, own)
	if _, err := os.Stat(base); err != nil {
		base = mount
	}
	ctrls, err := os.ReadFile(filepath.Join(base, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	have := strings.Fields(string(ctrls))
	for _, c := range []string{"memory", "pids"} {
		if !slices.Contains(have, c) {
			return nil, fmt.Errorf("controller %q is not available in %s (available: %q)", c, base, have)
		}
	}
	reapStale(base)
	if err := enableV2Controllers(base); err != nil {
		return nil, err
	}
	parent := filepath.Join(base, parentName())
	if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if err := writeFile(filepath.Join(parent, "cgroup.subtree_control"), "+memory +pids"); err != nil {
		_ = removeDir(parent)
		return nil, fmt.Errorf("enable controllers in %s: %w", parent, err)
	}
	return &cgroupV2{parent: parent}, nil
}

// enableV2Controllers turns on memory and pids for the children of base. The
// "no internal processes" rule forbids that while base holds processes, so
// when scalebox is the only process there it first moves itself into a leaf.
func enableV2Controllers(base string) error {
	ctl := filepath.Join(base, "cgroup.subtree_control")
	if err := writeFile(ctl, "+memory +pids"); err == nil {
		return nil
	}
	procs, err := os.ReadFile(filepath.Join(base, "cgroup.procs"))
	if err != nil {
		return err
	}
	self := strconv.Itoa(os.Getpid())
	for _, p := range strings.Fields(string(procs)) {
		if p != self {
			return fmt.Errorf("%s holds other processes (pid %s), so its controllers cannot be delegated; run scalebox in a cgroup of its own, e.g. `systemd-run --scope -p Delegate=yes scalebox ...`", base, p)
		}
	}
	leaf := filepath.Join(base, "scalebox-self")
	if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := writeFile(filepath.Join(leaf, "cgroup.procs"), self); err != nil {
		return fmt.Errorf("move scalebox into %s: %w", leaf, err)
	}
	if err := writeFile(ctl, "+memory +pids"); err != nil {
		return fmt.Errorf("enable controllers in %s: %w", base, err)
	}
	return nil
}

func (m *cgroupV2) Version() string { return "v2" }

func (m *cgroupV2) Close() error { return removeDir(m.parent) }

func (m *cgroupV2) New(lim Limits) (cgroup, error) {
	g, err := m.Make()
	if err != nil {
		return nil, err
	}
	if err := g.Limit(lim); err != nil {
		g.Destroy()
		return nil, err
	}
	return g, nil
}

func (m *cgroupV2) Make() (cgroup, error) {
	dir := filepath.Join(m.parent, "t"+strconv.FormatUint(cgroupSeq.Add(1), 10))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup: %w", err)
	}
	_, err := os.Stat(filepath.Join(dir, "memory.swap.max"))
	return &cgroupV2Group{dir: dir, swap: err == nil}, nil
}

func (g *cgroupV2Group) Limit(lim Limits) error {
	if lim.MemoryBytes > 0 {
		if err := writeFile(filepath.Join(g.dir, "memory.max"), strconv.FormatInt(lim.MemoryBytes, 10)); err != nil {
			return fmt.Errorf("set memory limit: %w", err)
		}
		if g.swap {
			_ = writeFile(filepath.Join(g.dir, "memory.swap.max"), "0")
		}
	}
	if lim.Processes > 0 {
		if err := writeFile(filepath.Join(g.dir, "pids.max"), strconv.Itoa(lim.Processes)); err != nil {
			return fmt.Errorf("set pids limit: %w", err)
		}
	}
	return nil
}

type cgroupV2Group struct {
	dir  string
	swap bool // memory.swap.max exists
	// maxSeen tracks memory.current where memory.peak is missing (kernels
	// before 5.19); it is sampled whenever CPU usage is polled.
	maxSeen atomic.Int64
}

func (g *cgroupV2Group) AddProc(pid int) error {
	return writeFile(filepath.Join(g.dir, "cgroup.procs"), strconv.Itoa(pid))
}

func (g *cgroupV2Group) ProcsFiles() ([]*os.File, error) { return openProcs(g.dir) }

func (g *cgroupV2Group) CPUUsage() (time.Duration, error) {
	if cur, err := readInt(filepath.Join(g.dir, "memory.current")); err == nil {
		for {
			old := g.maxSeen.Load()
			if cur <= old || g.maxSeen.CompareAndSwap(old, cur) {
				break
			}
		}
	}
	us, _, err := readKeyed(filepath.Join(g.dir, "cpu.stat"), "usage_usec")
	return time.Duration(us) * time.Microsecond, err
}

func (g *cgroupV2Group) MemoryPeak() (int64, error) {
	n, err := readInt(filepath.Join(g.dir, "memory.peak"))
	if errors.Is(err, os.ErrNotExist) {
		return g.maxSeen.Load(), nil
	}
	return n, err
}

func (g *cgroupV2Group) OOMKilled() (bool, error) {
	n, _, err := readKeyed(filepath.Join(g.dir, "memory.events"), "oom_kill")
	return n > 0, err
}

func (g *cgroupV2Group) LimitHit() (bool, error) {
	n, _, err := readKeyed(filepath.Join(g.dir, "memory.events"), "max")
	return n > 0, err
}

func (g *cgroupV2Group) Kill() error {
	if err := writeFile(filepath.Join(g.dir, "cgroup.kill"), "1"); err == nil {
		// cgroup.kill is asynchronous; wait until the group is empty.
		return killProcs(filepath.Join(g.dir, "cgroup.procs"))
	}
	return killProcs(filepath.Join(g.dir, "cgroup.procs"))
}

func (g *cgroupV2Group) Destroy() error {
	kerr := g.Kill()
	return errors.Join(kerr, removeDir(g.dir))
}
