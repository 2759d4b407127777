import math
import sys

data = sys.stdin.read().split()
n = int(data[0])
xs = [float(x) for x in data[1:1 + n]]
print("%.10f" % (math.fsum(xs) / n) if n else 0)
