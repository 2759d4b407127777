package runner

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The Python fork server (forkserver.py) is a warm interpreter inside a
// pooled sandbox that forks one child per run instead of starting a new
// interpreter (tens of milliseconds). The init starts it on the first run
// that asks for it and keeps it for later runs with the same interpreter,
// flags, environment and stack limit; it replaces it after
// zygoteMaxRuns runs, so that runs do not all share one string hash seed.

//go:embed forkserver.py
var forkServerSource string

// zygoteMaxRuns is how many runs one fork server serves.
const zygoteMaxRuns = 500

// pythonCommand matches the interpreters the fork server can stand for.
var pythonCommand = regexp.MustCompile(`^python3(\.[0-9]+)?$`)

// pythonFlags returns the interpreter flags of argv when it is
// `python3 -I [-S] script args...` or `python3 -I [-S] -c code args...`:
// what the fork server reproduces (a server started with the same flags).
func pythonFlags(argv []string) ([]string, bool) {
	if len(argv) < 3 || !filepath.IsAbs(argv[0]) || !pythonCommand.MatchString(filepath.Base(argv[0])) || argv[1] != "-I" {
		return nil, false
	}
	n := 2
	if argv[2] == "-S" {
		n = 3
	}
	rest := argv[n:]
	switch {
	case len(rest) == 0:
		return nil, false
	case rest[0] == "-c":
		return argv[1:n], len(rest) >= 2
	}
	return argv[1:n], !strings.HasPrefix(rest[0], "-")
}

// pythonForkable reports whether the fork server can run argv.
func pythonForkable(argv []string) bool {
	_, ok := pythonFlags(argv)
	return ok
}

// zygote is a running fork server.
type zygote struct {
	key  string
	pid  int
	conn *packetConn
	runs int
}

// zygoteMessage is a message from the fork server.
type zygoteMessage struct {
	Ready  int     `json:"ready"`
	Pid    int     `json:"pid"`
	Error  string  `json:"error"`
	Status *uint32 `json:"status"`
	Utime  float64 `json:"utime"`
	Stime  float64 `json:"stime"`
	MaxRSS int64   `json:"maxrss"`
}

// zygoteFor returns the fork server for req, starting one if needed, or nil
// when the run should be forked and executed as usual.
func (s *initServer) zygoteFor(req *initRequest) *zygote {
	flags, ok := pythonFlags(req.Argv)
	if !ok {
		return nil
	}
	var stack uint64
	for _, r := range req.Rlimits {
		if r.Resource == unix.RLIMIT_STACK {
			stack = r.Max
		}
	}
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%d", req.Argv[0], strings.Join(flags, " "), strings.Join(req.Env, "\x00"), stack)
	if z := s.zygote; z != nil && (z.key != key || z.runs >= zygoteMaxRuns) {
		s.stopZygote()
	}
	if s.zygote != nil {
		return s.zygote
	}
	if s.zygoteFailed == nil {
		s.zygoteFailed = map[string]bool{}
	}
	if s.zygoteFailed[key] {
		return nil
	}
	z, err := startZygote(req.Argv[0], flags, req.Env, stack, key)
	if err != nil {
		fmt.Fprintf(os.Stderr, "scalebox init: fork server for %s: %v\n", req.Argv[0], err)
		s.zygoteFailed[key] = true
		return nil
	}
	s.zygote = z
	s.zygotePid.Store(int64(z.pid))
	s.reaper.keepRunning.Store(int64(z.pid))
	return z
}

