# task: atk/mbpp
def remove_odd(l):
    return [x for x in l if x % 2 == 0]
