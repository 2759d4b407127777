    chars = [c for c in text if c.isalnum()]
    return chars == chars[::-1]
