# task: atk/double
import sys
while True:
    sys.stdout.write("14\n" * 10000)
