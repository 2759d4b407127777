package runner

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Each run's process joins its cgroup by migrating into it, and a
// migration takes the kernel's cgroup_threadgroup_rwsem for writing. That
// semaphore is per-cpu: a writer first waits for an RCU grace period to
// move readers onto its slow path, and once writers have been gone for a
// grace period readers go back to the fast path. Migrations a millisecond
// apart cost tens of microseconds; migrations 20 ms apart (one Python
// program after another) each wait a grace period, up to 15 ms on this
// machine kind. While runs are starting, the keeper migrates a sleeping
// process of its own between two groups every two milliseconds, which
// keeps the semaphore on its slow path: a run's migration then costs what
// it costs back to back. It stops when runs stop.
//
// (On cgroup v2, clone3's CLONE_INTO_CGROUP would start the process inside
// its group without migrating it.)
type migrationKeeper struct {
	groups [2]cgroup
	procs  [2]*os.File
	proc   *exec.Cmd
	pid    []byte
	touch  chan struct{}
	stop   chan struct{}
	done   chan struct{}
}

// keepFor is how long the keeper keeps going after the last run started.
const keepFor = 200 * time.Millisecond

// newMigrationKeeper starts a keeper, or returns nil where it cannot (no
// sleep(1), for instance): runs then pay the grace periods.
func newMigrationKeeper(m cgroupManager) *migrationKeeper {
	k := &migrationKeeper{touch: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for i := range k.groups {
		g, err := m.Make()
		if err != nil {
			k.release()
			return nil
		}
		k.groups[i] = g
		files, err := g.ProcsFiles()
		if err != nil || len(files) == 0 {
			k.release()
			return nil
		}
		for _, f := range files[1:] {
			f.Close()
		}
		k.procs[i] = files[0]
	}
	k.proc = exec.Command("/bin/sleep", "infinity")
	k.proc.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	if err := startOwned(k.proc); err != nil {
		k.proc = nil
		k.release()
		return nil
	}
	k.pid = []byte(strconv.Itoa(k.proc.Process.Pid))
	go k.loop()
	return k
}

// touched says a run is starting.
func (k *migrationKeeper) touched() {
	select {
	case k.touch <- struct{}{}:
	default:
	}
}

func (k *migrationKeeper) loop() {
	defer close(k.done)
	i := 0
	for {
		select {
		case <-k.stop:
			return
		case <-k.touch:
		}
		until := time.Now().Add(keepFor)
		t := time.NewTicker(2 * time.Millisecond)
		for time.Now().Before(until) {
			select {
			case <-k.stop:
				t.Stop()
				return
			case <-k.touch:
				until = time.Now().Add(keepFor)
			case <-t.C:
				i ^= 1
				_, _ = k.procs[i].Write(k.pid)
			}
		}
		t.Stop()
	}
}

func (k *migrationKeeper) close() {
	close(k.stop)
	<-k.done
	k.release()
}

func (k *migrationKeeper) release() {
	if k.proc != nil {
		_ = k.proc.Process.Kill()
		_ = waitOwned(k.proc)
	}
	for i := range k.groups {
		if k.procs[i] != nil {
			k.procs[i].Close()
		}
		if k.groups[i] != nil {
			_ = k.groups[i].Destroy()
		}
	}
}
