package runner

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"
)

// The seccomp filter applied to every sandboxed program (bwrap --seccomp):
// it kills a program that calls what a judged program never needs —
// debugging other processes, mounting, kernel modules and keyrings, BPF,
// performance counters, new namespaces, the clock — so that a verdict
// (RE, "forbidden system call") replaces an attack on the kernel. clone3
// and io_uring answer ENOSYS instead: runtimes probe them and fall back.

// seccompKilled lists the system calls that end the program.
var seccompKilled = append([]uint32{
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF,
	unix.SYS_REBOOT, unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD,
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY,
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD,
	unix.SYS_UNSHARE, unix.SYS_SETNS,
	unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK, unix.SYS_MOVE_MOUNT,
	unix.SYS_OPEN_TREE, unix.SYS_MOUNT_SETATTR, unix.SYS_OPEN_BY_HANDLE_AT,
	unix.SYS_ACCT, unix.SYS_QUOTACTL, unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME,
	unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX, unix.SYS_SETHOSTNAME, unix.SYS_SETDOMAINNAME,
}, archKilled...)

// seccompENOSYS lists the system calls that fail with ENOSYS.
// POSIX message queues too: they outlive their process in the sandbox's
// IPC namespace, and unlike System V objects they cannot be listed without
// mounting mqueue, so a warm sandbox could not be reset of them.
var seccompENOSYS = []uint32{unix.SYS_CLONE3, unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER, unix.SYS_MQ_OPEN}

// cloneNewFlags are the clone flags that create namespaces.
const cloneNewFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWTIME

// Offsets in struct seccomp_data.
const (
	seccompNr    = 0
	seccompArch  = 4
	seccompArg0  = 16 // low 32 bits on little-endian machines
	retAllow     = unix.SECCOMP_RET_ALLOW
	retKill      = unix.SECCOMP_RET_KILL_PROCESS
	retENOSYS    = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	bpfLoadWord  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	bpfJumpEq    = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	bpfJumpGE    = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
	bpfJumpSet   = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
	bpfReturnVal = unix.BPF_RET | unix.BPF_K
)

// seccompProgram returns the filter as the kernel's struct sock_filter
// array, or nil on an architecture it does not know.
func seccompProgram() []unix.SockFilter {
	if auditArch == 0 {
		return nil
	}
	stmt := func(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }
	jump := func(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: code, K: k, Jt: jt, Jf: jf}
	}
	p := []unix.SockFilter{
		stmt(bpfLoadWord, seccompArch),
		jump(bpfJumpEq, auditArch, 1, 0),
		stmt(bpfReturnVal, retKill),
		stmt(bpfLoadWord, seccompNr),
	}
	if x32Bit != 0 {
		p = append(p, jump(bpfJumpGE, x32Bit, 0, 1), stmt(bpfReturnVal, retKill))
	}
	for _, nr := range seccompKilled {
		p = append(p, jump(bpfJumpEq, nr, 0, 1), stmt(bpfReturnVal, retKill))
	}
	for _, nr := range seccompENOSYS {
		p = append(p, jump(bpfJumpEq, nr, 0, 1), stmt(bpfReturnVal, retENOSYS))
	}
	// clone with namespace flags is killed; plain clone (fork, threads) is not.
	p = append(p,
		jump(bpfJumpEq, unix.SYS_CLONE, 0, 3),
		stmt(bpfLoadWord, seccompArg0),
		jump(bpfJumpSet, cloneNewFlags, 0, 1),
		stmt(bpfReturnVal, retKill),
		stmt(bpfReturnVal, retAllow),
	)
	return p
}

// seccompFile returns the compiled filter in a file bwrap reads with
// --seccomp (one file per run: bwrap reads it to its end).
func seccompFile(prog []unix.SockFilter) (*os.File, error) {
	buf := make([]byte, 0, 8*len(prog))
	for _, f := range prog {
		buf = binary.LittleEndian.AppendUint16(buf, f.Code)
		buf = append(buf, f.Jt, f.Jf)
		buf = binary.LittleEndian.AppendUint32(buf, f.K)
	}
	fd, err := unix.MemfdCreate("seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "seccomp")
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
