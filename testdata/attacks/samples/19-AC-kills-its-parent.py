# task: atk/double
# Signals everything it can see; only its own sandbox is in view, and the
# sandbox's init ignores it.
import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
print(2 * int(input()))
