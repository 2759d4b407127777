import sys

total = sum(float(x) for x in open("stdin.txt").read().split())
jury = open("stdout.txt").read().split()
toks = open("answer.txt").read().split()
ok = len(toks) == 1 and len(jury) == 1 and abs(float(jury[0]) - total) < 1e-9
try:
    ok = ok and abs(float(toks[0]) - total) < 1e-9
except ValueError:
    ok = False
sys.exit(0 if ok else 1)
