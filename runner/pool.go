package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// BackendPool is the warm-sandbox backend, the default.
const BackendPool = "pool"

// Pool runs programs in warm sandboxes: each sandbox is a bwrap (every
// namespace, no network, unprivileged host uid, read-only system
// directories, size-capped tmpfs work directory, /tmp and /dev/shm, empty
// environment, seccomp) whose process 1 is an init of ours, started once
// and reused for many runs. Each run is a fresh process forked and execed
// by the init, in a cgroup of its own, with its own rlimits. After a run
// the init kills every process the run left, empties the writable
// directories and removes System V IPC objects; a sandbox that cannot be
// reset so, or whose init fails, is destroyed, never reused.
//
// A run the pool cannot serve (a writable mount: compile steps, prepare
// steps; a work directory other than WorkDir; large files) runs in a
// sandbox of its own through the per-run bwrap backend, with the same
// isolation and limits.
type Pool struct {
	bw  *Bwrap
	exe *os.File // this binary, bound into every sandbox as its init
	// MaxSandboxes bounds the sandboxes kept, busy and idle together; when
	// it is reached a run evicts an idle sandbox of another kind, or waits.
	// Runs need sandboxes of a few kinds (a language with a prepared
	// cache, a checker with a smaller tmpfs), so it is a few times the
	// parallelism (Options.Parallelism).
	MaxSandboxes int
	// IdleTimeout is how long an idle sandbox is kept.
	IdleTimeout time.Duration
	// MaxRuns is how many runs a sandbox serves before it is replaced.
	MaxRuns int

	mu     sync.Mutex
	cond   *sync.Cond
	idle   []*box // most recently used last
	total  int    // sandboxes started and not destroyed (busy + idle)
	closed bool
	stop   chan struct{}
	done   chan struct{}

	// forkServer: `python3 -I` runs are forked from a warm interpreter.
	forkServer bool

	desc  Description
	stats poolCounters
}

// PythonForkServerNote says how a run forked from the Python fork server
// differs from one that starts a new interpreter; reports carry it.
const PythonForkServerNote = "python3 -I (and -I -S) programs are forked from a warm interpreter (one per sandbox, replaced every 500 runs): " +
	"runs of one server share its string hash seed; the modules it preloads (the harnesses' and the benchmarks' preludes' imports) are already in sys.modules; " +
	"memory it had touched before the fork is counted to it, not to the run (peak memory is lower by up to the interpreter's size, ~10 MB), " +
	"and the interpreter's start-up is not in the run's CPU time. Standard streams, __main__, sys.argv, exit codes and the report of an uncaught exception are a new interpreter's"

// PoolStats counts what the pool did.
type PoolStats struct {
	Runs      int64 `json:"runs"`      // runs served by a warm sandbox
	Started   int64 `json:"started"`   // sandboxes started
	Destroyed int64 `json:"destroyed"` // sandboxes destroyed (broken, idle, rotated, closed)
	Broken    int64 `json:"broken"`    // sandboxes destroyed because they could not be reset or failed
	PerRun    int64 `json:"per_run"`   // runs given a sandbox of their own
	Forked    int64 `json:"forked"`    // runs forked from the Python fork server
}

type poolCounters struct {
	runs, started, destroyed, broken, perRun, forked atomic.Int64
}

