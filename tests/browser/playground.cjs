// The playground in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a real zvm serve and zvmd that t_browser.sh
// started: type a program and run it, read stdout and stderr apart, see a
// compile error, a timeout and a truncation, switch to Lua, a share link
// round trip, dark mode and a narrow screen; screenshots under build/.
// Prints TAP lines.
//   node playground.cjs URL SCREENSHOT_DIR
'use strict';
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const [url, shots] = process.argv.slice(2);
let n = 0, failed = 0;
function ok(cond, what) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
}

const TIMEOUT = 30000;

async function typeProgram(page, text) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // line by line, no indentation: the editor indents and closes brackets itself
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    await page.keyboard.type(lines[i]);
    if (i + 1 < lines.length) await page.keyboard.press('Enter');
  }
}

async function runAndWait(page, how = 'button') {
  await page.waitForSelector('#run:not([disabled])', { timeout: TIMEOUT });
  if (how === 'keys') await page.keyboard.press('Control+Enter');
  else await page.click('#run');
  await page.waitForSelector('#verdict.running', { timeout: TIMEOUT }).catch(() => {});
  await page.waitForSelector('#verdict:not(.running):not(.idle)', { timeout: TIMEOUT });
  return {
    badge: await page.textContent('#badge'),
    message: await page.textContent('#message'),
    stdout: await page.textContent('#stdout'),
    stderr: await page.textContent('#stderr'),
    compile: await page.textContent('#compile-output'),
    compileShown: await page.isVisible('#compile-box'),
    stdoutNote: await page.textContent('#stdout-note'),
    wall: await page.textContent('#m-wall'),
    cpu: await page.textContent('#m-cpu'),
    mem: await page.textContent('#m-mem'),
    code: await page.textContent('#m-code'),
    state: await page.textContent('#m-state'),
  };
}

async function editorText(page) {
  return page.$eval('.cm-content', (el) => Array.from(el.querySelectorAll('.cm-line')).map((l) => l.textContent).join('\n'));
}

