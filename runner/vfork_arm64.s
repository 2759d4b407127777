#include "textflag.h"

// func rawVfork(flags uintptr) (pid uintptr, errno uintptr)
//
// clone(flags) with CLONE_VM|CLONE_VFORK: see vfork_amd64.s. On arm64 the
// return address is in the link register, which the system call preserves
// per thread; nothing of the parent's is read from the stack below this
// frame after the call.
TEXT ·rawVfork(SB),NOSPLIT|NOFRAME,$0-24
	MOVD	flags+0(FP), R0	// flags
	MOVD	$0, R1		// child stack: the same
	MOVD	$0, R2		// parent_tid
	MOVD	$0, R3		// tls
	MOVD	$0, R4		// child_tid
	MOVD	$220, R8	// SYS_clone
	SVC
	CMN	$4095, R0
	BCC	ok
	MOVD	$-1, R4
	MOVD	R4, pid+8(FP)
	NEG	R0, R0
	MOVD	R0, errno+16(FP)
	RET
ok:
	MOVD	R0, pid+8(FP)
	MOVD	ZR, errno+16(FP)
	RET
