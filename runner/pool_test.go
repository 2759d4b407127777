package runner

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needPool returns a real pool of warm sandboxes. A machine without
// bubblewrap skips the test, except in CI, where the test must run.
func needPool(t *testing.T) *Pool {
	t.Helper()
	p, err := NewPool(Options{Logger: testLogger()})
	if err != nil {
		skipOrFail(t, "warm sandboxes unavailable: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close pool: %v", err)
		}
	})
	return p
}

// noLeftovers checks, once the test and its cleanups are done, that the
// test left no process and no cgroup or temporary directory behind (what
// existed before it, a fixture shared between tests, does not count). Call
// it before creating sandboxes (cleanups run last-in first-out).
func noLeftovers(t *testing.T) {
	before := leftovers()
	t.Cleanup(func() { checkNoLeftoversSince(t, before) })
}

// checkNoLeftovers fails the test if this process has a child left (a
// sandbox, a zombie), a cgroup or a temporary directory of its own.
func checkNoLeftovers(t *testing.T) {
	t.Helper()
	checkNoLeftoversSince(t, nil)
}

// leftovers lists this process's children, cgroups and temporary
// directories.
func leftovers() map[string]bool {
	found := map[string]bool{}
	for _, k := range childProcesses(os.Getpid()) {
		found["process "+k] = true
	}
	for _, pattern := range []string{filepath.Join(cgroupRoot, "*", "scalebox-%d-*"), filepath.Join(cgroupRoot, "*", "*", "scalebox-%d-*"), filepath.Join(os.TempDir(), "scalebox-*-%d-*"), "/dev/shm/scalebox-*-%d-*"} {
		m, _ := filepath.Glob(fmt.Sprintf(pattern, os.Getpid()))
		for _, p := range m {
			found[p] = true
		}
	}
	return found
}

