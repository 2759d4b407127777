    # Starts with text[0] unconditionally: IndexError on the empty string.
    out = ""
    current, count = text[0], 0
    for ch in text:
        if ch == current:
            count += 1
        else:
            out += current + str(count)
            current, count = ch, 1
    return out + current + str(count)
