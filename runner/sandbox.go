// Package runner executes untrusted programs in sandboxes with resource
// limits, compiles sources once per sample, and schedules test cases over a
// bounded pool of workers.
//
// A program that is wrong, slow, crashes or misbehaves produces a Result with
// a Status; a Go error from Run means the machinery failed (a system error),
// never that the program did something wrong.
package runner

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Limits bounds one sandboxed process tree. A zero field means "no limit"
// except where noted.
type Limits struct {
	// CPUTime is the CPU time (user+system, all processes of the run) after
	// which the run is killed and reported as StatusTimeLimit.
	CPUTime time.Duration
	// WallTime is the wall-clock cap. It exists so that sleeping or blocked
	// programs end; verdicts are judged on CPU time.
	WallTime time.Duration
	// MemoryBytes is the memory cgroup limit (RSS + page cache, including
	// files in the private tmpfs).
	MemoryBytes int64
	// OutputBytes caps stdout and, separately, stderr. Output beyond it ends
	// the run with StatusOutputLimit.
	OutputBytes int64
	// FileSizeBytes is RLIMIT_FSIZE: the largest file the program may write.
	FileSizeBytes int64
	// Processes is the pids cgroup limit (processes and threads).
	Processes int
	// StackBytes is RLIMIT_STACK; zero means the same as MemoryBytes.
	StackBytes int64
	// TmpfsBytes is the size of the private writable work directory.
	TmpfsBytes int64
}

// Mount is a host path made visible inside the sandbox.
type Mount struct {
	Source   string // host path
	Target   string // path inside the sandbox
	Writable bool
}

// Spec describes one sandboxed run.
type Spec struct {
	// Args is the command; Args[0] must be an absolute path inside the sandbox.
	Args []string
	// Env is the complete environment of the program (nothing is inherited).
	Env []string
	// Dir is the working directory inside the sandbox; it is a private tmpfs
	// of Limits.TmpfsBytes unless a writable Mount targets it.
	Dir string
	// Mounts are extra bind mounts, added after the system directories.
	Mounts []Mount
	// Stdin is the program's standard input; nil means empty.
	Stdin []byte
	// StdinFile, when set, is opened and given as standard input instead of Stdin.
	StdinFile string
	// Limits bound the run.
	Limits Limits
	// StderrKeepBytes is how much of stderr is kept in the Result (the rest
	// is drained and counted). Zero means 64 KiB.
	StderrKeepBytes int
	// Watch, when set, is called with each piece of stdout as it arrives
	// (from one goroutine, in order); when it returns true the run is
	// stopped and its Status is StatusStopped. A judge uses it to end a run
	// at the first wrong answer instead of waiting for the rest.
	Watch func(stdout []byte) (stop bool)
	// Fetch names files to read from the work directory once the program
	// and everything it started have ended, before the sandbox is emptied:
	// paths relative to Dir, or absolute inside it (at most MaxFetchFiles).
	// Result.Files has the regular files among them; a name that is
	// missing, leaves Dir, goes through a symbolic link or is not a
	// regular file is left out.
	Fetch []string
	// FetchBytes caps the fetched contents together; zero means 16 MiB.
	// Each file is also capped at Limits.FileSizeBytes.
	FetchBytes int64
}

// Status says how a run ended, as seen by the sandbox.
type Status uint8

// Run statuses. StatusExited is the only one where the program ran to its own
// end; the others are limits the sandbox enforced.
const (
	StatusExited      Status = iota // exited on its own; see ExitCode
	StatusSignaled                  // killed by a signal it did not handle
	StatusTimeLimit                 // CPU time limit reached
	StatusWallLimit                 // wall-clock cap reached
	StatusMemoryLimit               // OOM-killed by the memory cgroup
	StatusOutputLimit               // stdout or stderr over the cap
	StatusStopped                   // stopped because Spec.Watch asked
)

var statusNames = [...]string{"exited", "signaled", "cpu-time-limit", "wall-time-limit", "memory-limit", "output-limit", "stopped"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// Usage is what a run consumed.
type Usage struct {
	CPUTime         time.Duration
	WallTime        time.Duration
	MemoryPeakBytes int64
}

// Result is the outcome of one sandboxed run.
type Result struct {
	Status   Status
	ExitCode int            // valid when Status == StatusExited
	Signal   syscall.Signal // valid when Status == StatusSignaled
	Stdout   []byte
	Stderr   []byte // first Spec.StderrKeepBytes bytes
	Usage    Usage
	// Note explains a non-obvious outcome ("wall-clock cap 10s", "stderr over 64 MiB").
	Note string
	// Files are the files of Spec.Fetch that were found, in its order.
	Files []FetchedFile
}

// Sandbox runs one program under limits. Implementations are safe for
// concurrent use. Run returns an error only when the machinery failed; on
// context cancellation it kills the run and returns ctx.Err().
type Sandbox interface {
	Run(ctx context.Context, spec *Spec) (*Result, error)
	// Name identifies the backend in reports ("bwrap", "nsjail", "none").
	Name() string
}

// Describer is implemented by backends that can describe their isolation
// and limit enforcement for the report and for `scalebox doctor`.
type Describer interface {
	Describe() Description
}

// Description says how a backend isolates and limits programs.
type Description struct {
	Backend   string   `json:"backend"`
	Version   string   `json:"version,omitempty"`
	Cgroup    string   `json:"cgroup"` // "v1", "v2" or "none"
	HostUID   int      `json:"host_uid"`
	Isolation []string `json:"isolation"`
	Warnings  []string `json:"warnings,omitempty"`
	// PythonForkServer, when set, says that Python programs are forked
	// from a warm interpreter and how that differs from a new one.
	PythonForkServer string `json:"python_fork_server,omitempty"`
}

// defaultStderrKeep is how much stderr a Result keeps when the spec says nothing.
const defaultStderrKeep = 64 << 10

// sysErr marks an error as a failure of the sandbox machinery.
func sysErr(format string, args ...any) error {
	return fmt.Errorf("sandbox: "+format, args...)
}

// isRoot reports whether scalebox runs with root privileges.
func isRoot() bool { return os.Geteuid() == 0 }
