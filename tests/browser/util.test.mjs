// The playground's pure helpers (playground/src/util.js) under Node's test
// runner: argument splitting, the share fragment both ways, the verdict's
// words, truncation notes, units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgs, encodeShare, decodeShare, verdictOf, truncationNotes, formatBytes, formatMs, kib } from '../../playground/src/util.js';

test('arguments are split as a shell would', () => {
  const rows = [
    ['', []], ['  ', []], ['a b  c', ['a', 'b', 'c']], ['a "b c" d', ['a', 'b c', 'd']],
    ["'x y' z", ['x y', 'z']], ['"a\\"b"', ['a"b']], ['a\\ b', ['a b']], ['""', ['']], ["it's", ['its']],
    ['"unterminated', ['unterminated']], ['é ✓', ['é', '✓']],
  ];
  for (const [text, want] of rows) assert.deepEqual(splitArgs(text), want, JSON.stringify(text));
});

test('a share fragment decodes to what was encoded', async () => {
  const state = { language: 'c', source: 'int main(void) { return 7; } /* é ✓ \u0000 */\n'.repeat(50), stdin: '1 2\n', args: 'a "b c"' };
  const frag = await encodeShare(state);
  assert.match(frag, /^[zj]=[A-Za-z0-9_-]+$/);
  assert.ok(frag.length < JSON.stringify(state).length, 'deflated: shorter than the JSON');
  assert.deepEqual(await decodeShare('#' + frag), state);
  const plain = 'j=' + Buffer.from(JSON.stringify({ source: 's' })).toString('base64url');
  assert.deepEqual(await decodeShare(plain), { language: 'c', source: 's', stdin: '', args: '' });
});

test('a fragment that is not a share gives null or throws, never a half state', async () => {
  assert.equal(await decodeShare('#section-2'), null);
  assert.equal(await decodeShare('j=' + Buffer.from('{"source": 3}').toString('base64url')), null);
  assert.equal(await decodeShare('j=' + Buffer.from('[1]').toString('base64url')), null);
  await assert.rejects(decodeShare('z=AAAA'));
});

test('verdicts: compile stage, run stage, Piston codes and zvm\'s own', () => {
  assert.equal(verdictOf({ compile: { status: 'RE' } }).code, 'CE');
  assert.equal(verdictOf({ compile: { status: 'TO', message: 'compile time limit exceeded' } }).text, 'compile time limit exceeded (while compiling)');
  assert.deepEqual(verdictOf({ compile: { status: null }, run: { status: null, code: 0 } }),
    { stage: 'run', code: 'OK', cls: 'ok', text: 'exited with code 0' });
  assert.equal(verdictOf({ run: { status: 'RE', code: 3 } }).text, 'runtime error (exit code 3)');
  assert.equal(verdictOf({ run: { status: 'TO', message: 'wall-time limit exceeded after 3.001 s' } }).text,
    'time limit exceeded: wall-time limit exceeded after 3.001 s');
  assert.equal(verdictOf({ run: { status: 'VF' } }).text, 'validation failed');
  assert.equal(verdictOf({ run: { status: 'SV' } }).text, 'seccomp violation');
  assert.equal(verdictOf({ run: { status: 'XY' } }).text, 'XY');
});

test('truncation notes name the limit', () => {
  assert.deepEqual(truncationNotes({ truncated: { stdout: true, stderr: false, limit: 65536 } }), { stdout: 'truncated at 64 KiB', stderr: '' });
  assert.deepEqual(truncationNotes({ truncated: { stdout: false, stderr: true, limit: 1536 } }), { stdout: '', stderr: 'truncated at 1.5 KiB' });
  assert.deepEqual(truncationNotes({}), { stdout: '', stderr: '' });
  assert.deepEqual(truncationNotes({ truncated: true }), { stdout: '', stderr: '' });
});

test('units', () => {
  assert.equal(formatBytes(null), '–');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2560), '2.5 KiB');
  assert.equal(formatBytes(3 << 20), '3.0 MiB');
  assert.equal(formatMs(0), '< 1 ms');
  assert.equal(formatMs(12), '12 ms');
  assert.equal(formatMs(3001), '3.00 s');
  assert.equal(kib(65536), '64 KiB');
});
