def check(candidate):
    assert candidate(0) == 0
    assert candidate(1) == 1
    assert candidate(2) == 1
    assert candidate(10) == 55
    assert candidate(25) == 75025
    assert candidate(90) == 2880067194370816120
    assert candidate(100) == 354224848179261915075
