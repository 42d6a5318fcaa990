"""The map splitter of the proxy filter: docs/system-map.md's rules over
container listings (the listing is a table here)."""
import json
import unittest

from zvm_swift import jobmap

LISTING = {('A', 'words'): ['a.txt', 'b.txt', '.hidden.txt', 'c.log',
                            'sub/d.txt', 'x.txt.bak'],
           ('A', 'empty'): []}


def lister(a, c, prefix):
    return [o for o in LISTING[(a, c)] if o.startswith(prefix)]


def expand(spec):
    return jobmap.expand(jobmap.load(json.dumps(spec)), lister)


WC = [{'name': 'map', 'exec': {'path': 'swift://A/bin/mapper.nexe'},
       'devices': [{'name': 'stdin', 'path': 'swift://A/words/*.txt'},
                   {'name': 'stdout', 'path': 'swift://A/out/n_*.txt'}],
       'connect': ['reduce']},
      {'name': 'reduce', 'exec': {'path': 'swift://A/bin/reducer.nexe'},
       'devices': [{'name': 'stdout'}]}]


class Expand(unittest.TestCase):
    def test_wildcard_one_node_per_object_star_into_outputs(self):
        nodes = expand(WC)
        self.assertEqual([n.name for n in nodes],
                         ['map-1', 'map-2', 'reduce'])
        self.assertEqual(nodes[0].devices,
                         [('stdin', ('A', 'words', 'a.txt')),
                          ('stdout', ('A', 'out', 'n_a.txt'))])
        self.assertEqual(nodes[1].reads(), [('A', 'words', 'b.txt')])
        self.assertEqual(nodes[2].ins, ['map-1', 'map-2'])
        self.assertEqual(nodes[0].outs, ['reduce'])
        self.assertEqual(nodes[0].argv0, 'map-1')

    def test_map_order_kept_beside_run_order(self):
        spec = [{'name': 'b', 'exec': {'path': 'swift://A/b/m'}},
                {'name': 'm', 'count': 11, 'exec': {'path': 'swift://A/b/m'},
                 'connect': ['b']}]
        nodes = expand(spec)
        self.assertEqual(nodes[0].name, 'm-1')
        self.assertEqual([n.name for n in sorted(nodes, key=lambda n: n.seq)],
                         ['b'] + ['m-%d' % i for i in range(1, 12)])

    def test_no_match_is_an_error(self):
        spec = [{'name': 'm', 'exec': {'path': 'swift://A/b/m'},
                 'devices': [{'name': 'stdin', 'path': 'swift://A/empty/*'}]}]
        with self.assertRaisesRegex(jobmap.MapError,
                                    r"\[0\]\.devices\[0\]\.path: no object matches"):
            expand(spec)

    def test_count_names_and_star(self):
        spec = [{'name': 'w', 'count': 3, 'exec': {'path': 'swift://A/b/m'},
                 'devices': [{'name': 'output', 'path': 'swift://A/o/*.out'}]}]
        nodes = expand(spec)
        self.assertEqual([n.writes() for n in nodes],
                         [[('A', 'o', 'w-%d.out' % i)] for i in (1, 2, 3)])

    def test_run_order_follows_edges(self):
        spec = [{'name': 'b', 'exec': {'path': 'swift://A/b/m'}},
                {'name': 'a', 'exec': {'path': 'swift://A/b/m'},
                 'connect': ['b']}]
        self.assertEqual([n.name for n in expand(spec)], ['a', 'b'])

    def test_cycle_named(self):
        spec = [{'name': 'a', 'exec': {'path': 'swift://A/b/m'}, 'connect': ['b']},
                {'name': 'b', 'exec': {'path': 'swift://A/b/m'}, 'connect': ['a']}]
        with self.assertRaisesRegex(jobmap.MapError, 'a cycle: a -> b -> a'):
            expand(spec)

    def test_two_writers_clash(self):
        spec = [{'name': 'a', 'count': 2, 'exec': {'path': 'swift://A/b/m'},
                 'devices': [{'name': 'output', 'path': 'swift://A/o/same'}]}]
        with self.assertRaisesRegex(jobmap.MapError, "both write 'swift://A/o/same'"):
            expand(spec)

    def test_duplicate_expanded_names(self):
        spec = [{'name': 'a', 'count': 2, 'exec': {'path': 'swift://A/b/m'}},
                {'name': 'a-2', 'exec': {'path': 'swift://A/b/m'}}]
        with self.assertRaisesRegex(jobmap.MapError, "duplicate node name 'a-2'"):
            expand(spec)

    def test_channel_limit(self):
        spec = [{'name': 'm', 'count': 62, 'exec': {'path': 'swift://A/b/m'},
                 'connect': ['r']},
                {'name': 'r', 'exec': {'path': 'swift://A/b/m'}}]
        with self.assertRaisesRegex(jobmap.MapError, 'node r would have 65 channels'):
            expand(spec)


