"""The system map (docs/system-map.md) as the proxy filter reads it: parse,
check, expand wildcards over container listings, wire the edges, order
the nodes. The same format and rules as maps/ in C, for the keys a job
in Swift may use (docs/swift.md, "The map"); every path is a
swift://account/container/object. No Swift import: the listing is a
callback, so this is unit-tested alone (tests/swift/test_jobmap.py).
"""
import json
import re

MAX_MAP = 1 << 20
MAX_NODES = 1024
MAX_EDGES = 16384
MAX_CHANNELS = 64
MAX_STRING = 4095
NAME_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]{0,47}$')

READ_DEVICES = ('stdin', 'input', 'image', 'script')
WRITE_DEVICES = ('stdout', 'stderr', 'output')
DEVICES = ('stdin', 'stdout', 'stderr', 'input', 'output', 'image', 'script')
NODE_KEYS = ('name', 'exec', 'devices', 'count', 'connect', 'replicate',
             'limits', 'stream')
EXEC_KEYS = ('path', 'name', 'args', 'env')
LIMIT_KEYS = ('Memory', 'Timeout', 'CpuTime')
MIN_MEMORY, MAX_MEMORY = 1 << 20, 3 << 30
MIN_SECONDS, MAX_SECONDS = 0.001, 31536000.0


class MapError(ValueError):
    """One line naming the JSON path of what is wrong."""


class Node(object):
    """One cell of the expanded map."""

    def __init__(self, name, spec_index, image, argv0, args, env, limits):
        self.name = name
        self.index = spec_index      # the map entry it came from
        self.image = image           # (account, container, object)
        self.argv0 = argv0
        self.args = args
        self.env = env
        self.limits = limits         # memory (bytes), timeout, cpu_time
        self.devices = []            # [(device, (a, c, o) or None)]
        self.ins = []                # names of the nodes it reads from
        self.outs = []               # names of the nodes it writes to
        self.seq = 0                 # its place in the map's order

    def reads(self):
        """The objects it reads, in device order."""
        return [p for d, p in self.devices if d in READ_DEVICES]

    def writes(self):
        return [p for d, p in self.devices if d in WRITE_DEVICES and p]

    def nchannels(self):
        extra = len([d for d, _ in self.devices
                     if d not in ('stdin', 'stdout', 'stderr')])
        return 3 + extra + len(self.ins) + len(self.outs)


def parse_swift_path(s, where):
    """'swift://account/container/object' -> (account, container, object)."""
    if not isinstance(s, str) or not s.startswith('swift://'):
        raise MapError('%s: %r: a path in Swift is '
                       'swift://account/container/object' % (where, s))
    parts = s[len('swift://'):].split('/', 2)
    if len(parts) != 3 or not all(parts):
        raise MapError('%s: %r: expected swift://account/container/object'
                       % (where, s))
    for comp in s[len('swift://'):].split('/'):
        if comp in ('', '.', '..'):
            raise MapError("%s: %r: empty, '.' or '..' component" % (where, s))
    return tuple(parts)


def swift_url(p):
    return 'swift://%s/%s/%s' % p


def parse_bytes(v, where):
    s = str(v) if not isinstance(v, bool) else None
    m = re.match(r'^([0-9]+) ?([kKmMgGtT](iB)?|B)?$', s or '')
    if not m:
        raise MapError('%s: expected bytes (like 64M, "1 GiB" or 1048576) '
                       'from 1M to 3G' % where)
    shift = {'': 0, 'b': 0, 'k': 10, 'm': 20, 'g': 30, 't': 40}[
        (m.group(2) or '')[:1].lower()]
    n = int(m.group(1)) << shift
    if not MIN_MEMORY <= n <= MAX_MEMORY:
        raise MapError('%s: expected bytes (like 64M, "1 GiB" or 1048576) '
                       'from 1M to 3G' % where)
    return n


