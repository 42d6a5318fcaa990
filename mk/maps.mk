# System maps (maps/, docs/system-map.md): the word count example's mapper
# and reducer, ordinary C built with musl + ZRT like examples/*.c.
WORDCOUNT := $(B)/examples/wordcount/mapper.nexe $(B)/examples/wordcount/reducer.nexe
$(WORDCOUNT): examples/wordcount/table.h examples/peers.h
all: $(WORDCOUNT)
