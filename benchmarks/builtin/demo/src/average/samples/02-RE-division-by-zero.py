# Forgets the empty case: passes the first tests, then divides by zero on
# the test with n = 0.
import sys

tokens = sys.stdin.read().split()
n = int(tokens[0])
numbers = [float(t) for t in tokens[1:]]
print(sum(numbers) / n)
