package runner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// initArg is the argument that makes the scalebox binary (or a test binary
// that links this package) the init of a pooled sandbox. The pool starts
// bwrap --as-pid-1 with the binary as its command, so the init is
// process 1 of the sandbox's pid namespace: other processes there cannot
// kill it (the kernel drops SIGKILL and SIGSTOP sent to a namespace's init
// from inside it, and the init catches every other signal), trace it
// (seccomp) or read its memory (it is not dumpable).
const initArg = "scalebox-sandbox-init"

func init() {
	if len(os.Args) == 2 && os.Args[1] == initArg && os.Getpid() == 1 {
		os.Exit(sandboxInit())
	}
}

// resettable are the sandbox's writable directories, emptied after each run.
var resettable = []string{WorkDir, "/tmp", "/dev/shm"}

// initServer is the state of a sandbox's init.
type initServer struct {
	conn   *packetConn
	sendMu sync.Mutex
	modes  map[string]uint32 // resettable dir -> its mode at start
	reaper *childReaper
	// zygote is the Python fork server, once a run asked for one;
	// zygoteFailed are the kinds that could not start (not tried again).
	zygote       *zygote
	zygoteFailed map[string]bool
	// zygotePid is the fork server's pid (0: none), for the kills, which
	// must spare it.
	zygotePid atomic.Int64
	// runChild is the fork server's child running the current run (0:
	// none), which a kill must reach.
	runChild atomic.Int64
	// ready is closed when the sandbox is reset after the last run;
	// resetErr says why it could not be. Both are used by the main loop
	// and, after a run, by the goroutine that waited for it, never at once.
	ready    chan struct{}
	resetErr error
	// fetch is the current run's request, for the files it fetches.
	fetch *initRequest
}

func sandboxInit() int {
	runtime.GOMAXPROCS(2)
	// Not dumpable: the programs (same uid) cannot open /proc/1/mem, fd or
	// environ.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	s := &initServer{modes: map[string]uint32{}, ready: make(chan struct{}), reaper: newChildReaper()}
	close(s.ready)
	// Every signal a program may send is caught and dropped (the kernel
	// drops SIGKILL and SIGSTOP sent to a namespace init from inside it);
	// SIGCHLD reaps: as process 1 the init inherits every orphan.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	go func() {
		for sig := range sigs {
			if sig == unix.SIGCHLD {
				s.reaper.reapAll()
			}
		}
	}()
	// Nothing inherited leaks into a program; the binary's own descriptor
	// (fd 4, which bwrap executed) is not needed any more.
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	_ = unix.Close(4)
	conn, err := newPacketConn(os.NewFile(3, "control"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "scalebox init: control socket: %v\n", err)
		return 1
	}
	s.conn = conn
	for _, d := range resettable {
		var st unix.Stat_t
		if err := unix.Stat(d, &st); err != nil {
			s.send(&initReply{Op: opError, Err: fmt.Sprintf("stat %s: %v", d, err)})
			return 1
		}
		s.modes[d] = st.Mode & 0o7777
	}
	if err := s.send(&initReply{Op: opReady}); err != nil {
		return 1
	}
	for {
		var req initRequest
		files, err := conn.recv(&req, time.Time{})
		if err != nil {
			// The host is gone or closed the sandbox: end everything.
			_ = unix.Kill(-1, unix.SIGKILL)
			return 0
		}
		switch req.Op {
		case opRun:
			s.run(&req, files)
		case opKill:
			closeAll(files)
			s.killRun()
		default:
			closeAll(files)
			s.send(&initReply{Op: opError, Err: "unknown request " + strconv.Quote(req.Op)})
		}
	}
}

func (s *initServer) send(r *initReply, files ...*os.File) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	return s.conn.send(r, files...)
}

// sendExited sends a run's end, with the files it fetched when it asked
// for some: the run's processes are all gone (clean), so nothing changes
// the files while they are read.
func (s *initServer) sendExited(rep *initReply, clean bool) {
	req := s.fetch
	s.fetch = nil
	if !clean || req == nil || len(req.Fetch) == 0 {
		s.send(rep)
		return
	}
	mem, fetched, err := fetchToMemfd(req)
	if err != nil {
		rep.Op, rep.Err = opError, "fetch files: "+err.Error()
		s.send(rep)
		return
	}
	defer mem.Close()
	rep.Fetched = fetched
	s.send(rep, mem)
}

