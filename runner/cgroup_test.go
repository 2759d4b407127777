package runner

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestIgnoringEINTR: a cgroup write interrupted by a signal (the runtime's
// preemption) is made again, not reported as the sandbox failing.
func TestIgnoringEINTR(t *testing.T) {
	calls := 0
	n, err := ignoringEINTR(func() (int, error) {
		calls++
		if calls < 3 {
			return -1, unix.EINTR
		}
		return 7, nil
	})
	if n != 7 || err != nil || calls != 3 {
		t.Errorf("got %d, %v after %d calls; want 7, nil after 3", n, err, calls)
	}
	if _, err := ignoringEINTR(func() (int, error) { return -1, unix.EBUSY }); err != unix.EBUSY {
		t.Errorf("EBUSY: got %v", err)
	}
}