func checkNoLeftoversSince(t *testing.T, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		for k := range leftovers() {
			if !before[k] {
				left = append(left, k)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind: %v", left)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// childProcesses lists the children of pid (live or zombie) with their
// command and state.
func childProcesses(pid int) []string {
	var kids []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		data, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		kids = append(kids, s[:i+1]+" "+f[0])
	}
	return kids
}

// TestPoolReuse runs, in one warm sandbox, an attack that tries to leave
// something behind for the next run, then a probe that looks for it. The
// probe must find nothing, and the sandbox must have been reused (not
// replaced), since the attack is a program like any other.
func TestPoolReuse(t *testing.T) {
	noLeftovers(t)
	p := needPool(t)
	needPython(t)
	p.MaxSandboxes = 1
	lim := testLimits
	lim.WallTime = 20 * time.Second
	run := func(code string, args ...string) *Result {
		t.Helper()
		argv := append([]string{python}, args...)
		argv = append(argv, "-c", code)
		r, err := p.Run(context.Background(), &Spec{Args: argv, Env: BaseEnv, Limits: lim})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		return r
	}
	// Warm the sandbox of this profile.
	run("pass")
	tests := []struct {
		name   string
		attack string
		// probe prints nothing when it finds nothing.
		probe string
		args  []string
	}{
		{"files", `
import os
for d in ('/box', '/tmp', '/dev/shm'):
    open(d + '/left', 'w').write('x')
    open(d + '/.hidden', 'w').write('x')
    os.makedirs(d + '/deep/er/est', exist_ok=True)
    open(d + '/deep/er/est/f', 'w').write('x')
    os.mkfifo(d + '/fifo')
    os.symlink('/etc/passwd', d + '/link')
    os.chmod(d + '/deep/er', 0)
    os.chmod(d + '/deep', 0)
os.chmod('/tmp', 0)
`, `
import os
for d in ('/box', '/tmp', '/dev/shm'):
    left = os.listdir(d)
    if left: print(d, left)
print(oct(os.stat('/tmp').st_mode & 0o7777)) if os.stat('/tmp').st_mode & 0o700 != 0o700 else None
`, nil},
		{"full tmpfs", `
try:
    with open('/tmp/big', 'wb') as f:
        while True: f.write(b'x' * (1 << 20))
except OSError: pass
`, `
with open('/tmp/probe', 'wb') as f: f.write(b'y' * (512 << 10))
`, nil},
		{"background processes", `
import os, time, signal
def daemon(tag):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.execv('/bin/sleep', [tag, '1000'])
        os._exit(0)
daemon('setsid')
if os.fork() == 0:
    os.setpgid(0, 0)
    os.execv('/bin/sleep', ['pgrp', '1000'])
if os.fork() == 0:
    os.execv('/bin/sleep', ['child', '1000'])
time.sleep(0.2)
`, `
import os
for p in machinery_others():
    try: print(p, open('/proc/%s/cmdline' % p).read())
    except OSError: pass
`, nil},
		{"zombies", `
import os
for _ in range(10):
    if os.fork() == 0: os._exit(0)
# never waits: its children stay zombies until it exits, then the init reaps them
`, `
others = machinery_others()
if others: print(others)
`, nil},
		{"System V IPC", `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
assert libc.shmget(1234, 4096, IPC_CREAT | 0o666) >= 0, ctypes.get_errno()
assert libc.msgget(1235, IPC_CREAT | 0o666) >= 0, ctypes.get_errno()
assert libc.semget(1236, 1, IPC_CREAT | 0o666) >= 0, ctypes.get_errno()
`, `
for k in ('shm', 'msg', 'sem'):
    rows = open('/proc/sysvipc/' + k).read().splitlines()[1:]
    if rows: print(k, rows)
`, nil},
		{"POSIX message queue", `
import ctypes
rt = ctypes.CDLL('librt.so.1', use_errno=True)
fd = rt.mq_open(b'/scalebox-mq', 0o100 | 2, 0o666, None)
if fd >= 0: print('OPENED mq', fd)
`, `
import ctypes
rt = ctypes.CDLL('librt.so.1', use_errno=True)
if rt.mq_open(b'/scalebox-mq', 2) >= 0: print('found the queue')
`, nil},
		{"a file the next run imports", `
import os, sys
v = 'python%d.%d' % sys.version_info[:2]
site = '/tmp/.local/lib/%s/site-packages' % v
os.makedirs(site, exist_ok=True)
open(site + '/evil.pth', 'w').write('import sys; print("EVIL pth")\n')
open(site + '/usercustomize.py', 'w').write('print("EVIL usercustomize")\n')
for d in ('/box', '/tmp'):
    open(d + '/sitecustomize.py', 'w').write('print("EVIL sitecustomize")\n')
    open(d + '/json.py', 'w').write('print("EVIL json")\n')
`, `
import json
`, []string{}},
		{"signals to the init", `
import os, signal
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGSEGV,
          signal.SIGBUS, signal.SIGABRT, signal.SIGPIPE, signal.SIGALRM, signal.SIGSTOP, signal.SIGKILL):
    try: os.kill(1, s)
    except OSError as e: print('kill', s, e)
`, `
import os
print(end='')
`, nil},
		{"the init's memory and descriptors", `
import os
for f in ('/proc/1/mem', '/proc/1/environ', '/proc/1/fd/3', '/proc/1/root/proc/1/mem'):
    try:
        open(f, 'rb').read(1)
        print('OPENED', f)
    except OSError: pass
try:
    print('FDS', os.listdir('/proc/1/fd'))
except OSError: pass
`, `print(end='')`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := p.Stats()
			args := tt.args
			if args == nil {
				args = []string{"-I"}
			}
			a := run(tt.attack, args...)
			if strings.Contains(string(a.Stdout), "OPENED") || strings.Contains(string(a.Stdout), "FDS") {
				t.Errorf("attack got through: %s", a.Stdout)
			}
			pr := run(probeHelpers+tt.probe, args...)
			if pr.Status != StatusExited || pr.ExitCode != 0 || len(pr.Stdout) > 0 {
				t.Errorf("probe found something: status %v exit %d stdout %q stderr %q (attack: %v %d %q)",
					pr.Status, pr.ExitCode, pr.Stdout, tail(pr.Stderr), a.Status, a.ExitCode, tail(a.Stderr))
			}
			after := p.Stats()
			if after.Started != before.Started || after.Broken != before.Broken {
				t.Errorf("the sandbox was replaced: before %+v, after %+v", before, after)
			}
		})
	}
}

// TestPoolCopiesFiles checks that a run's files reach the work directory
// read-only, and that a program that changes its copy does not change the
// next run's.
func TestPoolCopiesFiles(t *testing.T) {
	noLeftovers(t)
	p := needPool(t)
	needPython(t)
	p.MaxSandboxes = 1
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	before := p.Stats()
	src := filepath.Join(dir, "main.py")
	code := `import os, stat
print(oct(stat.S_IMODE(os.stat('/box/main.py').st_mode)), open('/box/data.txt').read())
os.chmod('/box/main.py', 0o644)
open('/box/main.py', 'w').write('print("changed")')
`
	os.WriteFile(src, []byte(code), 0o644)
	os.WriteFile(filepath.Join(dir, "data.txt"), []byte("data"), 0o644)
	spec := &Spec{
		Args: []string{python, "-I", WorkDir + "/main.py"}, Env: BaseEnv, Limits: testLimits,
		Mounts: []Mount{{Source: src, Target: WorkDir + "/main.py"}, {Source: filepath.Join(dir, "data.txt"), Target: WorkDir + "/data.txt"}},
	}
	for i := 0; i < 2; i++ {
		r, err := p.Run(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(r.Stdout); got != "0o444 data\n" {
			t.Errorf("run %d: stdout %q stderr %q, want the read-only copy", i, got, tail(r.Stderr))
		}
	}
	if got, _ := os.ReadFile(src); string(got) != code {
		t.Errorf("the host's file changed: %q", got)
	}
	if s := p.Stats(); s.Started-before.Started != 1 || s.Runs-before.Runs != 2 {
		t.Errorf("stats %+v (before %+v), want one sandbox serving both runs", s, before)
	}
}

// TestPoolWritableMountRunsApart checks that a run with a writable mount
// (a compile step) gets a sandbox of its own and its writes reach the host.
func TestPoolWritableMountRunsApart(t *testing.T) {
	noLeftovers(t)
	p := needPool(t)
	dir := hostDir(t)
	uid, gid := p.HostIDs()
	os.Chown(dir, uid, gid)
	r, err := p.Run(context.Background(), &Spec{
		Args: []string{"/bin/sh", "-c", "echo built > /out/a"}, Env: BaseEnv, Limits: testLimits,
		Mounts: []Mount{{Source: dir, Target: OutDir, Writable: true}},
	})
	if err != nil || r.Status != StatusExited || r.ExitCode != 0 {
		t.Fatalf("err %v result %+v", err, r)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a")); string(got) != "built\n" {
		t.Errorf("out file %q", got)
	}
	if s := p.Stats(); s.PerRun != 1 {
		t.Errorf("stats %+v, want one run apart", s)
	}
}

// TestPoolExecFailure checks that a command that cannot be executed is a
// machinery error, and the sandbox stays usable.
func TestPoolExecFailure(t *testing.T) {
	noLeftovers(t)
	p := needPool(t)
	p.MaxSandboxes = 1
	_, err := p.Run(context.Background(), &Spec{Args: []string{"/no/such/program"}, Env: BaseEnv, Limits: testLimits})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v, want exec's error", err)
	}
	r, err := p.Run(context.Background(), &Spec{Args: []string{"/bin/echo", "ok"}, Env: BaseEnv, Limits: testLimits})
	if err != nil || string(r.Stdout) != "ok\n" {
		t.Fatalf("after a failed exec: %v %+v", err, r)
	}
	if s := p.Stats(); s.Broken != 0 {
		t.Errorf("stats %+v", s)
	}
}

// hostDir is a temporary directory the sandbox user can reach (t.TempDir's
// parent is private to this user).
func hostDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "scalebox-test-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestReaper checks that an orphan reparented to this process (a child
// subreaper) is reaped, and that a process os/exec waits for is not.
func TestReaper(t *testing.T) {
	before := leftovers()
	// The shell exits at once; its background child, a grandchild of this
	// process, is reparented here and exits after 100 ms.
	orphaner := exec.Command("/bin/sh", "-c", "/bin/sleep 0.1 & exit 0")
	if err := startOwned(orphaner); err != nil {
		t.Fatal(err)
	}
	// An owned child that exits while nobody waits for it yet.
	quick := exec.Command("/bin/true")
	if err := startOwned(quick); err != nil {
		t.Fatal(err)
	}
	if err := waitOwned(orphaner); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	ReapOrphans(0)
	if err := waitOwned(quick); err != nil {
		t.Errorf("the reaper took an owned child's exit: %v", err)
	}
	checkNoLeftoversSince(t, before)
}

// TestKilledRunsLeaveNoOrphans kills per-run bwrap sandboxes mid-run (the
// wrapper dies with its program, orphaning bwrap's own children) and
// checks that nothing of them is left, zombies included.
func TestKilledRunsLeaveNoOrphans(t *testing.T) {
	needPython(t)
	before := leftovers()
	sb, err := NewBwrap(Options{})
	if err != nil {
		skipOrFail(t, "sandbox unavailable: %v", err)
	}
	lim := testLimits
	lim.CPUTime = 200 * time.Millisecond
	for i := 0; i < 5; i++ {
		r := runPyLimits(t, sb, "import os\nif os.fork() == 0:\n    while True: pass\nwhile True: pass", lim)
		if r.Status != StatusTimeLimit && r.Status != StatusWallLimit {
			t.Fatalf("status %v", r.Status)
		}
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	checkNoLeftoversSince(t, before)
}

// needForkPool is a pool with the Python fork server, or one without.
func needForkPool(t *testing.T, fork bool) *Pool {
	t.Helper()
	p, err := NewPool(Options{NoPythonForkServer: !fork, Logger: testLogger()})
	if err != nil {
		skipOrFail(t, "warm sandboxes unavailable: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close pool: %v", err)
		}
	})
	return p
}

