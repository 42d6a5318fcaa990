"""The proxy's zvm filter (docs/swift.md): a POST to an account with
`X-Zvm-Execute: 1` and a system map as the body runs the map.

    pipeline = catch_errors proxy-logging cache tempauth zvm proxy-logging proxy-server
    [filter:zvm]
    paste.filter_factory = zvm_swift.proxyfilter:filter_factory

It sits after authentication. For a job it: parses and expands the map
(wildcards over container listings), checks every swift:// path with
Swift's own authorisation (HEAD through the proxy for reads, the
container's write ACL through swift.authorize for writes) before
anything runs, places each node on an object server holding a replica
of the object it reads (ring order, local addresses first, the next
replica when one is down or busy), sends it there as ZVMEXEC, feeds edges
from the answers of the nodes they come from, writes swift:// outputs as
objects, and answers with the report.
"""
import collections
import hashlib
import json
import time

from eventlet import GreenPool, Timeout, event, semaphore

from swift.common import swob
from swift.common.bufferedhttp import http_connect
from swift.common.storage_policy import POLICIES
from swift.common.utils import get_logger, whataremyips
from swift.common.wsgi import make_subrequest
from swift.proxy.controllers.base import get_container_info

from zvm_swift import jobmap, wire

EXIT = {'ok': None, 'memory limit': 122, 'cpu limit': 123, 'timeout': 124,
        'load error': 125, 'validation failed': 126, 'internal error': 127,
        'killed by signal': None, 'seccomp violation': 159}
MAX_NODE_HEADERS = 64


class Refused(Exception):
    """The job is refused before anything runs: (status, message)."""

    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


def exit_status(r):
    st = r.get('state')
    if st == 'ok':
        return r.get('exit_code', 0)
    if st == 'killed by signal':
        return 128 + r.get('signal', 0)
    return EXIT.get(st, 127)


def _where(dev):
    return '%s:%s/%s' % (dev['ip'], dev['port'], dev['device'])


def _quote(p):
    return swob.wsgi_quote('/v1/%s/%s/%s' % p)


