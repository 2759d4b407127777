# task: atk/lc
class Solution:
    def sumOdd(self, nums):
        return sum(x for x in nums if x % 2)
