// The playground: a CodeMirror editor, the languages zvm serve offers
// (GET api/v2/runtimes), and a run through Piston's POST api/v2/execute.
// Everything is bundled by the build (esbuild); the page loads nothing else.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState, Compartment, Prec } from '@codemirror/state';
import { defaultKeymap, history as undoHistory, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, StreamLanguage, indentUnit } from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { cpp } from '@codemirror/lang-cpp';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { python } from '@codemirror/legacy-modes/mode/python';
import { oneDark } from '@codemirror/theme-one-dark';
import { examples, fallbackExample, fileNames } from './examples.js';
import { splitArgs, encodeShare, decodeShare, verdictOf, formatBytes, formatMs, truncationNotes } from './util.js';

const $ = (id) => document.getElementById(id);
const ui = {
  language: $('language'), example: $('example'), run: $('run'), share: $('share'), theme: $('theme'),
  args: $('args'), stdin: $('stdin'), verdict: $('verdict'), badge: $('badge'), message: $('message'),
  metrics: $('metrics'), stdout: $('stdout'), stderr: $('stderr'), stdoutNote: $('stdout-note'),
  stderrNote: $('stderr-note'), compileBox: $('compile-box'), compileOut: $('compile-output'),
  compileNote: $('compile-note'), filename: $('filename'), server: $('server'), token: $('token'), toast: $('toast'),
};

// ---- theme: the system's preference until the toggle says otherwise
const themeSlot = new Compartment();
function systemDark() { return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches; }
function currentTheme() { return localStorage.getItem('zvm-theme') || (systemDark() ? 'dark' : 'light'); }
function applyTheme(view) {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  if (view) view.dispatch({ effects: themeSlot.reconfigure(t === 'dark' ? oneDark : []) });
}

// ---- the editor
const languageSlot = new Compartment();
function languageSupport(lang) {
  if (lang === 'c') return cpp();
  if (lang === 'lua') return StreamLanguage.define(lua);
  if (lang === 'python') return StreamLanguage.define(python);
  return [];
}

let view;
function createEditor(doc, lang) {
  view = new EditorView({
    parent: $('editor'),
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), undoHistory(),
        indentOnInput(), bracketMatching(), closeBrackets(), indentUnit.of('\t'), EditorState.tabSize.of(4),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { run(); return true; } }])),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        languageSlot.of(languageSupport(lang)), themeSlot.of([]),
        EditorView.contentAttributes.of({ 'aria-label': 'Program source' }),
      ],
    }),
  });
  applyTheme(view);
}
function source() { return view.state.doc.toString(); }
function setSource(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); }

// ---- languages, examples and drafts
let runtimes = [];
let lang = 'c';
const drafts = {};

function examplesOf(l) { return examples[l] || [fallbackExample(l)]; }

function fillExamples() {
  ui.example.replaceChildren(new Option('Examples…', ''), ...examplesOf(lang).map((e, i) => new Option(e.name, String(i))));
}

function loadExample(e) {
  setSource(e.source);
  ui.stdin.value = e.stdin;
  ui.args.value = e.args;
}

function setLanguage(l, { keepSource = false } = {}) {
  if (!keepSource && view) drafts[lang] = { source: source(), stdin: ui.stdin.value, args: ui.args.value };
  lang = l;
  ui.language.value = l;
  ui.filename.textContent = fileNames[l] || 'main';
  view.dispatch({ effects: languageSlot.reconfigure(languageSupport(l)) });
  fillExamples();
  if (!keepSource) {
    const d = drafts[l];
    if (d) { setSource(d.source); ui.stdin.value = d.stdin; ui.args.value = d.args; }
    else loadExample(examplesOf(l)[0]);
  }
}

async function loadRuntimes() {
  try {
    const res = await fetch('api/v2/runtimes', { headers: authHeaders() });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    runtimes = await res.json();
    if (!Array.isArray(runtimes) || !runtimes.length) throw new Error('no runtimes');
  } catch (err) {
    runtimes = [];
    ui.language.replaceChildren(new Option('c', 'c'));
    ui.server.textContent = 'server not reachable: ' + err.message;
    return;
  }
  const names = { c: 'C', lua: 'Lua', python: 'Python' };
  ui.language.replaceChildren(...runtimes.map((r) => new Option(`${names[r.language] || r.language} ${r.version}`, r.language)));
  ui.language.disabled = false;
  if (!runtimes.some((r) => r.language === lang)) setLanguage(runtimes[0].language);
  else ui.language.value = lang;
  ui.server.textContent = runtimes.map((r) => r.language).join(' · ');
}

// ---- running
function authHeaders() {
  const t = ui.token.value.trim();
  return t ? { Authorization: 'Bearer ' + t } : {};
}

function setVerdict(cls, badge, message) {
  ui.verdict.className = 'verdict ' + cls;
  ui.badge.textContent = badge;
  ui.message.textContent = message;
}

