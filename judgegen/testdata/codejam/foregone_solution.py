# Kattis output validator for Code Jam 2019 Qualification "Foregone Solution":
# for each N, two positive integers A and B without the digit 4, A + B = N.
import os, sys


def reject(msg):
    with open(os.path.join(sys.argv[3], "judgemessage.txt"), "w") as f:
        f.write(msg)
    sys.exit(43)


def cases(tokens, t):
    """Splits the output's tokens into the answers of cases 1..t."""
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


inp = open(sys.argv[1]).read().split()
t = int(inp[0])
got = cases(sys.stdin.read().split(), t)
for i in range(t):
    n = int(inp[1 + i])
    ans = got[i]
    if len(ans) != 2 or not all(a.isdigit() for a in ans):
        reject("case %d: expected two integers" % (i + 1))
    a, b = ans
    if a[0] == "0" or b[0] == "0" or "4" in a or "4" in b:
        reject("case %d: a number is not positive or has a 4" % (i + 1))
    if int(a) + int(b) != n:
        reject("case %d: %s + %s != %d" % (i + 1, a, b, n))
sys.exit(42)
