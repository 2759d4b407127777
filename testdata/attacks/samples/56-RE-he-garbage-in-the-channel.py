# task: atk/he
import os
for fd in range(1, 30):
    try:
        os.write(fd, b"\x00\xff not json {\n")
    except OSError:
        pass

def halve(x):
    return x // 2