class Refusals(unittest.TestCase):
    def bad(self, spec, pattern):
        with self.assertRaisesRegex(jobmap.MapError, pattern):
            expand(spec)

    def node(self, **kw):
        n = {'name': 'a', 'exec': {'path': 'swift://A/b/m'}}
        n.update(kw)
        return [n]

    def test_table(self):
        cases = [
            ({'cnt': 1}, r"\[0\]: unknown key 'cnt'"),
            ({'exec': {'path': '/etc/passwd'}}, r'\[0\]\.exec\.path: .*swift://account'),
            ({'exec': {'path': 'swift://A/b/../../x'}}, r"'\.\.' component"),
            ({'exec': {'path': 'swift://A/b'}}, 'expected swift://account/container/object'),
            ({'exec': {'path': 'swift://A/b/*'}}, 'a wildcard belongs in a device'),
            ({'exec': {'path': 'swift://A/b/m', 'argv': 1}}, "unknown key 'argv'"),
            ({'devices': [{'name': 'disk', 'path': 'swift://A/b/c'}]}, "unknown device 'disk'"),
            ({'devices': [{'name': 'stdin'}]}, 'missing \\(only stdout and stderr'),
            ({'devices': [{'name': 'stdout'}, {'name': 'stdout'}]}, "'stdout' is listed twice"),
            ({'devices': [{'name': 'stdin', 'path': 'swift://A/words/*/x'}]}, "one '\\*'"),
            ({'devices': [{'name': 'stdin', 'path': 'swift://A/words/*.txt'},
                          {'name': 'input', 'path': 'swift://A/words/*.txt'}]}, 'a second wildcard'),
            ({'devices': [{'name': 'stdin', 'path': 'swift://A/words/*.txt'}], 'count': 2},
             'takes no count'),
            ({'replicate': 2}, 'replicas are not run through Swift'),
            ({'connect': ['nobody']}, "no node named 'nobody'"),
            ({'limits': {'memory': 1}}, "unknown key 'memory'"),
            ({'limits': {'Memory': '4G'}}, 'Memory: expected bytes'),
            ({'limits': {'Timeout': '1e-5'}}, 'Timeout: expected seconds'),
            ({'limits': {'Timeout': 1, 'CpuTime': 2}}, 'CpuTime: 2 exceeds Timeout 1'),
            ({'name': '-x'}, 'name: .*not starting'),
            ({'count': 0}, 'count: expected 1 to 1024'),
            ({'exec': {'path': 'swift://A/b/m', 'args': 'a\nb'}}, 'control character'),
        ]
        for kw, pattern in cases:
            with self.subTest(kw=kw):
                self.bad(self.node(**kw), pattern)

    def test_json_errors(self):
        for text, pattern in (('{"a": 1}', 'expected a JSON array'),
                              ('[{"name": "a", "name": "b"}]', "duplicate key 'name'"),
                              ('[', 'job: '),
                              (' ' * (jobmap.MAX_MAP + 1), 'over 1 MiB')):
            with self.subTest(text=text[:20]):
                with self.assertRaisesRegex(jobmap.MapError, pattern):
                    jobmap.load(text)

    def test_limits_read(self):
        n = expand(self.node(limits={'Memory': '64M', 'Timeout': '1.5 min',
                                     'CpuTime': '500ms'}))[0]
        self.assertEqual(n.limits, {'memory': 64 << 20, 'timeout': 90.0,
                                    'cpu_time': 0.5})

    def test_hidden_and_nested_objects_not_matched(self):
        spec = self.node(devices=[{'name': 'stdin', 'path': 'swift://A/words/*.txt'}])
        self.assertEqual([n.reads()[0][2] for n in expand(spec)], ['a.txt', 'b.txt'])


if __name__ == '__main__':
    unittest.main()
