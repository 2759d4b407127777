# Kattis output validator: checker INPUT ANSWER FEEDBACK_DIR < output.
# Any two positive integers with the right sum are accepted (42), anything
# else is rejected (43) with a message in FEEDBACK_DIR/judgemessage.txt.
import os
import sys


def reject(msg):
    with open(os.path.join(sys.argv[3], "judgemessage.txt"), "w") as f:
        f.write(msg)
    sys.exit(43)


n = int(open(sys.argv[1]).read())
toks = sys.stdin.read().split()
if len(toks) != 2:
    reject("expected two integers, got %d tokens" % len(toks))
try:
    a, b = int(toks[0]), int(toks[1])
except ValueError:
    reject("not integers")
if a <= 0 or b <= 0:
    reject("%d and %d must be positive" % (a, b))
if a + b != n:
    reject("%d + %d is %d, not %d" % (a, b, a + b, n))
sys.exit(42)
