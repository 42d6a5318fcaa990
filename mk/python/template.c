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
#include <stdio.h>
#include <string.h>
#include <zvm.h>

extern char **environ;

/* what the job's copy runs first: the job's environment and random state */
static const char job_setup[] =
	"def _zvm_job(env):\n"
	"    import os, posix, random\n"
	"    posix.environ.clear()\n"
	"    os.environ._data.clear()\n"
	"    for kv in env:\n"
	"        k, _, v = kv.partition(b'=')\n"
	"        posix.environ[k] = v\n"
	"        os.environ._data[k] = v\n"
	"    random.seed()\n";

/* Files a job opens through open() (builtins, io, os.fdopen, pathlib),
 * kept in a weak set so that the exit below can write their buffers
 * without walking every object */
static const char track_files[] =
	"def _zvm_track():\n"
	"    import builtins, functools, io, sys, types, weakref\n"
	"    m = types.ModuleType('_zvm_template')\n"
	"    m.files = weakref.WeakSet()\n"
	"    real = io.open\n"
	"    @functools.wraps(real)\n"
	"    def open(*args, **kwargs):\n"
	"        f = real(*args, **kwargs)\n"
	"        m.files.add(f)\n"
	"        return f\n"
	"    builtins.open = io.open = open\n"
	"    sys.modules[m.__name__] = m\n"
	"_zvm_track()\n"
	"del _zvm_track\n";

static const char at_exit[] =
	"import atexit as _a, sys as _s\n"
	"_a._run_exitfuncs()\n"
	"for _o in list(_s.modules['_zvm_template'].files):\n"
	"    try:\n"
	"        _o.closed or _o.flush()\n"
	"    except Exception:\n"
	"        pass\n"
	"_s.stdout.flush()\n"
	"_s.stderr.flush()\n";

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
	PyObject *env = PyList_New(0), *main = PyImport_AddModule("__main__"), *fn, *r;
	int rc = -1;

	if (!env || !main)
		goto out;
	for (char **e = environ; e && *e; e++) {
		PyObject *b = PyBytes_FromString(*e);
		if (!b || PyList_Append(env, b) < 0) {
			Py_XDECREF(b);
			goto out;
		}
		Py_DECREF(b);
	}
	fn = PyObject_GetAttrString(main, "_zvm_job");
	if (!fn)
		goto out;
	r = PyObject_CallOneArg(fn, env);
	Py_DECREF(fn);
	if (r) {
		Py_DECREF(r);
		rc = PyObject_DelAttrString(main, "_zvm_job");
	}
out:
	Py_XDECREF(env);
	if (rc < 0)
		PyErr_Print();
	return rc;
}

/* the job's code, as python3 runs -c, -m and a script; 1 for an
 * exception, as python3 (SystemExit exits with its own code) */
static int run_job(int argc, char **argv)
{
	if (argc < 2)
		return usage(argv[0]);
	if (!strcmp(argv[1], "-c") || !strcmp(argv[1], "-m")) {
		PyObject *mod, *main;
		if (argc < 3)
			return usage(argv[0]);
		/* sys.path[0] as python3 sets it: the working directory */
		if (set_argv(argc, argv, !strcmp(argv[1], "-c") ? 1 : 2, !strcmp(argv[1], "-c") ? 2 : 0) < 0 ||
		    PyRun_SimpleString("import sys; sys.path.insert(0, '')") != 0)
			return PyErr_Print(), 1;
		if (!strcmp(argv[1], "-c"))
			return PyRun_SimpleString(argv[2]) ? 1 : 0;
		/* -m: runpy as python3 does it (it sets sys.argv[0]) */
		mod = PyUnicode_DecodeFSDefault(argv[2]);
		main = PyImport_AddModule("__main__");
		if (!mod || !main || PyObject_SetAttrString(main, "_zvm_mod", mod) < 0)
			return PyErr_Print(), 1;
		Py_DECREF(mod);
		return PyRun_SimpleString("import runpy; runpy._run_module_as_main(_zvm_mod)") ? 1 : 0;
	}
	/* sys.path[0]: the script's directory, as python3 sets it */
	if (set_argv(argc, argv, 1, 0) < 0)
		return PyErr_Print(), 1;
	return PyRun_SimpleString("import os, runpy, sys\n"
				  "sys.path.insert(0, os.path.dirname(os.path.realpath(sys.argv[0])))\n"
				  "runpy.run_path(sys.argv[0], run_name='__main__')\n") ? 1 : 0;
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
	if (PyRun_SimpleString(preload) != 0 || PyRun_SimpleString(job_setup) != 0 ||
	    PyRun_SimpleString(track_files) != 0)
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
	if (PyRun_SimpleString(at_exit) != 0 && rc == 0)
		rc = 120;
	return rc;
}
