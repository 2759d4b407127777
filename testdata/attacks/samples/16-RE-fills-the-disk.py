# task: atk/double
# Many files, each under the file size limit, until the private tmpfs is full.
import os
i = 0
while True:
    with open("/box/f%d" % i, "wb") as f:
        f.write(b"x" * (512 << 10))
    i += 1
