# A Kattis output validator: validator input answer feedback_dir < output.
import os, sys

inp, ans, feedback = sys.argv[1], sys.argv[2], sys.argv[3]
total = sum(float(x) for x in open(inp).read().split())
if abs(float(open(ans).read().split()[0]) - total) > 1e-9:
    sys.exit(1)  # the jury is wrong: an undefined exit code, a system error


def reject(msg):
    with open(os.path.join(feedback, "judgemessage.txt"), "w") as f:
        f.write(msg)
    sys.exit(43)


toks = sys.stdin.read().split()
if len(toks) != 1:
    reject("expected one number, got %d tokens" % len(toks))
try:
    got = float(toks[0])
except ValueError:
    reject("not a number")
if abs(got - total) > 1e-9:
    reject("%s is not the sum" % toks[0])
sys.exit(42)
