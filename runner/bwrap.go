package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Options configure a sandbox backend.
type Options struct {
	// HostUID and HostGID are the unprivileged host ids sandboxed programs
	// run as when scalebox runs as root (bwrap started by root would map the
	// sandbox user to host root). Zero means 65534 (nobody).
	HostUID, HostGID int
	// SystemDirs are host directories bound read-only at the same path; a
	// host symlink (merged /usr) is reproduced as a symlink. Empty means
	// DefaultSystemDirs.
	SystemDirs []string
	// EtcFiles are entries of /etc bound read-only; nothing else of /etc is
	// visible. Nil means DefaultEtcFiles.
	EtcFiles []string
	// HideDirs are covered by an empty tmpfs (for example /usr/local, where
	// the scalebox binary and its configuration may live). Nil means
	// DefaultHideDirs.
	HideDirs []string
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// NoSeccomp turns the system call filter off (for debugging).
	NoSeccomp bool
	// NoPythonForkServer makes the pool start every Python program as a
	// new interpreter instead of forking it from a warm one.
	NoPythonForkServer bool
	// Parallelism is how many runs may be in progress at once (-j); the
	// pool keeps up to that many warm sandboxes of each kind. Zero means
	// GOMAXPROCS.
	Parallelism int
}

// Defaults for Options.
var (
	DefaultSystemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}
	DefaultEtcFiles   = []string{"alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime"}
	DefaultHideDirs   = []string{"/usr/local"}
)

const nobodyID = 65534

func (o *Options) withDefaults() Options {
	c := *o
	if c.HostUID == 0 {
		c.HostUID = nobodyID
	}
	if c.HostGID == 0 {
		c.HostGID = nobodyID
	}
	if len(c.SystemDirs) == 0 {
		c.SystemDirs = DefaultSystemDirs
	}
	if c.EtcFiles == nil {
		c.EtcFiles = DefaultEtcFiles
	}
	if c.HideDirs == nil {
		c.HideDirs = DefaultHideDirs
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Bwrap is the bubblewrap backend: every namespace unshared, read-only
// system directories, a private tmpfs work directory, an empty environment,
// a new session, killed with its parent; limits through cgroups and rlimits.
type Bwrap struct {
	opts     Options
	path     string
	version  string
	base     []string // arguments common to every run
	launcher launcher
	desc     Description
	// hidden are the HideDirs that exist: their tmpfs is made read-only
	// only after a run's mounts, so that a toolchain under one (/usr/local/go)
	// can be bound into it.
	hidden []string
	// seccomp is the system call filter applied to every program.
	seccomp []unix.SockFilter
}

// NewBwrap finds bwrap and prepares cgroups. Without usable cgroups it still
// works, with rlimits only, and says so in Describe().Warnings.
func NewBwrap(opts Options) (*Bwrap, error) {
	o := opts.withDefaults()
	path, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, fmt.Errorf("bubblewrap is not installed (%w); install it with: %s", err, installHint("bubblewrap"))
	}
	out, err := outputOwned(exec.Command(path, "--version"), false)
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", path, err)
	}
	b := &Bwrap{opts: o, path: path, version: strings.TrimSpace(strings.TrimPrefix(string(out), "bubblewrap"))}
	if b.launcher, b.desc, err = newLauncher(o); err != nil {
		return nil, err
	}
	b.desc.Backend, b.desc.Version = "bwrap", b.version
	b.base = bwrapBaseArgs(o)
	if !o.NoSeccomp {
		b.seccomp = seccompProgram()
	}
	b.hidden = existingDirs(o.HideDirs)
	b.desc.Isolation = []string{
		"namespaces: user, pid, net, ipc, uts, cgroup, mount",
		"host uid " + strconv.Itoa(b.desc.HostUID),
		"read-only: " + strings.Join(existing(o.SystemDirs), " "),
		"private tmpfs work dir", "empty environment", "new session", "dies with parent",
	}
	if b.seccomp != nil {
		b.desc.Isolation = append(b.desc.Isolation, "seccomp: ptrace, mount, modules, keyrings, bpf, perf events, new namespaces and clock changes kill the program")
	} else {
		b.desc.Warnings = append(b.desc.Warnings, "no seccomp filter: the sandbox relies on namespaces and an unprivileged uid alone")
	}
	return b, nil
}