// NewPool prepares the pool backend and starts one sandbox to check that
// it works here.
func NewPool(opts Options) (*Pool, error) {
	bw, err := NewBwrap(opts)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		bw.Close()
		return nil, fmt.Errorf("pool: find this program: %w", err)
	}
	exe, err := os.Open(self)
	if err != nil {
		bw.Close()
		return nil, fmt.Errorf("pool: %w", err)
	}
	par := opts.Parallelism
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	p := &Pool{
		bw: bw, exe: exe,
		MaxSandboxes: 4 * par,
		IdleTimeout:  30 * time.Second,
		MaxRuns:      5000,
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	p.cond = sync.NewCond(&p.mu)
	p.desc = bw.Describe()
	p.desc.Backend = BackendPool
	p.desc.Isolation = append(slices.Clone(p.desc.Isolation),
		"warm sandboxes, reused: each run a fresh process in a cgroup of its own; after it every process is killed, the work dir, /tmp and /dev/shm emptied and System V IPC objects removed")
	p.forkServer = !opts.NoPythonForkServer
	if p.forkServer {
		p.desc.PythonForkServer = PythonForkServerNote
	}
	b, err := p.newBox(sandboxProfile{tmpfs: tmpfsSize(Limits{})})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("pool: start a sandbox: %w", err)
	}
	p.mu.Lock()
	p.total++
	p.idle = append(p.idle, b)
	p.mu.Unlock()
	go p.janitor()
	return p, nil
}

// Name implements Sandbox.
func (p *Pool) Name() string { return BackendPool }

// Describe implements Describer.
func (p *Pool) Describe() Description { return p.desc }

// Visible implements ClosableSandbox.
func (p *Pool) Visible(path string) bool { return p.bw.Visible(path) }

// HostIDs implements ClosableSandbox.
func (p *Pool) HostIDs() (int, int) { return p.bw.HostIDs() }

// Stats reports what the pool did so far.
func (p *Pool) Stats() PoolStats {
	return PoolStats{
		Runs: p.stats.runs.Load(), Started: p.stats.started.Load(), Destroyed: p.stats.destroyed.Load(),
		Broken: p.stats.broken.Load(), PerRun: p.stats.perRun.Load(), Forked: p.stats.forked.Load(),
	}
}

// Close destroys every sandbox (waiting for busy ones to be given back)
// and the cgroups.
func (p *Pool) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.stop)
	}
	for p.total > len(p.idle) {
		p.cond.Wait()
	}
	idle := p.idle
	p.idle = nil
	p.total = 0
	p.cond.Broadcast()
	p.mu.Unlock()
	for _, b := range idle {
		p.destroy(b, false)
	}
	if p.done != nil {
		select {
		case <-p.done:
		case <-time.After(time.Second):
		}
	}
	p.exe.Close()
	return p.bw.Close()
}

// janitor destroys sandboxes idle for longer than IdleTimeout, keeping one.
func (p *Pool) janitor() {
	defer close(p.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		var old []*box
		p.mu.Lock()
		cut := time.Now().Add(-p.IdleTimeout)
		for len(p.idle) > 1 && p.idle[0].lastUsed.Before(cut) {
			old = append(old, p.idle[0])
			p.idle = p.idle[1:]
			p.total--
		}
		p.cond.Broadcast()
		p.mu.Unlock()
		for _, b := range old {
			p.destroy(b, false)
		}
	}
}

// sandboxProfile is what a sandbox is made with and a run must match: the
// read-only mounts besides the system directories, and the tmpfs size.
type sandboxProfile struct {
	mounts []Mount // sorted by target
	tmpfs  int64
}

func (s sandboxProfile) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", s.tmpfs)
	for _, m := range s.mounts {
		fmt.Fprintf(&b, "\x00%s\x00%s", m.Source, m.Target)
	}
	return b.String()
}

// poolPlan is how the pool serves one run.
type poolPlan struct {
	profile sandboxProfile
	key     string
	copies  []Mount // files copied into the work directory
}

