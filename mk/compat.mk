# The compatibility suite (docs/compat.md, tests/compat/compat.sh): Debian's
# zlib, bzip2, xz-utils, bc and gawk built with CC=zvm-cc, musl-gcc and gcc,
# their own test suites in cells and natively, and the SQLite workload.
# Results: $(B)/compat/results.txt. The fast subset is tests/compat/t_compat.sh.
.PHONY: compat
compat: all
	BUILD=$(B) bash tests/compat/compat.sh
	@echo "== $(B)/compat/results.txt"; cat $(B)/compat/results.txt
