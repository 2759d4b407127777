package runner

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The sandbox init (poolinit.go) starts each run's program with its own
// fork and exec instead of os/exec, because the child must do what Go's
// syscall.ForkExec cannot, between fork and exec: join the run's cgroups
// (by writing "0" to cgroup.procs files the host opened, so the program is
// accounted from its first instruction) and set the run's rlimits.
//
// The child is created with CLONE_VM|CLONE_VFORK (where the assembly for
// it exists: amd64, arm64): it borrows the parent's memory and stack until
// it execs, so there is no copy of the page tables, and the parent thread
// waits meanwhile. It may not allocate, grow its stack or call into the
// runtime. Everything it needs is prepared before the fork in a forkSpec,
// and the child runs only raw system calls in nosplit, norace functions, as
// the syscall package's own forkAndExecInChild does. It must not write any
// memory the parent reads afterwards, other than the stack below its frame.

//go:linkname runtimeBeforeFork syscall.runtime_BeforeFork
func runtimeBeforeFork()

//go:linkname runtimeAfterFork syscall.runtime_AfterFork
func runtimeAfterFork()

//go:linkname runtimeAfterForkInChild syscall.runtime_AfterForkInChild
func runtimeAfterForkInChild()

// childRlimit is one rlimit the child sets before exec.
type childRlimit struct {
	resource uintptr
	lim      unix.Rlimit
}

// forkSpec is everything the child needs, allocated before fork.
type forkSpec struct {
	path *byte
	argv []*byte // nil-terminated
	envv []*byte // nil-terminated
	dir  *byte
	// stdio are the descriptors that become 0, 1 and 2; extra become 3,
	// 4 and so on.
	stdio [3]int
	extra []int
	// cgroupProcs are cgroup.procs files the child writes "0" to.
	cgroupProcs []int
	rlimits     []childRlimit
	zero        [1]byte
}

// Steps of the child, reported with the errno when one fails.
const (
	stepSetsid uintptr = iota + 1
	stepCgroup
	stepRlimit
	stepDup
	stepChdir
	stepExec
)

var stepNames = map[uintptr]string{
	stepSetsid: "setsid", stepCgroup: "join cgroup", stepRlimit: "setrlimit",
	stepDup: "dup", stepChdir: "chdir", stepExec: "exec",
}

// newForkSpec converts a run's command into a forkSpec.
func newForkSpec(argv, env []string, dir string) (*forkSpec, error) {
	if len(argv) == 0 {
		return nil, errors.New("empty command")
	}
	fs := &forkSpec{}
	var err error
	if fs.path, err = syscall.BytePtrFromString(argv[0]); err != nil {
		return nil, err
	}
	if fs.argv, err = syscall.SlicePtrFromStrings(argv); err != nil {
		return nil, err
	}
	if fs.envv, err = syscall.SlicePtrFromStrings(env); err != nil {
		return nil, err
	}
	if fs.dir, err = syscall.BytePtrFromString(dir); err != nil {
		return nil, err
	}
	fs.zero[0] = '0'
	return fs, nil
}

// childErrors is the pipe on which a child reports a failure before exec;
// its write end closes at exec.
type childErrors struct{ r, w int }

func newChildErrors() (*childErrors, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	return &childErrors{r: p[0], w: p[1]}, nil
}