function showStage(stage) {
  ui.metrics.hidden = !stage;
  if (!stage) return;
  $('m-wall').textContent = formatMs(stage.wall_time);
  $('m-cpu').textContent = formatMs(stage.cpu_time);
  $('m-mem').textContent = formatBytes(stage.memory);
  $('m-code').textContent = stage.code ?? (stage.signal || '–');
  // zvm's own word: the cell's final state, or zvm-compile's verdict
  const compileWords = { RE: 'error', TO: 'timeout', ML: 'memory', OL: 'output' };
  $('m-state').textContent = stage.report && stage.report.state ? stage.report.state
    : stage.status ? (compileWords[stage.status] || stage.status) : 'ok';
}

let running = false;
async function run() {
  if (running) return;
  running = true;
  ui.run.disabled = true;
  setVerdict('running', 'running', lang === 'c' ? 'Compiling and running…' : 'Running…');
  ui.stdout.textContent = ui.stderr.textContent = ui.compileOut.textContent = '';
  ui.stdoutNote.textContent = ui.stderrNote.textContent = ui.compileNote.textContent = '';
  ui.compileBox.hidden = true;
  const rt = runtimes.find((r) => r.language === lang);
  const body = {
    language: lang, version: rt ? rt.version : '*',
    files: [{ name: fileNames[lang] || 'main', content: source() }],
    stdin: ui.stdin.value, args: splitArgs(ui.args.value),
  };
  const started = performance.now();
  try {
    const res = await fetch('api/v2/execute', {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders() }, body: JSON.stringify(body),
    });
    const text = await res.text();
    let data;
    try { data = JSON.parse(text); } catch { data = { message: text }; }
    if (!res.ok) {
      const retry = res.headers.get('Retry-After');
      setVerdict('bad', 'HTTP ' + res.status, (data.message || res.statusText) + (retry ? ` (retry in ${retry} s)` : ''));
      showStage(null);
      return;
    }
    showResult(data);
  } catch (err) {
    setVerdict('bad', 'error', 'The server did not answer: ' + err.message);
    showStage(null);
  } finally {
    running = false;
    ui.run.disabled = false;
    ui.run.dataset.ms = String(Math.round(performance.now() - started));
  }
}

function showResult(data) {
  const v = verdictOf(data);
  const c = data.compile;
  if (c && (c.stderr || c.stdout || c.status)) {
    ui.compileBox.hidden = false;
    ui.compileOut.textContent = (c.stdout || '') + (c.stderr || '');
    if (c.truncated) ui.compileNote.textContent = 'truncated';
  }
  setVerdict(v.cls, v.code, v.text);
  ui.verdict.dataset.stage = v.stage;
  if (v.stage === 'compile') { showStage(c); return; }
  const r = data.run;
  ui.stdout.textContent = r.stdout || '';
  ui.stderr.textContent = r.stderr || '';
  const notes = truncationNotes(r);
  ui.stdoutNote.textContent = notes.stdout;
  ui.stderrNote.textContent = notes.stderr;
  showStage(r);
}

// ---- sharing: the program in the URL's fragment
async function share() {
  const frag = await encodeShare({ language: lang, source: source(), stdin: ui.stdin.value, args: ui.args.value });
  window.history.replaceState(null, '', '#' + frag);
  let copied = false;
  try { await navigator.clipboard.writeText(location.href); copied = true; } catch { /* not offered: the address bar has it */ }
  toast(copied ? 'Link copied: it holds the program, nothing is stored on the server.' : 'The address bar now holds the program: copy it from there.');
}

let toastTimer;
function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 3500);
}

// ---- start
async function start() {
  let shared = null;
  if (location.hash.length > 1) {
    try { shared = await decodeShare(location.hash); } catch { shared = null; }
  }
  ui.token.value = localStorage.getItem('zvm-token') || '';
  ui.token.addEventListener('change', () => { localStorage.setItem('zvm-token', ui.token.value.trim()); loadRuntimes(); });
  if (shared) lang = shared.language;
  createEditor(shared ? shared.source : examplesOf(lang)[0].source, lang);
  setLanguage(lang, { keepSource: true });
  if (shared) { ui.stdin.value = shared.stdin; ui.args.value = shared.args; }
  else { ui.stdin.value = examplesOf(lang)[0].stdin; ui.args.value = examplesOf(lang)[0].args; }
  ui.language.addEventListener('change', () => setLanguage(ui.language.value));
  ui.example.addEventListener('change', () => {
    const e = examplesOf(lang)[Number(ui.example.value)];
    if (e) loadExample(e);
    ui.example.value = '';
    view.focus();
  });
  ui.run.addEventListener('click', run);
  ui.share.addEventListener('click', share);
  ui.theme.addEventListener('click', () => {
    localStorage.setItem('zvm-theme', currentTheme() === 'dark' ? 'light' : 'dark');
    applyTheme(view);
  });
  if (window.matchMedia) window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(view));
  // Ctrl/Cmd+Enter from the stdin and argument fields too
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) { e.preventDefault(); run(); }
  });
  if (/Mac|iPhone|iPad/.test(navigator.platform)) $('kbd').textContent = '⌘+Enter';
  await loadRuntimes();
  document.body.dataset.ready = '1';
}

start();
