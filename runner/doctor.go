package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Check is one line of `scalebox doctor`: a component, whether it works
// here, what was found, and the command that fixes it when it does not.
type Check struct {
	Component string `json:"component"`
	OK        bool   `json:"ok"`
	// Optional components (nsjail, a language) do not make the machine unfit.
	Optional bool   `json:"optional"`
	Detail   string `json:"detail"`
	Fix      string `json:"fix,omitempty"`
}

// Doctor checks the sandbox backend named by backend (and the others'
// presence), cgroups, and every language of langs by building and running
// its hello program in the sandbox.
func Doctor(ctx context.Context, backend string, opts Options, langs Languages) []Check {
	var checks []Check
	add := func(c Check) { checks = append(checks, c) }

	if v, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil {
		n := strings.TrimSpace(string(v))
		c := Check{Component: "user namespaces", OK: n != "0", Detail: "max_user_namespaces = " + n}
		if !c.OK {
			c.Fix = "sysctl -w user.max_user_namespaces=15000"
		}
		add(c)
	}
	if v, err := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); err == nil && strings.TrimSpace(string(v)) == "1" {
		add(Check{Component: "apparmor", OK: false, Detail: "unprivileged user namespaces are restricted by AppArmor; bwrap may fail",
			Fix: "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"})
	}
	if mgr, err := newCgroupManager(); err != nil {
		add(Check{Component: "cgroups", OK: false, Detail: err.Error(),
			Fix: "run scalebox as root on a machine with cgroup v1 memory+pids or cgroup v2 with memory and pids delegated"})
	} else {
		add(Check{Component: "cgroups", OK: true, Detail: cgroupDetail(mgr)})
		mgr.Close()
	}
	if p, err := exec.LookPath("prlimit"); err != nil {
		add(Check{Component: "prlimit", OK: false, Detail: "not found", Fix: installHint("util-linux")})
	} else {
		add(Check{Component: "prlimit", OK: true, Detail: p})
	}
	if p, err := exec.LookPath("nsjail"); err != nil {
		add(Check{Component: "sandbox nsjail", Optional: true, Detail: "not installed (not packaged for Debian 12; bwrap is the default)",
			Fix: "build it from https://github.com/google/nsjail"})
	} else {
		add(Check{Component: "sandbox nsjail", Optional: true, OK: true, Detail: p})
	}

	sb, err := NewSandbox(backend, opts)
	name := "sandbox " + backend
	if err != nil {
		add(Check{Component: name, OK: false, Detail: err.Error(), Fix: installHint("bubblewrap")})
		return checks
	}
	defer sb.Close()
	d := sb.Describe()
	name = "sandbox " + d.Backend
	probe := Check{Component: name, Detail: strings.TrimSpace(d.Version + " (cgroup " + d.Cgroup + ", host uid " + fmt.Sprint(d.HostUID) + ")")}
	r, err := sb.Run(ctx, &Spec{Args: []string{"/bin/sh", "-c", "echo ok"}, Env: BaseEnv, Limits: Limits{CPUTime: 5 * time.Second, WallTime: 20 * time.Second, MemoryBytes: 256 << 20, OutputBytes: 1 << 20, Processes: 16}})
	switch {
	case err != nil:
		probe.Detail += ": " + err.Error()
	case r.Status != StatusExited || r.ExitCode != 0 || strings.TrimSpace(string(r.Stdout)) != "ok":
		probe.Detail += fmt.Sprintf(": probe failed (%s, exit %d): %s", r.Status, r.ExitCode, firstLine(r.Stderr))
	default:
		probe.OK = true
	}
	if len(d.Warnings) > 0 {
		probe.Detail += "; " + strings.Join(d.Warnings, "; ")
	}
	add(probe)
	if !probe.OK {
		return checks
	}

	uid, gid := sb.HostIDs()
	builder, err := NewBuilder(sb, uid, gid)
	if err != nil {
		add(Check{Component: "build directory", OK: false, Detail: err.Error()})
		return checks
	}
	defer builder.Close()
	res := NewResolver(langs, sb.Visible)
	for _, id := range langs.IDs() {
		add(checkLanguage(ctx, sb, builder, res, id))
	}
	return checks
}

func cgroupDetail(m cgroupManager) string {
	switch v := m.(type) {
	case *cgroupV1:
		var cs []string
		for _, c := range v1Controllers {
			if _, ok := v.parents[c]; ok {
				cs = append(cs, c)
			}
		}
		return "v1: " + strings.Join(cs, ", ")
	case *cgroupV2:
		return "v2: memory, pids (" + v.parent + ")"
	}
	return m.Version()
}

func checkLanguage(ctx context.Context, sb Sandbox, b *Builder, r *Resolver, id string) Check {
	l := r.Languages()[id]
	c := Check{Component: "language " + id, Optional: true}
	tc, err := r.Toolchain(id)
	if err != nil {
		c.Detail = err.Error()
		if te, ok := err.(*ToolchainError); ok {
			c.Fix = te.Install
		}
		return c
	}
	c.Detail = tc.Version
	if l.Hello == "" {
		c.OK = true
		return c
	}
	br, err := b.Build(ctx, tc, map[string][]byte{l.Source: []byte(l.Hello)})
	if err != nil {
		c.Detail += ": build: " + err.Error()
		return c
	}
	if br.Program == nil {
		c.Detail += ": hello does not compile: " + firstLine([]byte(br.Message))
		return c
	}
	p := br.Program
	res, err := sb.Run(ctx, &Spec{Args: p.Argv, Env: p.Env, Mounts: p.Mounts, Stdin: []byte("hello\n"),
		Limits: Limits{CPUTime: 5 * time.Second, WallTime: 20 * time.Second, MemoryBytes: 512 << 20, OutputBytes: 1 << 20, Processes: 64}})
	switch {
	case err != nil:
		c.Detail += ": run: " + err.Error()
	case res.Status != StatusExited || res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "hello":
		c.Detail += fmt.Sprintf(": hello failed (%s, exit %d): %s", res.Status, res.ExitCode, firstLine(res.Stderr))
	default:
		c.OK = true
	}
	return c
}
