def check(candidate):
    assert candidate("") is True
    assert candidate("a") is True
    assert candidate("Racecar") is True
    assert candidate("A man, a plan, a canal: Panama") is True
    assert candidate("No 'x' in Nixon") is True
    assert candidate("12321") is True
    assert candidate("scalebox") is False
    assert candidate("ab") is False
    assert candidate("123 45") is False
    assert candidate("!!") is True
