"""zvmd's binary protocol, version 1 (docs/protocol.md), for one job.

What the object filter needs: SUBMIT a cell (its image by fd or by
digest, its channels as fds passed with SCM_RIGHTS), read the REPORT or
the ERROR; STATUS. Pure Python, no Swift import, so it is unit-tested
alone (tests/swift/test_zvmproto.py) and the same encoding rules as
protocol/framing.c are checked against a real zvmd by t_swift.sh.
"""
import hashlib
import socket as _stdsocket
import struct

try:  # inside Swift's servers eventlet has patched socket: talk to zvmd
    from eventlet.patcher import original  # from a real thread, blocking
    _socket = original('socket')
except ImportError:  # pragma: no cover - plain Python (the unit tests)
    _socket = _stdsocket

MAGIC = 0x314d565a
VERSION = 1
HEADER = struct.Struct('<IHHII')
MAX_PAYLOAD = 1 << 20

SUBMIT, STATUS, UPLOAD = 1, 2, 3
REPORT, STATUS_REPLY, DIGEST, ERROR = 0x81, 0x82, 0x83, 0x84

NO_LIMIT = (1 << 64) - 1
MAX_CHANNELS = 64
MAX_ALIAS = 63

# enum zvm_channel_type (runtime/include/zvm.h)
SEQ_READ_SEQ_WRITE, RND_READ_SEQ_WRITE = 0, 1

# enum zvm_state (sfi/sfi.h), in order
STATES = ('ok', 'timeout', 'cpu limit', 'memory limit', 'killed by signal',
          'validation failed', 'seccomp violation', 'load error',
          'internal error')

# ERROR codes
ERR_NAMES = {1: 'malformed', 2: 'oversized', 3: 'busy', 4: 'not found',
             5: 'version', 6: 'permission', 7: 'internal', 8: 'limit',
             9: 'timeout'}
ERR_BUSY, ERR_NOT_FOUND, ERR_LIMIT = 3, 4, 8


class ProtocolError(Exception):
    """An answer zvmd (or whatever is on the socket) got wrong."""


class ZvmdError(Exception):
    """zvmd answered ERROR: .code (ERR_*) and .text."""

    def __init__(self, code, text):
        Exception.__init__(self, '%s: %s' % (ERR_NAMES.get(code, code), text))
        self.code = code
        self.text = text


class Channel(object):
    """One channel of a cell: an fd, its alias, reads or writes allowed."""

    def __init__(self, fd, alias, read=False, write=False,
                 random=False, max_bytes=NO_LIMIT):
        if not alias.startswith('/') or len(alias.encode()) > MAX_ALIAS:
            raise ValueError('alias %r: absolute, at most %d bytes'
                             % (alias, MAX_ALIAS))
        self.fd = fd
        self.alias = alias
        self.read = read
        self.write = write
        self.random = random
        self.max_bytes = max_bytes


def field(tag, value):
    return struct.pack('<HI', tag, len(value)) + value


def frame(mtype, payload):
    if len(payload) > MAX_PAYLOAD:
        raise ValueError('payload of %d bytes is over 1 MiB' % len(payload))
    return HEADER.pack(MAGIC, VERSION, mtype, len(payload), 0) + payload


