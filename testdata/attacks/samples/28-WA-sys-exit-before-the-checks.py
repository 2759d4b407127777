# task: atk/inc
import sys
sys.exit(0)
def inc(x):
    return x + 1
