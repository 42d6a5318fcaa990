# dicts: inserting, looking up, updating and deleting string and int keys
total = 0
for r in range(25):
    d = {}
    for i in range(60_000):
        d[f"k{i}"] = i
        d[i] = str(i)
    for i in range(0, 60_000, 3):
        total += d[f"k{i}"] + len(d[i])
        del d[f"k{i}"]
    counts = {}
    for k in d:
        t = type(k).__name__
        counts[t] = counts.get(t, 0) + 1
    total += counts["str"] + counts["int"] + len(d)
print(total)
