"""The proxy filter and the object filter talk in one framing: a magic, a
JSON header's length (u32, big-endian), the JSON, then the blobs the
header counts, back to back. Requests are ZVMJ, answers ZVMR; an answer
that is not one is refused by the proxy (docs/swift.md, "Security")."""
import json
import struct

REQUEST = b'ZVMJ'
ANSWER = b'ZVMR'
MAX_HEADER = 1 << 20
METHOD = 'ZVMEXEC'        # a method plain Swift refuses (405)
MARK = 'X-Zvm-Object-Filter'
MARK_VALUE = 'zvm/1'


class WireError(ValueError):
    pass


def pack(magic, header, blobs=()):
    h = json.dumps(header, separators=(',', ':')).encode()
    return b''.join([magic, struct.pack('>I', len(h)), h] + list(blobs))


def read_header(magic, read):
    """read(n) -> bytes. Returns the JSON header; blobs follow in read()."""
    head = read(8)
    if len(head) != 8 or head[:4] != magic:
        raise WireError('not a zvm %s' % ('request' if magic == REQUEST
                                          else 'answer'))
    n = struct.unpack('>I', head[4:])[0]
    if n > MAX_HEADER:
        raise WireError('a header of %d bytes' % n)
    raw = read(n)
    if len(raw) != n:
        raise WireError('the header is cut short')
    try:
        h = json.loads(raw.decode())
    except ValueError as e:
        raise WireError('the header: %s' % e)
    if not isinstance(h, dict):
        raise WireError('the header is no object')
    return h


def copy_exact(read, n, out, chunk=1 << 16):
    """Copy exactly n bytes from read() to out.write(); False if cut short."""
    while n > 0:
        b = read(min(chunk, n))
        if not b:
            return False
        out.write(b)
        n -= len(b)
    return True
