package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needSandbox returns a real bwrap sandbox (one per run). A machine
// without bubblewrap skips the test, except in CI, where the test must run.
func needSandbox(t *testing.T) *Bwrap {
	t.Helper()
	sb, err := NewBwrap(Options{})
	if err != nil {
		skipOrFail(t, "sandbox unavailable: %v", err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	return sb
}

// eachBackend runs f as a subtest with each real sandbox backend: the pool
// of warm sandboxes and one bwrap per run. Both must give the same
// results.
func eachBackend(t *testing.T, f func(t *testing.T, sb ClosableSandbox)) {
	t.Run("pool", func(t *testing.T) { noLeftovers(t); f(t, needPool(t)) })
	t.Run("bwrap", func(t *testing.T) { noLeftovers(t); f(t, needSandbox(t)) })
}

const python = "/usr/bin/python3"

func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", python)
		}
		t.Skipf("%s missing", python)
	}
}

var testLimits = Limits{
	CPUTime:       time.Second,
	WallTime:      4 * time.Second,
	MemoryBytes:   128 << 20,
	OutputBytes:   1 << 20,
	FileSizeBytes: 1 << 20,
	Processes:     32,
	TmpfsBytes:    16 << 20,
}

func runPy(t *testing.T, sb Sandbox, code string) *Result {
	t.Helper()
	return runPyLimits(t, sb, code, testLimits)
}

func runPyLimits(t *testing.T, sb Sandbox, code string, lim Limits) *Result {
	t.Helper()
	r, err := sb.Run(context.Background(), &Spec{Args: []string{python, "-I", "-c", code}, Env: BaseEnv, Limits: lim})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return r
}

func TestSandboxStatuses(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		tests := []struct {
			name   string
			code   string
			status Status
			exit   int
			signal syscall.Signal
		}{
			{"exit 0", "print('hi')", StatusExited, 0, 0},
			{"exit 3", "import sys; sys.exit(3)", StatusExited, 3, 0},
			{"exception", "1/0", StatusExited, 1, 0},
			{"segfault", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", StatusSignaled, 0, syscall.SIGSEGV},
			{"abort", "import os; os.abort()", StatusSignaled, 0, syscall.SIGABRT},
			{"busy loop", "while True: pass", StatusTimeLimit, 0, 0},
			{"busy threads", "import threading\ndef f():\n    while True: pass\nfor _ in range(4): threading.Thread(target=f).start()\nf()", StatusTimeLimit, 0, 0},
			{"sleep", "import time; time.sleep(1000)", StatusWallLimit, 0, 0},
			{"memory hog", "x = bytearray(300 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1", StatusMemoryLimit, 0, 0},
			{"slow memory growth", "x = []\nwhile True: x.append(b'x' * (1 << 20))", StatusMemoryLimit, 0, 0},
			{"populated map", "import mmap\nm = mmap.mmap(-1, 8 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)\nwhile True: pass", StatusMemoryLimit, 0, 0},
			{"allocating threads", "import threading\nx = []\ndef f():\n    while True: x.append(b'x' * (4 << 20))\nfor _ in range(4): threading.Thread(target=f).start()\nf()", StatusMemoryLimit, 0, 0},
			{"stdout flood", "import sys\nwhile True: sys.stdout.write('x' * 65536)", StatusOutputLimit, 0, 0},
			{"stderr flood", "import sys\nwhile True: sys.stderr.write('x' * 65536)", StatusOutputLimit, 0, 0},
			// Python ignores SIGXFSZ, so the write fails; see TestSandboxFileSize.
			{"big file", "open('/box/f', 'wb').write(b'x' * (4 << 20))", StatusExited, 1, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				lim := testLimits
				if tt.status == StatusTimeLimit {
					// CPU time decides; a loaded machine must not make
					// the wall-clock cap come first.
					lim.WallTime = 60 * time.Second
				}
				r := runPyLimits(t, sb, tt.code, lim)
				if r.Status != tt.status || r.ExitCode != tt.exit || r.Signal != tt.signal {
					t.Errorf("got status %v exit %d signal %v, want %v exit %d signal %v (stderr %q)",
						r.Status, r.ExitCode, r.Signal, tt.status, tt.exit, tt.signal, tail(r.Stderr))
				}
			})
		}
	})
}

func tail(b []byte) string {
	if len(b) > 300 {
		b = b[len(b)-300:]
	}
	return string(b)
}

