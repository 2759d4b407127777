def fib(n: int) -> int:
    """Return the n-th Fibonacci number (0 <= n <= 100): fib(0) = 0,
    fib(1) = 1 and fib(n) = fib(n - 1) + fib(n - 2).

    >>> fib(10)
    55
    >>> fib(1)
    1
    """
