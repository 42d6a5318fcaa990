// tools/bench/wasi-run.mjs — runs a wasm32-wasi module under Node's WASI
// (V8), for tools/bench/peers.sh: node wasi-run.mjs MODULE.wasm [ARGS...]
// The module sees argv = [MODULE, ARGS...], no environment and no
// preopened directories (the kernels need only stdout), and its exit code
// becomes the process's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process, { argv, exit } from 'node:process';

const [path, ...args] = argv.slice(2);
if (!path) {
	console.error('usage: node wasi-run.mjs MODULE.wasm [ARGS...]');
	exit(2);
}
// Node 20 wants the WASI version named; Node 18 ignores the key (it only
// has preview1).
const opts = { version: 'preview1', args: [path, ...args], env: {}, preopens: {},
	returnOnExit: true };
const wasi = new WASI(opts);
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject
	? wasi.getImportObject() : { wasi_snapshot_preview1: wasi.wasiImport });
// exitCode, not exit(): exiting under V8's background tier-up compiler can
// crash Node 20 (SIGSEGV after the output was written)
process.exitCode = wasi.start(instance) ?? 0;
