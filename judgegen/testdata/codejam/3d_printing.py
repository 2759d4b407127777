# Kattis output validator for Code Jam 2022 Qualification "3D Printing":
# four non-negative amounts C M Y K, each within every printer's supply,
# summing to 10^6; IMPOSSIBLE exactly when the jury says so.
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
t = inp[0]
jury = cases(open(sys.argv[2]).read().split(), t, jury_fail)
got = cases(sys.stdin.read().split(), t, reject)
for i in range(t):
    printers = [inp[1 + 12 * i + 4 * j:1 + 12 * i + 4 * j + 4] for j in range(3)]
    limit = [min(p[c] for p in printers) for c in range(4)]
    possible = jury[i] != ["IMPOSSIBLE"]
    ans = got[i]
    if ans == ["IMPOSSIBLE"]:
        if possible:
            reject("case %d: a colour exists" % (i + 1))
        continue
    if not possible:
        reject("case %d: expected IMPOSSIBLE" % (i + 1))
    if len(ans) != 4:
        reject("case %d: expected four amounts" % (i + 1))
    try:
        amounts = [int(a) for a in ans]
    except ValueError:
        reject("case %d: not integers" % (i + 1))
    if any(a < 0 or a > l for a, l in zip(amounts, limit)):
        reject("case %d: an amount is negative or beyond a printer's supply" % (i + 1))
    if sum(amounts) != 10**6:
        reject("case %d: the amounts sum to %d" % (i + 1, sum(amounts)))
sys.exit(42)
