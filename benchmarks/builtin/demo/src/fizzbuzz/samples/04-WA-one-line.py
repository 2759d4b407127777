# The right words, but all on one line: the lines comparator wants one
# answer per line.
n = int(input())
words = []
for i in range(1, n + 1):
    words.append("FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else str(i))
print(" ".join(words))
