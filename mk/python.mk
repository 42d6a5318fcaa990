# CPython 3.11 from Debian's python3.11 source package, cross-built by
# zvm-cc against musl into $(B)/python.nexe (docs/python.md):
#   $(B)/src/python3.11/        apt-get source python3.11 (mk/debian-source.sh)
#   $(PY_BLD)/                  CPython's own configure and Makefile, as a
#                               cross build for a musl host; every module
#                               built in (MODULE_BUILDTYPE=static), no dlopen
#   $(PY_BLD)/stdlib.tar        Lib/ without its tests and what a cell cannot
#                               use, compiled to .pyc, as usr/lib/python3.11
#   $(B)/python.nexe            the interpreter with stdlib.tar linked in as a
#                               read-only section, mounted by ZRT at start
#                               (runtime/zrt/image.c, zrt_image_mount)
#   $(B)/python-test.tar        Lib/test, for the conformance runs (--image)
# The build python is Debian's own /usr/bin/python3.11, the same 3.11.2.
# mk/runtime.mk and mk/zrt.mk come later in the include order: their
# names in prerequisites are expanded a second time, once all are read
.SECONDEXPANSION:
PY_SRC   := $(B)/src/python3.11
PY_BLD   := $(B)/python-build
PY_HOST  := /usr/bin/python3.11
PY_ENV    = ZVM_RUNTIME_DIR=$(abspath $(RT)) ZVM_LIBC=musl PKG_CONFIG_LIBDIR=/nonexistent \
            CONFIG_SITE=$(abspath mk/python/config.site)
# -O2 without -g: Debian's own level; -g only makes a larger image
PY_OPT   := -DNDEBUG -O2
# left out of the stdlib archive: tests (they travel in python-test.tar),
# the GUI, pip's installer, what builds or converts programs (distutils
# needs a compiler, lib2to3 and venv a host), Windows' msilib, the tests
# of unittest, ctypes and sqlite3
PY_DROP  := test idlelib tkinter turtledemo turtle.py ensurepip lib2to3 distutils venv msilib \
            unittest/test ctypes/test sqlite3/test __pycache__

$(PY_SRC)/.fetched: mk/debian-source.sh
	sh mk/debian-source.sh python3.11 $(B)/src

# ZRT is only linked: a change to it relinks, it does not rebuild.
# The batteries (mk/batteries.mk: zlib, bzip2, liblzma, expat, SQLite) are
# found by configure beside musl, so zlib, binascii's crc32, bz2, lzma,
# sqlite3 and pyexpat are built in.
$(PY_BLD)/Makefile: $(PY_SRC)/.fetched mk/python/configure.sh mk/python/config.site $$(MUSL_LIBC) $$(ZVMCC) \
		$(BATTERIES)
	@echo "python: configure (log: $(PY_BLD)/configure.log)"
	@$(PY_ENV) sh mk/python/configure.sh $(PY_SRC) $(PY_BLD) $(abspath $(ZVMCC)) $(PY_HOST)

# the interpreter without its archive, and the build's sysconfig data
$(PY_BLD)/libpython3.11.a: $(PY_BLD)/Makefile
	@echo "python: make (log: $(PY_BLD)/build.log)"
	@cd $(PY_BLD) && $(PY_ENV) $(MAKE) OPT='$(PY_OPT)' libpython3.11.a Programs/python.o pybuilddir.txt \
		>build.log 2>&1 || { grep -B2 -A8 -m3 'rror' build.log; exit 1; }

$(PY_BLD)/stdlib.tar: $(PY_BLD)/libpython3.11.a mk/python/stdlib.sh
	sh mk/python/stdlib.sh $(PY_SRC)/Lib $(PY_BLD) $(PY_HOST) $@ $(PY_DROP)

$(PY_BLD)/stdlib.o: $(PY_BLD)/stdlib.tar mk/python/embed.S $$(ZVMCC)
	$(PY_ENV) $(ZVMCC) -DARCHIVE='"$(abspath $<)"' -c mk/python/embed.S -o $@

# linked as CPython's Makefile links it, but with the archive in place of
# -export-dynamic (nothing is loaded at run time)
$(B)/python.nexe: $(PY_BLD)/libpython3.11.a $(PY_BLD)/stdlib.o $$(MUSL_ALL) $$(RT_ALL)
	@rm -f $(PY_BLD)/python
	@cd $(PY_BLD) && $(PY_ENV) $(MAKE) OPT='$(PY_OPT)' LINKFORSHARED=$(abspath $(PY_BLD)/stdlib.o) python \
		>>build.log 2>&1 || { grep -B2 -A8 -m3 'rror' build.log; exit 1; }
	@# without symbols: a quarter less to copy into the sealed image and
	@# hash on every zvm run (the loader needs none; $(PY_BLD)/python has them)
	strip -o $@ $(PY_BLD)/python

# Lib/test and the runner that drives it (tools/python/regrtest_cell.py),
# timed as stdlib.sh times the stdlib
$(B)/python-test.tar: $(PY_SRC)/.fetched tools/python/regrtest_cell.py
	when=$$(dpkg-parsechangelog -STimestamp -l $(PY_SRC)/debian/changelog) && \
	tar -C $(PY_SRC) --sort=name --mtime=@$$when --owner=0 --group=0 --numeric-owner --format=gnu \
		--exclude=__pycache__ --transform='s,^Lib/,usr/lib/python3.11/,' -cf $@.tmp Lib/test && \
	tar -C tools/python --mtime=@$$when --owner=0 --group=0 --numeric-owner --format=gnu -rf $@.tmp regrtest_cell.py
	mv $@.tmp $@

# CPython as a template (mk/python/template.c, docs/python.md): the same
# objects and libraries as python's own link, another main
$(PY_BLD)/template.o: mk/python/template.c $(PY_BLD)/libpython3.11.a
	$(PY_ENV) $(ZVMCC) $(PY_OPT) -I$(PY_SRC)/Include -I$(PY_BLD) -c $< -o $@
$(B)/python-template.nexe: $(PY_BLD)/template.o $(PY_BLD)/libpython3.11.a $(PY_BLD)/stdlib.o mk/python/print-link.mk \
		$$(MUSL_ALL) $$(RT_ALL)
	cd $(PY_BLD) && $(PY_ENV) $(abspath $(ZVMCC)) $(abspath $(PY_BLD)/stdlib.o) -o python-template template.o \
		$$($(MAKE) -s --no-print-directory -f Makefile -f $(abspath mk/python/print-link.mk) print-link)
	strip -o $@ $(PY_BLD)/python-template

.PHONY: python
python: $(B)/python.nexe $(B)/python-test.tar $(B)/python-template.nexe
all: $(B)/python.nexe $(B)/python-test.tar $(B)/python-template.nexe

# CPython's regression tests, every module of tests/python/regrtest-modules.txt
# in a cell and under Debian's python3.11, the table written into
# docs/python.md (tools/python-conformance.sh; about 10 minutes)
.PHONY: python-conformance
python-conformance: $(B)/python.nexe $(B)/python-test.tar
	tools/python-conformance.sh --build $(B) --table $(B)/python-conformance.md --doc docs/python.md