def parse_seconds(v, where):
    s = str(v) if not isinstance(v, bool) else ''
    m = re.match(r'^([0-9]*\.?[0-9]*) ?(s|ms|min|h)?$', s)
    bad = MapError('%s: expected seconds (like 2, 0.5 or "500ms") from '
                   '0.001 to 31536000' % where)
    if not m or m.group(1) in ('', '.'):
        raise bad
    mul = {None: 1, 's': 1, 'ms': 0.001, 'min': 60, 'h': 3600}[m.group(2)]
    t = float(m.group(1)) * mul
    if not MIN_SECONDS <= t <= MAX_SECONDS:
        raise bad
    return t


def _string(v, where):
    if not isinstance(v, str):
        raise MapError('%s: expected a string' % where)
    if len(v.encode()) > MAX_STRING:
        raise MapError('%s: longer than %d bytes' % (where, MAX_STRING))
    if any(ord(c) < 32 or ord(c) == 127 for c in v):
        raise MapError('%s: a control character' % where)
    return v


def _keys(obj, known, where):
    if not isinstance(obj, dict):
        raise MapError('%s: expected an object' % where)
    for k in obj:
        if k not in known:
            raise MapError("%s: unknown key '%s' (known: %s)"
                           % (where, k, ', '.join(known)))


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise MapError("duplicate key '%s'" % k)
        d[k] = v
    return d


def load(body, what='job'):
    """The map's JSON text -> the list of its entries, checked."""
    if len(body) > MAX_MAP:
        raise MapError('%s: over 1 MiB' % what)
    try:
        text = body.decode('utf-8') if isinstance(body, bytes) else body
        spec = json.loads(text, object_pairs_hook=_no_duplicates)
    except MapError as e:
        raise MapError('%s: %s' % (what, e))
    except ValueError as e:
        raise MapError('%s: %s' % (what, e))
    if not isinstance(spec, list) or not spec:
        raise MapError('%s: expected a JSON array of nodes' % what)
    return spec


