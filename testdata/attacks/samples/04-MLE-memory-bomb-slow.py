# task: atk/double
import time
hoard = []
while True:
    hoard.append(b"x" * (4 << 20))
    time.sleep(0.01)