// fetchToMemfd reads a run's files to fetch into one memfd. A work
// directory the program made unreadable (chmod 0) has no files to give.
func fetchToMemfd(req *initRequest) (*os.File, []initFetched, error) {
	var got []FetchedFile
	if dirfd, err := unix.Open(req.Dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0); err == nil {
		got = fetchFiles(dirfd, req.Dir, req.Fetch, fetchCaps{perFile: req.FetchFile, total: req.FetchTotal})
		unix.Close(dirfd)
	}
	fd, err := unix.MemfdCreate("scalebox-fetch", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, nil, err
	}
	mem := os.NewFile(uintptr(fd), "fetch")
	index := map[string]int{}
	for i, n := range req.Fetch {
		if _, dup := index[n]; !dup {
			index[n] = i
		}
	}
	var fetched []initFetched
	for _, f := range got {
		if _, err := mem.Write(f.Data); err != nil {
			mem.Close()
			return nil, nil, err
		}
		fetched = append(fetched, initFetched{Index: index[f.Name], Size: int64(len(f.Data)), Truncated: f.Truncated})
	}
	return mem, fetched, nil
}

// killRun kills every process of the current run: every process but the
// init and the fork server.
func (s *initServer) killRun() {
	// The fork server's child of the current run first: the kill may come
	// before the child has joined the run's cgroup (where the host's kill
	// reaches), and the kill below spares the server's children.
	if pid := s.runChild.Load(); pid > 0 {
		_ = unix.Kill(int(pid), unix.SIGKILL)
	}
	_ = killAllBut(int(s.zygotePid.Load()))
}

// run starts a run's program and, from another goroutine, waits for it
// and reports. The main loop keeps reading, so a kill request is served
// while the program runs. A run starts only once the sandbox is reset
// after the previous one; if it could not be, the run is refused and the
// host destroys the sandbox.
func (s *initServer) run(req *initRequest, files []*os.File) {
	defer closeAll(files)
	<-s.ready
	if s.resetErr != nil {
		s.send(&initReply{Op: opError, Err: "the sandbox was not reset: " + s.resetErr.Error()})
		return
	}
	s.ready = make(chan struct{})
	s.fetch = req
	fail := func(err error) {
		s.reset(nil)
		s.send(&initReply{Op: opError, Err: err.Error(), Clean: s.resetErr == nil})
	}
	if err := s.prepare(req, files); err != nil {
		fail(err)
		return
	}
	if req.Python {
		if z := s.zygoteFor(req); z != nil {
			pid, err := z.start(req, files)
			if err != nil {
				// The fork server failed: the run fails as the machinery's
				// fault, and the sandbox is not reused.
				s.stopZygote()
				s.reset(err)
				s.send(&initReply{Op: opError, Err: "fork server: " + err.Error()})
				return
			}
			s.runChild.Store(int64(pid))
			go s.waitZygote(z, pid, req.Argv[0])
			return
		}
	}
	fs, ce, err := s.forkSpec(req, files)
	if err != nil {
		fail(err)
		return
	}
	s.reaper.expect()
	pid, err := forkExec(fs, ce)
	runtime.KeepAlive(files)
	if err != nil {
		fail(fmt.Errorf("start %s: %w", req.Argv[0], err))
		return
	}
	go s.wait(pid, req.Argv[0], ce)
}

// prepare checks a run request's descriptors and copies its files in.
func (s *initServer) prepare(req *initRequest, files []*os.File) error {
	want := 3 + req.Cgroups + len(req.Files)
	if len(files) != want || req.Cgroups < 0 {
		return fmt.Errorf("run request with %d descriptors, want %d", len(files), want)
	}
	if len(req.Argv) == 0 {
		return errors.New("run request without a command")
	}
	if req.Dir == "" {
		req.Dir = WorkDir
	}
	for i, f := range req.Files {
		if err := copyIn(req.Dir, f, files[3+req.Cgroups+i]); err != nil {
			return err
		}
	}
	return nil
}

// forkSpec prepares the fork of a run's program.
func (s *initServer) forkSpec(req *initRequest, files []*os.File) (*forkSpec, *childErrors, error) {
	fs, err := newForkSpec(req.Argv, req.Env, req.Dir)
	if err != nil {
		return nil, nil, err
	}
	for i := range 3 {
		fs.stdio[i] = int(files[i].Fd())
	}
	for _, f := range files[3 : 3+req.Cgroups] {
		fs.cgroupProcs = append(fs.cgroupProcs, int(f.Fd()))
	}
	for _, r := range req.Rlimits {
		fs.rlimits = append(fs.rlimits, childRlimit{resource: uintptr(r.Resource), lim: unix.Rlimit{Cur: r.Cur, Max: r.Max}})
	}
	ce, err := newChildErrors()
	if err != nil {
		return nil, nil, err
	}
	return fs, ce, nil
}

// copyIn creates dir/name with the content of src.
func copyIn(dir string, f initFileReq, src *os.File) error {
	if f.Name == "" || f.Name == "." || f.Name == ".." || strings.ContainsRune(f.Name, '/') {
		return fmt.Errorf("bad file name %q", f.Name)
	}
	dst, err := os.OpenFile(dir+"/"+f.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, os.FileMode(f.Mode&0o777))
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}