// plan decides whether a warm sandbox can serve spec: its work directory
// is WorkDir, it binds nothing writable, and its files in the work
// directory (copied in) are small next to the tmpfs.
func (p *Pool) plan(spec *Spec) (*poolPlan, bool) {
	if spec.Dir != "" && spec.Dir != WorkDir {
		return nil, false
	}
	pl := &poolPlan{profile: sandboxProfile{tmpfs: tmpfsSize(spec.Limits)}}
	var size int64
	for _, m := range spec.Mounts {
		if m.Writable {
			return nil, false
		}
		if name, ok := strings.CutPrefix(m.Target, WorkDir+"/"); ok && !strings.Contains(name, "/") {
			fi, err := os.Stat(m.Source)
			if err != nil || !fi.Mode().IsRegular() {
				return nil, false
			}
			size += fi.Size()
			pl.copies = append(pl.copies, m)
			continue
		}
		pl.profile.mounts = append(pl.profile.mounts, m)
	}
	if size > pl.profile.tmpfs/2 {
		return nil, false
	}
	slices.SortFunc(pl.profile.mounts, func(a, b Mount) int { return strings.Compare(a.Target, b.Target) })
	pl.key = pl.profile.key()
	return pl, true
}

// Run implements Sandbox.
func (p *Pool) Run(ctx context.Context, spec *Spec) (*Result, error) {
	if len(spec.Args) == 0 || !filepath.IsAbs(spec.Args[0]) {
		return nil, errors.New("sandbox: command must be an absolute path")
	}
	if err := checkFetch(spec); err != nil {
		return nil, err
	}
	pl, ok := p.plan(spec)
	if !ok {
		p.stats.perRun.Add(1)
		return p.bw.Run(ctx, spec)
	}
	b, err := p.get(ctx, pl)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// No warm sandbox could be started: the run still gets one.
		p.bw.opts.Logger.Warn("pool: start a sandbox", "err", err)
		p.stats.perRun.Add(1)
		return p.bw.Run(ctx, spec)
	}
	var fetched []FetchedFile
	res, err := p.bw.launcher.exec(ctx, spec, b.starter(spec, pl, p.forkServer, &fetched), false)
	if err == nil {
		res.Files = fetched
	}
	broken, _ := b.failed()
	p.put(b)
	if err != nil && broken && ctx.Err() == nil {
		// The sandbox failed under the run (not the program: the init
		// cannot be killed or traced from inside). The run gets a sandbox
		// of its own, so the verdict is the program's, not the pool's.
		p.bw.opts.Logger.Warn("pool: sandbox failed, running in a fresh one", "err", err)
		p.stats.perRun.Add(1)
		return p.bw.Run(ctx, spec)
	}
	if err == nil {
		p.stats.runs.Add(1)
	}
	return res, err
}

// get returns an idle sandbox made for pl, or starts one; when the pool is
// full it destroys an idle sandbox of another profile, or waits.
func (p *Pool) get(ctx context.Context, pl *poolPlan) (*box, error) {
	max := max(p.MaxSandboxes, 1)
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return nil, errors.New("pool closed")
		}
		if err := ctx.Err(); err != nil {
			p.mu.Unlock()
			return nil, err
		}
		for i := len(p.idle) - 1; i >= 0; i-- {
			if b := p.idle[i]; b.key == pl.key {
				p.idle = slices.Delete(p.idle, i, i+1)
				p.mu.Unlock()
				return b, nil
			}
		}
		var evict *box
		if p.total >= max && len(p.idle) > 0 {
			evict = p.idle[0]
			p.idle = p.idle[1:]
			p.total--
		}
		if p.total < max {
			p.total++
			p.mu.Unlock()
			if evict != nil {
				p.destroy(evict, false)
			}
			b, err := p.newBox(pl.profile)
			if err != nil {
				p.mu.Lock()
				p.total--
				p.cond.Broadcast()
				p.mu.Unlock()
				return nil, err
			}
			return b, nil
		}
		p.cond.Wait()
	}
}

