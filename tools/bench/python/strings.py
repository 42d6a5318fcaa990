# strings: building, splitting, joining, replacing, formatting and slicing
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
total = 0
for r in range(180000):
    line = " ".join(f"{w}{(r + i) % 97}" for i, w in enumerate(words * 4))
    parts = line.split()
    up = line.upper().replace("A", "4").replace("E", "3")
    total += len(up) + sum(len(p) for p in parts if p.startswith(("a", "e")))
    total += up.count("4") + line.find("theta") + len(line[::-1].strip())
    total += len("%s-%d-%.2f" % (words[r % 8], r, r / 7))
print(total)
