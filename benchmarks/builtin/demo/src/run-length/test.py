def check(candidate):
    assert candidate("aaabcc") == "a3b1c2"
    assert candidate("") == ""
    assert candidate("x") == "x1"
    assert candidate("aaaaaaaaaaaa") == "a12"
    assert candidate("abab") == "a1b1a1b1"
    assert candidate("  !!") == " 2!2"
