package runner

import (
	"bufio"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// cgroup is one run's control group: it limits memory and process count,
// accounts CPU time and peak memory, and kills everything inside it.
type cgroup interface {
	// Limit sets the group's memory and process limits.
	Limit(lim Limits) error
	// AddProc moves a process (and so its future children) into the group.
	AddProc(pid int) error
	// ProcsFiles opens the group's cgroup.procs files for writing: a
	// process that writes "0" to each joins the group (the files were
	// opened by the host, so the kernel checks the host's permissions).
	ProcsFiles() ([]*os.File, error)
	CPUUsage() (time.Duration, error)
	MemoryPeak() (int64, error)
	// OOMKilled reports whether the kernel killed a process for memory.
	OOMKilled() (bool, error)
	// LimitHit reports whether the group's memory use reached its limit
	// (whether or not the kernel then killed anything).
	LimitHit() (bool, error)
	// Kill sends SIGKILL to every process in the group until none is left.
	Kill() error
	// Destroy kills what is left and removes the group.
	Destroy() error
}

// cgroupManager creates per-run cgroups under one parent owned by this
// scalebox process.
type cgroupManager interface {
	New(lim Limits) (cgroup, error)
	// Make creates a group without limits (see cgroup.Limit).
	Make() (cgroup, error)
	Version() string // "v1" or "v2"
	Close() error
}

var cgroupSeq, managerSeq atomic.Uint64

// parentName names a manager's parent cgroup: the process id (so that a
// later scalebox can reap what a crashed one left) and a sequence number
// (so that two managers in one process never share, or remove, a parent).
func parentName() string {
	return fmt.Sprintf("scalebox-%d-%d", os.Getpid(), managerSeq.Add(1))
}

// cgroupRoot is where cgroup file systems are mounted; tests may not change it.
const cgroupRoot = "/sys/fs/cgroup"

// newCgroupManager picks the cgroup hierarchy that offers memory and pids
// control: v1 when its memory controller is mounted (hybrid machines), else
// v2 with memory and pids enabled. It returns an error that says what is
// missing when neither works.
func newCgroupManager() (cgroupManager, error) {
	mounts, err := readCgroupMounts("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	own, err := readOwnCgroups("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	var errs []error
	if _, ok := mounts.v1["memory"]; ok {
		m, err := newCgroupV1(mounts, own)
		if err == nil {
			return m, nil
		}
		errs = append(errs, fmt.Errorf("cgroup v1: %w", err))
	}
	if mounts.v2 != "" {
		m, err := newCgroupV2(mounts.v2, own[""])
		if err == nil {
			return m, nil
		}
		errs = append(errs, fmt.Errorf("cgroup v2: %w", err))
	}
	if len(errs) == 0 {
		return nil, errors.New("no cgroup file system is mounted")
	}
	return nil, errors.Join(errs...)
}

type cgroupMounts struct {
	v1 map[string]string // controller -> mount point
	v2 string            // cgroup2 mount point
}

// readCgroupMounts finds cgroup mount points in a mountinfo file.
func readCgroupMounts(path string) (cgroupMounts, error) {
	m := cgroupMounts{v1: map[string]string{}}
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf := strings.Fields(pre)
		qf := strings.Fields(post)
		if len(pf) < 5 || len(qf) < 3 {
			continue
		}
		mnt := pf[4]
		switch qf[0] {
		case "cgroup2":
			if m.v2 == "" || mnt == cgroupRoot {
				m.v2 = mnt
			}
		case "cgroup":
			for _, opt := range strings.Split(qf[2], ",") {
				switch opt {
				case "memory", "pids", "cpuacct", "cpu", "freezer":
					if _, dup := m.v1[opt]; !dup {
						m.v1[opt] = mnt
					}
				}
			}
		}
	}
	return m, sc.Err()
}

// readOwnCgroups maps each v1 controller (and "" for v2) to this process's
// cgroup path.
func readOwnCgroups(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	own := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			own[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	return own, nil
}

// writeFile writes value to a cgroup file. The cgroup files are opened
// with bare system calls: os.Open's poller checks cost as much again, and a
// run makes a dozen of these calls.
//
// A write can wait (memory.limit_in_bytes reclaims down to the new limit)
// and a signal then interrupts it: the Go runtime's preemption signal
// reaches every thread, so EINTR is retried.
func writeFile(path, value string) error {
	fd, err := ignoringEINTR(func() (int, error) { return unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if _, err := ignoringEINTR(func() (int, error) { return unix.Write(fd, []byte(value)) }); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}

// ignoringEINTR calls f until it fails with something other than EINTR.
func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// readSmall reads a cgroup file (at most 4 KiB matter).
func readSmall(path string) ([]byte, error) {
	fd, err := ignoringEINTR(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	n := 0
	for n < len(buf) {
		m, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, buf[n:]) })
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}

func readInt(path string) (int64, error) {
	data, err := readSmall(path)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return -1, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// readKeyed reads one key of a "key value" file such as cpu.stat or memory.events.
func readKeyed(path, key string) (int64, bool, error) {
	data, err := readSmall(path)
	if err != nil {
		return 0, false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, true, err
		}
	}
	return 0, false, nil
}

// killProcs SIGKILLs every pid listed in procsFile until the list is empty.
// A fork bomb racing the loop is bounded by the pids limit; the loop gives up
// after a second and says so.
func killProcs(procsFile string) error {
	deadline := time.Now().Add(time.Second)
	for {
		data, err := os.ReadFile(procsFile)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		fields := strings.Fields(string(data))
		if len(fields) == 0 {
			return nil
		}
		for _, f := range fields {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes still alive in %s: %s", filepath.Dir(procsFile), strings.Join(fields, " "))
		}
		time.Sleep(time.Millisecond)
	}
}

// removeDir removes a cgroup directory, retrying while the kernel finishes
// tearing down killed processes.
func removeDir(dir string) error {
	var err error
	for i := 0; i < 200; i++ {
		err = syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// reapStale removes cgroup directories left by scalebox processes that no
// longer exist (a crash or kill -9 of an earlier run).
func reapStale(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidStr, ok := strings.CutPrefix(e.Name(), "scalebox-")
		if !ok || !e.IsDir() {
			continue
		}
		pidStr, _, _ = strings.Cut(pidStr, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		subs, _ := os.ReadDir(dir)
		for _, s := range subs {
			if s.IsDir() {
				sub := filepath.Join(dir, s.Name())
				_ = killProcs(filepath.Join(sub, "cgroup.procs"))
				_ = removeDir(sub)
			}
		}
		_ = removeDir(dir)
	}
}

// openProcs opens the cgroup.procs file of each dir for writing.
func openProcs(dirs ...string) ([]*os.File, error) {
	var files []*os.File
	for _, d := range dirs {
		f, err := os.OpenFile(filepath.Join(d, "cgroup.procs"), os.O_WRONLY, 0)
		if err != nil {
			closeAll(files)
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
