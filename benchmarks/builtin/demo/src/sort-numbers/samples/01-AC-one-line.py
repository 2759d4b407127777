import sys

data = sys.stdin.read().split()
numbers = sorted(int(x) for x in data[1:])
print(" ".join(map(str, numbers)))
