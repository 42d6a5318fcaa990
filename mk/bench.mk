# make bench: native vs zvm side by side (tools/bench/run.sh: compute kernels,
# one-shot start-up, validator speed), the masked return against the older
# pop-and-jump (tools/bench/ret.sh, bench-ret.md), the start cost of a large image
# (tools/bench/start.sh; --before ZVM compares another build), then the supervisor's start latency and
# throughput (tools/bench/zvmd.sh, root) and the hand-out with workers forked by the zygote or
# exec'd, step by step (tools/bench/handout.sh, bench-handout.md), then real programs: Lua, stdio and
# malloc in C, build times (tools/bench/musl.sh), then system maps (tools/bench/map-bench.sh:
# the word count vs native pipes, one edge, 100 nodes), then the kernels by libc:
# glibc, native musl, the cell's default libc and the small runtime, CPU
# time (tools/bench/libc.sh). Tables printed and kept in $(B)/bench.md,
# bench-start.md, bench-zvmd.md, bench-client.md, bench-musl.md, bench-map.md and bench-libc.md;
# then the peers (tools/bench/peers.sh: the kernels as WebAssembly under Node, and the start of
# bwrap, crun and firejail beside zvm), in bench-peers.md; the compile jail's cost
# (tools/bench/compile.sh: zvm-cc alone, with zvm validate, and through zvm-compile), in bench-compile.md;
# zvm serve over HTTP beside `zvm submit`, and its bounded load test (tools/bench/serve.sh), in bench-serve.md;
# the word count map through `zvm map --socket` and POST /v1/maps (tools/bench/serve-maps.sh), in bench-serve-maps.md;
# the word count in Swift, data-local against download + zvm map (tools/bench/swift.sh, root:
# it starts its own rig), in bench-swift.md; last Python (tools/bench/python.sh:
# python.nexe's start and five workloads beside Debian's python3.11), in bench-python.md.
$(B)/tests/bin/zvmd-bench: tools/bench/zvmd-bench.c $(LIBPROTO) $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBPROTO) $(LIBZVM) $(LDLIBS)
all: $(B)/tests/bin/zvmd-bench

bench: all
	BUILD=$(B) tools/bench/run.sh --out $(B)/bench.md
	BUILD=$(B) tools/bench/ret.sh --out $(B)/bench-ret.md
	BUILD=$(B) tools/bench/start.sh --out $(B)/bench-start.md
	BUILD=$(B) tools/bench/zvmd.sh --out $(B)/bench-zvmd.md
	BUILD=$(B) tools/bench/handout.sh --out $(B)/bench-handout.md
	BUILD=$(B) tools/bench/template.sh --out $(B)/bench-template.md
	BUILD=$(B) tools/bench/client.sh --out $(B)/bench-client.md
	BUILD=$(B) tools/bench/musl.sh --out $(B)/bench-musl.md
	BUILD=$(B) tools/bench/map-bench.sh --out $(B)/bench-map.md
	BUILD=$(B) tools/bench/libc.sh --out $(B)/bench-libc.md
	BUILD=$(B) tools/bench/peers.sh --out $(B)/bench-peers.md
	BUILD=$(B) tools/bench/compile.sh --out $(B)/bench-compile.md
	BUILD=$(B) tools/bench/serve.sh --out $(B)/bench-serve.md
	BUILD=$(B) tools/bench/serve-maps.sh --out $(B)/bench-serve-maps.md
	BUILD=$(B) tools/bench/swift.sh --out $(B)/bench-swift.md
	BUILD=$(B) tools/bench/python.sh --out $(B)/bench-python.md
	BUILD=$(B) tools/bench/template-profile.sh --out $(B)/bench-template-profile.md
$(B)/tests/bin/pool-spawn: tools/bench/pool-spawn.c $(ZVMD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(ZVMD_LIBS) $(LDLIBS)
all: $(B)/tests/bin/pool-spawn
# the client (issue #13): `zvm submit` by digest as a process, the front
# end against the one-binary link (tests/bin/zvm-one), against
# libzvm-client in-process (tools/bench/client.sh)
$(B)/tests/bin/client-bench: tools/bench/client-bench.c $(LIBCLIENT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBCLIENT) $(CLIENT_LDLIBS)
all: $(B)/tests/bin/client-bench
