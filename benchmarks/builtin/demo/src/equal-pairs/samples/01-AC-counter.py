import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
seen = {}
pairs = 0
for x in data[1:1 + n]:
    k = seen.get(x, 0)
    pairs += k  # x pairs with each earlier copy
    seen[x] = k + 1
print(pairs)
