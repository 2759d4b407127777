# task: atk/double
# (The test appends two million lines of padding to this file.)
print(2 * int(input()))
