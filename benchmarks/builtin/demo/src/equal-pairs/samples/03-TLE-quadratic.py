# Compares every pair: instant on the small tests, about 2 * 10^8 steps on
# the last one, far over the 1 s CPU limit.
n = int(input())
a = list(map(int, input().split()))
pairs = 0
for i in range(n):
    for j in range(i + 1, n):
        if a[i] == a[j]:
            pairs += 1
print(pairs)
