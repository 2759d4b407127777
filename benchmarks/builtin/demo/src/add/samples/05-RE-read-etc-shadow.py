# Tries to read the host's password hashes. The sandbox shows only a few
# files of /etc, so the open fails and the program dies with an exception.
with open("/etc/shadow") as f:
    print(f.read())

a, b = map(int, input().split())
print(a + b)
