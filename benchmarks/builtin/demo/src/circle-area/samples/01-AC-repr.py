# Prints Python's shortest repr (up to 17 significant digits): a different
# number of digits from the expected output, accepted within the tolerance.
import math
import sys

tokens = sys.stdin.read().split()
for r in tokens[1:1 + int(tokens[0])]:
    print(math.pi * float(r) ** 2)