// put gives a sandbox back after a run, or destroys it.
func (p *Pool) put(b *box) {
	b.runs++
	b.lastUsed = time.Now()
	broken, _ := b.failed()
	p.mu.Lock()
	if broken || p.closed || b.runs >= p.MaxRuns {
		p.total--
		p.cond.Broadcast()
		p.mu.Unlock()
		p.destroy(b, broken)
		return
	}
	p.idle = append(p.idle, b)
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *Pool) destroy(b *box, broken bool) {
	p.stats.destroyed.Add(1)
	if broken {
		p.stats.broken.Add(1)
		_, why := b.failed()
		p.bw.opts.Logger.Warn("pool: sandbox destroyed", "reason", why, "init", strings.TrimSpace(b.log.String()))
	}
	b.close()
}

// box is one warm sandbox.
type box struct {
	pool     *Pool
	key      string
	cmd      *exec.Cmd
	conn     *packetConn
	log      *lockedBuffer // the init's and bwrap's stderr, bounded
	runs     int
	lastUsed time.Time
	exited   chan struct{} // closed when bwrap has ended
	waitErr  error

	mu     sync.Mutex
	broken bool
	why    string
}

// newBox starts a sandbox with its init and waits until it is ready.
func (p *Pool) newBox(prof sandboxProfile) (*box, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	host, child := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	defer child.Close()
	extra := []*os.File{child, p.exe}
	var seccomp *os.File
	if p.bw.seccomp != nil {
		if seccomp, err = seccompFile(p.bw.seccomp); err != nil {
			host.Close()
			return nil, err
		}
		defer seccomp.Close()
		extra = append(extra, seccomp)
	}
	logR, logW, err := os.Pipe()
	if err != nil {
		host.Close()
		return nil, err
	}
	b := &box{pool: p, key: prof.key(), log: &lockedBuffer{max: 16 << 10}, lastUsed: time.Now()}
	go b.log.drain(logR)
	b.cmd = &exec.Cmd{
		Path:       p.bw.path,
		Args:       p.boxArgs(prof, seccomp != nil),
		Env:        []string{},
		Stderr:     logW,
		ExtraFiles: extra,
		SysProcAttr: &syscall.SysProcAttr{
			Setsid:     true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: p.bw.launcher.cred,
		},
	}
	err = startOwned(b.cmd)
	logW.Close()
	if err != nil {
		host.Close()
		return nil, fmt.Errorf("start bwrap: %w", err)
	}
	p.stats.started.Add(1)
	b.exited = make(chan struct{})
	go func() {
		b.waitErr = waitOwned(b.cmd)
		close(b.exited)
	}()
	if b.conn, err = newPacketConn(host); err != nil {
		b.close()
		return nil, err
	}
	// If bwrap ends (it could not set the sandbox up), stop waiting.
	go func() {
		<-b.exited
		b.conn.close()
	}()
	var r initReply
	if _, err := b.conn.recv(&r, time.Now().Add(30*time.Second)); err != nil || r.Op != opReady {
		if err == nil {
			err = fmt.Errorf("init said %s %s", r.Op, r.Err)
		}
		b.close()
		return nil, fmt.Errorf("sandbox did not start: %w: %s", err, strings.TrimSpace(b.log.String()))
	}
	return b, nil
}

// boxArgs are bwrap's arguments for a warm sandbox; its fds 3, 4 and 5 are
// the control socket, this binary and the seccomp filter.
func (p *Pool) boxArgs(prof sandboxProfile, seccomp bool) []string {
	size := strconv.FormatInt(prof.tmpfs, 10)
	a := slices.Clone(p.bw.base)
	a = append(a, "--as-pid-1")
	if seccomp {
		a = append(a, "--seccomp", "5")
	}
	a = append(a, scratchArgs(size)...)
	a = append(a, "--size", size, "--tmpfs", WorkDir)
	for _, m := range prof.mounts {
		a = append(a, "--ro-bind", m.Source, m.Target)
	}
	for _, d := range p.bw.hidden {
		a = append(a, "--remount-ro", d)
	}
	// The init is this binary, executed through its descriptor: the
	// sandbox user may not be able to reach its path.
	a = append(a, "--remount-ro", "/", "--chdir", WorkDir, "--clearenv", "--", "/proc/self/fd/4", initArg)
	return a
}

