# Snoops around the file system first. /root does not exist in the sandbox,
# so listing it raises FileNotFoundError.
import os
import sys

print(os.listdir("/root"), file=sys.stderr)
for line in sys.stdin:
    print(" ".join(reversed(line.split())))