class Job(object):
    """One map's run: its nodes, their results, the bytes moved."""

    def __init__(self, flt, req, nodes, images):
        self.flt = flt
        self.req = req
        self.nodes = nodes
        self.images = images             # (a, c, o) -> (digest hex, bytes)
        self.done = dict((n.name, event.Event()) for n in nodes)
        self.edges = {}                  # (src, dst) -> bytes
        self.results = {}                # name -> dict
        self.outputs = []                # ((a, c, o), bytes)
        self.stdout = {}                 # name -> bytes
        self.busy = False

    def run(self):
        pool = GreenPool(len(self.nodes) + 1)
        for n in self.nodes:
            pool.spawn_n(self.run_node, n)
        pool.waitall()

    def run_node(self, n):
        try:
            for s in n.ins:
                self.done[s].wait()
            with self.flt.slots:
                res = self.place(n)
        except Exception as e:  # a node's failure is its report, never a hang
            self.flt.logger.exception('zvm: node %s', n.name)
            res = {'node_state': 'internal error', 'state': 'internal error',
                   'message': 'proxy: %s' % e, 'network_bytes': 0}
        res.setdefault('name', n.name)
        res.setdefault('exit_status', 127)
        self.results[n.name] = res
        self.done[n.name].send(True)

    def candidates(self, n):
        """Object servers to try for node n, best first, and the object
        that makes it data-local (None for a node reading no object)."""
        reads = [(d, p) for d, p in n.devices if d in jobmap.READ_DEVICES]
        if reads:
            d, p = reads[0]
            ring = self.flt.ring_for(self.req, p)
            part, primaries = ring.get_nodes(*p)
            mine, busy = self.flt.my_ips, self.flt.inflight
            # local first, then the replica with the fewest cells of ours
            # running (stable: ring order among equals)
            ordered = sorted(primaries, key=lambda x: (
                x['ip'] not in mine, busy[_where(x)]))
            return [(x, part, p) for x in ordered], d
        devs = [x for x in self.flt.default_ring().devs if x]
        k = self.nodes.index(n) % max(len(devs), 1)
        devs = sorted(devs[k:] + devs[:k],
                      key=lambda x: self.flt.inflight[_where(x)])
        return [(x, 0, None) for x in devs], None

    def fetch(self, p):
        """An object through the proxy (authorised before the run)."""
        sub = make_subrequest(self.req.environ, 'GET', _quote(p),
                              agent='%(orig)s zvm', swift_source='ZVM')
        resp = sub.get_response(self.flt.app)
        if resp.status_int // 100 != 2:
            raise IOError('%s: %s' % (jobmap.swift_url(p), resp.status))
        return resp.body

    def spec(self, n, local_dev, send_image):
        chans, blobs, net_in = [], [], 0
        byname = dict(n.devices)

        def add_read(alias, dev, p, random):
            nonlocal net_in
            if dev == local_dev:
                chans.append({'alias': alias, 'src': 'local', 'random': random})
            else:
                data = self.fetch(p)
                net_in += len(data)
                chans.append({'alias': alias, 'src': 'blob', 'len': len(data),
                              'random': random})
                blobs.append(data)

        if byname.get('stdin'):
            add_read('/dev/stdin', 'stdin', byname['stdin'], False)
        else:
            chans.append({'alias': '/dev/stdin', 'src': 'null'})
        chans.append({'alias': '/dev/stdout', 'src': 'out'})
        chans.append({'alias': '/dev/stderr', 'src': 'out'})
        for d, p in n.devices:
            if d in ('stdin', 'stdout', 'stderr'):
                continue
            if d in jobmap.READ_DEVICES:
                add_read('/dev/' + d, d, p, True)
            else:
                chans.append({'alias': '/dev/' + d, 'src': 'out'})
        for s in n.ins:
            data = self.edges.get((s, n.name), b'')
            chans.append({'alias': '/dev/in/' + s, 'src': 'blob',
                          'len': len(data)})
            blobs.append(data)
        for d in n.outs:
            chans.append({'alias': '/dev/out/' + d, 'src': 'out'})
        digest, image = self.images[n.image]
        h = {'digest': digest, 'image': len(image) if send_image else 0,
             'argv0': n.argv0, 'args': n.args, 'env': n.env,
             'channels': chans}
        h.update(n.limits)
        blobs = ([image] if send_image else []) + blobs
        return wire.pack(wire.REQUEST, h, blobs), chans, net_in

    def place(self, n):
        cands, local_dev = self.candidates(n)
        tried = []
        busy = 0
        for dev, part, p in cands:
            where = _where(dev)
            key = (where, n.image)
            owner = None
            if key not in self.flt.sent_images:
                # one node per server sends the image; the others wait for
                # it and send only the digest
                ev = self.flt.image_events.get(key)
                if ev is None:
                    owner = self.flt.image_events[key] = event.Event()
                else:
                    ev.wait()
            send_image = key not in self.flt.sent_images
            try:
                status, ans, nbytes, why, body, chans, net_in = \
                    self.attempt(n, dev, part, p, local_dev, send_image)
                if status == 200:
                    self.flt.sent_images.add(key)
            finally:
                if owner is not None:
                    del self.flt.image_events[key]
                    owner.send(True)
            if status == 200:
                return self.settle(n, ans, chans, where,
                                   local_dev if p else None,
                                   len(body) + nbytes + net_in, tried)
            tried.append('%s: %s' % (where, why))
            if status == 503:
                busy += 1
        if busy and busy == len(tried):
            self.busy = True
        return {'node_state': 'not run', 'state': 'internal error',
                'message': 'no object server could run it (%s)'
                % '; '.join(tried), 'network_bytes': 0, 'tried': tried}

    def attempt(self, n, dev, part, p, local_dev, send_image):
        """One server: by digest, and with the image if its zvmd lacks it."""
        where = _where(dev)
        for _ in (0, 1):
            body, chans, net_in = self.spec(n, local_dev if p else None,
                                            send_image)
            self.flt.inflight[where] += 1
            try:
                status, ans, nbytes, why = self.flt.call(dev, part, p, body,
                                                         self.req)
            finally:
                self.flt.inflight[where] -= 1
            if status == 409 and not send_image:
                send_image = True        # that zvmd lost it: once more
                continue
            break
        return status, ans, nbytes, why, body, chans, net_in

    def settle(self, n, ans, chans, where, local, net, tried):
        h, blobs = ans
        r = dict(h.get('report', {}))
        rchans = r.get('channels', [])
        outs = [(c, rchans[i] if i < len(rchans) else {})
                for i, c in enumerate(chans) if c['src'] == 'out']
        ok = r.get('state') == 'ok' and r.get('exit_code') == 0
        limit_hit = False
        for (c, rc), data in zip(outs, blobs):
            a = c['alias']
            if a.startswith('/dev/out/'):
                if rc.get('limit_reached'):
                    limit_hit = True
                self.edges[(n.name, a[len('/dev/out/'):])] = data
                continue
            dev = a[len('/dev/'):]
            p = dict(n.devices).get(dev)
            if p:
                self.outputs.append((n.name, p, data))
            elif dev == 'stdout':
                self.stdout[n.name] = data
        if not ok or limit_hit:   # a failed node's edges are empty
            for d in n.outs:
                self.edges[(n.name, d)] = b''
        r['name'] = n.name
        r['node_state'] = r.get('state')
        r['exit_status'] = exit_status(r)
        r['server'] = where
        if local:
            r['object'] = '%s/%s/%s' % dict(n.devices)[local]
        r['data_local'] = bool(local)
        r['local_bytes'] = h.get('local_bytes', 0) if local else 0
        r['network_bytes'] = net
        if tried:
            r['tried'] = tried
        return r


