"""The object server's zvm filter (docs/swift.md): runs one cell of a job
on this server's zvmd, its input the object's own .data file.

    [pipeline:main]
    pipeline = zvm object-server
    [filter:zvm]
    paste.filter_factory = zvm_swift.objfilter:filter_factory
    zvmd_socket = /run/zvm.sock

The proxy filter sends `ZVMEXEC /device/partition/account/container/object`
(or `ZVMEXEC /device` for a cell that reads no object of its own): a
method plain Swift answers 405, so a job can never become a metadata
POST. The .data file is opened here through Swift's DiskFile (which
checks it is the current version, not expired, not deleted) and its fd
handed to zvmd: the object's bytes cross neither the network nor a copy.
Every other input comes in the request body, every output goes back in
the answer; the answer carries X-Zvm-Object-Filter, which the proxy
requires.
"""
import os
import tempfile

from zvm_swift import wire, zvmproto

try:
    from eventlet import tpool
except ImportError:  # pragma: no cover
    tpool = None

DEFAULT_MAX_OUTPUT = 1 << 30


def _answer(start_response, status, header=None, blobs=(), extra=()):
    body = wire.pack(wire.ANSWER, header or {}, blobs) if header is not None \
        else b''
    hdrs = [(wire.MARK, wire.MARK_VALUE), ('Content-Length', str(len(body))),
            ('Content-Type', 'application/x-zvm-answer')] + list(extra)
    start_response(status, hdrs)
    return [body]


class ZvmObjectFilter(object):
    def __init__(self, app, conf):
        self.app = app
        self.socket = conf.get('zvmd_socket', '/run/zvm.sock')
        self.max_output = int(conf.get('max_output_bytes', DEFAULT_MAX_OUTPUT))
        self.tmp = conf.get('tmp_dir') or None

    def __call__(self, env, start_response):
        if env.get('REQUEST_METHOD') != wire.METHOD:
            return self.app(env, start_response)
        try:
            return self.execute(env, start_response)
        except wire.WireError as e:
            return _answer(start_response, '400 Bad Request',
                           {'error': str(e)})

    def _diskfile_fd(self, env, parts):
        """An fd of the object's .data file, and its size; None if this
        server holds no current copy."""
        from swift.common.storage_policy import POLICIES
        from swift.obj import diskfile as df_mod
        device, partition, account, container, obj = parts
        policy = POLICIES.get_by_index(
            int(env.get('HTTP_X_BACKEND_STORAGE_POLICY_INDEX', '0')))
        if policy is None or policy.policy_type != 'replication':
            raise wire.WireError('only replicated storage policies hold whole'
                                 ' objects')
        try:
            df = self.app.get_diskfile(device, partition, account, container,
                                       obj, policy=policy)
            df.open()
        except (df_mod.DiskFileNotExist, df_mod.DiskFileDeviceUnavailable,
                df_mod.DiskFileQuarantined, df_mod.DiskFileExpired,
                df_mod.DiskFileDeleted, df_mod.DiskFileCollision):
            return None, 0
        try:
            fd = os.dup(df._fp.fileno())
            size = int(df.get_metadata().get('Content-Length', 0))
        finally:
            df._fp.close()
            df._fp = None
        os.lseek(fd, 0, os.SEEK_SET)
        return fd, size

    def execute(self, env, start_response):
        path = env.get('PATH_INFO', '').lstrip('/').split('/', 4)
        inp = env['wsgi.input']
        h = wire.read_header(wire.REQUEST, inp.read)
        fds, outs = [], []
        try:
            local_fd, local_size = None, 0
            if len(path) == 5:
                local_fd, local_size = self._diskfile_fd(env, path)
                if local_fd is None:
                    return _answer(start_response, '404 Not Found',
                                   {'error': 'no copy of /%s here'
                                    % '/'.join(path[2:])})
                fds.append(local_fd)
            image_fd = None
            if h.get('image'):
                f = tempfile.TemporaryFile(dir=self.tmp)
                outs.append(f)
                if not wire.copy_exact(inp.read, int(h['image']), f):
                    raise wire.WireError('the image is cut short')
                f.flush()
                image_fd = f.fileno()
            channels, out_files = [], []
            for c in h.get('channels', []):
                src = c.get('src')
                alias = c.get('alias', '')
                if src == 'local':
                    if local_fd is None:
                        raise wire.WireError('%s: no local object' % alias)
                    fd = local_fd
                elif src == 'blob':
                    f = tempfile.TemporaryFile(dir=self.tmp)
                    outs.append(f)
                    if not wire.copy_exact(inp.read, int(c.get('len', 0)), f):
                        raise wire.WireError('%s is cut short' % alias)
                    f.flush()
                    f.seek(0)
                    fd = f.fileno()
                elif src == 'null':
                    fd = os.open('/dev/null', os.O_RDWR)
                    fds.append(fd)
                elif src == 'out':
                    f = tempfile.TemporaryFile(dir=self.tmp)
                    outs.append(f)
                    out_files.append(f)
                    fd = f.fileno()
                else:
                    raise wire.WireError('%s: unknown source %r' % (alias, src))
                limit = min(int(c.get('max', self.max_output)),
                            self.max_output) if src == 'out' \
                    else zvmproto.NO_LIMIT
                channels.append(zvmproto.Channel(
                    fd, alias, read=src != 'out', write=src == 'out',
                    random=bool(c.get('random')), max_bytes=limit))
            digest = None if image_fd is not None else \
                bytes.fromhex(h.get('digest', ''))
            kw = dict(image_fd=image_fd, digest=digest,
                      program=h.get('argv0', 'program'),
                      args=h.get('args', []), env=h.get('env', []),
                      memory=h.get('memory', 0), timeout=h.get('timeout', 0),
                      cpu_time=h.get('cpu_time', 0))
            try:
                if tpool is not None:
                    report = tpool.execute(zvmproto.submit, self.socket,
                                           channels, **kw)
                else:
                    report = zvmproto.submit(self.socket, channels, **kw)
            except zvmproto.ZvmdError as e:
                if e.code in (zvmproto.ERR_BUSY, zvmproto.ERR_LIMIT):
                    return _answer(start_response, '503 Service Unavailable',
                                   {'error': 'zvmd: %s' % e},
                                   extra=[('Retry-After', '1')])
                if e.code == zvmproto.ERR_NOT_FOUND:
                    return _answer(start_response, '409 Conflict',
                                   {'error': 'need the image',
                                    'need_image': True})
                return _answer(start_response, '502 Bad Gateway',
                               {'error': 'zvmd: %s' % e})
            except (OSError, zvmproto.ProtocolError) as e:
                return _answer(start_response, '503 Service Unavailable',
                               {'error': 'zvmd at %s: %s' % (self.socket, e)})
            blobs, sizes = [], []
            for f in out_files:
                f.seek(0)
                b = f.read()
                blobs.append(b)
                sizes.append(len(b))
            return _answer(start_response, '200 OK',
                           {'report': report, 'outputs': sizes,
                            'local_bytes': local_size,
                            'device': path[0] if path else ''}, blobs)
        finally:
            for fd in fds:
                os.close(fd)
            for f in outs:
                f.close()


def filter_factory(global_conf, **local_conf):
    conf = dict(global_conf)
    conf.update(local_conf)
    return lambda app: ZvmObjectFilter(app, conf)
