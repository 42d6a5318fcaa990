# The escape corpus (tests/escape/): escape-check validates one raw text
# file; tests/escape/t_escape.sh assembles and links each program, extracts
# its .text and runs it through escape-check (and `zvm validate` when built).
ESCAPE_CHECK := $(B)/tests/escape/escape-check

$(ESCAPE_CHECK): tests/escape/escape-check.c $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBZVM) $(LDLIBS)

.PHONY: escape-check
escape-check: $(ESCAPE_CHECK)
all: $(ESCAPE_CHECK)