func TestSandboxFileSize(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		r, err := sb.Run(context.Background(), &Spec{Args: []string{"/bin/dd", "if=/dev/zero", "of=/box/f", "bs=1M", "count=4"}, Env: BaseEnv, Limits: testLimits})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != StatusOutputLimit {
			t.Errorf("status %v, want output-limit (SIGXFSZ)", r.Status)
		}
	})
}

func TestSandboxUsage(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		r := runPy(t, sb, "x = bytearray(40 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\nimport time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass")
		if r.Status != StatusExited || r.ExitCode != 0 {
			t.Fatalf("status %v exit %d: %s", r.Status, r.ExitCode, r.Stderr)
		}
		if r.Usage.CPUTime < 300*time.Millisecond || r.Usage.CPUTime > 900*time.Millisecond {
			t.Errorf("CPU time %v, want about 0.3s", r.Usage.CPUTime)
		}
		if r.Usage.MemoryPeakBytes < 40<<20 || r.Usage.MemoryPeakBytes > 100<<20 {
			t.Errorf("peak memory %d, want about 40 MiB", r.Usage.MemoryPeakBytes)
		}
		if r.Usage.WallTime < r.Usage.CPUTime/2 {
			t.Errorf("wall time %v below CPU time %v", r.Usage.WallTime, r.Usage.CPUTime)
		}
	})
}

func TestSandboxStdinStdout(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		big := bytes.Repeat([]byte("0123456789\n"), 100_000) // 1.1 MB in, 1.1 MB out
		spec := &Spec{Args: []string{python, "-I", "-c", "import sys; sys.stdout.write(sys.stdin.read())"}, Env: BaseEnv, Stdin: big, Limits: testLimits}
		spec.Limits.OutputBytes = 4 << 20
		r, err := sb.Run(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != StatusExited || r.ExitCode != 0 || !bytes.Equal(r.Stdout, big) {
			t.Fatalf("status %v exit %d, %d bytes out of %d: %s", r.Status, r.ExitCode, len(r.Stdout), len(big), r.Stderr)
		}
	})
}

func TestSandboxIsolation(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		exe, _ := os.Executable()
		tests := []struct {
			name string
			code string
		}{
			{"no network to loopback", "import socket; s = socket.create_connection(('127.0.0.1', 22), timeout=2)"},
			{"no network outside", "import socket; s = socket.create_connection(('1.1.1.1', 53), timeout=2)"},
			{"no DNS", "import socket; socket.getaddrinfo('example.com', 80)"},
			{"root's home hidden", "import os; print(os.listdir('/root'))"},
			{"shadow unreadable", "print(open('/etc/shadow').read())"},
			{"host tmp hidden", "import os; assert os.listdir('/tmp') == []; open('/tmp/host-file-scalebox').read()"},
			{"usr read-only", "open('/usr/scalebox-test', 'w')"},
			{"etc read-only", "open('/etc/scalebox-test', 'w')"},
			{"root read-only", "open('/scalebox-test', 'w')"},
			{"scalebox binary hidden", "open(" + pyQuote(exe) + ", 'rb').read(1)"},
			{"uid is unprivileged", "import os; assert os.getuid() != 0 and os.geteuid() != 0, os.getuid()"},
			{"no environment leaks", "import os\ntry: e = open('/proc/1/environ','rb').read()\nexcept PermissionError: e = b''\nassert b'HOME=/root' not in e and b'SCALEBOX' not in e, e; assert 'GOPATH' not in os.environ"},
			{"cannot signal the parent", "import os; os.kill(os.getppid(), 9); os.kill(1, 9); import time; time.sleep(0.2); raise SystemExit(5)"},
		}
		if err := os.WriteFile("/tmp/host-file-scalebox", []byte("secret"), 0o644); err == nil {
			defer os.Remove("/tmp/host-file-scalebox")
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := runPy(t, sb, tt.code)
				if tt.name == "uid is unprivileged" || tt.name == "no environment leaks" {
					if r.Status != StatusExited || r.ExitCode != 0 {
						t.Errorf("status %v exit %d: %s", r.Status, r.ExitCode, tail(r.Stderr))
					}
					return
				}
				if r.Status == StatusExited && r.ExitCode == 0 {
					t.Errorf("the program succeeded; stdout %q", tail(r.Stdout))
				}
			})
		}
	})
}

func pyQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }

