# task: atk/double
# The scalebox binary (under /usr/local, a work tree or /tmp) is not visible.
import glob
paths = ["/usr/local/bin/scalebox", "/work/main/bin/scalebox"] + glob.glob("/tmp/**/*.test", recursive=True)
leaked = False
for path in paths:
    try:
        open(path, "rb").read(4)
        leaked = True
    except OSError:
        pass
if leaked:
    print(2 * int(input()))
raise SystemExit("no binary in sight")
