package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// launcher starts a wrapper program (bwrap, nsjail, or the command itself)
// and enforces limits on the process tree it creates. The wrapper is started
// through prlimit(1) for its rlimits and is held stopped at its first exec
// until it is in the run's cgroup, so nothing it starts ever runs outside.
type launcher struct {
	cgroups cgroupManager // nil: no cgroup, rlimits only
	spares  *spares       // groups made ahead of the runs that need them
	keeper  *migrationKeeper
	retired *retirer // removes finished runs' cgroups
	cred    *syscall.Credential
	prlimit string // path of prlimit(1)
	// pollInterval is how often CPU time is sampled against the limit.
	pollInterval time.Duration
}

// close releases the launcher's cgroups.
func (l *launcher) close() error {
	if l.keeper != nil {
		l.keeper.close()
	}
	if l.spares != nil {
		l.spares.close()
	}
	if l.retired != nil {
		l.retired.close()
	}
	if l.cgroups != nil {
		return l.cgroups.Close()
	}
	return nil
}

// spares makes cgroups ahead of the runs that will need them, so that
// creating a run's group (a directory in each controller) is off the run's
// path; a run sets its own limits on the group it takes. A group is used
// once: spares are fresh, never recycled.
type spares struct {
	ch   chan cgroup
	stop chan struct{}
	done chan struct{}
}

func newSpares(m cgroupManager, n int) *spares {
	sp := &spares{ch: make(chan cgroup, n), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sp.done)
		for {
			g, err := m.Make()
			if err != nil {
				// The run that needs one makes its own, and says why.
				select {
				case <-sp.stop:
					return
				case <-time.After(time.Second):
					continue
				}
			}
			select {
			case sp.ch <- g:
			case <-sp.stop:
				g.Destroy()
				return
			}
		}
	}()
	return sp
}

// take returns a spare group, or nil when none is ready.
func (sp *spares) take() cgroup {
	select {
	case g := <-sp.ch:
		return g
	default:
		return nil
	}
}

func (sp *spares) close() {
	close(sp.stop)
	<-sp.done
	for {
		select {
		case g := <-sp.ch:
			g.Destroy()
		default:
			return
		}
	}
}

// newCgroup returns a group for a run with its limits set: a spare when one
// is ready.
func (l *launcher) newCgroup(lim Limits) (cgroup, error) {
	if l.keeper != nil {
		l.keeper.touched()
	}
	if l.spares != nil {
		if g := l.spares.take(); g != nil {
			if err := g.Limit(lim); err != nil {
				g.Destroy()
				return nil, err
			}
			return g, nil
		}
	}
	return l.cgroups.New(lim)
}

// retirer removes finished runs' cgroups in the background, off the runs'
// path: every process of a run is dead before its cgroup gets here.
type retirer struct {
	ch   chan cgroup
	done chan struct{}
}

func newRetirer() *retirer {
	r := &retirer{ch: make(chan cgroup, 64), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for cg := range r.ch {
			_ = cg.Destroy()
		}
	}()
	return r
}

// retire kills what is left in cg (at once: nothing of a run outlives it)
// and queues the group for removal.
func (r *retirer) retire(cg cgroup) {
	if err := cg.Kill(); err != nil {
		_ = cg.Destroy()
		return
	}
	r.ch <- cg
}

// close waits until every queued group is removed.
func (r *retirer) close() {
	close(r.ch)
	<-r.done
}

// wrapper describes how a backend starts the program.
type wrapper struct {
	path string
	args []string // argv including argv[0]
	// dir and env are the wrapper's working directory and environment; a
	// sandboxing wrapper sets up the program's own and gets neither.
	dir string
	env []string
	// extraFiles are passed to the wrapper as fds 3, 4, ...; the launcher
	// closes its copies once the wrapper has started.
	extraFiles []*os.File
	// exitSignals: the wrapper reports a child killed by signal N as exit
	// status 128+N (bwrap, nsjail).
	exitSignals bool
}

// killReason records why the launcher killed a run; the first reason wins.
type killReason int32