def _entry(e, i, what):
    w = '%s: [%d]' % (what, i)
    _keys(e, NODE_KEYS, w)
    if 'name' not in e:
        raise MapError('%s.name: missing' % w)
    name = _string(e['name'], w + '.name')
    if not NAME_RE.match(name):
        raise MapError("%s.name: '%s': 1 to 48 letters, digits, _ - ., not "
                       "starting with . or -" % (w, name))
    if e.get('replicate', 1) != 1:
        raise MapError('%s.replicate: replicas are not run through Swift '
                       '(docs/swift.md)' % w)
    if 'stream' in e and not isinstance(e['stream'], bool):
        raise MapError('%s.stream: expected true or false' % w)
    ex = e.get('exec')
    if ex is None:
        raise MapError('%s.exec: missing' % w)
    _keys(ex, EXEC_KEYS, w + '.exec')
    if 'path' not in ex:
        raise MapError('%s.exec.path: missing' % w)
    if '*' in _string(ex['path'], w + '.exec.path'):
        raise MapError('%s.exec.path: a wildcard belongs in a device\'s path'
                       % w)
    image = parse_swift_path(ex['path'], w + '.exec.path')
    argv0 = _string(ex.get('name', name), w + '.exec.name')
    args = ex.get('args', [])
    if isinstance(args, str):
        args = [a for a in _string(args, w + '.exec.args').split(' ') if a]
    elif isinstance(args, list):
        args = [_string(a, '%s.exec.args[%d]' % (w, j))
                for j, a in enumerate(args)]
    else:
        raise MapError('%s.exec.args: a string or an array of strings' % w)
    if len(args) > 256:
        raise MapError('%s.exec.args: more than 256 arguments' % w)
    env = ex.get('env', {})
    _keys(env, list(env) if isinstance(env, dict) else (), w + '.exec.env')
    envl = []
    for k, v in env.items():
        if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', k):
            raise MapError("%s.exec.env: '%s' is no variable name" % (w, k))
        envl.append('%s=%s' % (k, _string(v, '%s.exec.env.%s' % (w, k))))
    if len(envl) > 256:
        raise MapError('%s.exec.env: more than 256 variables' % w)
    limits = {}
    lim = e.get('limits', {})
    _keys(lim, LIMIT_KEYS, w + '.limits')
    if 'Memory' in lim:
        limits['memory'] = parse_bytes(lim['Memory'], w + '.limits.Memory')
    if 'Timeout' in lim:
        limits['timeout'] = parse_seconds(lim['Timeout'], w + '.limits.Timeout')
    if 'CpuTime' in lim:
        limits['cpu_time'] = parse_seconds(lim['CpuTime'],
                                           w + '.limits.CpuTime')
        if limits['cpu_time'] > limits.get('timeout', 10.0):
            raise MapError('%s.limits.CpuTime: %g exceeds Timeout %g'
                           % (w, limits['cpu_time'],
                              limits.get('timeout', 10.0)))
    devs = e.get('devices', [])
    if not isinstance(devs, list):
        raise MapError('%s.devices: expected an array' % w)
    seen = {}
    devices = []
    wild = None
    for j, d in enumerate(devs):
        dw = '%s.devices[%d]' % (w, j)
        _keys(d, ('name', 'path'), dw)
        dn = d.get('name')
        if dn not in DEVICES:
            raise MapError("%s.name: unknown device '%s' (known: %s)"
                           % (dw, dn, ', '.join(DEVICES)))
        if dn in seen:
            raise MapError("%s.name: '%s' is listed twice (first at "
                           "[%d].devices[%d])" % (dw, dn, i, seen[dn]))
        seen[dn] = j
        path = d.get('path')
        if path is None:
            if dn not in ('stdout', 'stderr'):
                raise MapError('%s.path: missing (only stdout and stderr may'
                               ' go without one)' % dw)
            devices.append((dn, None))
            continue
        _string(path, dw + '.path')
        if '*' in path and dn in READ_DEVICES:
            if wild is not None:
                raise MapError('%s.path: a second wildcard (the first is in '
                               'devices[%d]): one per node' % (dw, wild[0]))
            parse_swift_path(path.replace('*', 'x'), dw + '.path')
            if path.count('*') != 1 or '*' not in path.rsplit('/', 1)[-1]:
                raise MapError("%s.path: '%s': one '*', in the object's name"
                               " after its last '/' only" % (dw, path))
            wild = (j, path)
        else:
            parse_swift_path(path.replace('*', 'x'), dw + '.path')
        devices.append((dn, path))
    count = e.get('count', 1)
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= 1024:
        raise MapError('%s.count: expected 1 to 1024' % w)
    if wild and 'count' in e:
        raise MapError('%s.count: a node with a wildcard in [%d].devices[%d]'
                       '.path takes no count' % (w, i, wild[0]))
    connect = e.get('connect', [])
    if not isinstance(connect, list):
        raise MapError('%s.connect: expected an array of node names' % w)
    for j, c in enumerate(connect):
        _string(c, '%s.connect[%d]' % (w, j))
        if connect.index(c) != j:
            raise MapError("%s.connect[%d]: '%s' is listed twice" % (w, j, c))
    return dict(name=name, image=image, argv0=argv0, args=args, env=envl,
                limits=limits, devices=devices, wild=wild, count=count,
                connect=connect, where=w)


def _split_wild(path):
    """swift://a/c/pre*suf -> (a, c, 'pre', 'suf')."""
    a, c, o = path[len('swift://'):].split('/', 2)
    pre, suf = o.split('*')
    return a, c, pre, suf


