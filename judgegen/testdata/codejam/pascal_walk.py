# Kattis output validator for Code Jam 2020 Round 1A "Pascal Walk": at most
# 500 distinct positions (r, k), 1 <= k <= r, starting at (1, 1), each
# adjacent to the one before, whose binomial coefficients sum to N.
import os, sys
from math import comb


def reject(msg):
    with open(os.path.join(sys.argv[3], "judgemessage.txt"), "w") as f:
        f.write(msg)
    sys.exit(43)


def cases(tokens, t):
    out, p = [], 0
    for i in range(1, t + 1):
        if p + 1 >= len(tokens) or tokens[p].lower() != "case" or tokens[p + 1] != "#%d:" % i:
            reject("case %d: expected 'Case #%d:'" % (i, i))
        p += 2
        q = p
        while q < len(tokens) and tokens[q].lower() != "case":
            q += 1
        out.append(tokens[p:q])
        p = q
    if p != len(tokens):
        reject("output after the last case")
    return out


NEIGHBOURS = {(-1, -1), (-1, 0), (0, -1), (0, 1), (1, 0), (1, 1)}
inp = list(map(int, open(sys.argv[1]).read().split()))
t = inp[0]
got = cases(sys.stdin.read().split(), t)
for i in range(t):
    n, ans = inp[1 + i], got[i]
    if len(ans) % 2 or not 2 <= len(ans) <= 1000 or not all(a.isdigit() for a in ans):
        reject("case %d: expected 1 to 500 pairs of positive integers" % (i + 1))
    walk = [(int(ans[j]), int(ans[j + 1])) for j in range(0, len(ans), 2)]
    if walk[0] != (1, 1):
        reject("case %d: the walk does not start at 1 1" % (i + 1))
    if len(set(walk)) != len(walk):
        reject("case %d: a position is visited twice" % (i + 1))
    for (r1, k1), (r2, k2) in zip(walk, walk[1:]):
        if (r2 - r1, k2 - k1) not in NEIGHBOURS:
            reject("case %d: %d %d does not follow %d %d" % (i + 1, r2, k2, r1, k1))
    if any(not 1 <= k <= r for r, k in walk):
        reject("case %d: a position is outside the triangle" % (i + 1))
    if sum(comb(r - 1, k - 1) for r, k in walk) != n:
        reject("case %d: the walk does not sum to %d" % (i + 1, n))
sys.exit(42)
