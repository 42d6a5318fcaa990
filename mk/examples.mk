# The map examples beside examples/wordcount (docs/system-map.md, "The
# examples"): their C programs, built with musl + ZRT like examples/*.c by
# zvm-cc's pattern rule, and the corpus they read, made from this machine's
# licenses and copyright files into $(B)/examples/corpus/ (never committed).
# The corpus script runs on every `make` and rewrites the shards only when
# the list of files (path, size, mtime) changed.
.PHONY: corpus
corpus:
	sh examples/corpus-wordcount/make-corpus.sh $(B)/examples/corpus
all: corpus

# examples/pipeline (grep -> sort -> uniq) and examples/sharded-sort (one
# sorter per shard, the pipeline's sort.nexe, into one merger)
MAP_EXAMPLES := $(addprefix $(B)/examples/pipeline/,grep.nexe sort.nexe uniq.nexe) \
                $(B)/examples/sharded-sort/merge.nexe
$(MAP_EXAMPLES): examples/pipeline/lines.h examples/peers.h
all: $(MAP_EXAMPLES)