// scratchArgs give a sandbox its writable scratch space besides the work
// directory: /tmp and /dev/shm, each a tmpfs of size bytes, and a
// read-only /dev.
func scratchArgs(size string) []string {
	return []string{"--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"}
}

func (b *box) close() {
	if b.conn != nil {
		b.conn.close()
	}
	if b.exited != nil {
		// Closing the socket ends the init, and with it the namespace;
		// bwrap then exits. Kill it if it does not.
		select {
		case <-b.exited:
		case <-time.After(2 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	}
}

func (b *box) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.broken = true
	if b.why == "" {
		b.why = fmt.Sprintf(format, args...)
	}
}

// failed reports whether the box broke, and why.
func (b *box) failed() (bool, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.broken, b.why
}

// starter starts spec's program in the box.
// The files it fetches are stored in *fetched when the run ends.
func (b *box) starter(spec *Spec, pl *poolPlan, forkServer bool, fetched *[]FetchedFile) starter {
	return func(cg cgroup, stdin, stdout, stderr *os.File) (process, error) {
		files := []*os.File{stdin, stdout, stderr}
		req := &initRequest{Op: opRun, Argv: spec.Args, Env: spec.Env, Dir: WorkDir, Rlimits: childRlimits(spec.Limits, cg == nil)}
		caps := capsOf(spec)
		if len(spec.Fetch) > 0 {
			req.Fetch, req.FetchFile, req.FetchTotal = spec.Fetch, caps.perFile, caps.total
		}
		// The fork server needs cgroups: the run's processes are then
		// exactly the group's, whatever the server's own are.
		req.Python = forkServer && cg != nil && pythonForkable(spec.Args)
		if cg != nil {
			procs, err := cg.ProcsFiles()
			if err != nil {
				return nil, err
			}
			defer closeAll(procs)
			files = append(files, procs...)
			req.Cgroups = len(procs)
		}
		for _, m := range pl.copies {
			f, err := os.Open(m.Source)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return nil, err
			}
			// Read-only, as the bound files of a per-run sandbox.
			req.Files = append(req.Files, initFileReq{Name: strings.TrimPrefix(m.Target, WorkDir+"/"), Mode: uint32(fi.Mode().Perm() &^ 0o222)})
			files = append(files, f)
		}
		// The init answers when the run is over (or could not start);
		// not waiting for it to start saves a round trip per run.
		if err := b.conn.send(req, files...); err != nil {
			b.fail("send run: %v", err)
			return nil, err
		}
		return &boxProcess{b: b, lim: spec.Limits, fetch: spec.Fetch, caps: caps, fetched: fetched}, nil
	}
}

// boxProcess is a run in progress in a box.
type boxProcess struct {
	b       *box
	lim     Limits
	fetch   []string
	caps    fetchCaps
	fetched *[]FetchedFile
}

func (p *boxProcess) wait() (syscall.WaitStatus, *syscall.Rusage, error) {
	var deadline time.Time
	if p.lim.WallTime > 0 {
		// The launcher kills the run at its wall-clock cap; the init then
		// answers at once. Past this, the init itself is stuck.
		deadline = time.Now().Add(p.lim.WallTime + 30*time.Second)
	}
	var r initReply
	fds, err := p.b.conn.recv(&r, deadline)
	if err != nil {
		p.b.fail("wait: %v", err)
		return 0, nil, fmt.Errorf("sandbox init: %w", err)
	}
	defer closeAll(fds)
	if !r.Clean {
		p.b.fail("not reset: %s", r.Err)
	}
	if r.Forked {
		p.b.pool.stats.forked.Add(1)
	}
	switch r.Op {
	case opExited:
	case opError:
		return 0, nil, errors.New(r.Err)
	default:
		p.b.fail("unexpected reply %q while waiting", r.Op)
		return 0, nil, fmt.Errorf("unexpected reply %q from the sandbox init", r.Op)
	}
	if len(r.Fetched) > 0 || len(fds) > 0 {
		got, err := p.readFetched(&r, fds)
		if err != nil {
			p.b.fail("fetched files: %v", err)
			return 0, nil, fmt.Errorf("sandbox init: fetched files: %w", err)
		}
		*p.fetched = got
	}
	ru := &syscall.Rusage{
		Utime:  syscall.NsecToTimeval(r.UserNs),
		Stime:  syscall.NsecToTimeval(r.SysNs),
		Maxrss: r.MaxRSS / 1024,
	}
	return r.waitStatus(), ru, nil
}

