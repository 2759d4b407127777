import math

t = int(input())
for _ in range(t):
    r = float(input())
    print("%.12f" % (math.pi * r * r))
