# musl libc from Debian's source package, compiled by zvm-cc with musl's
# own Makefile (no patch: the rewriter turns its `syscall`s into calls of
# ZRT and handles its .s files), and ZRT, the system-call layer under it:
#   $(B)/src/musl/            apt-get source musl (mk/debian-source.sh), kept
#   $(RT)/musl/include/       musl's headers
#   $(RT)/musl/lib/libc.a     musl; libm.a etc. are empty, as in musl itself
#   $(RT)/libzrt.a            runtime/zrt/
#   $(RT)/libzlibc.a          runtime/zlibc/: malloc, qsort, memcpy, memmove,
#                             strlen, strcmp in place of musl's (linked
#                             before libc.a; docs/runtime.md)
# `make musl` builds all four. A new zvm-cc rebuilds musl (~1 min).
MUSL_SRC  := $(B)/src/musl
MUSL_BLD  := $(B)/musl-build
MUSL      := $(RT)/musl
MUSL_LIBC := $(MUSL)/lib/libc.a
# listed, not found by wildcard: a stray file must not change the library
ZRT_SRC   := $(addprefix runtime/zrt/,syscall.S dispatch.c start.c proc.c mem.c fmap.c clock.c vfs.c fd.c dirops.c image.c template.c)
ZRT_OBJ   := $(patsubst runtime/zrt/%,$(RT)/zrt/%.o,$(ZRT_SRC))
ZRT_CFLAGS := -O2 -g0 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -fno-tree-loop-distribute-patterns -D_GNU_SOURCE -Iruntime/zrt
MUSL_EMPTY := m rt pthread crypt util xnet resolv dl

$(MUSL_SRC)/.fetched: mk/debian-source.sh
	sh mk/debian-source.sh musl $(B)/src

$(MUSL_LIBC): $(MUSL_SRC)/.fetched $(ZVMCC) $(RT_HDRS) $(RT)/zvm.ld
	@echo "musl: configure and build with zvm-cc (log: $(MUSL_BLD)/build.log)"
	@rm -rf $(MUSL_BLD) && mkdir -p $(MUSL_BLD) $(MUSL)/lib
	@cd $(MUSL_BLD) && ZVM_RUNTIME_DIR=$(abspath $(RT)) ZVM_LIBC=musl $(abspath $(MUSL_SRC))/configure --target=x86_64 \
		CC=$(abspath $(ZVMCC)) --disable-shared --prefix=$(abspath $(MUSL)) >build.log 2>&1 \
		|| { tail -20 build.log; exit 1; }
	@cd $(MUSL_BLD) && ZVM_RUNTIME_DIR=$(abspath $(RT)) ZVM_LIBC=musl $(MAKE) -s AR=ar RANLIB=ranlib CFLAGS=-O2 \
		lib/libc.a install-headers >>build.log 2>&1 || { grep -B2 -A8 -m3 'rror' build.log; exit 1; }
	@for l in $(MUSL_EMPTY); do rm -f $(MUSL)/lib/lib$$l.a; ar rc $(MUSL)/lib/lib$$l.a; done
	cp $(MUSL_BLD)/lib/libc.a $@

$(RT)/zrt/%.c.o: runtime/zrt/%.c runtime/zrt/zrt.h $(MUSL_LIBC) $(ZVMCC)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) --libc=musl $(ZRT_CFLAGS) -c $< -o $@
$(RT)/zrt/%.S.o: runtime/zrt/%.S $(MUSL_LIBC) $(ZVMCC)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) --libc=musl -c $< -o $@
$(RT)/zrt/cpuid.S.o: runtime/cpuid.S $(MUSL_LIBC) $(ZVMCC)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) --libc=musl -c $< -o $@
$(RT)/libzrt.a: $(ZRT_OBJ) $(RT)/zrt/cpuid.S.o
	rm -f $@ && ar rcs $@ $^

# -fno-builtin: calloc's malloc + memset must not become a call of calloc
# one function per file where a program might define just one of them
ZLIBC_SRC := $(addprefix runtime/zlibc/,malloc.c qsort.c memcpy.c memmove.c strlen.c strcmp.c)
ZLIBC_OBJ := $(patsubst runtime/zlibc/%,$(RT)/zlibc/%.o,$(ZLIBC_SRC))
$(RT)/zlibc/%.c.o: runtime/zlibc/%.c runtime/zlibc/simd.h $(MUSL_LIBC) $(ZVMCC)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) --libc=musl $(ZRT_CFLAGS) -fno-builtin -c $< -o $@
$(RT)/libzlibc.a: $(ZLIBC_OBJ)
	rm -f $@ && ar rcs $@ $^

MUSL_ALL := $(MUSL_LIBC) $(RT)/libzrt.a $(RT)/libzlibc.a
.PHONY: musl
musl: $(RT_ALL) $(MUSL_ALL)
all: $(MUSL_ALL)

