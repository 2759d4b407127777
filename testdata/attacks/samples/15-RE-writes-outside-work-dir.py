# task: atk/double
wrote = False
for path in ("/usr/pwned", "/etc/pwned", "/pwned", "/bin/pwned", "/proc/1/root/pwned"):
    try:
        open(path, "w").write("x")
        wrote = True
    except OSError:
        pass
if wrote:
    print(2 * int(input()))
raise SystemExit("read-only everywhere")
