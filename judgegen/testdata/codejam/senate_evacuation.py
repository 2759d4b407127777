# Kattis output validator for Code Jam 2016 Round 1C "Senate Evacuation":
# steps of one or two senators; after every step no party holds an
# absolute majority of the senators left; everyone leaves.
import os, sys


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


inp = list(map(int, open(sys.argv[1]).read().split()))
t, p = inp[0], 1
got = cases(sys.stdin.read().split(), t)
for i in range(t):
    n = inp[p]
    left = inp[p + 1:p + 1 + n]
    p += 1 + n
    for step in got[i]:
        if not 1 <= len(step) <= 2 or any(not ("A" <= c < chr(ord("A") + n)) for c in step):
            reject("case %d: bad step %r" % (i + 1, step))
        for c in step:
            k = ord(c) - ord("A")
            if left[k] == 0:
                reject("case %d: party %s has nobody left" % (i + 1, c))
            left[k] -= 1
        total = sum(left)
        if any(2 * x > total for x in left):
            reject("case %d: a party holds a majority after %s" % (i + 1, step))
    if sum(left) != 0:
        reject("case %d: %d senators are left" % (i + 1, sum(left)))
sys.exit(42)