# Lua 5.4 from Debian's lua5.4 source package: the interpreter (lua.c) and
# the library compiled by zvm-cc against musl into $(B)/lua.nexe. Built as
# upstream's "posix" flavour (no dlopen, no readline) with Debian's
# LUA_COMPAT_5_3; Debian's luaconf.h wants its multiarch header, made here.
LUA_SRC    := $(B)/src/lua5.4
LUA_BLD    := $(B)/lua-build
LUA_NAMES  := lapi lauxlib lbaselib lcode lcorolib lctype ldblib ldebug ldo ldump lfunc lgc \
              linit liolib llex lmathlib lmem loadlib lobject lopcodes loslib lparser lstate \
              lstring lstrlib ltable ltablib ltm lua lundump lutf8lib lvm lzio
LUA_OBJ    := $(LUA_NAMES:%=$(LUA_BLD)/%.o)
LUA_CFLAGS := -O2 -std=gnu99 -w -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -I$(LUA_BLD)
MUSL_ENV   := ZVM_RUNTIME_DIR=$(RT) ZVM_LIBC=musl

$(LUA_SRC)/.fetched: mk/debian-source.sh
	sh mk/debian-source.sh lua5.4 $(B)/src
$(LUA_BLD)/lua5.4-deb-multiarch.h: $(LUA_SRC)/.fetched
	@mkdir -p $(dir $@)
	printf '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"\n' >$@
$(LUA_BLD)/%.o: $(LUA_BLD)/lua5.4-deb-multiarch.h $(MUSL_ALL) $(ZVMCC)
	$(MUSL_ENV) $(ZVMCC) $(LUA_CFLAGS) -c $(LUA_SRC)/src/$*.c -o $@
$(B)/lua.nexe: $(LUA_OBJ) $(MUSL_ALL) $(RT_ALL)
	$(MUSL_ENV) $(ZVMCC) $(LUA_OBJ) -lm -o $@

.PHONY: lua
lua: $(B)/lua.nexe
all: $(B)/lua.nexe

# Example programs: ordinary C, musl + ZRT
$(B)/examples/%.nexe: examples/%.c $(MUSL_ALL) $(RT_ALL)
	@mkdir -p $(dir $@)
	$(MUSL_ENV) $(ZVMCC) -O2 $< -o $@
all: $(B)/examples/hello.nexe $(B)/examples/cat.nexe $(B)/examples/wordfreq.nexe

# Native unit tests of ZRT (tests/unit/zrt/): zvm.h by #include "..." only,
# so the mini runtime's headers never shadow glibc's
$(B)/tests/unit/zrt/%: ALL_CFLAGS += -iquote runtime/include -iquote runtime/zrt
# the *-support.c files #include ZRT's sources, and -MMD with several
# inputs keeps only the last one's list: name them all
$(filter $(B)/tests/unit/zrt/%,$(UNIT_BIN)): $(wildcard runtime/zrt/*.c runtime/zrt/*.h)

# The tar reader's fuzz target: ZRT's sources and the unit tests' fakes
FUZZ_ZRT := $(addprefix runtime/zrt/,mem.c fmap.c clock.c vfs.c fd.c dirops.c image.c) tests/unit/zrt/fakes-support.c
$(B)/fuzz/fuzz_tar: tests/fuzz/fuzz_tar.c $(FUZZ_ZRT)
	@mkdir -p $(dir $@)
	clang $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined -iquote runtime/include -iquote runtime/zrt \
		-iquote tests/unit/zrt $(filter %.c,$^) -o $@

# The cell libc's fuzz target: runtime/zlibc/ natively under zl_* names
$(B)/fuzz/fuzz_zlibc: tests/fuzz/fuzz_zlibc.c tests/unit/zlibc/zlibc-support.c $(wildcard runtime/zlibc/*.[ch])
	@mkdir -p $(dir $@)
	clang $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_zlibc.c tests/unit/zlibc/zlibc-support.c -o $@

# Lua as a template (examples/lua-template.c): the library without lua.c's main
LUA_LIB_OBJ := $(filter-out $(LUA_BLD)/lua.o,$(LUA_OBJ))
$(B)/lua-template.nexe: examples/lua-template.c $(LUA_LIB_OBJ) $(MUSL_ALL) $(RT_ALL)
	$(MUSL_ENV) $(ZVMCC) -O2 -I$(LUA_SRC)/src -I$(LUA_BLD) -DLUA_COMPAT_5_3 -DLUA_USE_POSIX $< $(LUA_LIB_OBJ) -lm -o $@
all: $(B)/lua-template.nexe

# templates (docs/zvmd.md, "Templates"): the example, and the probe that
# tests/template/t_template.sh runs as a template (here, after MUSL_ALL)
all: $(B)/examples/template-hello.nexe $(B)/tests/template/tpl-probe.nexe
$(B)/tests/template/tpl-probe.nexe: tests/template/tpl-probe.c $(MUSL_ALL) $(RT_ALL)
	@mkdir -p $(dir $@)
	$(MUSL_ENV) $(ZVMCC) -O2 $< -o $@