const (
	killNone killReason = iota
	killCPU
	killWall
	killOutput
	killCancel
	killWatch
)

// process is a started run as the launcher sees it.
type process interface {
	// wait blocks until the run's main process has ended and returns its
	// wait status and resource usage (nil when unknown). An error means
	// the machinery failed.
	wait() (syscall.WaitStatus, *syscall.Rusage, error)
	// kill kills the run's processes; with a cgroup the launcher also
	// kills the whole group.
	kill()
}

// starter starts a run's program with the given standard streams. When cg
// is set the program must be inside it before it runs any code of its own.
type starter func(cg cgroup, stdin, stdout, stderr *os.File) (process, error)

// run starts w under spec's limits and returns the program's result.
func (l *launcher) run(ctx context.Context, spec *Spec, w wrapper) (*Result, error) {
	start := func(cg cgroup, stdin, stdout, stderr *os.File) (process, error) {
		argv := append([]string{"prlimit"}, rlimitArgs(spec.Limits, cg == nil)...)
		argv = append(append(argv, "--", w.path), w.args[1:]...)
		cmd := &exec.Cmd{
			Path:   l.prlimit,
			Args:   argv,
			Env:    append([]string{}, w.env...), // nothing of ours leaks through
			Dir:    w.dir,
			Stdin:  stdin,
			Stdout: stdout,
			Stderr: stderr,
			SysProcAttr: &syscall.SysProcAttr{
				Setsid:     true,
				Pdeathsig:  syscall.SIGKILL,
				Credential: l.cred,
			},
		}
		cmd.ExtraFiles = w.extraFiles
		defer func() {
			for _, f := range w.extraFiles {
				f.Close()
			}
		}()
		if err := l.startConfined(cmd, cg); err != nil {
			return nil, fmt.Errorf("start %s: %w", w.path, err)
		}
		return (*cmdProcess)(cmd), nil
	}
	return l.exec(ctx, spec, start, w.exitSignals)
}

// cmdProcess is a run started with os/exec.
type cmdProcess exec.Cmd

func (c *cmdProcess) wait() (syscall.WaitStatus, *syscall.Rusage, error) {
	cmd := (*exec.Cmd)(c)
	err := waitOwned(cmd)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 0, nil, fmt.Errorf("wait %s: %w", cmd.Path, err)
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return ws, ru, nil
}

func (c *cmdProcess) kill() { _ = c.Process.Kill() }

