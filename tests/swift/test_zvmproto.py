"""The Python client of zvmd's protocol: the bytes it writes and how it
reads answers, against docs/protocol.md (a real zvmd checks it again in
t_swift.sh)."""
import os
import socket
import struct
import threading
import unittest

from zvm_swift import zvmproto as z


def fld(tag, v):
    return struct.pack('<HI', tag, len(v)) + v


class Framing(unittest.TestCase):
    def test_status_is_the_documented_16_bytes(self):
        self.assertEqual(z.frame(z.STATUS, b'').hex(),
                         '5a564d31010002000000000000000000')

    def test_oversized_payload_refused(self):
        self.assertRaises(ValueError, z.frame, z.SUBMIT, b'x' * (z.MAX_PAYLOAD + 1))

    def test_fields_running_past_the_end_refused(self):
        self.assertRaises(z.ProtocolError, z.fields, fld(1, b'abcd')[:-1])
        self.assertRaises(z.ProtocolError, z.fields, b'\x01\x00\x04')


class Submit(unittest.TestCase):
    def test_by_fd_image_is_fd_0_and_channels_follow(self):
        ch = [z.Channel(5, '/dev/stdin', read=True),
              z.Channel(6, '/dev/stdout', write=True, max_bytes=100)]
        f = z.fields(z.encode_submit(ch, program='mapper', args=['a', 'b']))
        self.assertEqual(f[0], (1, struct.pack('<I', 0)))
        self.assertIn((12, b'mapper'), f)
        self.assertEqual([v for t, v in f if t == 9], [b'a', b'b'])
        chans = [v for t, v in f if t == 11]
        self.assertEqual(struct.unpack_from('<IIQQQQ', chans[0]),
                         (1, 0, z.NO_LIMIT, z.NO_LIMIT, 0, 0))
        self.assertEqual(chans[0][40:], b'/dev/stdin')
        self.assertEqual(struct.unpack_from('<IIQQQQ', chans[1]),
                         (2, 0, 0, 0, z.NO_LIMIT, 100))

    def test_by_digest_channels_from_fd_0(self):
        ch = [z.Channel(5, '/dev/input', read=True, random=True)]
        f = z.fields(z.encode_submit(ch, digest=b'\1' * 32))
        self.assertEqual(f[0], (2, b'\1' * 32))
        c = [v for t, v in f if t == 11][0]
        self.assertEqual(struct.unpack_from('<II', c), (0, 1))

    def test_limits_only_when_given(self):
        f = dict(z.fields(z.encode_submit([], memory=64 << 20, timeout=2)))
        self.assertEqual(f[3], struct.pack('<Q', 64 << 20))
        self.assertEqual(f[4], struct.pack('<d', 2.0))
        self.assertNotIn(5, f)

    def test_bad_input_refused_before_sending(self):
        self.assertRaises(ValueError, z.Channel, 1, 'dev/stdin')
        self.assertRaises(ValueError, z.Channel, 1, '/' + 'x' * 63)
        self.assertRaises(ValueError, z.encode_submit, [], args=['a\0b'])
        self.assertRaises(ValueError, z.encode_submit, [], env=['NOEQUALS'])
        self.assertRaises(ValueError, z.encode_submit, [], digest=b'short')
        self.assertRaises(ValueError, z.encode_submit,
                          [z.Channel(1, '/a', read=True)] * 65)


class Answers(unittest.TestCase):
    def report(self):
        ch = struct.pack('<QQQQB32s', 1, 10, 2, 20, 1, b'\xaa' * 32) + b'/dev/stdout'
        return (fld(1, struct.pack('<I', 0)) + fld(2, struct.pack('<I', 3)) +
                fld(13, struct.pack('<d', 0.5)) + fld(12, b'hi') +
                fld(18, struct.pack('<Q', 99)) + fld(25, ch) +
                fld(999, b'a future field'))

    def test_report(self):
        r = z.decode_report(self.report())
        self.assertEqual((r['state'], r['exit_code'], r['wall_seconds'],
                          r['message'], r['peak_rss_kib']),
                         ('ok', 3, 0.5, 'hi', 99))
        self.assertEqual(r['channels'][0]['alias'], '/dev/stdout')
        self.assertEqual(r['channels'][0]['write_bytes'], 20)
        self.assertTrue(r['channels'][0]['limit_reached'])

    def test_report_without_state_or_bad_sizes_refused(self):
        self.assertRaises(z.ProtocolError, z.decode_report, fld(2, b'\0' * 4))
        self.assertRaises(z.ProtocolError, z.decode_report, fld(1, b'\0' * 3))
        self.assertRaises(z.ProtocolError, z.decode_report,
                          fld(1, b'\0' * 4) + fld(25, b'\0' * 10))

    def test_unknown_state_is_internal_error(self):
        self.assertEqual(z.decode_report(fld(1, struct.pack('<I', 77)))['state'],
                         'internal error')

    def test_error(self):
        e = z.decode_error(fld(1, struct.pack('<I', 3)) + fld(2, b'queue full'))
        self.assertEqual((e.code, e.text), (3, 'queue full'))

    def serve(self, answer):
        """A fake zvmd on a socketpair-like Unix socket: records what came
        (bytes and fds) and sends `answer`."""
        a, b = socket.socketpair()
        got = {}

        def run():
            msg, fds, _, _ = socket.recv_fds(b, 1 << 16, 8)
            data = msg
            while len(data) < 16 or len(data) < 16 + struct.unpack_from('<I', data, 8)[0]:
                data += b.recv(1 << 16)
            got['data'], got['fds'] = data, fds
            b.sendall(answer)
            b.close()
        t = threading.Thread(target=run)
        t.start()
        return a, got, t

    def test_fds_go_with_the_first_byte_and_report_is_read(self):
        a, got, t = self.serve(z.frame(z.REPORT, self.report()))
        r_fd, w_fd = os.pipe()
        z._send(a, z.frame(z.SUBMIT, z.encode_submit(
            [z.Channel(r_fd, '/dev/stdin', read=True)], digest=b'\0' * 32)), [r_fd])
        mtype, body = z.read_message(a)
        t.join()
        self.assertEqual(len(got['fds']), 1)
        self.assertEqual(got['data'][:4], struct.pack('<I', z.MAGIC))
        self.assertEqual(mtype, z.REPORT)
        self.assertEqual(z.decode_report(body)['exit_code'], 3)
        for fd in got['fds'] + [r_fd, w_fd]:
            os.close(fd)

    def test_bad_answers_refused(self):
        for bad in (b'XXXX' + z.frame(z.REPORT, b'')[4:],
                    struct.pack('<IHHII', z.MAGIC, 2, z.REPORT, 0, 0),
                    struct.pack('<IHHII', z.MAGIC, 1, z.REPORT, z.MAX_PAYLOAD + 1, 0),
                    z.frame(z.REPORT, b'abc')[:-1]):
            a, b = socket.socketpair()
            b.sendall(bad)
            b.close()
            self.assertRaises(z.ProtocolError, z.read_message, a)
            a.close()


if __name__ == '__main__':
    unittest.main()
