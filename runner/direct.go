package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Direct runs programs without isolation: no namespaces, the host's file
// system and network. Cgroup and rlimit limits still apply, and when
// scalebox runs as root the program runs as the unprivileged host uid. It
// exists for machines where no sandbox works, and is used only when asked
// for by name; Describe().Warnings says so.
type Direct struct {
	opts     Options
	launcher launcher
	desc     Description
	root     string
}

// NewDirect prepares the unisolated backend.
func NewDirect(opts Options) (*Direct, error) {
	o := opts.withDefaults()
	l, d, err := newLauncher(o)
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", TempPrefix("direct"))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(root, 0o711); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	d.Backend = "none"
	d.Isolation = []string{"none: programs see the host's files, processes and network"}
	d.Warnings = append([]string{"--sandbox none: untrusted programs run on the host without isolation"}, d.Warnings...)
	return &Direct{opts: o, launcher: l, desc: d, root: root}, nil
}

// Name implements Sandbox.
func (d *Direct) Name() string { return "none" }

// Describe implements Describer.
func (d *Direct) Describe() Description { return d.desc }

// Visible implements ClosableSandbox: the program sees the host as it is.
func (d *Direct) Visible(string) bool { return true }

// HostIDs implements ClosableSandbox.
func (d *Direct) HostIDs() (int, int) { return hostIDs(d.launcher.cred) }

// Close removes the cgroups and scratch directories.
func (d *Direct) Close() error {
	return errors.Join(d.launcher.close(), os.RemoveAll(d.root))
}

// Run implements Sandbox. Paths under WorkDir and OutDir in the spec are
// translated to a per-run host directory and the writable mount's source.
func (d *Direct) Run(ctx context.Context, spec *Spec) (*Result, error) {
	if len(spec.Args) == 0 || !filepath.IsAbs(spec.Args[0]) {
		return nil, errors.New("sandbox: command must be an absolute path")
	}
	dir, err := os.MkdirTemp(d.root, "run-")
	if err != nil {
		return nil, sysErr("%v", err)
	}
	defer os.RemoveAll(dir)
	if d.launcher.cred != nil {
		if err := os.Chown(dir, int(d.launcher.cred.Uid), int(d.launcher.cred.Gid)); err != nil {
			return nil, sysErr("%v", err)
		}
	}
	work := spec.Dir
	if work == "" {
		work = WorkDir
	}
	prefixes := map[string]string{work: dir}
	for _, m := range spec.Mounts {
		switch {
		case m.Writable:
			prefixes[m.Target] = m.Source
		case strings.HasPrefix(m.Target, work+"/"):
			if err := os.Symlink(m.Source, filepath.Join(dir, strings.TrimPrefix(m.Target, work+"/"))); err != nil {
				return nil, sysErr("%v", err)
			}
		}
	}
	translate := func(s string) string {
		for from, to := range prefixes {
			if s == from || strings.HasPrefix(s, from+"/") {
				return to + strings.TrimPrefix(s, from)
			}
		}
		return s
	}
	args := make([]string, len(spec.Args))
	for i, a := range spec.Args {
		args[i] = translate(a)
	}
	cmdDir := translate(work)
	if err := checkFetch(spec); err != nil {
		return nil, err
	}
	res, err := d.launcher.run(ctx, spec, wrapper{path: args[0], args: args, dir: cmdDir, env: spec.Env})
	if err != nil || len(spec.Fetch) == 0 {
		return res, err
	}
	// A work directory the program made unreadable has no files to give.
	if dirfd, err := unix.Open(cmdDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0); err == nil {
		res.Files = fetchFiles(dirfd, work, spec.Fetch, capsOf(spec))
		unix.Close(dirfd)
	}
	return res, nil
}
