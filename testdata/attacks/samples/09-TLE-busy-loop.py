# task: atk/double
while True:
    pass
