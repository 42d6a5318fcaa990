// The page's pure helpers: arguments split as a shell would (quotes,
// backslashes), the share link's encoding, and the verdict's words.

export function splitArgs(text) {
  const out = [];
  let cur = '', inWord = false, quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c; inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i]; inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) { out.push(cur); cur = ''; inWord = false; }
    } else {
      cur += c; inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

function toBase64Url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

async function pipe(bytes, stream) {
  const r = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(r).arrayBuffer());
}

// The fragment: "z=" and the state as deflated JSON (where the browser can
// deflate), else "j=" and the JSON itself, base64url either way. Nothing of
// it is sent to the server: a fragment never is.
export async function encodeShare(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  if (typeof CompressionStream === 'function')
    return 'z=' + toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
  return 'j=' + toBase64Url(json);
}

export async function decodeShare(fragment) {
  const f = fragment.replace(/^#/, '');
  let bytes;
  if (f.startsWith('z=') && typeof DecompressionStream === 'function')
    bytes = await pipe(fromBase64Url(f.slice(2)), new DecompressionStream('deflate-raw'));
  else if (f.startsWith('j='))
    bytes = fromBase64Url(f.slice(2));
  else
    return null;
  const v = JSON.parse(new TextDecoder().decode(bytes));
  if (!v || typeof v !== 'object' || typeof v.source !== 'string') return null;
  return {
    language: typeof v.language === 'string' ? v.language : 'c',
    source: v.source,
    stdin: typeof v.stdin === 'string' ? v.stdin : '',
    args: typeof v.args === 'string' ? v.args : '',
  };
}

// Piston's status codes, and zvm's own (VF, SV), in words.
const words = {
  RE: 'runtime error', SG: 'killed by a signal', TO: 'time limit exceeded', ML: 'memory limit exceeded',
  OL: 'stdout limit exceeded', EL: 'stderr limit exceeded', XX: 'internal error',
  VF: 'validation failed', SV: 'seccomp violation', CE: 'compile error',
};

// The verdict of an execute response: which stage, Piston's code, a class
// for the colour, one line to say.
export function verdictOf(res) {
  const c = res.compile;
  if (c && c.status && !res.run) {
    const msg = c.status === 'RE' ? 'compile error' : (c.message || words[c.status] || c.status);
    return { stage: 'compile', code: c.status === 'RE' ? 'CE' : c.status, cls: 'bad',
      text: msg + (c.status === 'TO' || c.status === 'ML' || c.status === 'OL' ? ' (while compiling)' : '') };
  }
  const r = res.run || {};
  if (!r.status) {
    return { stage: 'run', code: 'OK', cls: 'ok', text: 'exited with code ' + (r.code ?? 0) };
  }
  const cls = r.status === 'RE' ? 'warn' : 'bad';
  let text = words[r.status] || r.status;
  if (r.status === 'RE' && r.code != null) text += ' (exit code ' + r.code + ')';
  if (r.message) text += ': ' + r.message;
  return { stage: 'run', code: r.status, cls, text };
}

export function kib(bytes) {
  const k = bytes / 1024;
  return (k >= 10 || Number.isInteger(k) ? Math.round(k) : k.toFixed(1)) + ' KiB';
}

export function formatBytes(b) {
  if (b == null) return '–';
  if (b < 1024) return b + ' B';
  if (b < 1 << 20) return (b / 1024).toFixed(1) + ' KiB';
  return (b / (1 << 20)).toFixed(1) + ' MiB';
}

export function formatMs(ms) {
  if (ms == null) return '–';
  if (ms === 0) return '< 1 ms';
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(2) + ' s';
}

// "truncated at N KiB" for each stream a response cut.
export function truncationNotes(run) {
  const t = run && run.truncated;
  const notes = { stdout: '', stderr: '' };
  if (t && typeof t === 'object') {
    const limit = t.limit ? ' at ' + kib(t.limit) : '';
    if (t.stdout) notes.stdout = 'truncated' + limit;
    if (t.stderr) notes.stderr = 'truncated' + limit;
  }
  return notes;
}
