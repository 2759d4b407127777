package runner

import "golang.org/x/sys/unix"

const (
	auditArch = unix.AUDIT_ARCH_X86_64
	// x32Bit marks the x32 ABI's system call numbers, all refused.
	x32Bit = 0x40000000
)

var archKilled = []uint32{unix.SYS_IOPL, unix.SYS_IOPERM, unix.SYS_USELIB}