// readFetched reads the files the init fetched from the memfd that came
// with its reply, checking what the reply says against the request and
// the caps.
func (p *boxProcess) readFetched(r *initReply, fds []*os.File) ([]FetchedFile, error) {
	if len(fds) != 1 {
		return nil, fmt.Errorf("%d descriptors with the reply, want 1", len(fds))
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(fds[0].Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, errors.New("not a memfd")
	}
	var total int64
	out := make([]FetchedFile, 0, len(r.Fetched))
	for _, f := range r.Fetched {
		if f.Index < 0 || f.Index >= len(p.fetch) || f.Size < 0 || f.Size > p.caps.perFile || total+f.Size > p.caps.total || total+f.Size > st.Size {
			return nil, fmt.Errorf("bad entry %+v", f)
		}
		data := make([]byte, f.Size)
		if _, err := fds[0].ReadAt(data, total); err != nil {
			return nil, err
		}
		total += f.Size
		out = append(out, FetchedFile{Name: p.fetch[f.Index], Data: data, Truncated: f.Truncated})
	}
	return out, nil
}

func (p *boxProcess) kill() {
	if err := p.b.conn.send(&initRequest{Op: opKill}); err != nil {
		p.b.fail("send kill: %v", err)
	}
}

// childRlimits are the per-process limits of a run, as rlimitArgs gives
// them to prlimit(1) for the per-run backends.
func childRlimits(lim Limits, noCgroup bool) []initRlimit {
	var rl []initRlimit
	set := func(res int, cur, max uint64) { rl = append(rl, initRlimit{Resource: res, Cur: cur, Max: max}) }
	set(unix.RLIMIT_CORE, 0, 0)
	set(unix.RLIMIT_NOFILE, nofileLimit, nofileLimit)
	if lim.CPUTime > 0 {
		sec := uint64(lim.CPUTime/time.Second) + 2
		set(unix.RLIMIT_CPU, sec, sec+1)
	}
	if lim.FileSizeBytes > 0 {
		set(unix.RLIMIT_FSIZE, uint64(lim.FileSizeBytes), uint64(lim.FileSizeBytes))
	}
	stack := lim.StackBytes
	if stack <= 0 {
		stack = lim.MemoryBytes
	}
	if stack > 0 {
		set(unix.RLIMIT_STACK, uint64(stack), uint64(stack))
	}
	if noCgroup {
		if lim.MemoryBytes > 0 {
			set(unix.RLIMIT_AS, uint64(lim.MemoryBytes), uint64(lim.MemoryBytes))
		}
		if lim.Processes > 0 {
			set(unix.RLIMIT_NPROC, uint64(lim.Processes), uint64(lim.Processes))
		}
	}
	return rl
}

// nofileLimit is every program's RLIMIT_NOFILE, in every backend: the
// usual soft limit of a login shell, so that a verdict does not depend on
// the limits scalebox itself was started with.
const nofileLimit = 1024

// lockedBuffer keeps the first max bytes written to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (l *lockedBuffer) drain(r *os.File) {
	defer r.Close()
	chunk := make([]byte, 4096)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			l.mu.Lock()
			if room := l.max - len(l.buf); room > 0 {
				l.buf = append(l.buf, chunk[:min(n, room)]...)
			}
			l.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
