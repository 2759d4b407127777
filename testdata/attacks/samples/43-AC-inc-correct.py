# task: atk/inc
def inc(x):
    return x + 1
