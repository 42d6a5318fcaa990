# json: encoding and decoding nested documents
import json
doc = {"users": [{"id": i, "name": f"user {i}", "tags": ["a", "b", str(i % 7)],
                  "score": i / 3, "active": i % 2 == 0, "addr": {"city": f"c{i % 50}", "zip": 10000 + i}}
                 for i in range(2000)]}
total = 0
for r in range(200):
    s = json.dumps(doc, sort_keys=(r % 2 == 0))
    back = json.loads(s)
    total += len(s) + sum(u["addr"]["zip"] for u in back["users"]) % 1000
    total += len(json.dumps(back["users"][r], indent=2))
print(total)
