    # Exponential: fine up to fib(25), hopeless for fib(90).
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
