# regrtest_cell.py — CPython's own test runner (test.libregrtest) as run in
# a cell and, for comparison, natively (tools/python-conformance.sh).
# A cell cannot start threads, and regrtest's exit watchdog
# (faulthandler.dump_traceback_later) is one: it is a no-op here, on both
# sides. In a cell (uname says zvm), test.support is told what CPython's
# own tests already ask of WASI: no fork, no subprocesses, no sockets, no
# threads, so tests that need them are skipped instead of failing; natively
# nothing changes. With --junit-xml FILE the counts are printed after a marker line
# on stdout, so no file has to come back out of the cell.
import faulthandler
import os
import sys

faulthandler.dump_traceback_later = lambda *args, **kwargs: None

if os.uname().sysname == "zvm":
    import test.support
    import test.support.threading_helper

    test.support.has_fork_support = False
    test.support.has_subprocess_support = False
    test.support.has_socket_support = False
    test.support.threading_helper.can_start_thread = False

from test.libregrtest.main import main

junit = None
if "--junit-xml" in sys.argv:
    junit = sys.argv[sys.argv.index("--junit-xml") + 1]
try:
    main()
finally:
    if junit:
        sys.stdout.flush()
        try:
            with open(junit) as f:
                print("=== junit-xml ===")
                print(f.read())
        except OSError as e:
            print("=== junit-xml missing:", e)
        sys.stdout.flush()
