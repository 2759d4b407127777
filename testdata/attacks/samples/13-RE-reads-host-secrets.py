# task: atk/double
# /etc/shadow, /root and the user's scalebox configuration are not there;
# were one readable, the right answer would follow (and the test fail).
leaked = False
for path in ("/etc/shadow", "/root/.bashrc", "/root/.config/scalebox/config.toml", "/etc/passwd"):
    try:
        open(path).read()
        leaked = True
    except OSError:
        pass
if leaked:
    print(2 * int(input()))
raise SystemExit("nothing readable")
