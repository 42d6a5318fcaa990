# make bench: native vs zvm side by side (tools/bench/run.sh); the table is
# printed and kept in $(B)/bench.md. docs/benchmarks.md records a run.
bench: all
	BUILD=$(B) tools/bench/run.sh --out $(B)/bench.md
