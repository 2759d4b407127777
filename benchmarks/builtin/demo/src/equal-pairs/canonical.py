from collections import Counter

n = int(input())
counts = Counter(input().split())
print(sum(c * (c - 1) // 2 for c in counts.values()))
