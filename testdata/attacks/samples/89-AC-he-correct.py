# task: atk/he
def halve(x):
    return x / 2