// read returns the child's failure, or nil when it reached exec. Call it
// after the child was started (it blocks until exec or exit). It closes
// the pipe.
func (c *childErrors) read() error {
	defer unix.Close(c.r)
	var report [2]uintptr
	buf := (*[unsafe.Sizeof(report)]byte)(unsafe.Pointer(&report))[:]
	n := 0
	for n < len(buf) {
		m, err := unix.Read(c.r, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if m <= 0 {
			break
		}
		n += m
	}
	switch {
	case n == 0:
		return nil
	case n != len(buf):
		return fmt.Errorf("child reported %d bytes", n)
	}
	return fmt.Errorf("%s: %w", stepNames[report[0]], syscall.Errno(report[1]))
}

// forkExec starts the program described by fs and returns its pid without
// waiting for its exec: ce.read tells whether it got there.
func forkExec(fs *forkSpec, ce *childErrors) (int, error) {
	runtimeBeforeFork()
	pid, errno := forkAndExecChild(fs, ce.w)
	runtimeAfterFork()
	unix.Close(ce.w)
	if errno != 0 {
		unix.Close(ce.r)
		return 0, fmt.Errorf("fork: %w", errno)
	}
	return int(pid), nil
}

// forkAndExecChild forks. In the parent it returns the child's pid; the
// child never returns: it execs or exits after writing what failed to
// errFD. Between runtimeBeforeFork and runtimeAfterFork nothing may grow
// the stack, so this function and everything it calls are nosplit.
//
//go:norace
//go:nosplit
func forkAndExecChild(fs *forkSpec, errFD int) (pid uintptr, errno syscall.Errno) {
	r1, e1 := rawVfork(vforkFlags)
	if e1 != 0 || r1 != 0 {
		// In the parent: return at once, before anything could touch the
		// stack the child used.
		return r1, syscall.Errno(e1)
	}

	// In the child.
	var step uintptr
	var err1 syscall.Errno
	if _, _, err1 = syscall.RawSyscall(syscall.SYS_SETSID, 0, 0, 0); err1 != 0 {
		step = stepSetsid
		goto fail
	}
	for i := 0; i < len(fs.cgroupProcs); i++ {
		if _, _, err1 = syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fs.cgroupProcs[i]), uintptr(unsafe.Pointer(&fs.zero[0])), 1); err1 != 0 {
			step = stepCgroup
			goto fail
		}
	}
	for i := 0; i < len(fs.rlimits); i++ {
		if _, _, err1 = syscall.RawSyscall6(syscall.SYS_PRLIMIT64, 0, fs.rlimits[i].resource, uintptr(unsafe.Pointer(&fs.rlimits[i].lim)), 0, 0, 0); err1 != 0 {
			step = stepRlimit
			goto fail
		}
	}
	for i := 0; i < 3; i++ {
		fd := uintptr(fs.stdio[i])
		if fd == uintptr(i) {
			// Already in place: only clear close-on-exec.
			_, _, err1 = syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_SETFD, 0)
		} else {
			_, _, err1 = syscall.RawSyscall(syscall.SYS_DUP3, fd, uintptr(i), 0)
		}
		if err1 != 0 {
			step = stepDup
			goto fail
		}
	}
	for i := 0; i < len(fs.extra); i++ {
		fd, to := uintptr(fs.extra[i]), uintptr(3+i)
		if fd == to {
			_, _, err1 = syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_SETFD, 0)
		} else {
			_, _, err1 = syscall.RawSyscall(syscall.SYS_DUP3, fd, to, 0)
		}
		if err1 != 0 {
			step = stepDup
			goto fail
		}
	}
	if _, _, err1 = syscall.RawSyscall(syscall.SYS_CHDIR, uintptr(unsafe.Pointer(fs.dir)), 0, 0); err1 != 0 {
		step = stepChdir
		goto fail
	}
	// Restore the signal mask and default handlers for the program.
	runtimeAfterForkInChild()
	_, _, err1 = syscall.RawSyscall(syscall.SYS_EXECVE,
		uintptr(unsafe.Pointer(fs.path)),
		uintptr(unsafe.Pointer(&fs.argv[0])),
		uintptr(unsafe.Pointer(&fs.envv[0])))
	step = stepExec

fail:
	var report [2]uintptr
	report[0] = step
	report[1] = uintptr(err1)
	syscall.RawSyscall(syscall.SYS_WRITE, uintptr(errFD), uintptr(unsafe.Pointer(&report[0])), unsafe.Sizeof(report))
	for {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 127, 0, 0)
	}
}
