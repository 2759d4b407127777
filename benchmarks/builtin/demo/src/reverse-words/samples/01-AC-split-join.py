import sys

lines = sys.stdin.read().splitlines()
print("\n".join(" ".join(line.split()[::-1]) for line in lines))
