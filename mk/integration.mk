# Helper programs of the integration tests: $(B)/tests/bin/<name>.
ITEST_C   := $(wildcard tests/integration/*.c)
ITEST_BIN := $(ITEST_C:tests/integration/%.c=$(B)/tests/bin/%)
$(B)/tests/bin/%: tests/integration/%.c $(LIBZVM)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBZVM) $(LDLIBS)
all: $(ITEST_BIN)
