# Reads only the first line, so its output stops short on longer inputs.
words = input().split()
print(" ".join(reversed(words)))