def expand(spec, list_objects, what='job'):
    """The checked entries -> nodes in run order. list_objects(account,
    container, prefix) gives the object names starting with prefix (the
    caller checks the listing is allowed)."""
    entries = [_entry(e, i, what) for i, e in enumerate(spec)]
    nodes = []
    groups = {}     # entry name -> node names
    owner = {}      # node name -> where it was made
    for i, e in enumerate(entries):
        made = []
        if e['wild']:
            j, path = e['wild']
            a, c, pre, suf = _split_wild(path)
            matches = []
            for name in list_objects(a, c, pre):
                rest = name[len(pre):]
                if not name.startswith(pre) or not rest.endswith(suf):
                    continue
                star = rest[:len(rest) - len(suf)] if suf else rest
                if '/' in star or (star.startswith('.') and
                                   (pre == '' or pre.endswith('/'))):
                    continue
                matches.append((name, star))
            matches.sort()
            if not matches:
                raise MapError("%s.devices[%d].path: no object matches '%s'"
                               % (e['where'], j, path))
            stars = [m[1] for m in matches]
        else:
            stars = [None] * e['count']
        many = len(stars) > 1
        for k, star in enumerate(stars):
            name = '%s-%d' % (e['name'], k + 1) if many else e['name']
            n = Node(name, i, e['image'], e['argv0'] if 'name' in
                     spec[i].get('exec', {}) else name, e['args'], e['env'],
                     e['limits'])
            for dn, path in e['devices']:
                if path is None:
                    n.devices.append((dn, None))
                    continue
                if dn in READ_DEVICES:
                    if star is not None and '*' in path:
                        path = path.replace('*', star)
                else:
                    path = path.replace('*', star if star is not None
                                        else name)
                n.devices.append((dn, parse_swift_path(
                    path, '%s.devices' % e['where'])))
            made.append(n)
        if len(nodes) + len(made) > MAX_NODES:
            raise MapError('%s: [%d]: more than %d nodes in the map once '
                           'expanded' % (what, i, MAX_NODES))
        for n in made:
            if n.name in owner:
                raise MapError("%s.name: duplicate node name '%s' (made by "
                               "%s and [%d])" % (e['where'], n.name,
                                                 owner[n.name], i))
            owner[n.name] = '[%d]' % i
        for k, n in enumerate(made):
            n.seq = len(nodes) + k
        groups.setdefault(e['name'], [])
        groups[e['name']] += made
        nodes += made
    by_name = dict((n.name, n) for n in nodes)
    edges = 0
    for i, e in enumerate(entries):
        for j, c in enumerate(e['connect']):
            if c not in groups:
                raise MapError("%s.connect[%d]: no node named '%s'"
                               % (e['where'], j, c))
            for src in groups[e['name']]:
                for dst in groups[c]:
                    if src is dst:
                        raise MapError('%s.connect: a cycle: %s -> %s'
                                       % (e['where'], src.name, dst.name))
                    src.outs.append(dst.name)
                    dst.ins.append(src.name)
                    edges += 1
        if edges > MAX_EDGES:
            raise MapError('%s.connect: more than %d edges in the map'
                           % (e['where'], MAX_EDGES))
    writers = {}
    for n in nodes:
        if n.nchannels() > MAX_CHANNELS:
            raise MapError('%s: [%d]: node %s would have %d channels (at '
                           'most 64: stdin, stdout, stderr, its devices and '
                           'one per edge)' % (what, n.index, n.name,
                                              n.nchannels()))
        for p in n.writes():
            if p in writers:
                raise MapError("%s: [%d].devices: nodes %s and %s both write"
                               " '%s'" % (what, n.index, writers[p], n.name,
                                          swift_url(p)))
            writers[p] = n.name
    return _order(nodes, by_name, what)


def _order(nodes, by_name, what):
    """Kahn's order, the map's order among the ready; a cycle is named."""
    pending = dict((n.name, len(n.ins)) for n in nodes)
    done, out = set(), []
    while len(out) < len(nodes):
        ready = [n for n in nodes if n.name not in done and
                 pending[n.name] == 0]
        if not ready:
            left = [n for n in nodes if n.name not in done]
            cyc = _cycle(left, by_name)
            raise MapError('%s: [%d].connect: a cycle: %s'
                           % (what, by_name[cyc[0]].index, ' -> '.join(cyc)))
        n = ready[0]
        done.add(n.name)
        out.append(n)
        for d in n.outs:
            pending[d] -= 1
    return out


def _cycle(left, by_name):
    names = set(n.name for n in left)
    path, n = [], left[0]
    while n.name not in path:
        path.append(n.name)
        n = by_name[[o for o in n.outs if o in names][0]]
    return path[path.index(n.name):] + [n.name]
