# Forgets to advance i: prints "1" forever, until the output limit stops it.
n = int(input())
i = 1
while i <= n:
    if i % 15 == 0:
        print("FizzBuzz")
    elif i % 3 == 0:
        print("Fizz")
    elif i % 5 == 0:
        print("Buzz")
    else:
        print(i)
