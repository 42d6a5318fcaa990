# Helper programs of the integration tests: $(B)/tests/bin/<name>.
ITEST_C   := $(wildcard tests/integration/*.c)
ITEST_BIN := $(ITEST_C:tests/integration/%.c=$(B)/tests/bin/%)
$(B)/tests/bin/%: tests/integration/%.c $(ZVMD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(ZVMD_LIBS) $(LDLIBS)
all: $(ITEST_BIN)
