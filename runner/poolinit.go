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
	// running is the main process of the current run (0 between runs).
	mu      sync.Mutex
	running int
	// ready is closed when the sandbox is reset after the last run;
	// resetErr says why it could not be.
	ready    chan struct{}
	resetErr error
}

func sandboxInit() int {
	runtime.GOMAXPROCS(2)
	// Not dumpable: the programs (same uid) cannot open /proc/1/mem, fd or
	// environ.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	// Every signal a program may send is caught and dropped; the kernel
	// drops SIGKILL and SIGSTOP sent to a namespace init from inside it.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	go func() {
		for range sigs {
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
	s := &initServer{conn: conn, modes: map[string]uint32{}, ready: make(chan struct{})}
	close(s.ready)
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
			_ = unix.Kill(-1, unix.SIGKILL)
		default:
			closeAll(files)
			s.send(&initReply{Op: opError, Err: "unknown request " + strconv.Quote(req.Op)})
		}
	}
}

func (s *initServer) send(r *initReply) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	return s.conn.send(r)
}

// run starts a run's program and, from another goroutine, waits for it
// and reports. The main loop keeps reading, so a kill request is served
// while the program runs. A run starts only once the sandbox is reset
// after the previous one; if it could not be, the run is refused and the
// host destroys the sandbox.
func (s *initServer) run(req *initRequest, files []*os.File) {
	defer closeAll(files)
	<-s.ready
	s.mu.Lock()
	busy := s.running != 0
	s.mu.Unlock()
	if busy {
		s.send(&initReply{Op: opError, Err: "a run is in progress"})
		return
	}
	if s.resetErr != nil {
		s.send(&initReply{Op: opError, Err: "the sandbox was not reset: " + s.resetErr.Error()})
		return
	}
	fail := func(err error) {
		s.ready = make(chan struct{})
		s.reset(nil)
		s.send(&initReply{Op: opError, Err: err.Error(), Clean: s.resetErr == nil})
	}
	fs, ce, err := s.start(req, files)
	if err != nil {
		fail(err)
		return
	}
	pid, err := forkExec(fs, ce)
	runtime.KeepAlive(files)
	if err != nil {
		fail(fmt.Errorf("start %s: %w", req.Argv[0], err))
		return
	}
	s.mu.Lock()
	s.running = pid
	s.ready = make(chan struct{})
	s.mu.Unlock()
	go s.wait(pid, req.Argv[0], ce)
}

// start copies the run's files into its directory and prepares the fork.
func (s *initServer) start(req *initRequest, files []*os.File) (*forkSpec, *childErrors, error) {
	want := 3 + req.Cgroups + len(req.Files)
	if len(files) != want || req.Cgroups < 0 {
		return nil, nil, fmt.Errorf("run request with %d descriptors, want %d", len(files), want)
	}
	if req.Dir == "" {
		req.Dir = WorkDir
	}
	for i, f := range req.Files {
		if err := copyIn(req.Dir, f, files[3+req.Cgroups+i]); err != nil {
			return nil, nil, err
		}
	}
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

// wait reaps the run's processes as they end (a program that keeps
// orphaning children must not fill its pids limit with zombies, as it
// would not under a reaping pid 1) until the main process ends; then it
// ends and reaps everything else and reports. Emptying the writable
// directories follows the report, before the next run.
func (s *initServer) wait(pid int, path string, ce *childErrors) {
	var ws unix.WaitStatus
	var ru unix.Rusage
	var err error
	for {
		var w unix.WaitStatus
		var r unix.Rusage
		wpid, werr := unix.Wait4(-1, &w, 0, &r)
		if werr == unix.EINTR {
			continue
		}
		if werr != nil {
			err = werr
			break
		}
		if wpid == pid {
			ws, ru = w, r
			break
		}
	}
	// The child reports a failure before exec on its pipe.
	startErr := ce.read()
	kerr := killAllOthers(3 * time.Second)
	rep := &initReply{Op: opExited, Status: uint32(ws), UserNs: ru.Utime.Nano(), SysNs: ru.Stime.Nano(), MaxRSS: ru.Maxrss * 1024}
	switch {
	case startErr != nil:
		rep.Op, rep.Err = opError, fmt.Sprintf("start %s: %v", path, startErr)
	case err != nil:
		rep.Err = "wait: " + err.Error()
	}
	rep.Clean = err == nil && kerr == nil
	if kerr != nil {
		rep.Err = strings.TrimPrefix(rep.Err+"; "+kerr.Error(), "; ")
	}
	s.mu.Lock()
	s.running = 0
	s.mu.Unlock()
	s.send(rep)
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

// cleanup kills and reaps every process but the init, empties the
// writable directories and removes System V IPC objects. An error means
// the sandbox may not be as it was and must not be reused.
func (s *initServer) cleanup() error {
	var errs []error
	if err := killAllOthers(3 * time.Second); err != nil {
		errs = append(errs, err)
	}
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

// killAllOthers kills every process in the namespace but the init, reaps
// them, and checks /proc until none is left (a fork bomb racing the kill
// is bounded by the run's pids limit).
func killAllOthers(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_ = unix.Kill(-1, unix.SIGKILL)
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 && err != unix.EINTR {
				break
			}
		}
		others, err := otherProcesses()
		if err != nil {
			return err
		}
		if len(others) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes still alive: %s", strings.Join(others, " "))
		}
		time.Sleep(time.Millisecond)
	}
}

// otherProcesses lists the pids in /proc other than the init's.
func otherProcesses() ([]string, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	var others []string
	for _, n := range names {
		if n != "1" && n[0] >= '0' && n[0] <= '9' {
			others = append(others, n)
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
