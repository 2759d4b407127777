def check(candidate):
    assert candidate([]) == []
    assert candidate([1, 1, 1]) == [1]
    assert candidate([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert candidate(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert candidate([2, 2, 3, 3, 2]) == [2, 3]
    data = [5, 4, 5, 3, 4]
    assert candidate(data) == [5, 4, 3]
    assert data == [5, 4, 5, 3, 4], "the input list was modified"
