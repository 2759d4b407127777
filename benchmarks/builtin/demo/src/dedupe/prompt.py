def dedupe(items: list) -> list:
    """Return a new list with the items of `items` without repetitions, each
    kept at the position of its first occurrence. `items` is not modified.

    >>> dedupe([3, 1, 3, 2, 1])
    [3, 1, 2]
    >>> dedupe([])
    []
    """
