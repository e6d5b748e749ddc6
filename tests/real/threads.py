"""Eight threads build dicts, lists, strings and JSON at once; the output
is a digest of what each made, in a fixed order, so it is the same on any
malloc that works."""
import hashlib
import json
import threading

results = [None] * 8


def work(n):
    h = hashlib.sha256()
    table = {}
    for i in range(40000):
        key = f"k{n}-{i % 5003}"
        table.setdefault(key, []).append(i * n)
        if i % 7 == 0:
            table.pop(f"k{n}-{(i * 31) % 5003}", None)
    for key in sorted(table):
        h.update(key.encode())
        h.update(json.dumps(table[key][-20:]).encode())
    blob = json.loads(json.dumps({k: v[:5] for k, v in table.items()}))
    words = " ".join(sorted(blob)).split()
    results[n] = (len(table), len(words), h.hexdigest())


threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for n, r in enumerate(results):
    print(n, *r)