// startZygote starts a fork server and waits until it is ready.
func startZygote(python string, flags, env []string, stack uint64, key string) (*zygote, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	host, child := os.NewFile(uintptr(fds[0]), "zygote"), os.NewFile(uintptr(fds[1]), "zygote")
	defer child.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		host.Close()
		return nil, err
	}
	defer null.Close()
	argv := append(append([]string{python}, flags...), "-c", forkServerSource)
	fs, err := newForkSpec(argv, env, "/")
	if err != nil {
		host.Close()
		return nil, err
	}
	fs.stdio = [3]int{int(null.Fd()), int(null.Fd()), 2}
	fs.extra = []int{int(child.Fd())}
	fs.rlimits = []childRlimit{
		{resource: unix.RLIMIT_CORE},
		{resource: unix.RLIMIT_NOFILE, lim: unix.Rlimit{Cur: nofileLimit, Max: nofileLimit}},
	}
	if stack > 0 {
		// The stack limit at exec places the memory map and sizes
		// glibc's thread stacks: the server gets the runs' own.
		fs.rlimits = append(fs.rlimits, childRlimit{resource: unix.RLIMIT_STACK, lim: unix.Rlimit{Cur: stack, Max: stack}})
	}
	ce, err := newChildErrors()
	if err != nil {
		host.Close()
		return nil, err
	}
	pid, err := forkExec(fs, ce)
	if err != nil {
		host.Close()
		return nil, err
	}
	if err := ce.read(); err != nil {
		host.Close()
		return nil, err
	}
	conn, err := newPacketConn(host)
	if err != nil {
		_ = unix.Kill(pid, unix.SIGKILL)
		return nil, err
	}
	z := &zygote{key: key, pid: pid, conn: conn}
	var m zygoteMessage
	if _, err := conn.recv(&m, time.Now().Add(30*time.Second)); err != nil || m.Ready == 0 {
		z.stop()
		if err == nil {
			err = errors.New("it did not say it was ready")
		}
		return nil, err
	}
	return z, nil
}

// start asks the fork server to start a run; it returns the program's pid.
func (z *zygote) start(req *initRequest, files []*os.File) (int, error) {
	z.runs++
	msg := map[string]any{"argv": req.Argv, "dir": req.Dir, "cgroups": req.Cgroups, "rlimits": pyRlimits(req.Rlimits)}
	if err := z.conn.send(msg, files[:3+req.Cgroups]...); err != nil {
		return 0, err
	}
	var m zygoteMessage
	if _, err := z.conn.recv(&m, time.Now().Add(30*time.Second)); err != nil {
		return 0, err
	}
	if m.Error != "" {
		return 0, errors.New(m.Error)
	}
	if m.Pid <= 0 {
		return 0, errors.New("no pid in its answer")
	}
	return m.Pid, nil
}

// wait returns how the run the server started ended.
func (z *zygote) wait() (exitInfo, error) {
	var m zygoteMessage
	if _, err := z.conn.recv(&m, time.Time{}); err != nil {
		return exitInfo{}, err
	}
	if m.Status == nil {
		return exitInfo{}, fmt.Errorf("answer without a status: %+v", m)
	}
	var ex exitInfo
	ex.ws = unix.WaitStatus(*m.Status)
	ex.ru.Utime = unix.NsecToTimeval(int64(m.Utime * 1e9))
	ex.ru.Stime = unix.NsecToTimeval(int64(m.Stime * 1e9))
	ex.ru.Maxrss = m.MaxRSS
	return ex, nil
}

func (z *zygote) stop() {
	z.conn.close()
	_ = unix.Kill(z.pid, unix.SIGKILL)
}

// stopZygote ends the fork server (the reaper reaps it).
func (s *initServer) stopZygote() {
	if s.zygote != nil {
		s.zygotePid.Store(0)
		s.reaper.keepRunning.Store(0)
		s.zygote.stop()
		s.zygote = nil
	}
}

// pyRlimits gives rlimits as the fork server's resource.setrlimit takes
// them: resource.RLIM_INFINITY is -1.
func pyRlimits(rl []initRlimit) [][3]int64 {
	out := make([][3]int64, len(rl))
	for i, r := range rl {
		out[i] = [3]int64{int64(r.Resource), pyRlim(r.Cur), pyRlim(r.Max)}
	}
	return out
}

func pyRlim(v uint64) int64 {
	if v == unix.RLIM_INFINITY {
		return -1
	}
	return int64(v)
}
