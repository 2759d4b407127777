# Tries to plant a file in the system directories. /usr is mounted read-only
# (and /etc holds only a few read-only files), so the open fails.
import sys

with open("/usr/bin/scalebox-was-here", "w") as f:
    f.write("#!/bin/sh\necho pwned\n")
for line in sys.stdin:
    print(" ".join(reversed(line.split())))