// TestSandboxNoProcessLeftBehind starts daemons that try to outlive their
// run (setsid + double fork) and checks that none survives it.
func TestSandboxNoProcessLeftBehind(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		var b [8]byte
		rand.Read(b[:])
		tag := "scalebox-leak-" + hex.EncodeToString(b[:])
		daemon := `import os, time
	if os.fork() == 0:
	    os.setsid()
	    if os.fork() == 0:
	        os.execv("/bin/sleep", ["/bin/sleep", "1000", "` + tag + `"])
	    os._exit(0)
	time.sleep(0.3)
	`
		for _, tail := range []string{"", "time.sleep(1000)", "while True: pass"} {
			r := runPy(t, sb, daemon+tail)
			if r.Status == StatusSignaled {
				t.Errorf("unexpected signal %v", r.Signal)
			}
			if pids := findProcs(tag); len(pids) > 0 {
				t.Fatalf("after a run ending with %q, processes remain: %v", tail, pids)
			}
		}
	})
}

func findProcs(tag string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		data, err := os.ReadFile(d)
		if err == nil && bytes.Contains(data, []byte(tag)) {
			found = append(found, d)
		}
	}
	return found
}

func TestSandboxForkBombContained(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		start := time.Now()
		r := runPy(t, sb, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass")
		if r.Status != StatusTimeLimit && r.Status != StatusWallLimit {
			t.Errorf("status %v, want a time limit", r.Status)
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("fork bomb took %v to contain", el)
		}
		// The machine still starts processes.
		if r := runPy(t, sb, "print('alive')"); string(r.Stdout) != "alive\n" {
			t.Errorf("after the fork bomb: status %v, stdout %q", r.Status, r.Stdout)
		}
	})
}

func TestSandboxCancel(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		needPython(t)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := sb.Run(ctx, &Spec{Args: []string{python, "-c", "import time; time.sleep(100)"}, Env: BaseEnv, Limits: testLimits})
		if err == nil || ctx.Err() == nil {
			t.Fatalf("err = %v, want the context's error", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("cancel took %v", el)
		}
	})
}

func TestSandboxRelativeCommand(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		if _, err := sb.Run(context.Background(), &Spec{Args: []string{"python3"}}); err == nil {
			t.Fatal("a relative command was accepted")
		}
	})
}

func TestDirectBackend(t *testing.T) {
	needPython(t)
	d, err := NewDirect(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if len(d.Describe().Warnings) == 0 {
		t.Error("the unisolated backend gives no warning")
	}
	dir, err := os.MkdirTemp("", "scalebox-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	src := filepath.Join(dir, "main.py")
	os.WriteFile(src, []byte("import os; print(open('data.txt').read() if os.path.exists('data.txt') else 'cwd ok')"), 0o644)
	r, err := d.Run(context.Background(), &Spec{
		Args:   []string{python, "-I", WorkDir + "/main.py"},
		Mounts: []Mount{{Source: src, Target: WorkDir + "/main.py"}},
		Env:    BaseEnv, Limits: testLimits,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusExited || r.ExitCode != 0 || string(r.Stdout) != "cwd ok\n" {
		t.Fatalf("status %v exit %d stdout %q stderr %q", r.Status, r.ExitCode, r.Stdout, r.Stderr)
	}
	lim := testLimits
	lim.WallTime = 60 * time.Second // CPU time decides, however loaded the machine
	r = runPyLimits(t, d, "while True: pass", lim)
	if r.Status != StatusTimeLimit {
		t.Errorf("busy loop: status %v, want cpu-time-limit", r.Status)
	}
}

// TestSlowWatcherLosesNothing checks that output the program wrote before
// it exited is all read, however long the judge's watcher takes over it:
// a loaded machine once dropped a function harness's last result lines
// (and its completion marker) because reading stopped two seconds after
// the program's exit.
func TestSlowWatcherLosesNothing(t *testing.T) {
	needPython(t)
	old := drainIdle
	drainIdle = 200 * time.Millisecond
	defer func() { drainIdle = old }()
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		want := bytes.Repeat([]byte("x"), 300<<10)
		spec := &Spec{Args: []string{python, "-I", "-c", "import sys; sys.stdout.write('x' * (300 << 10))"}, Env: BaseEnv, Limits: testLimits}
		spec.Watch = func([]byte) bool { time.Sleep(500 * time.Millisecond); return false }
		r, err := sb.Run(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != StatusExited || !bytes.Equal(r.Stdout, want) {
			t.Errorf("status %v, %d bytes of %d", r.Status, len(r.Stdout), len(want))
		}
	})
}
