import math
import sys

tokens = sys.stdin.read().split()
n = int(tokens[0])
numbers = list(map(float, tokens[1:]))
mean = math.fsum(numbers) / n if n > 0 else 0.0
print(mean)
