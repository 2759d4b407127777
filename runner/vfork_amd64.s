#include "textflag.h"

// func rawVfork(flags uintptr) (pid uintptr, errno uintptr)
//
// clone(flags) where flags include CLONE_VM|CLONE_VFORK: the child shares
// this stack until it execs or exits, and the parent is suspended until
// then. The return address is kept in a register across the system call,
// not on the stack, so that the child's own calls (below this frame) cannot
// overwrite what the parent returns through.
TEXT ·rawVfork(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ	flags+0(FP), DI	// flags
	MOVQ	$0, SI		// child stack: the same
	MOVQ	$0, DX		// parent_tid
	MOVQ	$0, R10		// child_tid
	MOVQ	$0, R8		// tls
	MOVQ	$56, AX		// SYS_clone
	POPQ	R12		// the return address, in a register
	SYSCALL
	PUSHQ	R12
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$-1, pid+8(FP)
	NEGQ	AX
	MOVQ	AX, errno+16(FP)
	RET
ok:
	MOVQ	AX, pid+8(FP)
	MOVQ	$0, errno+16(FP)
	RET