def encode_submit(channels, digest=None, program='program', args=(),
                  env=(), memory=0, timeout=0.0, cpu_time=0.0):
    """A SUBMIT payload. The image is fd 0 unless `digest` (32 bytes) is
    given; channel i's fd is then fd i + 1 (or i by digest)."""
    if len(channels) > MAX_CHANNELS:
        raise ValueError('more than %d channels' % MAX_CHANNELS)
    if len(args) > 256 or len(env) > 256:
        raise ValueError('more than 256 arguments or environment entries')
    p = []
    if digest is None:
        p.append(field(1, struct.pack('<I', 0)))
        first = 1
    else:
        if len(digest) != 32:
            raise ValueError('a digest is 32 bytes')
        p.append(field(2, digest))
        first = 0
    name = program.encode()[:63]
    if name:
        p.append(field(12, name))
    if memory:
        p.append(field(3, struct.pack('<Q', int(memory))))
    if timeout:
        p.append(field(4, struct.pack('<d', float(timeout))))
    if cpu_time:
        p.append(field(5, struct.pack('<d', float(cpu_time))))
    p.append(field(6, struct.pack('<I', 1)))
    p.append(field(7, struct.pack('<Q', 0)))
    p.append(field(8, struct.pack('<Q', 0)))
    for a in args:
        b = a.encode()
        if b'\0' in b:
            raise ValueError('an argument holds a NUL')
        p.append(field(9, b))
    for e in env:
        b = e.encode()
        if b'\0' in b or b'=' not in b:
            raise ValueError('an environment entry is NAME=value, no NUL')
        p.append(field(10, b))
    for i, c in enumerate(channels):
        ctype = RND_READ_SEQ_WRITE if c.random else SEQ_READ_SEQ_WRITE
        gets = NO_LIMIT if c.read else 0
        gsize = c.max_bytes if c.read else 0
        puts = NO_LIMIT if c.write else 0
        psize = c.max_bytes if c.write else 0
        p.append(field(11, struct.pack('<IIQQQQ', first + i, ctype, gets,
                                       gsize, puts, psize)
                       + c.alias.encode()))
    return b''.join(p)


def fields(payload):
    """(tag, value) pairs of a payload; refuses one running past the end."""
    pos = 0
    out = []
    while pos < len(payload):
        if len(payload) - pos < 6:
            raise ProtocolError('field header cut short at offset %d' % pos)
        tag, n = struct.unpack_from('<HI', payload, pos)
        if n > len(payload) - pos - 6:
            raise ProtocolError('field %d at offset %d runs past the end'
                                % (tag, pos))
        out.append((tag, payload[pos + 6:pos + 6 + n]))
        pos += 6 + n
    return out


def _int(v, tag):
    if len(v) == 4:
        return struct.unpack('<I', v)[0]
    if len(v) == 8:
        return struct.unpack('<Q', v)[0]
    raise ProtocolError('field %d: an integer of %d bytes' % (tag, len(v)))


def _f64(v, tag):
    if len(v) != 8:
        raise ProtocolError('field %d: seconds of %d bytes' % (tag, len(v)))
    return struct.unpack('<d', v)[0]


_REPORT_INT = {1: 'state', 2: 'exit_code', 3: 'signal', 4: 'fault_addr',
               5: 'fault_pc', 6: 'fault_in_sandbox', 8: 'syscall_nr',
               10: 'offset', 17: 'validation_cached', 18: 'peak_rss_kib',
               19: 'heap_peak', 20: 'heap_refused', 23: 'cgroup_peak',
               24: 'oom', 26: 'map_node'}
_REPORT_F64 = {13: 'wall_seconds', 14: 'cpu_user_seconds',
               15: 'cpu_system_seconds', 16: 'validation_seconds',
               21: 'queue_seconds', 22: 'handout_seconds'}
_REPORT_STR = {7: 'syscall', 9: 'rule', 11: 'instruction', 12: 'message'}
_CHANNEL = struct.Struct('<QQQQB32s')


def decode_report(payload):
    """A REPORT as a dict (docs/report.md's names); unknown tags skipped,
    as a version-1 client must."""
    r = {'channels': []}
    for tag, v in fields(payload):
        if tag in _REPORT_INT:
            r[_REPORT_INT[tag]] = _int(v, tag)
        elif tag in _REPORT_F64:
            r[_REPORT_F64[tag]] = _f64(v, tag)
        elif tag in _REPORT_STR:
            r[_REPORT_STR[tag]] = v.decode('utf-8', 'replace')
        elif tag == 25:
            if len(v) < _CHANNEL.size:
                raise ProtocolError('field 25 (channel): %d bytes' % len(v))
            reads, rbytes, writes, wbytes, lim, sha = _CHANNEL.unpack_from(v)
            r['channels'].append({
                'alias': v[_CHANNEL.size:].decode('utf-8', 'replace'),
                'reads': reads, 'read_bytes': rbytes, 'writes': writes,
                'write_bytes': wbytes, 'limit_reached': bool(lim),
                'sha256': sha.hex()})
    if 'state' not in r:
        raise ProtocolError('a REPORT without a state')
    st = r['state']
    r['state'] = STATES[st] if st < len(STATES) else 'internal error'
    return r


