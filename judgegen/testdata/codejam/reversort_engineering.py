# Kattis output validator for Code Jam 2021 Qualification "Reversort
# Engineering": a permutation of 1..N whose Reversort cost is C, or
# IMPOSSIBLE exactly when the jury says so.
import os, sys


def reject(msg):
    with open(os.path.join(sys.argv[3], "judgemessage.txt"), "w") as f:
        f.write(msg)
    sys.exit(43)


def cases(tokens, t, fail):
    out, p = [], 0
    for i in range(1, t + 1):
        if p + 1 >= len(tokens) or tokens[p].lower() != "case" or tokens[p + 1] != "#%d:" % i:
            fail("case %d: expected 'Case #%d:'" % (i, i))
        p += 2
        q = p
        while q < len(tokens) and tokens[q].lower() != "case":
            q += 1
        out.append(tokens[p:q])
        p = q
    if p != len(tokens):
        fail("output after the last case")
    return out


def jury_fail(msg):
    print("jury answer: " + msg, file=sys.stderr)
    sys.exit(1)


def cost(lst):
    lst, c = list(lst), 0
    for i in range(len(lst) - 1):
        j = lst.index(min(lst[i:]), i)
        lst[i:j + 1] = lst[i:j + 1][::-1]
        c += j - i + 1
    return c


inp = list(map(int, open(sys.argv[1]).read().split()))
t = inp[0]
jury = cases(open(sys.argv[2]).read().split(), t, jury_fail)
got = cases(sys.stdin.read().split(), t, reject)
for i in range(t):
    n, c = inp[1 + 2 * i], inp[2 + 2 * i]
    possible = jury[i] != ["IMPOSSIBLE"]
    ans = got[i]
    if ans == ["IMPOSSIBLE"]:
        if possible:
            reject("case %d: a list exists" % (i + 1))
        continue
    if not possible:
        reject("case %d: expected IMPOSSIBLE" % (i + 1))
    try:
        lst = [int(a) for a in ans]
    except ValueError:
        reject("case %d: not integers" % (i + 1))
    if sorted(lst) != list(range(1, n + 1)):
        reject("case %d: not a permutation of 1..%d" % (i + 1, n))
    if cost(lst) != c:
        reject("case %d: cost %d, not %d" % (i + 1, cost(lst), c))
sys.exit(42)
