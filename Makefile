# zvm — top-level build. `make` builds everything into build/, `make check`
# installs what is missing, builds and runs every test suite, `make demo` runs a
# real job, `make bench` measures. Parts add rules through mk/*.mk fragments.

BUILD     ?= build
CC        ?= gcc
ifeq ($(origin CC),default)
CC        := gcc
endif
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wmissing-declarations -Wformat=2 -Wformat-nonliteral -Wformat-security \
             -Wpointer-arith -Wundef -Wwrite-strings -Wno-unused-parameter
CFLAGS    ?= -O2 -g
SAN       ?=
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DOPENSSL_SUPPRESS_DEPRECATED -fno-strict-aliasing \
             $(WARN) $(CFLAGS) $(SAN) -I. -I$(B)/gen -MMD -MP
LDLIBS    := -lZydis -lseccomp -lcrypto -lcap-ng -lbpf -lm
B         := $(BUILD)

.PHONY: all deps check test demo bench fuzz clean sanitize unit
all: core tools

# ---- the libraries ---------------------------------------------------------
# libzvm: the trusted core, sfi/ channels/ seccomp-policy/ cgroups/, what
# `zvm run` needs. libzvmproto: the wire protocol (protocol/), shared by the
# `zvm submit` client and the daemon. libzvmd: the daemon's own parts
# (supervisor/, but for the *main.c programs), linked only into zvmd, its
# worker and validator helpers, and their tests.
CORE_C    := $(wildcard sfi/*.c channels/*.c seccomp-policy/*.c cgroups/*.c)
CORE_S    := $(wildcard sfi/*.S)
CORE_OBJ  := $(CORE_C:%.c=$(B)/obj/%.o) $(CORE_S:%.S=$(B)/obj/%.o)
LIBZVM    := $(B)/lib/libzvm.a
PROTO_C   := $(wildcard protocol/*.c)
LIBPROTO  := $(B)/lib/libzvmproto.a
ZVMD_C    := $(filter-out supervisor/main.c supervisor/%-main.c,$(wildcard supervisor/*.c))
LIBZVMD   := $(B)/lib/libzvmd.a
# libzvmmaps: system maps (maps/, docs/system-map.md), parsed with jansson;
# linked into the zvm CLI and the maps tests, and part of libzvm-client
# (its map call).
MAPS_C    := $(wildcard maps/*.c)
LIBMAPS   := $(B)/lib/libzvmmaps.a
# JSON paths in messages are built in small buffers; a cut message is fine
$(MAPS_C:%.c=$(B)/obj/%.o): ALL_CFLAGS += -Wno-format-truncation
# what a program of the daemon links, in link order
ZVMD_LIBS := $(LIBZVMD) $(LIBPROTO) $(LIBZVM)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The validation cache's key: a hash of everything that decides a verdict
# (the validator, the image parser that feeds it, the constants they use)
# and of Zydis's version, regenerated when any of them changes.
VALIDATOR_ID_SRC := $(sort $(wildcard sfi/validator*.c sfi/validator*.h)) sfi/elf.c sfi/sfi.h \
                    runtime/include/zvm.h
$(B)/gen/validator-id.h: $(VALIDATOR_ID_SRC) mk/validator-id.sh
	@mkdir -p $(dir $@)
	CC="$(CC)" ./mk/validator-id.sh $@ $(VALIDATOR_ID_SRC)
$(B)/obj/sfi/valcache.o: $(B)/gen/validator-id.h

# (each also depends on this Makefile: an archive rebuilt when its list of
# members changes, not only when a member does)
$(LIBZVM): $(CORE_OBJ) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBPROTO): $(PROTO_C:%.c=$(B)/obj/%.o) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBMAPS): $(MAPS_C:%.c=$(B)/obj/%.o) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBZVMD): $(ZVMD_C:%.c=$(B)/obj/%.o) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

.PHONY: core tools
core: $(LIBZVM) $(LIBPROTO) $(LIBZVMD) $(LIBMAPS)

# libzvm-client: zvmd's clients' side (client/zvm-client.h, docs/client.md),
# self-contained: the client, the protocol, and of the core only what a
# client opens channels with (the manifest, units, channel opening) and
# prints reports with. CLIENT_LDLIBS: what a program linking it adds. Of
# libcrypto only SHA-256 (zvm_channels_open initialises each channel's
# digest) comes in, statically: no libcrypto.so to load and relocate.
CLIENT_C  := $(wildcard client/*.c)
LIBCLIENT := $(B)/lib/libzvm-client.a
# The map call (zvm_client_map) runs maps/'s parsed maps: maps/ is in the
# archive too, and a program calling it adds jansson (CLIENT_MAP_LDLIBS;
# one that does not pulls none of it in).
CLIENT_OBJ := $(CLIENT_C:%.c=$(B)/obj/%.o) $(PROTO_C:%.c=$(B)/obj/%.o) $(MAPS_C:%.c=$(B)/obj/%.o) \
             $(addprefix $(B)/obj/,channels/manifest.o channels/units.o channels/channel.o sfi/report.o)
CLIENT_LDLIBS := -l:libcrypto.a
CLIENT_MAP_LDLIBS := -ljansson
# The front end is a static PIE (still randomised): no dynamic loader at
# all, 0.1 ms less than a libc-only dynamic link (docs/client.md). Not
# under the sanitizers, whose runtimes are shared libraries.
CLIENT_STATIC := $(if $(SAN),,-static-pie)
$(LIBCLIENT): $(CLIENT_OBJ) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
core: $(LIBCLIENT)

# ---- command-line tools: one folder each under tools/ ----------------------
# `zvm` is the front end: submit, status, upload and map --socket
# in-process with only libzvm-client, the map parser and libc; run,
# validate and a local map exec `zvm-local` beside it, which links the
# local runner (docs/client.md: start cost measured). The front end links
# map-run.o for what both map runners share; --gc-sections drops its
# zvm_map_run (only zvm-local's zvm_map_local calls it) and with it the
# reference to the runner, so a call to the runner from the front end's
# code is a link error, not a silent dependency.
$(B)/obj/tools/zvm/%.o: ALL_CFLAGS += -ffunction-sections -fdata-sections
# (and rebuilt when these rules change: an object built without those
# flags would keep the runner's reference)
$(patsubst %.c,$(B)/obj/%.o,$(wildcard tools/zvm/*.c)): Makefile
ZVM_FRONT := main.c cmd_submit.c job.c job-report.c cmd_map.c map-run.c
ZVM_C     := $(filter-out tools/zvm/main.c,$(wildcard tools/zvm/*.c))
ZVMCC_C   := $(wildcard tools/zvm-cc/*.c)
$(B)/bin/zvm: $(ZVM_FRONT:%.c=$(B)/obj/tools/zvm/%.o) $(LIBMAPS) $(LIBCLIENT)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(CLIENT_STATIC) -Wl,--gc-sections $^ -o $@ -l:libjansson.a $(CLIENT_LDLIBS)
# zvm-local links libseccomp, libcrypto, libcap-ng and jansson in, as
# zvm-worker does: their dynamic relocations were 0.3 ms of its start, which
# pays for the front end's exec in front of it (docs/client.md). Zydis has
# no static archive on Debian.
LOCAL_LIBS := -Wl,--as-needed -lZydis -Wl,-Bstatic -lseccomp -lcrypto -lcap-ng -ljansson -Wl,-Bdynamic -lbpf -lm
$(B)/bin/zvm-local: $(ZVM_C:%.c=$(B)/obj/%.o) $(LIBMAPS) $(LIBCLIENT) $(LIBPROTO) $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(LOCAL_LIBS)
# The same commands linked as the one `zvm` binary was before the split
# (every library shared): the "before" of tools/bench/client.sh.
$(B)/tests/bin/zvm-one: $(ZVM_C:%.c=$(B)/obj/%.o) $(LIBMAPS) $(LIBCLIENT) $(LIBPROTO) $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(LDLIBS) -ljansson
all: $(B)/tests/bin/zvm-one
$(B)/bin/zvm-cc: $(ZVMCC_C:%.c=$(B)/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@
$(B)/bin/zvmd: $(B)/obj/supervisor/main.o $(ZVMD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(LDLIBS)
# zvmd's unprivileged validator helper (supervisor/validator.h)
$(B)/bin/zvm-validator: $(B)/obj/supervisor/validator-main.o $(ZVMD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(LDLIBS)
# the program each of zvmd's workers execs; zvmd looks for it beside itself.
# libseccomp, libcrypto and libcap-ng linked in: a worker starts with every
# refill, and their dynamic relocations were a third of its start (0.4 ms).
WORKER_LIBS := -Wl,--as-needed -lZydis -Wl,-Bstatic -lseccomp -lcrypto -lcap-ng -Wl,-Bdynamic -lm
$(B)/bin/zvm-worker: $(B)/obj/supervisor/worker-main.o $(ZVMD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(WORKER_LIBS)
tools: $(B)/bin/zvm $(B)/bin/zvm-local $(B)/bin/zvm-cc $(B)/bin/zvmd $(B)/bin/zvm-worker $(B)/bin/zvm-validator

# ---- unit tests: tests/unit/<part>/test_<module>.c, one binary each ---------
UNIT_C    := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN  := $(UNIT_C:tests/unit/%.c=$(B)/tests/unit/%)
# Each links the libraries of its part: the core for all, the protocol for
# protocol/ and supervisor/, the daemon's library for supervisor/, the maps
# library and jansson for maps/, the compiler's for compile/, zvm serve's
# and libzvm-client for serve/.
unit_libs = $(if $(filter serve/%,$(1)),$(LIBSERVE) $(COMPILE_LIB) $(LIBCLIENT) -lmicrohttpd -ljansson -lpthread) $(if $(filter compile/%,$(1)),$(COMPILE_LIB) -ljansson) $(if $(filter maps/%,$(1)),$(LIBMAPS) -ljansson) $(if $(filter supervisor/%,$(1)),$(LIBZVMD)) $(if $(filter supervisor/% protocol/%,$(1)),$(LIBPROTO)) $(LIBZVM)
$(B)/tests/unit/%: tests/unit/%.c $(LIBZVM) $(LIBPROTO) $(LIBZVMD) $(LIBMAPS) $(wildcard tests/unit/*/*-support.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(wildcard tests/unit/$(dir $*)*-support.c) -o $@ $(call unit_libs,$*) $(LDLIBS) -lcmocka
unit: $(UNIT_BIN)

# ---- fragments of the parts (runtime, escape corpus, fuzz, bench, ...) ------
include $(sort $(wildcard mk/*.mk))

deps:
	./mk/deps.sh

# The sanitizer pass: the pure parts' unit tests again under ASan+UBSan.
# (A cell cannot run under ASan: its shadow memory sits inside the sandbox
# range, so cells are tested by the integration suites without it.)
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
sanitize:
	$(MAKE) BUILD=$(B)/asan SAN="$(ASAN_FLAGS)" core unit

check: deps
	$(MAKE) all unit
	$(MAKE) sanitize
	./tests/run-all.sh

# A real job, start to end: build, validate, run with arguments and stdin.
demo: deps
	$(MAKE) all
	@echo "== zvm-cc -O2 examples/hello.c -o $(B)/hello.nexe"
	$(B)/bin/zvm-cc -O2 examples/hello.c -o $(B)/hello.nexe
	@echo "== zvm validate $(B)/hello.nexe"
	$(B)/bin/zvm validate $(B)/hello.nexe
	@echo "== echo 'from stdin' | zvm run $(B)/hello.nexe -- a b"
	echo "from stdin" | $(B)/bin/zvm run $(B)/hello.nexe -- a b
	@echo "== zvm run --manifest examples/copy.manifest --report json"
	$(B)/bin/zvm run --manifest examples/copy.manifest --report json
	@echo "== tar -cf $(B)/docs.tar docs; zvm run --image $(B)/docs.tar --image-out $(B)/out.tar wordfreq.nexe -- docs"
	tar -cf $(B)/docs.tar docs
	$(B)/bin/zvm run --image $(B)/docs.tar --image-out $(B)/out.tar $(B)/examples/wordfreq.nexe -- docs
	@echo "== tar -tvf $(B)/out.tar freq.txt  (the file the program wrote, out of its in-memory file system)"
	tar -tvf $(B)/out.tar freq.txt
	@echo "== zvm run lua.nexe -- -e '...'  (Lua 5.4 from Debian's source, built by zvm-cc)"
	$(B)/bin/zvm run $(B)/lua.nexe -- -e 'print(("hello from %s in a cell: %d! = %d"):format(_VERSION, 20, (function(n) local f = 1 for i = 2, n do f = f * i end return f end)(20)))'
	@echo "== zvm map examples/wordcount/job.json  (a system map: one mapper per data/*.txt, one reducer; docs/system-map.md)"
	$(B)/bin/zvm map --report text examples/wordcount/job.json
	@echo "== zvm map examples/corpus-wordcount/job.json | sort -rn | head -5  (one C mapper per shard of $(B)/examples/corpus: this machine's licenses and copyright files)"
	$(B)/bin/zvm map examples/corpus-wordcount/job.json > $(B)/examples/corpus-wordcount.out && sort -rn $(B)/examples/corpus-wordcount.out | head -5
	@echo "== zvm map examples/wordcount-lua/job.json | sort -rn | head -5  (the same in Lua: lua.nexe running the script device)"
	$(B)/bin/zvm map examples/wordcount-lua/job.json > $(B)/examples/wordcount-lua.out && sort -rn $(B)/examples/wordcount-lua.out | head -5
	@echo "== zvm map examples/pipeline/job.json | sort -rn | head -5  (grep 'License:' -> sort -> uniq -c, one grep per shard)"
	$(B)/bin/zvm map examples/pipeline/job.json > $(B)/examples/pipeline.out && sort -rn $(B)/examples/pipeline.out | head -5
	@echo "== zvm map examples/sharded-sort/job.json; cmp with sort  (one sorter per shard, one merger)"
	$(B)/bin/zvm map examples/sharded-sort/job.json
	LC_ALL=C sort $(B)/examples/corpus/shard-*.txt | cmp - $(B)/examples/sharded-sort/sorted.txt && echo "sorted.txt: the same bytes as sort"
	@echo "== zvm map --report text examples/replicated/job.json  (every node run 3 times, outputs compared; the counts in $(B)/examples/replicated.out)"
	$(B)/bin/zvm map --report text examples/replicated/job.json > $(B)/examples/replicated.out

test: all unit
	./tests/run-all.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(B)/obj $(B)/tests -name '*.d' 2>/dev/null)
