"""The Python parsers of untrusted input, fed mutated and random bytes
(libFuzzer's targets are for C; these run in seconds under unittest): the
map (a tenant's POST body), the object filter's request framing, and
zvmd's answers. Each may only refuse with its own error, never raise
anything else or hang. A fixed seed, so a failure reproduces."""
import copy
import json
import random
import struct
import unittest

from zvm_swift import jobmap, wire, zvmproto

ROUNDS = 3000
MAP = json.dumps([
    {'name': 'map', 'exec': {'path': 'swift://A/b/m', 'args': 'x y', 'env': {'K': 'v'}},
     'devices': [{'name': 'stdin', 'path': 'swift://A/c/*.txt'},
                 {'name': 'stdout', 'path': 'swift://A/o/n_*'}],
     'connect': ['red'], 'limits': {'Memory': '64M', 'Timeout': 2}},
    {'name': 'red', 'count': 2, 'exec': {'path': 'swift://A/b/r'},
     'devices': [{'name': 'stdout'}]}]).encode()


def mutate(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes([rng.choice(b'[]{}",:*/.-0123456789 \\\0\xff')])
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 16)]
        else:
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[j:j + rng.randint(1, 32)]
    return bytes(b)


def lister(a, c, prefix):
    return [n for n in ('a.txt', 'b.txt', '.c.txt', 'd/e.txt') if n.startswith(prefix)]


class Fuzz(unittest.TestCase):
    def test_map(self):
        rng = random.Random(12)
        for _ in range(ROUNDS):
            data = mutate(rng, MAP)
            try:
                jobmap.expand(jobmap.load(data), lister)
            except jobmap.MapError:
                pass

    def test_map_values(self):
        # any value anywhere in a valid map: refused with MapError or run
        rng = random.Random(15)
        values = [None, True, 0, -1, 1.5, 2 ** 70, '', '*', 'swift://A/c/*',
                  'swift://A/c/..', [], {}, ['map'], {'name': 'stdin'}, 'x' * 5000]

        def paths(v, p=()):
            yield p
            if isinstance(v, dict):
                for k in v:
                    yield from paths(v[k], p + (k,))
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    yield from paths(x, p + (i,))
        base = json.loads(MAP)
        all_paths = list(paths(base))
        for _ in range(ROUNDS):
            spec = json.loads(MAP)
            for _ in range(rng.randint(1, 3)):
                p = rng.choice(all_paths)
                if not p:
                    continue
                try:
                    parent = spec
                    for k in p[:-1]:
                        parent = parent[k]
                    parent[p[-1]] = copy.deepcopy(rng.choice(values))
                except (KeyError, IndexError, TypeError):
                    continue
            try:
                jobmap.expand(jobmap.load(json.dumps(spec)), lister)
            except jobmap.MapError:
                pass

    def test_request_framing(self):
        rng = random.Random(13)
        good = wire.pack(wire.REQUEST, {'channels': [{'alias': '/dev/stdin', 'src': 'blob', 'len': 3}]}, [b'abc'])
        for _ in range(ROUNDS):
            data = mutate(rng, good)
            pos = [0]

            def rd(n):
                b = data[pos[0]:pos[0] + n]
                pos[0] += len(b)
                return b
            try:
                wire.read_header(wire.REQUEST, rd)
            except wire.WireError:
                pass

    def test_zvmd_answers(self):
        rng = random.Random(14)
        ch = struct.pack('<QQQQB32s', 1, 2, 3, 4, 0, b'\0' * 32) + b'/dev/stdout'
        good = b''.join(struct.pack('<HI', t, len(v)) + v for t, v in (
            (1, b'\0' * 4), (2, b'\1\0\0\0'), (12, b'msg'), (13, b'\0' * 8), (25, ch)))
        for _ in range(ROUNDS):
            data = mutate(rng, good)
            for f in (zvmproto.decode_report, zvmproto.decode_error, zvmproto.decode_status):
                try:
                    f(data)
                except zvmproto.ProtocolError:
                    pass


if __name__ == '__main__':
    unittest.main()