// wait waits for the run's main process (the init reaps every process as
// it ends, so a program that keeps orphaning children does not fill its
// pids limit with zombies, as it would not under a reaping pid 1); then it
// ends and reaps everything else and reports. Emptying the writable
// directories follows the report, before the next run.
func (s *initServer) wait(pid int, path string, ce *childErrors) {
	ex := s.reaper.wait(pid)
	// The child reports a failure before exec on its pipe.
	startErr := ce.read()
	kerr := killAllBut(int(s.zygotePid.Load()))
	s.reaper.forget()
	rep := ex.reply()
	if startErr != nil {
		rep.Op, rep.Err = opError, fmt.Sprintf("start %s: %v", path, startErr)
	}
	rep.Clean = kerr == nil
	if kerr != nil {
		rep.Err = strings.TrimPrefix(rep.Err+"; "+kerr.Error(), "; ")
	}
	s.sendExited(rep, kerr == nil && startErr == nil)
	s.reset(kerr)
}

// waitZygote waits for a run the fork server started: the server reaps the
// program and reports its status; the init reaps what it orphaned.
func (s *initServer) waitZygote(z *zygote, pid int, path string) {
	ex, err := z.wait()
	s.runChild.Store(0)
	kerr := killAllBut(z.pid)
	s.reaper.forget()
	if err != nil {
		// The server is gone (a program killed it?): the run's outcome is
		// unknown, and the sandbox is not reused.
		s.stopZygote()
		s.send(&initReply{Op: opError, Err: "fork server: " + err.Error()})
		s.reset(err)
		return
	}
	rep := ex.reply()
	rep.Forked = true
	rep.Clean = kerr == nil
	if kerr != nil {
		rep.Err = kerr.Error()
	}
	s.sendExited(rep, kerr == nil)
	s.reset(kerr)
}

// reset empties the writable directories and removes System V IPC objects
// (unless prev says the sandbox is already lost), then lets the next run
// start.
func (s *initServer) reset(prev error) {
	err := prev
	if err == nil {
		err = s.cleanup()
	}
	s.resetErr = err
	close(s.ready)
}

// exitInfo is how a process ended.
type exitInfo struct {
	ws unix.WaitStatus
	ru unix.Rusage
}

func (e exitInfo) reply() *initReply {
	return &initReply{Op: opExited, Status: uint32(e.ws), UserNs: e.ru.Utime.Nano(), SysNs: e.ru.Stime.Nano(), MaxRSS: e.ru.Maxrss * 1024}
}

// childReaper reaps the init's children as they end and hands the status
// of the ones someone waits for to them.
type childReaper struct {
	mu      sync.Mutex
	waiting map[int]chan exitInfo
	// ended holds statuses reaped before anyone asked: a program may end
	// before its parent registers the wait. Cleared after each run.
	ended    map[int]exitInfo
	expected bool
	// keepRunning is a child to continue when it is stopped: the fork
	// server, which a program may send SIGSTOP.
	keepRunning atomic.Int64
}

func newChildReaper() *childReaper {
	return &childReaper{waiting: map[int]chan exitInfo{}, ended: map[int]exitInfo{}}
}

// expect says a child whose status someone will ask for is being started.
func (r *childReaper) expect() {
	r.mu.Lock()
	r.expected = true
	r.mu.Unlock()
}

// forget drops the statuses nobody asked for (orphans).
func (r *childReaper) forget() {
	r.mu.Lock()
	clear(r.ended)
	r.expected = false
	r.mu.Unlock()
}

// reapAll reaps every child that has ended, and continues the fork server
// if a program stopped it.
func (r *childReaper) reapAll() {
	for {
		var ex exitInfo
		pid, err := unix.Wait4(-1, &ex.ws, unix.WNOHANG|unix.WUNTRACED, &ex.ru)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 {
			return
		}
		if ex.ws.Stopped() {
			if keep := r.keepRunning.Load(); keep != 0 && int64(pid) == keep {
				_ = unix.Kill(pid, unix.SIGCONT)
			}
			continue
		}
		r.mu.Lock()
		if c, ok := r.waiting[pid]; ok {
			delete(r.waiting, pid)
			c <- ex
		} else if r.expected && len(r.waiting) == 0 && len(r.ended) < 64 {
			// Perhaps the run's main process, ended before its wait was
			// registered; anything else is an orphan, dropped.
			r.ended[pid] = ex
		}
		r.mu.Unlock()
	}
}

// wait returns the status of child pid once it has ended.
func (r *childReaper) wait(pid int) exitInfo {
	c := make(chan exitInfo, 1)
	r.mu.Lock()
	if ex, ok := r.ended[pid]; ok {
		delete(r.ended, pid)
		r.mu.Unlock()
		return ex
	}
	r.waiting[pid] = c
	r.mu.Unlock()
	// A SIGCHLD may have come before the registration.
	r.reapAll()
	return <-c
}