// TestForkServerLikeFreshInterpreter runs programs through the fork server
// and as new interpreters and compares what they see and how they end.
func TestForkServerLikeFreshInterpreter(t *testing.T) {
	needPython(t)
	noLeftovers(t)
	forked, fresh := needForkPool(t, true), needForkPool(t, false)
	dir := hostDir(t)
	script := filepath.Join(dir, "main.py")
	tests := []struct{ name, code, stdin string }{
		{"exit 0", "print('hi')", ""},
		{"exit 3", "import sys; sys.exit(3)", ""},
		{"exit message", "import sys; sys.exit('bye')", ""},
		{"exit bool", "import sys; sys.exit(True)", ""},
		{"exit 300", "raise SystemExit(300)", ""},
		{"exception", "def f():\n    1/0\nf()", ""},
		{"syntax error", "def f(:\n    pass", ""},
		{"main guard and argv", "import sys\nif __name__ == '__main__': print(sys.argv[1:], __name__)", ""},
		{"stdin echo", "import sys\nfor line in sys.stdin: print(line.strip()[::-1])", "abc\ndef\n"},
		{"input", "a, b = map(int, input().split()); print(a + b)", "2 3\n"},
		{"unflushed stdout at exit", "import sys; sys.stdout.write('no newline')", ""},
		{"atexit", "import atexit; atexit.register(lambda: print('bye'))\nprint('hi')", ""},
		{"thread outlives main", "import threading, time\ndef f():\n    time.sleep(0.2); print('late')\nthreading.Thread(target=f).start()\nprint('main')", ""},
		{"stdio encoding", "import sys; print(sys.stdout.encoding, sys.stdout.errors, sys.stdin.encoding, sys.stderr.line_buffering, sys.stdout.name)", ""},
		{"open fds", "import os; print(sorted(int(f) for f in os.listdir('/proc/self/fd'))[:3], len(os.listdir('/proc/self/fd')))", ""},
		{"keyboard interrupt", "raise KeyboardInterrupt", ""},
		{"recursion", "import sys\nsys.setrecursionlimit(100000)\ndef f(n): return n if n == 0 else f(n - 1)\nprint(f(50000))", ""},
		{"pickle a main class", "import pickle\nclass A: pass\nprint(type(pickle.loads(pickle.dumps(A()))).__name__)", ""},
		{"cwd and file", "import os; print(os.getcwd(), __file__)", ""},
	}
	lim := testLimits
	lim.WallTime = 20 * time.Second
	lim.MemoryBytes = 512 << 20
	tests = append(tests, struct{ name, code, stdin string }{"no site (-S)", "import sys; print(sys.flags.no_site, 'site' in sys.modules, sys.argv)", ""})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf("%s.%d", script, i)
			os.WriteFile(src, []byte(tt.code), 0o644)
			flags := []string{"-I"}
			if strings.Contains(tt.name, "-S") {
				flags = append(flags, "-S")
			}
			spec := func() *Spec {
				args := append(append([]string{python}, flags...), WorkDir+"/main.py", "x", "y")
				return &Spec{Args: args, Env: BaseEnv, Limits: lim, Stdin: []byte(tt.stdin),
					Mounts: []Mount{{Source: src, Target: WorkDir + "/main.py"}}}
			}
			before := forked.Stats().Forked
			a, err := forked.Run(context.Background(), spec())
			if err != nil {
				t.Fatal(err)
			}
			if forked.Stats().Forked != before+1 {
				t.Fatalf("the fork server did not run it: %+v", forked.Stats())
			}
			b, err := fresh.Run(context.Background(), spec())
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != b.Status || a.ExitCode != b.ExitCode || a.Signal != b.Signal || string(a.Stdout) != string(b.Stdout) || string(a.Stderr) != string(b.Stderr) {
				t.Errorf("forked: %v exit %d sig %v stdout %q stderr %q\nfresh:  %v exit %d sig %v stdout %q stderr %q",
					a.Status, a.ExitCode, a.Signal, a.Stdout, a.Stderr, b.Status, b.ExitCode, b.Signal, b.Stdout, b.Stderr)
			}
		})
	}
}

