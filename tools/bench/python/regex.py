# regular expressions: compiling, searching, finding, substituting
import re
text = " ".join(f"user{i}@host{i % 13}.example.org on 2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} "
                f"paid ${i * 7 % 1000}.{i % 100:02d}" for i in range(4000))
mail = re.compile(r"(\w+)@([\w.]+)\.org")
date = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
money = re.compile(r"\$(\d+)\.(\d\d)")
total = 0
for r in range(80):
    total += len(mail.findall(text)) + sum(int(m.group(2)) for m in date.finditer(text))
    total += sum(int(a) for a, b in money.findall(text))
    total += len(date.sub(r"\3/\2/\1", text)) + len(re.split(r"\s+on\s+", text))
print(total)
