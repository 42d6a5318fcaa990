# numbers: integer and float arithmetic in loops (a sieve, a Collatz walk,
# a float series), the interpreter's own opcodes and int/float objects
def sieve(n):
    flags = bytearray([1]) * (n + 1)
    flags[0] = flags[1] = 0
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = 0
    return sum(flags)

def collatz(limit):
    best = 0
    for start in range(1, limit):
        n, steps = start, 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        best = max(best, steps)
    return best

def series(n):
    s = 0.0
    for k in range(1, n):
        s += (-1.0) ** (k + 1) / (2 * k - 1)
    return round(4 * s, 6)

print(sieve(4_000_000), collatz(180_000), series(2_000_000))
