package runner

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Nsjail is the nsjail backend, used where nsjail is installed (it is not
// packaged for Debian 12). It isolates like Bwrap: all namespaces, read-only
// system directories, a private tmpfs work directory, an empty environment.
// Limits come from the same cgroups and rlimits as Bwrap; nsjail's own
// rlimits and time limit are disabled.
type Nsjail struct {
	opts     Options
	path     string
	base     []string
	launcher launcher
	desc     Description
}

// NewNsjail finds nsjail and prepares cgroups.
func NewNsjail(opts Options) (*Nsjail, error) {
	o := opts.withDefaults()
	path, err := exec.LookPath("nsjail")
	if err != nil {
		return nil, fmt.Errorf("nsjail is not installed (%w); build it from https://github.com/google/nsjail", err)
	}
	n := &Nsjail{opts: o, path: path}
	if n.launcher, n.desc, err = newLauncher(o); err != nil {
		return nil, err
	}
	n.desc.Backend = "nsjail"
	if out, err := outputOwned(exec.Command(path, "--help"), true); err == nil {
		n.desc.Version = firstLine(out)
	}
	n.base = nsjailBaseArgs(o, isRoot())
	n.desc.Isolation = []string{
		"namespaces: user, pid, net, ipc, uts, cgroup, mount",
		"host uid " + strconv.Itoa(n.desc.HostUID),
		"read-only: " + strings.Join(existing(o.SystemDirs), " "),
		"private tmpfs work dir", "empty environment",
	}
	return n, nil
}

func nsjailBaseArgs(o Options, root bool) []string {
	a := []string{"nsjail", "--mode", "o", "--really_quiet", "--disable_rlimits",
		"--time_limit", "0", "--hostname", "sandbox", "--max_cpus", "0"}
	if root {
		// Started as root (then dropped to HostUID by the launcher, which
		// nsjail sees as its own uid): map the sandbox user to itself.
		a = append(a, "--user", fmt.Sprintf("%d:%d", o.HostUID, o.HostUID), "--group", fmt.Sprintf("%d:%d", o.HostGID, o.HostGID))
	}
	binds, links := systemBinds(o.SystemDirs)
	for _, d := range binds {
		a = append(a, "--bindmount_ro", d)
	}
	for _, l := range links {
		a = append(a, "--symlink", l[0]+":"+l[1])
	}
	for _, d := range o.HideDirs {
		a = append(a, "--mount", "none:"+d+":tmpfs:size=4096")
	}
	for _, e := range o.EtcFiles {
		p := filepath.Join("/etc", e)
		if len(existing([]string{p})) > 0 {
			a = append(a, "--bindmount_ro", p)
		}
	}
	return a
}

// Name implements Sandbox.
func (n *Nsjail) Name() string { return "nsjail" }

// Describe implements Describer.
func (n *Nsjail) Describe() Description { return n.desc }

// Visible implements ClosableSandbox.
func (n *Nsjail) Visible(path string) bool {
	return visibleIn(path, n.opts.SystemDirs, n.opts.HideDirs)
}

// HostIDs implements ClosableSandbox.
func (n *Nsjail) HostIDs() (int, int) { return hostIDs(n.launcher.cred) }

// Close removes the cgroups this backend created.
func (n *Nsjail) Close() error { return n.launcher.close() }

// Run implements Sandbox.
func (n *Nsjail) Run(ctx context.Context, spec *Spec) (*Result, error) {
	if len(spec.Args) == 0 || !filepath.IsAbs(spec.Args[0]) {
		return nil, errors.New("sandbox: command must be an absolute path")
	}
	if len(spec.Fetch) > 0 {
		return nil, errors.New("sandbox: the nsjail backend cannot fetch files (use the pool or bwrap)")
	}
	return n.launcher.run(ctx, spec, wrapper{path: n.path, args: n.args(spec), exitSignals: true})
}

func (n *Nsjail) args(spec *Spec) []string {
	dir := spec.Dir
	if dir == "" {
		dir = WorkDir
	}
	size := strconv.FormatInt(tmpfsSize(spec.Limits), 10)
	a := append([]string{}, n.base...)
	a = append(a, "--mount", "none:/tmp:tmpfs:size="+size)
	if !writableAt(spec.Mounts, dir) {
		a = append(a, "--mount", "none:"+dir+":tmpfs:size="+size)
	}
	for _, m := range spec.Mounts {
		flag := "--bindmount_ro"
		if m.Writable {
			flag = "--bindmount"
		}
		a = append(a, flag, m.Source+":"+m.Target)
	}
	a = append(a, "--cwd", dir)
	for _, kv := range spec.Env {
		a = append(a, "--env", kv)
	}
	a = append(a, "--")
	return append(a, spec.Args...)
}
