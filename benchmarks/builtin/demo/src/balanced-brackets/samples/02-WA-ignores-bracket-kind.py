# Counts the nesting depth but never checks that the kinds match, so "(]"
# looks balanced.
t = int(input())
for _ in range(t):
    depth = 0
    ok = True
    for c in input().strip():
        depth += 1 if c in "([{" else -1
        if depth < 0:
            ok = False
    print("YES" if ok and depth == 0 else "NO")
