# Sleeps instead of computing. It uses no CPU time, so the CPU limit never
# fires; the wall-clock cap ends it, which is also a time limit verdict.
import time

time.sleep(100)
