# task: atk/double
print(2 * int(input()))
