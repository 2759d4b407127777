# task: atk/double
# A double-forked, setsid daemon that tries to survive the test; the test
# checks that no process named scalebox-attack-daemon remains.
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["/bin/sleep", "1000", "scalebox-attack-daemon"])
    os._exit(0)
print(2 * int(input()))
