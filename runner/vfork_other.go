//go:build linux && !amd64 && !arm64

package runner

import "syscall"

const vforkFlags = uintptr(syscall.SIGCHLD)

const haveVfork = false

func rawVfork(flags uintptr) (pid uintptr, errno uintptr) {
	r1, _, e1 := syscall.RawSyscall6(syscall.SYS_CLONE, flags, 0, 0, 0, 0, 0)
	return r1, uintptr(e1)
}