// newLauncher prepares what every backend shares: prlimit, the host
// credentials to drop to, and cgroups (or the warning that there are none).
func newLauncher(o Options) (launcher, Description, error) {
	var l launcher
	d := Description{HostUID: os.Geteuid(), Cgroup: "none"}
	var err error
	if l.prlimit, err = exec.LookPath("prlimit"); err != nil {
		return l, d, fmt.Errorf("prlimit is not installed (%w); install it with: %s", err, installHint("util-linux"))
	}
	if isRoot() {
		l.cred = &syscall.Credential{Uid: uint32(o.HostUID), Gid: uint32(o.HostGID), Groups: []uint32{}}
		d.HostUID = o.HostUID
	}
	if mgr, err := newCgroupManager(); err != nil {
		w := fmt.Sprintf("no usable cgroup (%v): memory is limited by RLIMIT_AS, CPU time by RLIMIT_CPU in whole seconds, processes by RLIMIT_NPROC, and peak memory is per process", err)
		d.Warnings = append(d.Warnings, w)
		o.Logger.Warn(w)
	} else {
		l.cgroups = mgr
		l.retired = newRetirer()
		l.spares = newSpares(mgr, 2)
		l.keeper = newMigrationKeeper(mgr)
		d.Cgroup = mgr.Version()
	}
	return l, d, nil
}

// bwrapBaseArgs builds the arguments shared by every run.
func bwrapBaseArgs(o Options) []string {
	a := []string{"bwrap",
		"--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
		"--hostname", "sandbox", "--cap-drop", "ALL",
	}
	binds, links := systemBinds(o.SystemDirs)
	for _, d := range binds {
		a = append(a, "--ro-bind", d, d)
	}
	for _, l := range links {
		a = append(a, "--symlink", l[0], l[1])
	}
	for _, d := range existingDirs(o.HideDirs) {
		a = append(a, "--tmpfs", d)
	}
	for _, e := range o.EtcFiles {
		p := filepath.Join("/etc", e)
		if _, err := os.Stat(p); err == nil {
			a = append(a, "--ro-bind", p, p)
		}
	}
	a = append(a, "--proc", "/proc", "--dev", "/dev")
	return a
}

func existingDirs(paths []string) []string {
	var out []string
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, p)
		}
	}
	return out
}

