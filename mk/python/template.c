/*
 * template.c — CPython as a template (docs/zvmd.md, "Templates";
 * docs/python.md): the interpreter is initialised and the modules most
 * jobs import are imported once, before the keep; each job, a copy of
 * that memory, runs its own code. build/python-template.nexe:
 *
 *   zvm submit --keep-as py build/python-template.nexe
 *   zvm submit --template py -- -c 'print(1)'
 *   zvm submit --template py --image job.tar -- main.py a b
 *
 * The job's arguments are python3's: `-c CODE`, `-m MODULE` or `SCRIPT`,
 * then the program's own (sys.argv as python3 sets it). What a copy gets
 * fresh (runtime/zrt/template.c): argv, environ, channels, file tree,
 * clock and random stream. What this file refreshes on top: sys.argv,
 * os.environ, the random module's state. What stays the template's: the
 * str/bytes hash secret (fixed at start-up; the cell is deterministic
 * anyway, and a job cannot learn another's data from it) and any module
 * state the imports below set up. open() is wrapped to remember the
 * files a job opens; at exit, atexit functions run and those files are
 * flushed, but objects are not freed (see main). Run alone
 * (zvm run), it does the same in one go.
 */
#include <Python.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zvm.h>

extern char **environ;

/* The template's helpers, module _zvm_template (in sys.modules; C holds
 * its functions): job(env), what a copy runs first, the job's environment
 * and random state; the files a job opens through open() (builtins, io,
 * os.fdopen, pathlib), in a weak set so that exit() can write their
 * buffers without walking every object; exit(), atexit and those buffers;
 * module(name) and script(), -m and a script as python3 runs them.
 * Compiled once, in the template: a copy only calls them (compiling the
 * exit's code in every copy cost it about 130 of its 456 page faults,
 * docs/benchmarks.md, "Where a Python copy's time goes"). */
static const char helpers[] =
	"def _zvm_helpers():\n"
	"    import atexit, builtins, functools, io, os, posix, random, runpy, sys, types, weakref\n"
	"    m = types.ModuleType('_zvm_template')\n"
	"    m.files = files = weakref.WeakSet()\n"
	"    real = io.open\n"
	"    @functools.wraps(real)\n"
	"    def open(*args, **kwargs):\n"
	"        f = real(*args, **kwargs)\n"
	"        files.add(f)\n"
	"        return f\n"
	"    builtins.open = io.open = open\n"
	"    def job(env):\n"
	"        posix.environ.clear()\n"
	"        os.environ._data.clear()\n"
	"        for kv in env:\n"
	"            k, _, v = kv.partition(b'=')\n"
	"            posix.environ[k] = v\n"
	"            os.environ._data[k] = v\n"
	"        random.seed()\n"
	"    def exit():\n"
	"        atexit._run_exitfuncs()\n"
	"        for f in list(files):\n"
	"            try:\n"
	"                f.closed or f.flush()\n"
	"            except Exception:\n"
	"                pass\n"
	"        sys.stdout.flush()\n"
	"        sys.stderr.flush()\n"
	"    def module(name):\n"
	"        runpy._run_module_as_main(name)\n"
	"    def script():\n"
	"        sys.path.insert(0, os.path.dirname(os.path.realpath(sys.argv[0])))\n"
	"        runpy.run_path(sys.argv[0], run_name='__main__')\n"
	"    m.job, m.exit, m.module, m.script = job, exit, module, script\n"
	"    sys.modules[m.__name__] = m\n"
	"_zvm_helpers()\n"
	"del _zvm_helpers\n";

static PyObject *helper[4];
enum { H_JOB, H_EXIT, H_MODULE, H_SCRIPT };

static int get_helpers(void)
{
	static const char *const names[] = { "job", "exit", "module", "script" };
	PyObject *m = PyImport_ImportModule("_zvm_template");

	if (!m)
		return -1;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!(helper[i] = PyObject_GetAttrString(m, names[i]))) {
			Py_DECREF(m);
			return -1;
		}
	Py_DECREF(m);
	return 0;
}

/* 0, or 1 after printing the exception as python3 does (SystemExit
 * exits with its own code) */
static int call(int h, PyObject *arg)
{
	PyObject *r = arg ? PyObject_CallOneArg(helper[h], arg) : PyObject_CallNoArgs(helper[h]);

	if (!r) {
		PyErr_Print();
		return 1;
	}
	Py_DECREF(r);
	return 0;
}

/* imported by the template: what most short jobs use */
static const char preload[] =
	"import os, sys, re, json, math, random, collections, itertools, functools, datetime, decimal, "
	"fractions, string, struct, textwrap, dataclasses, enum, typing, io, heapq, bisect, statistics, "
	"zlib, hashlib, base64, csv, sqlite3, runpy\n";

