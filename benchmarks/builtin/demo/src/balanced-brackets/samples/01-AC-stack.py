import sys

lines = sys.stdin.read().split()
out = []
for s in lines[1:1 + int(lines[0])]:
    stack = []
    ok = True
    for c in s:
        if c in "([{":
            stack.append(c)
        elif not stack or "([{"[")]}".index(c)] != stack.pop():
            ok = False
            break
    out.append("YES" if ok and not stack else "NO")
print("\n".join(out))