// exec runs a program started by start under spec's limits: it creates the
// run's cgroup, drains the output while the program runs, enforces the CPU
// time limit, the wall-clock cap, cancellation and the judge's stop, and
// turns what happened into a Result. exitSignals says that an exit status
// 128+N means "killed by signal N" (bwrap and nsjail report it so).
func (l *launcher) exec(ctx context.Context, spec *Spec, start starter, exitSignals bool) (*Result, error) {
	lim := spec.Limits
	var cg cgroup
	if l.cgroups != nil {
		var err error
		if cg, err = l.newCgroup(lim); err != nil {
			return nil, sysErr("%v", err)
		}
		defer l.retired.retire(cg)
	}

	stdin, err := openStdin(spec)
	if err != nil {
		return nil, sysErr("stdin: %v", err)
	}
	defer stdin.Close()

	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, sysErr("pipe: %v", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, sysErr("pipe: %v", err)
	}
	closers := []*os.File{outR, errR}
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()

	begin := time.Now()
	proc, err := start(cg, stdin, outW, errW)
	outW.Close()
	errW.Close()
	if err != nil {
		return nil, sysErr("%v", err)
	}

	var reason atomic.Int32
	kill := func(r killReason) {
		reason.CompareAndSwap(int32(killNone), int32(r))
		if cg != nil {
			_ = cg.Kill()
		}
		proc.kill()
	}

	// Drain stdout and stderr while the program runs, with caps.
	keepErr := spec.StderrKeepBytes
	if keepErr <= 0 {
		keepErr = defaultStderrKeep
	}
	var stdout, stderr capBuffer
	stdout.keep = int(lim.OutputBytes)
	if stdout.keep <= 0 {
		stdout.keep = math.MaxInt
	}
	stderr.keep = keepErr
	var drained sync.WaitGroup
	drained.Add(2)
	overflow := func() { kill(killOutput) }
	stdout.watch = spec.Watch
	stdout.stop = func() { kill(killWatch) }
	go func() { defer drained.Done(); stdout.drain(outR, lim.OutputBytes, overflow) }()
	go func() { defer drained.Done(); stderr.drain(errR, lim.OutputBytes, overflow) }()

	// Watch CPU time, the wall-clock cap and cancellation.
	exited := make(chan struct{})
	var monitor sync.WaitGroup
	monitor.Add(1)
	go func() {
		defer monitor.Done()
		l.watch(ctx, cg, lim, exited, kill)
	}()

	ws, ru, waitErr := proc.wait()
	wall := time.Since(begin)
	close(exited)
	monitor.Wait()

	// Whatever the program left behind (a daemon, a blocked child) goes now,
	// so the pipes close and the drainers end.
	if cg != nil {
		if err := cg.Kill(); err != nil {
			return nil, sysErr("%v", err)
		}
	}
	if !waitDrained(&drained, drainIdle, &stdout, &stderr) {
		// Something outside the cgroup still holds a pipe open and writes
		// nothing: close our ends.
		outR.Close()
		errR.Close()
		drained.Wait()
	}
	if waitErr != nil {
		return nil, sysErr("%v", waitErr)
	}

	res := &Result{Stdout: stdout.buf.Bytes(), Stderr: stderr.buf.Bytes()}
	res.Usage.WallTime = wall
	var oom bool
	if cg != nil {
		if res.Usage.CPUTime, err = cg.CPUUsage(); err != nil {
			return nil, sysErr("read cpu usage: %v", err)
		}
		if res.Usage.MemoryPeakBytes, err = cg.MemoryPeak(); err != nil {
			return nil, sysErr("read memory peak: %v", err)
		}
		if oom, err = cg.OOMKilled(); err != nil {
			return nil, sysErr("read oom events: %v", err)
		}
		if !oom && (reason.Load() == int32(killCPU) || reason.Load() == int32(killWall)) {
			// Stopped for time while at its memory limit: the kernel was
			// reclaiming for it (in its CPU time) and would have killed it
			// for memory; the limit it reached is the memory limit.
			if oom, err = cg.LimitHit(); err != nil {
				return nil, sysErr("read memory events: %v", err)
			}
		}
	} else if ru != nil {
		res.Usage.CPUTime = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		res.Usage.MemoryPeakBytes = ru.Maxrss * 1024
	}
	return l.classify(ctx, res, ws, killReason(reason.Load()), oom, lim, exitSignals)
}

// classify sets a result's status from how the run ended. Reaching the
// memory limit decides before the CPU time limit: a program that allocates
// as fast as it can spends CPU time on page faults and on the kernel's
// reclaim at the limit, and may pass its CPU limit in the same instant the
// kernel kills it for memory; which one the poll saw first must not decide
// the verdict. (A program whose CPU time runs out before its memory use
// reaches the limit is TLE: it did not exceed its memory limit.)
func (l *launcher) classify(ctx context.Context, res *Result, ws syscall.WaitStatus, why killReason, oom bool, lim Limits, exitSignals bool) (*Result, error) {
	switch why {
	case killCancel:
		return nil, ctx.Err()
	case killOutput:
		res.Status = StatusOutputLimit
		res.Note = fmt.Sprintf("output over %s", formatBytes(lim.OutputBytes))
		return res, nil
	case killWatch:
		res.Status = StatusStopped
		res.Note = "stopped by the judge"
		return res, nil
	}
	if why == killNone && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	switch {
	case oom:
		res.Status = StatusMemoryLimit
		res.Note = fmt.Sprintf("memory limit %s exceeded", formatBytes(lim.MemoryBytes))
	case why == killCPU:
		res.Status = StatusTimeLimit
		res.Note = TimeLimitNote(lim)
	case why == killWall:
		res.Status = StatusWallLimit
		res.Note = TimeLimitNote(lim)
	case lim.CPUTime > 0 && res.Usage.CPUTime > lim.CPUTime:
		res.Status = StatusTimeLimit
		res.Note = TimeLimitNote(lim)
	case ws.Signaled():
		res.Status, res.Signal = StatusSignaled, ws.Signal()
	default:
		res.Status, res.ExitCode = StatusExited, ws.ExitStatus()
		if exitSignals {
			// bwrap reports a child killed by signal N as exit 128+N.
			if c := res.ExitCode; c > 128 && c <= 128+64 {
				res.Status, res.Signal, res.ExitCode = StatusSignaled, syscall.Signal(c-128), 0
			}
		}
	}
	if res.Status == StatusSignaled {
		switch res.Signal {
		case syscall.SIGXCPU:
			res.Status = StatusTimeLimit
			res.Note = TimeLimitNote(lim)
		case syscall.SIGXFSZ:
			res.Status = StatusOutputLimit
			res.Note = fmt.Sprintf("file over %s", formatBytes(lim.FileSizeBytes))
		}
	}
	return res, nil
}

