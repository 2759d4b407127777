# task: atk/double
# Searches every file it can see for the expected output or the judge's
# files; should it find any, it prints the right answer (and the test, which
# expects WA, fails).
import os
found = []
for root in ("/", "/proc/1/cwd", "/proc/1/root"):
    for dirpath, dirs, files in os.walk(root):
        if dirpath.startswith(("/proc", "/sys", "/usr", "/dev", "/lib", "/bin", "/sbin")):
            dirs[:] = []
            continue
        for f in files:
            p = os.path.join(dirpath, f)
            if f == "main.py":
                continue
            try:
                data = open(p, "rb").read(1 << 20)
            except OSError:
                continue
            # An expected output is exactly "14\n" or "-6\n"; a judge's test
            # code defines check(candidate).
            if data.strip() in (b"14", b"-6") or b"def check(candidate)" in data:
                found.append(p)
print(2 * int(input()) if found else "nothing")