async function chooseExample(page, name) {
  const value = await page.$eval('#example', (sel, name) => {
    const o = Array.from(sel.options).find((x) => x.textContent === name);
    return o ? o.value : null;
  }, name);
  if (value === null) throw new Error('no example ' + name);
  await page.selectOption('#example', value);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    const page = await context.newPage();
    const foreign = [], errors = [];
    page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    await page.goto(url + '/', { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]', { timeout: TIMEOUT });
    ok(await page.title() === 'zvm playground', 'the playground loads at / (title "zvm playground")');
    const runtimes = await (await fetch(url + '/api/v2/runtimes')).json();
    const options = await page.$$eval('#language option', (os) => os.map((o) => o.value));
    ok(runtimes.length > 0 && runtimes.every((r) => options.includes(r.language)) && options.length === runtimes.length,
      `the language selector holds what /api/v2/runtimes says: ${options.join(', ')}`);
    ok(await page.isVisible('.cm-editor') && (await editorText(page)).includes('Hello from a zvm cell'),
      'the editor shows the first C example');

    // type a program that reads stdin and arguments and writes both streams
    await typeProgram(page, [
      '#include <stdio.h>',
      'int main(int argc, char **argv) {',
      'int x = 0;',
      'scanf("%d", &x);',
      'printf("typed in a browser: %d, %d args, last [%s]\\n", 2 * x, argc - 1, argv[argc - 1]);',
      'fprintf(stderr, "to stderr\\n");',
      'return 0;',
    ].join('\n')); // the closing brace: the editor put it there when "{" was typed
    ok(/\n\}$/.test(await editorText(page)), 'the editor closed the brace typed after main(...)');
    await page.fill('#stdin', '21\n');
    await page.fill('#args', 'one "two words"');
    await page.click('.cm-content');
    let r = await runAndWait(page, 'keys');
    ok(r.stdout === 'typed in a browser: 42, 2 args, last [two words]\n',
      `Ctrl+Enter compiles and runs the typed program, stdin and quoted arguments reach it: ${JSON.stringify(r.stdout)}`);
    ok(r.stderr === 'to stderr\n' && !r.stdout.includes('to stderr'), 'stdout and stderr are shown apart');
    ok(r.badge === 'OK' && /exited with code 0/.test(r.message), `the verdict: ${r.badge} — ${r.message}`);
    ok(/\d+ ms|\d\.\d+ s/.test(r.wall) && /ms|s/.test(r.cpu) && /B|KiB|MiB/.test(r.mem) && r.code === '0' && r.state === 'ok',
      `wall ${r.wall}, CPU ${r.cpu}, memory ${r.mem}, exit ${r.code}, zvm state ${r.state}`);
    await page.screenshot({ path: path.join(shots, 'playground.png'), fullPage: true });
    ok(errors.length === 0, 'no error in the page console' + (errors.length ? ': ' + errors.join('; ') : ''));

    // a compile error
    await chooseExample(page, 'Compile error');
    r = await runAndWait(page);
    ok(r.badge === 'CE' && /compile error/.test(r.message), `a compile error's verdict: ${r.badge} — ${r.message}`);
    ok(r.compileShown && /undeclared_variable/.test(r.compile) && /error/.test(r.compile),
      "gcc's diagnostic is shown in the compiler pane");
    await page.screenshot({ path: path.join(shots, 'playground-compile-error.png'), fullPage: true });

    // a timeout
    await chooseExample(page, 'Infinite loop (time limit)');
    r = await runAndWait(page);
    ok(r.badge === 'TO' && /time limit/.test(r.message), `an endless loop's verdict: ${r.badge} — ${r.message}`);
    ok(!r.compileShown || r.compile === '', 'no compiler pane after a good compile');

    // truncation: 100 KiB of output against the default 64 KiB limit
    await typeProgram(page, [
      '#include <stdio.h>',
      'int main(void) {',
      'for (int i = 0; i < 102400 / 16; i++) fputs("0123456789abcde\\n", stdout);',
      'return 0;',
    ].join('\n'));
    r = await runAndWait(page, 'keys');
    ok(/truncated at \d+ KiB/.test(r.stdoutNote) && r.stdout.length < 102400,
      `a long output is cut and says so: "${r.stdoutNote}", ${r.stdout.length} bytes shown (${r.badge})`);

    // Lua
    if (options.includes('lua')) {
      await page.selectOption('#language', 'lua');
      ok((await editorText(page)).includes('_VERSION') && await page.textContent('#filename') === 'main.lua',
        'switching to Lua loads its example');
      r = await runAndWait(page);
      ok(/Hello from Lua 5\.4 in a zvm cell!/.test(r.stdout) && /arg\[2\] = b/.test(r.stdout), `Lua runs: ${JSON.stringify(r.stdout.split('\n')[0])}`);
      await page.selectOption('#language', 'c');
      ok((await editorText(page)).includes('0123456789abcde'), 'back to C: the draft typed before is still there');
    } else {
      n++; console.log(`ok ${n} # skip no lua runtime`);
    }

    // a share link round trip
    const shared = 'int main(void)\n{\n\treturn 7; /* shared é ✓ */\n}';
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(shared);
    await page.fill('#stdin', 'some input');
    await page.fill('#args', 'x y');
    await page.click('#share');
    await page.waitForFunction(() => location.hash.length > 3, null, { timeout: TIMEOUT });
    const link = page.url();
    ok(/#z=|#j=/.test(link) && !link.includes('return'), `Share puts the program in the URL fragment (${link.length} characters)`);
    const page2 = await context.newPage();
    await page2.goto(link, { waitUntil: 'load' });
    await page2.waitForSelector('body[data-ready="1"]', { timeout: TIMEOUT });
    ok(await editorText(page2) === shared && await page2.inputValue('#stdin') === 'some input' &&
      await page2.inputValue('#args') === 'x y' && await page2.inputValue('#language') === 'c',
      'the link opens the same program, stdin and arguments in a new page');
    r = await runAndWait(page2);
    ok(r.badge === 'RE' && r.code === '7', `and it runs there: ${r.badge} — ${r.message}`);
    await page2.close();

    // dark mode and a narrow screen
    await page.click('#theme');
    const dark = await page.$eval('html', (h) => h.dataset.theme);
    const bg = await page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    ok(dark === 'dark' && bg !== 'rgb(246, 247, 249)', `the theme toggle turns the page dark (${bg})`);
    await chooseExample(page, 'Hello, world');
    await runAndWait(page);
    await page.screenshot({ path: path.join(shots, 'playground-dark.png'), fullPage: true });
    const phone = await browser.newContext({ viewport: { width: 420, height: 860 }, colorScheme: 'dark' });
    const p3 = await phone.newPage();
    await p3.goto(url + '/', { waitUntil: 'load' });
    await p3.waitForSelector('body[data-ready="1"]', { timeout: TIMEOUT });
    const e = await p3.$eval('.editor-pane', (x) => x.getBoundingClientRect().toJSON());
    const o = await p3.$eval('.io-pane', (x) => x.getBoundingClientRect().toJSON());
    const wide = await p3.evaluate(() => document.documentElement.scrollWidth);
    ok(o.top >= e.bottom && wide <= 420 && await p3.$eval('html', (h) => h.dataset.theme) === 'dark',
      `on a 420 px screen the panes stack, nothing scrolls sideways (${wide} px), the system's dark preference holds`);
    await p3.screenshot({ path: path.join(shots, 'playground-narrow.png'), fullPage: true });
    await phone.close();
    ok(foreign.length === 0, 'nothing was fetched from anywhere but the server' + (foreign.length ? ': ' + foreign.join(' ') : ''));
    ok(errors.length === 0, 'no error in the page console after all of it' + (errors.length ? ': ' + errors.join('; ') : ''));
  } catch (err) {
    n++; failed++;
    console.log(`not ok ${n} - the browser test stopped: ${String(err).split('\n')[0]}`);
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})();