static int usage(const char *self)
{
	fprintf(stderr, "usage: %s (-c CODE | -m MODULE | SCRIPT) [ARGS...]\n", self);
	return 2;
}

/* sys.argv as python3 sets it: from argv[first], which becomes
 * sys.argv[0] ("-c"; the module, which runpy replaces; the script),
 * skipping argv[skip] (-c's code; 0 for none) */
static int set_argv(int argc, char **argv, int first, int skip)
{
	PyObject *list = PyList_New(0), *sys = PyImport_ImportModule("sys");
	int rc = -1;

	if (!list || !sys)
		goto out;
	for (int i = first; i < argc; i++) {
		if (i == skip)
			continue;
		PyObject *s = PyUnicode_DecodeFSDefault(argv[i]);
		if (!s || PyList_Append(list, s) < 0) {
			Py_XDECREF(s);
			goto out;
		}
		Py_DECREF(s);
	}
	rc = PyObject_SetAttrString(sys, "argv", list);
out:
	Py_XDECREF(list);
	Py_XDECREF(sys);
	return rc;
}

static int job_environment(void)
{
	PyObject *env = PyList_New(0);
	int rc;

	if (!env)
		return PyErr_Print(), -1;
	for (char **e = environ; e && *e; e++) {
		PyObject *b = PyBytes_FromString(*e);
		if (!b || PyList_Append(env, b) < 0) {
			Py_XDECREF(b);
			Py_DECREF(env);
			return PyErr_Print(), -1;
		}
		Py_DECREF(b);
	}
	rc = call(H_JOB, env);
	Py_DECREF(env);
	return rc ? -1 : 0;
}

/* the job's code, as python3 runs -c, -m and a script; 1 for an
 * exception, as python3 (SystemExit exits with its own code) */
static int run_job(int argc, char **argv)
{
	if (argc < 2)
		return usage(argv[0]);
	if (!strcmp(argv[1], "-c") || !strcmp(argv[1], "-m")) {
		bool c = !strcmp(argv[1], "-c");
		PyObject *path = PySys_GetObject("path"), *s, *mod;
		int rc;
		if (argc < 3)
			return usage(argv[0]);
		/* sys.path[0] as python3 sets it: the working directory */
		if (set_argv(argc, argv, c ? 1 : 2, c ? 2 : 0) < 0 || !path || !PyList_Check(path) ||
		    !(s = PyUnicode_FromString("")))
			return PyErr_Occurred() ? PyErr_Print() : (void)0, 1;
		rc = PyList_Insert(path, 0, s);
		Py_DECREF(s);
		if (rc < 0)
			return PyErr_Print(), 1;
		if (c)
			return PyRun_SimpleString(argv[2]) ? 1 : 0;
		/* -m: runpy as python3 does it (it sets sys.argv[0]) */
		if (!(mod = PyUnicode_DecodeFSDefault(argv[2])))
			return PyErr_Print(), 1;
		rc = call(H_MODULE, mod);
		Py_DECREF(mod);
		return rc;
	}
	/* sys.path[0]: the script's directory, as python3 sets it */
	if (set_argv(argc, argv, 1, 0) < 0)
		return PyErr_Print(), 1;
	return call(H_SCRIPT, NULL);
}

int main(int argc, char **argv)
{
	PyConfig config;
	PyStatus st;
	int rc;

	PyConfig_InitPythonConfig(&config);
	config.parse_argv = 0;
	config.install_signal_handlers = 0;
	st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st))
		Py_ExitStatusException(st);
	if (PyRun_SimpleString(preload) != 0 || PyRun_SimpleString(helpers) != 0)
		return 1;
	if (get_helpers() < 0)
		return PyErr_Print(), 1;
	/* The template's objects into the collector's permanent generation
	 * (after collecting what the imports left): a copy's collections then
	 * walk only the objects its job made, and do not write the header of
	 * every object of the template (each page a copy-on-write copy; a full
	 * collection of them cost a copy more than its start). */
	if (PyRun_SimpleString("import gc as _g; _g.collect(); _g.freeze(); del _g\n") != 0)
		return 1;
	/* everything above is the template's; below, the job's */
	if (zvm_template_keep(&argc, &argv) == 1 && job_environment() < 0)
		return 1;
	rc = run_job(argc, argv);
	/* What Py_FinalizeEx does that a job can see: its atexit functions,
	 * and the buffers of the files it opened and left open written (a
	 * file object made without open(), io.FileIO and friends, is not
	 * seen: docs/python.md). Not the freeing of every object: in a copy
	 * that writes to every page of the template's heap, which cost a copy
	 * more than its start (20 ms against 15 here), and the cell's memory
	 * is thrown away whole. 120 as python3 when that fails. */
	if (call(H_EXIT, NULL) && rc == 0)
		rc = 120;
	return rc;
}
