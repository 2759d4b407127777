# task: atk/add
def add(a, b):
    return a + b
