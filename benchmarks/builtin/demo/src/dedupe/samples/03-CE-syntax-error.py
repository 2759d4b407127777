    seen = set(
    return [x for x in items if not (x in seen or seen.add(x))]
