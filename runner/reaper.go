package runner

import (
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// scalebox is a child subreaper: a process that loses its parent inside
// scalebox's tree (a sandbox wrapper killed with its run, whose children
// then become orphans) is reparented to scalebox instead of to PID 1, and
// scalebox reaps it. In a container where scalebox is PID 1 nobody else
// would, and zombies would pile up for the life of a server; elsewhere
// their CPU time would escape scalebox's accounting.
//
// Reaping must not steal the exit status of a process os/exec waits for,
// so every process the runner starts is registered as owned while it is
// started and until it is waited for, and the reaper only reaps zombies
// that are not owned. Starting takes a read lock and reaping the write
// lock, so a child cannot exit and be reaped between its start and its
// registration. A process started elsewhere in the program with os/exec is
// not registered: the reaper leaves a zombie alone until it has been one
// for a grace period (its waiter, if it has one, reaps it at once).

var owned struct {
	start sync.RWMutex // held for reading while starting, for writing while reaping
	mu    sync.Mutex
	pids  map[int]int // pid -> count
}

// startOwned starts cmd and registers its process until waitOwned.
func startOwned(cmd *exec.Cmd) error {
	owned.start.RLock()
	defer owned.start.RUnlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	own(cmd.Process.Pid)
	return nil
}

// waitOwned waits for cmd and ends its registration.
func waitOwned(cmd *exec.Cmd) error {
	err := cmd.Wait()
	disown(cmd.Process.Pid)
	return err
}

// outputOwned is cmd.Output (or CombinedOutput) for a registered process.
func outputOwned(cmd *exec.Cmd, combined bool) ([]byte, error) {
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if combined {
		cmd.Stderr = &out
	}
	if err := startOwned(cmd); err != nil {
		return nil, err
	}
	err := waitOwned(cmd)
	if ee, ok := err.(*exec.ExitError); ok && !combined {
		ee.Stderr = errOut.Bytes()
	}
	return out.Bytes(), err
}

func own(pid int) {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	if owned.pids == nil {
		owned.pids = map[int]int{}
	}
	owned.pids[pid]++
}

func disown(pid int) {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	if owned.pids[pid]--; owned.pids[pid] <= 0 {
		delete(owned.pids, pid)
	}
}

func isOwned(pid int) bool {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	return owned.pids[pid] > 0
}

// StartReaper makes this process a child subreaper and reaps the orphans
// reparented to it, on SIGCHLD and every few seconds, until stop is
// called. It is for the main program (and tests that check that nothing
// is left behind); the runner works without it.
func StartReaper() (stop func(), err error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return nil, err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGCHLD)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-sig:
				// A burst of SIGCHLD (a parallel run's children) is one
				// scan: orphans can wait a little.
				select {
				case <-quit:
					return
				case <-time.After(100 * time.Millisecond):
				}
			case <-t.C:
			}
			ReapOrphans(reapGrace)
		}
	}()
	return func() {
		signal.Stop(sig)
		close(quit)
		<-done
	}, nil
}

// reapGrace is how long a zombie that nobody registered is left to a
// waiter the runner does not know of.
const reapGrace = time.Second

// zombieSince notes when the reaper first saw each unregistered zombie.
var zombieSince = map[int]time.Time{}

// ReapOrphans reaps this process's zombie children that the runner did not
// start itself and that have been zombies for at least grace, and returns
// how many it reaped. It is safe for concurrent use.
func ReapOrphans(grace time.Duration) int {
	owned.start.Lock()
	defer owned.start.Unlock()
	now := time.Now()
	n := 0
	live := map[int]bool{}
	for _, pid := range children() {
		if isOwned(pid) || !isZombie(pid) {
			continue
		}
		live[pid] = true
		first, ok := zombieSince[pid]
		if !ok {
			zombieSince[pid], first = now, now
		}
		if now.Sub(first) < grace {
			continue
		}
		if got, err := unix.Wait4(pid, nil, unix.WNOHANG, nil); err == nil && got == pid {
			n++
			delete(zombieSince, pid)
		}
	}
	for pid := range zombieSince {
		if !live[pid] {
			delete(zombieSince, pid)
		}
	}
	return n
}

// children lists the pids of this process's children.
func children() []int {
	files, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range bytes.Fields(data) {
			if pid, err := strconv.Atoi(string(s)); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

func isZombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	return i > 0 && i+2 < len(data) && data[i+2] == 'Z'
}

// TempPrefix is the prefix of the temporary directories scalebox makes for
// kind ("build", "check"): with the process id in it, a later scalebox, or
// a test, can tell whose they are.
func TempPrefix(kind string) string {
	return "scalebox-" + kind + "-" + strconv.Itoa(os.Getpid()) + "-"
}

// tempKinds are the kinds of temporary directory TempPrefix names.
var tempKinds = map[string]bool{"build": true, "check": true, "direct": true, "fetch": true}

var reapTempOnce sync.Once

// ReapStaleTemp removes, once per process, the temporary directories of
// scalebox processes that no longer exist: a process killed with SIGKILL
// (a serve node taken down, a CI job cancelled) cannot remove its own.
// A directory whose process id is alive is left alone, whatever runs under
// that id now.
func ReapStaleTemp() {
	reapTempOnce.Do(func() { reapStaleTemp(os.TempDir()) })
}

func reapStaleTemp(dir string) (removed []string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "scalebox-*-*-*"))
	for _, m := range matches {
		name := filepath.Base(m)
		parts := strings.SplitN(strings.TrimPrefix(name, "scalebox-"), "-", 3)
		if len(parts) != 3 || !tempKinds[parts[0]] {
			continue
		}
		pid, err := strconv.Atoi(parts[1])
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || err == syscall.EPERM {
			continue
		}
		if fi, err := os.Lstat(m); err != nil || !fi.IsDir() {
			continue
		}
		if os.RemoveAll(m) == nil {
			removed = append(removed, name)
		}
	}
	return removed
}
