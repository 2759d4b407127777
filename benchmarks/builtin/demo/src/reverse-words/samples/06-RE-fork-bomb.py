# A fork bomb. Each child sleeps, so no CPU time is burned; the sandbox's
# process limit (32) makes fork() fail after a few dozen children, and the
# uncaught BlockingIOError ends the program with a non-zero exit status.
import os
import time

while True:
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
