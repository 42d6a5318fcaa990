# make bench: native vs zvm side by side (tools/bench/run.sh: compute kernels,
# one-shot start-up, validator speed), then the supervisor's start latency and
# throughput (tools/bench/zvmd.sh, root). Tables printed and kept in
# $(B)/bench.md and $(B)/bench-zvmd.md.
$(B)/tests/bin/zvmd-bench: tools/bench/zvmd-bench.c $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBZVM) $(LDLIBS)
all: $(B)/tests/bin/zvmd-bench

bench: all
	BUILD=$(B) tools/bench/run.sh --out $(B)/bench.md
	BUILD=$(B) tools/bench/zvmd.sh --out $(B)/bench-zvmd.md