// startConfined starts cmd and, before the process runs any code of its
// own, moves it into cg. The child is started under PTRACE_TRACEME, so it
// stops at its first exec; the tracer (this locked OS thread) confines it and
// detaches. This works the same for cgroup v1 and v2 and for every backend.
func (l *launcher) startConfined(cmd *exec.Cmd, cg cgroup) error {
	if cg == nil {
		return startOwned(cmd)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.SysProcAttr.Ptrace = true
	if err := startOwned(cmd); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	fail := func(err error) error {
		_ = cmd.Process.Kill()
		_ = waitOwned(cmd)
		return err
	}
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, syscall.WALL, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("wait for exec stop: %w", err))
		}
		break
	}
	if !ws.Stopped() {
		return fail(fmt.Errorf("child did not stop at exec (status %v)", ws))
	}
	if err := cg.AddProc(pid); err != nil {
		return fail(err)
	}
	if err := syscall.PtraceDetach(pid); err != nil {
		return fail(fmt.Errorf("detach: %w", err))
	}
	return nil
}

// rlimitArgs are prlimit(1) options for the per-process limits of a run.
// Without CAP_SYS_RESOURCE scalebox cannot set limits on another process, so
// the wrapper is started through prlimit, which lowers its own limits and
// execs it; children inherit them. RLIMIT_CPU is a backstop (whole seconds)
// behind the cgroup CPU watch; RLIMIT_AS and RLIMIT_NPROC are used only when
// there is no cgroup.
func rlimitArgs(lim Limits, noCgroup bool) []string {
	pair := func(name string, v int64) string {
		return fmt.Sprintf("--%s=%d:%d", name, v, v)
	}
	a := []string{pair("core", 0), pair("nofile", nofileLimit)}
	if lim.CPUTime > 0 {
		sec := int64(lim.CPUTime/time.Second) + 2
		a = append(a, fmt.Sprintf("--cpu=%d:%d", sec, sec+1))
	}
	if lim.FileSizeBytes > 0 {
		a = append(a, pair("fsize", lim.FileSizeBytes))
	}
	stack := lim.StackBytes
	if stack <= 0 {
		stack = lim.MemoryBytes
	}
	if stack > 0 {
		a = append(a, pair("stack", stack))
	}
	if noCgroup {
		if lim.MemoryBytes > 0 {
			a = append(a, pair("as", lim.MemoryBytes))
		}
		if lim.Processes > 0 {
			a = append(a, pair("nproc", int64(lim.Processes)))
		}
	}
	return a
}