class ZvmProxyFilter(object):
    def __init__(self, app, conf):
        self.app = app
        self.conf = conf
        self.logger = get_logger(conf, log_route='zvm')
        self.swift_dir = conf.get('swift_dir', '/etc/swift')
        self.my_ips = set(whataremyips(conf.get('bind_ip', '0.0.0.0')))
        self.my_ips.add('127.0.0.1')
        self.node_timeout = float(conf.get('node_timeout', 3600))
        self.conn_timeout = float(conf.get('conn_timeout', 2))
        self.slots = semaphore.Semaphore(int(conf.get('concurrency', 16)))
        self.images = {}          # (path, etag) -> (digest hex, bytes)
        self.image_cache_bytes = int(conf.get('image_cache_bytes', 256 << 20))
        self.sent_images = set()  # (server, image path) its zvmd has
        self.image_events = {}    # (server, image path) being sent -> Event
        self._rings = {}
        self.inflight = collections.Counter()  # server -> cells running

    # ---- rings
    def default_ring(self):
        return self._ring(0)

    def _ring(self, idx):
        if idx not in self._rings:
            self._rings[idx] = POLICIES.get_object_ring(idx, self.swift_dir)
        return self._rings[idx]

    def ring_for(self, req, p):
        info = get_container_info(self._env_for(req, p), self.app,
                                  swift_source='ZVM')
        idx = int(info.get('storage_policy') or 0)
        pol = POLICIES.get_by_index(idx)
        if pol is None or pol.policy_type != 'replication':
            raise Refused(400, '%s: only replicated storage policies can run '
                          'data-local jobs' % jobmap.swift_url(p))
        return self._ring(idx)

    def _env_for(self, req, p, method='HEAD'):
        return make_subrequest(req.environ, method, _quote(p),
                               swift_source='ZVM').environ

    # ---- the object servers
    def call(self, dev, part, p, body, req):
        """(status, (header, blobs) or None, answer bytes, why)."""
        path = '/%s/%s/%s' % p if p else ''
        headers = {'Content-Length': str(len(body)),
                   'X-Backend-Storage-Policy-Index': '0',
                   'X-Trans-Id': req.environ.get('swift.trans_id', ''),
                   'Content-Type': 'application/x-zvm-request'}
        try:
            with Timeout(self.conn_timeout):
                conn = http_connect(dev['ip'], dev['port'], dev['device'],
                                    part, wire.METHOD, path, headers)
            with Timeout(self.node_timeout):
                conn.send(body)
                resp = conn.getresponse()
                raw = resp.read()
        except (Exception, Timeout) as e:
            return 0, None, 0, 'unreachable (%s)' % (e.__class__.__name__)
        if resp.getheader(wire.MARK) != wire.MARK_VALUE:
            return resp.status, None, len(raw), (
                'answered %d without its zvm filter: refused' % resp.status)
        pos = [0]

        def rd(k):
            b = raw[pos[0]:pos[0] + k]
            pos[0] += len(b)
            return b
        try:
            h = wire.read_header(wire.ANSWER, rd)
        except wire.WireError as e:
            return 502, None, len(raw), 'a bad answer: %s' % e
        if resp.status != 200:
            return resp.status, None, len(raw), '%d %s' % (
                resp.status, h.get('error', ''))
        blobs = []
        for k in h.get('outputs', []):
            b = rd(int(k))
            if len(b) != int(k):
                return 502, None, len(raw), 'an answer cut short'
            blobs.append(b)
        return 200, (h, blobs), len(raw), 'ok'

    # ---- WSGI
    def __call__(self, env, start_response):
        req = swob.Request(env)
        if req.headers.get('X-Zvm-Execute') is None:
            if req.method == wire.METHOD:
                return swob.HTTPMethodNotAllowed()(env, start_response)
            return self.app(env, start_response)
        try:
            resp = self.handle(req)
        except Refused as e:
            resp = swob.Response(status=e.status, body=str(e) + '\n',
                                 content_type='text/plain')
            resp.headers['X-Zvm-State'] = 'refused'
        return resp(env, start_response)

    def handle(self, req):
        try:
            ver, account, rest = req.split_path(2, 3, True)
        except ValueError:
            raise Refused(400, 'a job is a POST to /v1/ACCOUNT')
        if req.method != 'POST' or rest:
            raise Refused(400, 'a job is a POST to /v1/ACCOUNT with '
                          'X-Zvm-Execute: 1 (docs/swift.md)')
        if req.headers.get('X-Zvm-Execute') not in ('1', 'true', 'yes'):
            raise Refused(400, 'X-Zvm-Execute: 1 runs a job; nothing else')
        if 'swift.authorize' not in req.environ:
            raise Refused(500, 'the zvm filter must come after authentication')
        if not req.environ.get('REMOTE_USER') and \
                req.headers.get('X-Identity-Status') != 'Confirmed':
            raise Refused(401, 'a job needs an authenticated token')
        body = req.body_file.read(jobmap.MAX_MAP + 1)
        try:
            spec = jobmap.load(body)
            nodes = jobmap.expand(spec, lambda a, c, pre:
                                  self.list_objects(req, a, c, pre))
        except jobmap.MapError as e:
            raise Refused(400, str(e))
        etags = self.authorize(req, nodes)
        images = self.load_images(req, nodes, etags)
        t0 = time.time()
        job = Job(self, req, nodes, images)
        job.run()
        wall = time.time() - t0
        return self.answer(req, job, wall)

    def list_objects(self, req, a, c, prefix):
        names, marker = [], ''
        while True:
            q = 'format=json&prefix=%s&marker=%s' % (
                swob.wsgi_quote(prefix), swob.wsgi_quote(marker))
            sub = make_subrequest(req.environ, 'GET',
                                  swob.wsgi_quote('/v1/%s/%s' % (a, c)),
                                  agent='%(orig)s zvm', swift_source='ZVM')
            sub.environ['QUERY_STRING'] = q
            resp = sub.get_response(self.app)
            if resp.status_int in (401, 403):
                raise Refused(403, 'swift://%s/%s: listing is not allowed (%s)'
                              % (a, c, resp.status))
            if resp.status_int == 404:
                raise Refused(404, 'swift://%s/%s: no such container'
                              % (a, c))
            if resp.status_int == 204:
                return names
            if resp.status_int // 100 != 2:
                raise Refused(502, 'swift://%s/%s: listing: %s'
                              % (a, c, resp.status))
            page = [o['name'] for o in json.loads(resp.body)]
            if not page:
                return names
            names += page
            marker = page[-1]

    def authorize(self, req, nodes):
        """Every path through Swift's own checks, before anything runs."""
        reads, writes, etags = set(), set(), {}
        for n in nodes:
            reads.add(n.image)
            reads.update(n.reads())
            writes.update(n.writes())
        for p in sorted(reads):
            sub = make_subrequest(req.environ, 'HEAD', _quote(p),
                                  agent='%(orig)s zvm', swift_source='ZVM')
            resp = sub.get_response(self.app)
            if resp.status_int in (401, 403):
                raise Refused(403, '%s: reading is not allowed (%s); nothing '
                              'ran' % (jobmap.swift_url(p), resp.status))
            if resp.status_int == 404:
                raise Refused(404, '%s: no such object; nothing ran'
                              % jobmap.swift_url(p))
            if resp.status_int // 100 != 2:
                raise Refused(502, '%s: %s' % (jobmap.swift_url(p),
                                               resp.status))
            etags[p] = resp.headers.get('Etag')
        for p in sorted(writes):
            sub = make_subrequest(req.environ, 'PUT', _quote(p),
                                  swift_source='ZVM')
            info = get_container_info(sub.environ, self.app,
                                      swift_source='ZVM')
            if not info or info.get('status', 0) // 100 != 2:
                raise Refused(404, '%s: no such container; nothing ran'
                              % jobmap.swift_url(p))
            sub.acl = info.get('write_acl')
            denied = req.environ['swift.authorize'](sub)
            if denied:
                raise Refused(403, '%s: writing is not allowed; nothing ran'
                              % jobmap.swift_url(p))
        return etags

    def load_images(self, req, nodes, etags):
        """Each distinct image once: (digest, bytes), kept by path and
        ETag (the HEAD of authorize() just read it), so a job after the
        first reads no image; object servers whose zvmd has it get only
        the digest."""
        out = {}
        for p in sorted(set(n.image for n in nodes)):
            key = (p, etags.get(p))
            if key[1] and key in self.images:
                out[p] = self.images[key]
                continue
            sub = make_subrequest(req.environ, 'GET', _quote(p),
                                  agent='%(orig)s zvm', swift_source='ZVM')
            resp = sub.get_response(self.app)
            if resp.status_int // 100 != 2:
                raise Refused(403 if resp.status_int in (401, 403) else 404,
                              '%s: %s' % (jobmap.swift_url(p), resp.status))
            data = resp.body
            out[p] = (hashlib.sha256(data).hexdigest(), data)
            if sum(len(v[1]) for v in self.images.values()) + len(data) > \
                    self.image_cache_bytes:
                self.images.clear()
            if resp.headers.get('Etag') == key[1] and \
                    len(data) <= self.image_cache_bytes:
                self.images[key] = out[p]
        return out

    def answer(self, req, job, wall):
        if job.busy:
            resp = swob.Response(status=503, body='zvmd busy on every object '
                                 'server that could run a node\n',
                                 headers={'Retry-After': '1'})
            resp.headers['X-Zvm-State'] = 'busy'
            return resp
        written = 0
        write_errors = []
        for name, p, data in job.outputs:
            sub = make_subrequest(req.environ, 'PUT', _quote(p), body=data,
                                  headers={'Content-Length': str(len(data))},
                                  agent='%(orig)s zvm', swift_source='ZVM')
            resp = sub.get_response(self.app)
            if resp.status_int // 100 != 2:
                write_errors.append('%s: %s' % (jobmap.swift_url(p),
                                                resp.status))
                job.results[name]['write_error'] = resp.status
            else:
                written += len(data)
        order = sorted(job.nodes, key=lambda n: job.nodes.index(n))
        by_map = sorted(job.nodes, key=lambda n: n.seq)
        results = [job.results[n.name] for n in order]
        bad = [r for r in results
               if r.get('node_state') != 'ok' or r.get('exit_status') != 0]
        worst = bad[0] if bad else None
        state = 'ok' if not bad and not write_errors else 'failed'
        net = sum(r.get('network_bytes', 0) for r in results) + written
        report = {'state': state,
                  'exit_status': worst.get('exit_status', 127) if worst
                  else 0, 'wall_seconds': round(wall, 6),
                  'nodes_total': len(results), 'nodes_failed': len(bad),
                  'data_local_nodes': sum(1 for r in results
                                          if r.get('data_local')),
                  'network_bytes': net, 'written_bytes': written,
                  'nodes': results}
        if worst:
            report['worst_node'] = worst['name'] if 'name' in worst else ''
        if write_errors:
            report['write_errors'] = write_errors
        stdout = b''.join(job.stdout.get(n.name, b'') for n in by_map)
        if req.params.get('report') == 'json':
            body = json.dumps(report).encode() + b'\n'
            ctype = 'application/json'
        else:
            body = stdout
            ctype = 'application/octet-stream'
        resp = swob.Response(status=200, body=body, content_type=ctype)
        h = resp.headers
        h['X-Zvm-State'] = state
        h['X-Zvm-Exit-Status'] = str(report['exit_status'])
        h['X-Zvm-Nodes'] = str(len(results))
        h['X-Zvm-Nodes-Failed'] = str(len(bad))
        h['X-Zvm-Data-Local-Nodes'] = str(report['data_local_nodes'])
        h['X-Zvm-Network-Bytes'] = str(net)
        h['X-Zvm-Wall-Seconds'] = '%.3f' % wall
        for r in results[:MAX_NODE_HEADERS]:
            h['X-Zvm-Node-' + r.get('name', '?')] = (
                'state=%s exit=%s server=%s local=%d net=%d' % (
                    r.get('node_state', '').replace(' ', '_'),
                    r.get('exit_status', ''), r.get('server', '-'),
                    1 if r.get('data_local') else 0,
                    r.get('network_bytes', 0)))
        return resp


def filter_factory(global_conf, **local_conf):
    conf = dict(global_conf)
    conf.update(local_conf)
    return lambda app: ZvmProxyFilter(app, conf)
