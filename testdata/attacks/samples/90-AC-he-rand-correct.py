# task: atk/he-rand
def add(x, y):
    return x + y
