PAIRS = {")": "(", "]": "[", "}": "{"}


def balanced(s):
    stack = []
    for c in s:
        if c in PAIRS:
            if not stack or stack.pop() != PAIRS[c]:
                return False
        else:
            stack.append(c)
    return not stack


t = int(input())
for _ in range(t):
    print("YES" if balanced(input().strip()) else "NO")
