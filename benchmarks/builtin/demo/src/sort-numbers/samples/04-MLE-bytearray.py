# Reserves a 300 MiB buffer "to be safe". bytearray(n) zero-fills it, so every
# page is really used, far over the 128 MiB memory limit.
buffer = bytearray(300 << 20)
n = int(input())
print(*sorted(map(int, input().split())))
