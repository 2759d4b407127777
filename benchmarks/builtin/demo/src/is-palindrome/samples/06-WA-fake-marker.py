    return True


# Forges the completion marker: tries to read it from stdin (the harness
# already replaced stdin with /dev/null) and falls back to a guess. The real
# marker is random for every run, so neither matches.
import os
import sys

marker = sys.stdin.readline().strip() or "scalebox-done-0000"
print(marker, flush=True)
os._exit(0)
