# task: atk/double
# Python 3.11 keeps frames on the heap: endless recursion ends in the
# memory limit (the stack limit equals it, and the rest of the process
# counts too).
import sys
sys.setrecursionlimit(10**8)
def f(n):
    return f(n + 1) + 1
f(0)
