# Kattis output validator for Code Jam 2020 Qualification "Parenting
# Partnering Returns": a string of C and J, one letter per activity, so
# that no parent has two overlapping activities (touching ends are fine);
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


inp = list(map(int, open(sys.argv[1]).read().split()))
t, p = inp[0], 1
jury = cases(open(sys.argv[2]).read().split(), t, jury_fail)
got = cases(sys.stdin.read().split(), t, reject)
for i in range(t):
    n = inp[p]
    acts = [(inp[p + 1 + 2 * k], inp[p + 2 + 2 * k]) for k in range(n)]
    p += 1 + 2 * n
    possible = jury[i] != ["IMPOSSIBLE"]
    ans = got[i]
    if ans == ["IMPOSSIBLE"]:
        if possible:
            reject("case %d: a schedule exists" % (i + 1))
        continue
    if not possible:
        reject("case %d: expected IMPOSSIBLE" % (i + 1))
    if len(ans) != 1 or len(ans[0]) != n or set(ans[0]) - set("CJ"):
        reject("case %d: expected %d letters C or J" % (i + 1, n))
    for who in "CJ":
        mine = sorted(a for a, x in zip(acts, ans[0]) if x == who)
        for (s1, e1), (s2, e2) in zip(mine, mine[1:]):
            if s2 < e1:
                reject("case %d: %s has overlapping activities" % (i + 1, who))
sys.exit(42)
