package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cgroupV1 manages runs on the legacy hierarchy: one directory per run in
// each of the memory, pids and cpuacct controllers.
type cgroupV1 struct {
	parents map[string]string // controller -> this process's parent dir
	memsw   bool              // swap accounting: memory.memsw.* exist
}

// v1Controllers are the controllers a run uses; memory is required.
var v1Controllers = []string{"memory", "pids", "cpuacct"}

func newCgroupV1(mounts cgroupMounts, own map[string]string) (*cgroupV1, error) {
	m := &cgroupV1{parents: map[string]string{}}
	for _, c := range v1Controllers {
		mnt, ok := mounts.v1[c]
		if !ok {
			if c == "memory" {
				return nil, errors.New("memory controller not mounted")
			}
			continue
		}
		base := filepath.Join(mnt, own[c])
		if _, err := os.Stat(base); err != nil {
			// Inside a container the path in /proc/self/cgroup may be the
			// host's; the mount root is then our own group.
			base = mnt
		}
		reapStale(base)
		parent := filepath.Join(base, parentName())
		if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			m.Close()
			if c == "memory" {
				return nil, fmt.Errorf("create %s: %w", parent, err)
			}
			continue
		}
		m.parents[c] = parent
	}
	if _, err := os.Stat(filepath.Join(m.parents["memory"], "memory.memsw.limit_in_bytes")); err == nil {
		m.memsw = true
	}
	// A new group takes its parent's swappiness: set once here, not per run.
	_ = writeFile(filepath.Join(m.parents["memory"], "memory.swappiness"), "0")
	return m, nil
}

func (m *cgroupV1) Version() string { return "v1" }

func (m *cgroupV1) Close() error {
	var errs []error
	for _, p := range m.parents {
		if err := removeDir(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *cgroupV1) New(lim Limits) (cgroup, error) {
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

func (m *cgroupV1) Make() (cgroup, error) {
	name := "t" + strconv.FormatUint(cgroupSeq.Add(1), 10)
	g := &cgroupV1Group{dirs: map[string]string{}, memsw: m.memsw}
	for c, parent := range m.parents {
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			g.Destroy()
			return nil, fmt.Errorf("create cgroup: %w", err)
		}
		g.dirs[c] = dir
	}
	return g, nil
}

func (g *cgroupV1Group) Limit(lim Limits) error {
	mem := g.dirs["memory"]
	if lim.MemoryBytes > 0 {
		v := strconv.FormatInt(lim.MemoryBytes, 10)
		if err := writeFile(filepath.Join(mem, "memory.limit_in_bytes"), v); err != nil {
			return fmt.Errorf("set memory limit: %w", err)
		}
		// Without swap accounting the file is absent; the machine then has
		// no swap limit to set.
		if g.memsw {
			if err := writeFile(filepath.Join(mem, "memory.memsw.limit_in_bytes"), v); err != nil {
				return fmt.Errorf("set memory+swap limit: %w", err)
			}
		}
	}
	if dir, ok := g.dirs["pids"]; ok && lim.Processes > 0 {
		if err := writeFile(filepath.Join(dir, "pids.max"), strconv.Itoa(lim.Processes)); err != nil {
			return fmt.Errorf("set pids limit: %w", err)
		}
	}
	return nil
}

type cgroupV1Group struct {
	dirs  map[string]string
	memsw bool // memory.memsw.* exist (swap accounting)
}

func (g *cgroupV1Group) AddProc(pid int) error {
	s := strconv.Itoa(pid)
	for c, dir := range g.dirs {
		if err := writeFile(filepath.Join(dir, "cgroup.procs"), s); err != nil {
			return fmt.Errorf("move pid %d into %s cgroup: %w", pid, c, err)
		}
	}
	return nil
}

func (g *cgroupV1Group) ProcsFiles() ([]*os.File, error) {
	dirs := make([]string, 0, len(g.dirs))
	for _, c := range v1Controllers {
		if d, ok := g.dirs[c]; ok {
			dirs = append(dirs, d)
		}
	}
	return openProcs(dirs...)
}

func (g *cgroupV1Group) CPUUsage() (time.Duration, error) {
	dir, ok := g.dirs["cpuacct"]
	if !ok {
		return 0, errors.New("cpuacct controller not available")
	}
	ns, err := readInt(filepath.Join(dir, "cpuacct.usage"))
	return time.Duration(ns), err
}

func (g *cgroupV1Group) MemoryPeak() (int64, error) {
	return readInt(filepath.Join(g.dirs["memory"], "memory.max_usage_in_bytes"))
}

func (g *cgroupV1Group) OOMKilled() (bool, error) {
	n, found, err := readKeyed(filepath.Join(g.dirs["memory"], "memory.oom_control"), "oom_kill")
	if err != nil {
		return false, err
	}
	if found {
		return n > 0, nil
	}
	// Kernels before 4.13 have no oom_kill counter: a hit limit is the best sign.
	fail, err := readInt(filepath.Join(g.dirs["memory"], "memory.failcnt"))
	return fail > 0, err
}

func (g *cgroupV1Group) LimitHit() (bool, error) {
	n, err := readInt(filepath.Join(g.dirs["memory"], "memory.failcnt"))
	return n > 0, err
}

func (g *cgroupV1Group) Kill() error {
	// The pids group sees every task; fall back to memory's.
	dir, ok := g.dirs["pids"]
	if !ok {
		dir = g.dirs["memory"]
	}
	return killProcs(filepath.Join(dir, "cgroup.procs"))
}

func (g *cgroupV1Group) Destroy() error {
	var errs []error
	if len(g.dirs) > 0 {
		if err := g.Kill(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, dir := range g.dirs {
		if err := removeDir(dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("destroy cgroup: %s", strings.TrimSpace(errors.Join(errs...).Error()))
	}
	return nil
}