// testLogger logs to stderr when SCALEBOX_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("SCALEBOX_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// probeHelpers are functions the probes of TestPoolReuse share.
// machinery_others lists the processes of the sandbox other than the probe
// and the sandbox's own machinery (its init, pid 1, and the Python fork
// server, whose command line says what it is).
const probeHelpers = `import os
def machinery_others():
    out = []
    for p in os.listdir('/proc'):
        if not p.isdigit() or p in ('1', str(os.getpid())):
            continue
        try:
            if b"scalebox's Python fork server" in open('/proc/%s/cmdline' % p, 'rb').read():
                continue
        except OSError:
            continue
        out.append(p)
    return out
`

// TestForkServerAttacks runs, through the fork server, programs that go
// for the server (its memory, its socket, its modules, signals), each
// followed by a probe from the same server: the probe must find the server
// as it was. A program that kills or stops the server costs a sandbox, not
// a verdict: its run is run again in a sandbox of its own.
func TestForkServerAttacks(t *testing.T) {
	needPython(t)
	noLeftovers(t)
	p := needForkPool(t, true)
	p.MaxSandboxes = 1
	lim := testLimits
	lim.WallTime = 20 * time.Second
	run := func(code string) *Result {
		t.Helper()
		r, err := p.Run(context.Background(), &Spec{Args: []string{python, "-I", "-c", code}, Env: BaseEnv, Limits: lim})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		return r
	}
	const probe = `import json, math, statistics, builtins, sys, random
bad = []
if json.dumps([1]) != '[1]': bad.append('json')
if math.pi != 3.141592653589793: bad.append('math')
if statistics.mean([1, 3]) != 2: bad.append('statistics')
if builtins.len is not len or len([1]) != 1: bad.append('builtins')
if sys.modules['__main__'].__dict__.get('planted'): bad.append('main')
if 'evil' in sys.modules: bad.append('sys.modules')
print(' '.join(bad), end='')
`
	server := `import os
def server_pid():
    for p in os.listdir('/proc'):
        if p.isdigit() and p not in ('1', str(os.getpid())):
            try:
                if b"scalebox's Python fork server" in open('/proc/%s/cmdline' % p, 'rb').read(): return int(p)
            except OSError: pass
`
	tests := []struct {
		name, attack string
		// costsSandbox: the attack ends the server; the sandbox is replaced.
		costsSandbox bool
	}{
		{"patch modules", `import json, math, statistics, builtins, sys, types
json.dumps = lambda *a, **k: 'EVIL'
math.pi = 3
statistics.mean = lambda x: 0
builtins.len = lambda x: 0
sys.modules['evil'] = types.ModuleType('evil')
sys.modules['__main__'].planted = True
`, false},
		{"walk objects", `import gc, json
for o in gc.get_objects():
    if isinstance(o, dict) and o.get('dumps') is json.dumps:
        o['dumps'] = lambda *a, **k: 'EVIL'
`, false},
		{"reach for the socket", server + `import socket, stat
found = []
for fd in range(3, 256):
    try:
        st = os.fstat(fd)
    except OSError:
        continue
    if fd != 3 or not stat.S_ISDIR(st.st_mode): found.append(fd)
pid = server_pid()
for f in ('/proc/%d/fd/3' % pid, '/proc/%d/mem' % pid, '/proc/%d/environ' % pid):
    try:
        open(f, 'rb').read(1); found.append(f)
    except OSError: pass
try:
    found.append(os.listdir('/proc/%d/fd' % pid))
except OSError: pass
print('FOUND', found) if found else None
`, false},
		{"shared memory", `for line in open('/proc/self/maps'):
    perms = line.split()[1]
    if 's' in perms and 'w' in perms: print('FOUND shared writable', line)
`, false},
		{"signal the server", server + `import signal
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGTSTP, signal.SIGALRM):
    os.kill(server_pid(), s)
`, false},
		{"stop the server", server + `import signal
os.kill(server_pid(), signal.SIGSTOP)
`, false},
		{"kill the server", server + `import signal
os.kill(server_pid(), signal.SIGKILL)
`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run("pass")
			before := p.Stats()
			a := run(tt.attack)
			if strings.Contains(string(a.Stdout), "FOUND") {
				t.Errorf("attack got through: %s", a.Stdout)
			}
			pr := run(probe)
			if pr.Status != StatusExited || pr.ExitCode != 0 || len(pr.Stdout) > 0 {
				t.Errorf("probe found the server changed: %v %d %q %q (attack %v %q)", pr.Status, pr.ExitCode, pr.Stdout, tail(pr.Stderr), a.Status, tail(a.Stderr))
			}
			after := p.Stats()
			if after.Forked < before.Forked+1 {
				t.Errorf("the probe did not run in a fork server: %+v -> %+v", before, after)
			}
			if replaced := after.Broken != before.Broken; replaced != tt.costsSandbox {
				t.Errorf("sandbox replaced: %v, want %v (%+v -> %+v)", replaced, tt.costsSandbox, before, after)
			}
		})
	}
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but: "+format, args...)
	}
	t.Skipf(format, args...)
}

// TestForkServerCancelAtOnce cancels runs just after they are sent, before
// the fork server's child has joined its cgroup: the run must still end at
// once (an early kill once missed the child, which slept on).
func TestForkServerCancelAtOnce(t *testing.T) {
	needPython(t)
	p := needForkPool(t, true)
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%5)*time.Millisecond)
		start := time.Now()
		_, err := p.Run(ctx, &Spec{Args: []string{python, "-I", "-c", "import time; time.sleep(30)"}, Env: BaseEnv, Limits: testLimits})
		cancel()
		if err == nil {
			t.Fatalf("run %d: no error from a cancelled run", i)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Fatalf("run %d: cancelled after %v took %v", i, time.Duration(i%5)*time.Millisecond, el)
		}
	}
}