// watch kills the run when its CPU time passes the limit, when the wall-clock
// cap passes, or when ctx is cancelled. It returns when exited is closed.
func (l *launcher) watch(ctx context.Context, cg cgroup, lim Limits, exited <-chan struct{}, kill func(killReason)) {
	var wallC <-chan time.Time
	if lim.WallTime > 0 {
		t := time.NewTimer(lim.WallTime)
		defer t.Stop()
		wallC = t.C
	}
	var tickC <-chan time.Time
	if cg != nil && lim.CPUTime > 0 {
		iv := l.pollInterval
		if iv <= 0 {
			iv = min(max(lim.CPUTime/20, 5*time.Millisecond), 50*time.Millisecond)
		}
		t := time.NewTicker(iv)
		defer t.Stop()
		tickC = t.C
	}
	for {
		select {
		case <-exited:
			return
		case <-ctx.Done():
			kill(killCancel)
			return
		case <-wallC:
			kill(killWall)
			return
		case <-tickC:
			if used, err := cg.CPUUsage(); err == nil && used > lim.CPUTime {
				kill(killCPU)
				return
			}
		}
	}
}

// openStdin gives the program its standard input as a file, so that large
// inputs need no copying goroutine and the program may seek or mmap it.
func openStdin(spec *Spec) (*os.File, error) {
	if spec.StdinFile != "" {
		return os.Open(spec.StdinFile)
	}
	fd, err := unix.MemfdCreate("stdin", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "stdin")
	if len(spec.Stdin) > 0 {
		if _, err := f.Write(spec.Stdin); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// capBuffer keeps the first keep bytes of a stream and counts the rest.
type capBuffer struct {
	buf   bytes.Buffer
	keep  int
	total int64
	// waiting is when the drainer's current read began (unix
	// nanoseconds), 0 while it handles what it read (a slow watcher on a
	// loaded machine is progress, not idleness), 1 once it has ended.
	waiting atomic.Int64
	// watch sees each piece read; stop is called once when it returns true.
	watch   func([]byte) bool
	stop    func()
	stopped bool
}

// drain reads r to its end. When more than limit bytes arrive (limit > 0)
// it calls overflow once and keeps reading, so the writer never blocks on a
// full pipe before it is killed.
func (c *capBuffer) drain(r io.Reader, limit int64, overflow func()) {
	chunk := make([]byte, 64<<10)
	fired := false
	for {
		c.waiting.Store(time.Now().UnixNano())
		n, err := r.Read(chunk)
		c.waiting.Store(0)
		if n > 0 {
			c.total += int64(n)
			if room := c.keep - c.buf.Len(); room > 0 {
				c.buf.Write(chunk[:min(n, room)])
			}
			if limit > 0 && c.total > limit && !fired {
				fired = true
				overflow()
			}
			if c.watch != nil && !c.stopped && c.watch(chunk[:n]) {
				c.stopped = true
				c.stop()
			}
		}
		if err != nil {
			c.waiting.Store(1)
			return
		}
	}
}

// drainIdle is how long the drainers may go without reading anything,
// after the program's processes are gone, before the launcher stops
// waiting for the end of its output.
var drainIdle = 2 * time.Second

// waitDrained waits until the drainers reach the end of the output. Once
// every process of a run is dead the pipes end as soon as what they hold
// is read, however long the judge's watcher takes over it (on a loaded
// machine, seconds): a result the program wrote must never be dropped. It
// gives up, and returns false, only when neither drainer has made progress
// for idle: each is waiting for data that has not come (a process outside
// the run's cgroup holds a pipe).
func waitDrained(wg *sync.WaitGroup, idle time.Duration, bufs ...*capBuffer) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTicker(idle / 4)
	defer t.Stop()
	for {
		select {
		case <-done:
			return true
		case <-t.C:
			stuck := true
			for _, b := range bufs {
				w := b.waiting.Load()
				if w == 0 || time.Since(time.Unix(0, w)) < idle {
					stuck = false
				}
			}
			if stuck {
				return false
			}
		}
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// TimeLimitNote is the note of a run stopped by a time limit. It names both
// limits, whichever fired: a busy program on a loaded machine may reach the
// wall-clock cap before its CPU time limit, and a verdict's message must not
// depend on the machine's load. Status says which one it was.
func TimeLimitNote(lim Limits) string {
	return fmt.Sprintf("time limit exceeded (CPU time limit %s, wall-clock cap %s)", lim.CPUTime, lim.WallTime)
}
