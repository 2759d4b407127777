# task: atk/double
import sys
print(2 * int(input()), flush=True)
while True:
    sys.stderr.write("noise " * 10000)
