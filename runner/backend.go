package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Backend names accepted by NewSandbox.
const (
	BackendAuto   = "auto"
	BackendBwrap  = "bwrap"
	BackendNsjail = "nsjail"
	BackendNone   = "none"
)

// ClosableSandbox is a Sandbox that holds resources (cgroups) until closed.
type ClosableSandbox interface {
	Sandbox
	Describer
	// Visible reports whether a host path is visible, as it is, inside the sandbox.
	Visible(path string) bool
	// HostIDs are the host uid and gid sandboxed programs run as.
	HostIDs() (uid, gid int)
	Close() error
}

// NewSandbox creates the named backend. "auto" is the pool of warm bwrap
// sandboxes, else one bwrap per run (when the pool cannot start here),
// else nsjail when bwrap is missing and nsjail is installed; "none" runs programs unisolated
// (with cgroup limits where available) and must be asked for explicitly.
func NewSandbox(name string, opts Options) (ClosableSandbox, error) {
	switch name {
	case BackendPool:
		return NewPool(opts)
	case BackendBwrap:
		return NewBwrap(opts)
	case BackendNsjail:
		return NewNsjail(opts)
	case BackendNone:
		return NewDirect(opts)
	case BackendAuto, "":
		p, perr := NewPool(opts)
		if perr == nil {
			return p, nil
		}
		b, err := NewBwrap(opts)
		if err == nil {
			opts.withDefaults().Logger.Warn("warm sandboxes unavailable, one sandbox per run", "err", perr)
			b.desc.Warnings = append(b.desc.Warnings, "warm sandboxes unavailable: "+perr.Error())
			return b, nil
		}
		if _, lerr := exec.LookPath("nsjail"); lerr == nil {
			return NewNsjail(opts)
		}
		return nil, fmt.Errorf("%w: %v", ErrNoSandbox, err)
	}
	return nil, fmt.Errorf("unknown sandbox backend %q (want auto, pool, bwrap, nsjail or none)", name)
}

// visibleIn reports whether path lies in one of dirs (after resolving the
// host's symlinks, so /bin/x counts as /usr/bin/x on merged-/usr systems)
// and in none of hidden.
func visibleIn(path string, dirs, hidden []string) bool {
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		p = path
	}
	under := func(p, d string) bool {
		if rd, err := filepath.EvalSymlinks(d); err == nil {
			d = rd
		}
		return p == d || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/")
	}
	for _, h := range hidden {
		if under(p, h) {
			return false
		}
	}
	for _, d := range dirs {
		if under(p, d) {
			return true
		}
	}
	return false
}

// systemBinds returns the read-only binds and symlinks that reproduce the
// host's system directories: a directory is bound, a symlink (merged /usr)
// is recreated.
func systemBinds(dirs []string) (binds []string, links [][2]string) {
	for _, d := range dirs {
		fi, err := os.Lstat(d)
		if err != nil {
			continue
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if target, err := os.Readlink(d); err == nil {
				links = append(links, [2]string{target, d})
			}
			continue
		}
		if fi.IsDir() {
			binds = append(binds, d)
		}
	}
	return binds, links
}