func existing(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Name implements Sandbox.
func (b *Bwrap) Name() string { return "bwrap" }

// Visible implements ClosableSandbox.
func (b *Bwrap) Visible(path string) bool {
	return visibleIn(path, b.opts.SystemDirs, b.opts.HideDirs)
}

// HostIDs implements ClosableSandbox.
func (b *Bwrap) HostIDs() (int, int) { return hostIDs(b.launcher.cred) }

// Describe implements Describer.
func (b *Bwrap) Describe() Description { return b.desc }

// Close removes the cgroups this backend created.
func (b *Bwrap) Close() error { return b.launcher.close() }

// Run implements Sandbox.
func (b *Bwrap) Run(ctx context.Context, spec *Spec) (*Result, error) {
	if len(spec.Args) == 0 || !filepath.IsAbs(spec.Args[0]) {
		return nil, errors.New("sandbox: command must be an absolute path")
	}
	if len(spec.Fetch) > 0 {
		return b.runFetching(ctx, spec)
	}
	w := wrapper{path: b.path, args: b.args(spec), exitSignals: true}
	if b.seccomp != nil {
		f, err := seccompFile(b.seccomp)
		if err != nil {
			return nil, sysErr("seccomp filter: %v", err)
		}
		w.extraFiles = []*os.File{f}
		// The filter comes first among the options: fd 3.
		w.args = append([]string{w.args[0], "--seccomp", "3"}, w.args[1:]...)
	}
	return b.launcher.run(ctx, spec, w)
}

// runFetching runs a spec that fetches files. The work directory cannot be
// bwrap's own tmpfs, which dies with the sandbox: unless a writable mount
// already covers it, it is a fresh host directory in /dev/shm (a tmpfs:
// what the program writes there is counted to its memory cgroup, as the
// private tmpfs is), owned by the sandbox's uid, bound at the work
// directory. Once the run is over and every process of it gone, the files
// are read from the host side (no symbolic link followed, regular files
// only, capped), and the directory is removed.
func (b *Bwrap) runFetching(ctx context.Context, spec *Spec) (*Result, error) {
	if err := checkFetch(spec); err != nil {
		return nil, err
	}
	dir := spec.Dir
	if dir == "" {
		dir = WorkDir
	}
	var host string
	for _, m := range spec.Mounts {
		if m.Writable && m.Target == dir {
			host = m.Source
		}
	}
	run := *spec
	if host == "" {
		root := "/dev/shm"
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			root = os.TempDir()
		}
		tmp, err := os.MkdirTemp(root, TempPrefix("fetch"))
		if err != nil {
			return nil, sysErr("work directory: %v", err)
		}
		defer func() {
			if err := removeTree(tmp); err != nil {
				b.opts.Logger.Warn("remove a fetching run's work directory", "dir", tmp, "err", err)
			}
		}()
		uid, gid := b.HostIDs()
		if err := os.Chown(tmp, uid, gid); err != nil {
			return nil, sysErr("work directory: %v", err)
		}
		host = tmp
		run.Mounts = append([]Mount{{Source: tmp, Target: dir, Writable: true}}, spec.Mounts...)
	}
	run.Fetch = nil
	res, err := b.Run(ctx, &run)
	if err != nil {
		return nil, err
	}
	// A work directory the program made unreadable has no files to give.
	if dirfd, err := unix.Open(host, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0); err == nil {
		res.Files = fetchFiles(dirfd, dir, spec.Fetch, capsOf(spec))
		unix.Close(dirfd)
	}
	return res, nil
}

// removeTree removes a directory a program wrote in, whatever modes it
// left, without following its links.
func removeTree(dir string) error {
	if err := unix.Chmod(dir, 0o700); err != nil {
		return err
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	if err := emptyDirAt(fd, 0); err != nil {
		return err
	}
	return os.Remove(dir)
}

func (b *Bwrap) args(spec *Spec) []string {
	dir := spec.Dir
	if dir == "" {
		dir = WorkDir
	}
	size := strconv.FormatInt(tmpfsSize(spec.Limits), 10)
	a := make([]string, 0, len(b.base)+32+2*len(spec.Env)+len(spec.Args))
	a = append(a, b.base...)
	a = append(a, scratchArgs(size)...)
	if !writableAt(spec.Mounts, dir) {
		a = append(a, "--size", size, "--tmpfs", dir)
	}
	for _, m := range spec.Mounts {
		flag := "--ro-bind"
		if m.Writable {
			flag = "--bind"
		}
		a = append(a, flag, m.Source, m.Target)
	}
	// Everything but the work directory and /tmp is read-only, including
	// the sandbox's own root, the hiding tmpfs and the directories bwrap
	// created in them.
	for _, d := range b.hidden {
		a = append(a, "--remount-ro", d)
	}
	a = append(a, "--remount-ro", "/", "--chdir", dir, "--clearenv")
	for _, kv := range spec.Env {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	a = append(a, "--")
	return append(a, spec.Args...)
}

// tmpfsSize is the size of each private tmpfs of a run.
func tmpfsSize(lim Limits) int64 {
	if lim.TmpfsBytes > 0 {
		return lim.TmpfsBytes
	}
	return 64 << 20
}

// writableAt reports whether a writable mount covers dir.
func writableAt(mounts []Mount, dir string) bool {
	for _, m := range mounts {
		if m.Writable && m.Target == dir {
			return true
		}
	}
	return false
}

func hostIDs(cred *syscall.Credential) (int, int) {
	if cred == nil {
		return os.Geteuid(), os.Getegid()
	}
	return int(cred.Uid), int(cred.Gid)
}

// installHint is the command that installs a Debian package.
func installHint(pkg string) string {
	if isRoot() {
		return "apt-get install -y " + pkg
	}
	return "sudo apt-get install -y " + pkg
}
