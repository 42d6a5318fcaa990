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
