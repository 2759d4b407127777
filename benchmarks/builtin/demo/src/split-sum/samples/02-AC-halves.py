# Another valid answer: exact match with the expected "1 n-1" would reject it.
n = int(input())
print(n // 2, n - n // 2)