def decode_error(payload):
    code, text = 7, ''
    for tag, v in fields(payload):
        if tag == 1:
            code = _int(v, tag)
        elif tag == 2:
            text = v.decode('utf-8', 'replace')
    return ZvmdError(code, text)


def decode_status(payload):
    names = {1: 'pool', 2: 'warm', 3: 'busy', 4: 'queued', 5: 'queue_max',
             6: 'jobs', 7: 'ok', 8: 'failed', 9: 'refused_busy'}
    s = {}
    for tag, v in fields(payload):
        if tag in names:
            s[names[tag]] = _int(v, tag)
        elif tag == 10:
            s['uptime'] = _f64(v, tag)
    return s


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ProtocolError('zvmd closed the connection after %d of %d'
                                ' bytes' % (len(buf), n))
        buf += chunk
    return bytes(buf)


def read_message(sock):
    """(type, payload) of the next message; checks the header."""
    magic, ver, mtype, n, res = HEADER.unpack(_recv_exact(sock, HEADER.size))
    if magic != MAGIC or res != 0:
        raise ProtocolError('bad magic or reserved field in an answer')
    if ver != VERSION:
        raise ProtocolError('answer of version %d' % ver)
    if n > MAX_PAYLOAD:
        raise ProtocolError('answer of %d bytes is over 1 MiB' % n)
    return mtype, _recv_exact(sock, n)


def _connect(path, timeout):
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def _send(sock, data, fds):
    # the fds travel with the first byte (docs/protocol.md, "Framing")
    sent = _socket.send_fds(sock, [data[:1]], list(fds)) if fds else 0
    if fds and sent != 1:
        raise ProtocolError('the first byte did not go with the fds')
    sock.sendall(data[1:] if fds else data)


def submit(path, channels, image_fd=None, digest=None, program='program',
           args=(), env=(), memory=0, timeout=0.0, cpu_time=0.0,
           wait=3600.0):
    """Run one cell on the zvmd at `path`; its report (a dict). Raises
    ZvmdError for an ERROR answer (busy, not found, ...)."""
    if (image_fd is None) == (digest is None):
        raise ValueError('name the image by fd or by digest, exactly once')
    payload = encode_submit(channels, digest=digest, program=program,
                            args=args, env=env, memory=memory,
                            timeout=timeout, cpu_time=cpu_time)
    fds = ([] if image_fd is None else [image_fd]) + [c.fd for c in channels]
    s = _connect(path, wait)
    try:
        try:
            _send(s, frame(SUBMIT, payload), fds)
        except (BrokenPipeError, ConnectionResetError):
            pass  # zvmd may answer (and close) before reading it all
        mtype, body = read_message(s)
    finally:
        s.close()
    if mtype == ERROR:
        raise decode_error(body)
    if mtype != REPORT:
        raise ProtocolError('answer of type 0x%x to a SUBMIT' % mtype)
    return decode_report(body)


def status(path, wait=5.0):
    s = _connect(path, wait)
    try:
        _send(s, frame(STATUS, b''), [])
        mtype, body = read_message(s)
    finally:
        s.close()
    if mtype == ERROR:
        raise decode_error(body)
    if mtype != STATUS_REPLY:
        raise ProtocolError('answer of type 0x%x to a STATUS' % mtype)
    return decode_status(body)


def sha256(data):
    return hashlib.sha256(data).digest()