// cleanup empties the writable directories and removes System V IPC
// objects. An error means the sandbox may not be as it was and must not be
// reused.
func (s *initServer) cleanup() error {
	var errs []error
	for _, d := range resettable {
		if err := wipe(d, s.modes[d]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeSysVIPC(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// killAllBut kills every process in the namespace but the init and keep
// (0: none), and waits until /proc shows no other (the init's reaper reaps
// them; a fork bomb racing the kill is bounded by the run's pids limit).
func killAllBut(keep int) error {
	deadline := time.Now().Add(3 * time.Second)
	for {
		others, err := otherProcesses(keep)
		if err != nil {
			return err
		}
		if len(others) == 0 {
			return nil
		}
		if keep == 0 {
			_ = unix.Kill(-1, unix.SIGKILL)
		} else {
			for _, p := range others {
				_ = unix.Kill(p, unix.SIGKILL)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes still alive: %v", others)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// otherProcesses lists the pids in /proc other than the init's, keep's
// and keep's children (the fork server's spare child: no process of a run
// is a child of the server but the run's main one, which the server has
// reaped by the time the init cleans up).
func otherProcesses(keep int) ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	var others []int
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		if pid, err := strconv.Atoi(n); err == nil && pid != 1 && pid != keep && (keep == 0 || parentOf(pid) != keep) {
			others = append(others, pid)
		}
	}
	return others, nil
}

// wipe removes everything in dir (whatever modes the program left) and
// gives dir its original mode back.
func wipe(dir string, mode uint32) error {
	if err := unix.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("wipe %s: %w", dir, err)
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("wipe %s: %w", dir, err)
	}
	if err := emptyDirAt(fd, 0); err != nil {
		return fmt.Errorf("wipe %s: %w", dir, err)
	}
	if err := unix.Chmod(dir, mode); err != nil {
		return fmt.Errorf("wipe %s: %w", dir, err)
	}
	// Check that it is empty now.
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if names, _ := f.Readdirnames(1); len(names) > 0 {
		return fmt.Errorf("wipe %s: %s is left", dir, names[0])
	}
	return nil
}

// emptyDirAt removes every entry of the directory open at fd, descending
// through descriptors so that no path grows long. It closes fd.
func emptyDirAt(fd int, depth int) error {
	f := os.NewFile(uintptr(fd), "dir")
	defer f.Close()
	if depth > 10000 {
		return errors.New("directories nested too deeply")
	}
	for {
		// Read in batches: removing entries while reading is fine on
		// tmpfs, and the loop ends when a read returns nothing.
		names, err := f.Readdirnames(1024)
		if len(names) == 0 {
			if err == io.EOF || err == nil {
				return nil
			}
			return err
		}
		for _, n := range names {
			if err := unix.Unlinkat(fd, n, 0); err == nil || errors.Is(err, unix.ENOENT) {
				continue
			}
			// A directory: open it (restoring its permissions), empty
			// it, remove it.
			_ = unix.Fchmodat(fd, n, 0o700, 0)
			sub, err := unix.Openat(fd, n, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
			if err != nil {
				return fmt.Errorf("open %s: %w", n, err)
			}
			if err := emptyDirAt(sub, depth+1); err != nil {
				return err
			}
			if err := unix.Unlinkat(fd, n, unix.AT_REMOVEDIR); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("remove %s: %w", n, err)
			}
		}
		// Start over: entries may have shifted under the cursor.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
}

// removeSysVIPC removes the shared memory segments, message queues and
// semaphore sets of the sandbox's IPC namespace.
func removeSysVIPC() error {
	var errs []error
	for _, k := range []struct {
		file string
		rm   func(id int) error
	}{
		{"/proc/sysvipc/shm", func(id int) error { _, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil); return err }},
		{"/proc/sysvipc/msg", func(id int) error {
			_, _, e := unix.Syscall(unix.SYS_MSGCTL, uintptr(id), unix.IPC_RMID, 0)
			return errnoErr(e)
		}},
		{"/proc/sysvipc/sem", func(id int) error {
			_, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), 0, unix.IPC_RMID, 0, 0, 0)
			return errnoErr(e)
		}},
	} {
		ids, err := sysvIDs(k.file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range ids {
			if err := k.rm(id); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
				errs = append(errs, fmt.Errorf("remove IPC object %d (%s): %w", id, k.file, err))
			}
		}
	}
	return errors.Join(errs...)
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// sysvIDs reads the ids (second column) of a /proc/sysvipc table.
func sysvIDs(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	var ids []int
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		if id, err := strconv.Atoi(fields[1]); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, sc.Err()
}

// parentOf reads a process's parent pid from /proc (0 when unknown).
func parentOf(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
