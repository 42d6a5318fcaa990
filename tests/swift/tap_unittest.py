"""Runs the unittest modules named on the command line and prints TAP
lines (for t_swift.sh): one "ok N - test" / "not ok N - test" per test,
numbered from the START environment variable + 1."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                'integrations', 'swift'))
sys.path.insert(0, os.path.dirname(__file__))


class Tap(unittest.TestResult):
    n = int(os.environ.get('START', '0'))

    def _line(self, ok, test, why=''):
        Tap.n += 1
        print('%s %d - python: %s%s' % ('ok' if ok else 'not ok', Tap.n,
                                        test.id(), why))
        sys.stdout.flush()

    def addSuccess(self, test):
        self._line(True, test)

    def addFailure(self, test, err):
        self._line(False, test)
        print('# ' + self._exc_info_to_string(err, test).replace('\n', '\n# '))

    addError = addFailure

    def addSkip(self, test, reason):
        Tap.n += 1
        print('ok %d # skip %s: %s' % (Tap.n, test.id(), reason))


suite = unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:])
r = Tap()
suite.run(r)
sys.exit(0 if r.wasSuccessful() else 1)
