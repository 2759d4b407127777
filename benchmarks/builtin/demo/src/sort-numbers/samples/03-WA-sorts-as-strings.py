# Sorts the numbers as text, so "10" comes before "7".
n = int(input())
print(" ".join(sorted(input().split())))
