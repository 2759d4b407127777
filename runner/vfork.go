//go:build amd64 || arm64

package runner

import "golang.org/x/sys/unix"

// rawVfork is clone(flags) for flags with CLONE_VM|CLONE_VFORK, safe to
// return from in the child (vfork_*.s).
//
//go:noescape
func rawVfork(flags uintptr) (pid uintptr, errno uintptr)

// vforkFlags: the child borrows this process's memory until it execs, so
// fork costs no copy of the page tables, and the parent waits until then.
const vforkFlags = unix.CLONE_VM | unix.CLONE_VFORK | uintptr(unix.SIGCHLD)

const haveVfork = true
