# `zvm serve` (serve/, docs/http.md): an HTTP API in front of zvmd, its own
# program build/bin/zvm-serve, exec'd by the `zvm serve` front end as
# zvm-local is for `run`. Linked with libzvm-client (no runner
# libraries), libmicrohttpd and jansson.
SERVE_C   := $(wildcard serve/*.c)
SERVE_LIB_C := $(filter-out serve/main.c,$(SERVE_C))
LIBSERVE  := $(B)/lib/libzvmserve.a
# messages are built in small buffers; a cut message is fine
$(SERVE_C:%.c=$(B)/obj/%.o): ALL_CFLAGS += -Wno-format-truncation
SERVE_LDLIBS := -lmicrohttpd -ljansson -lpthread -lm $(CLIENT_LDLIBS)
$(LIBSERVE): $(SERVE_LIB_C:%.c=$(B)/obj/%.o) Makefile mk/serve.mk
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
# libzvmcompile for zc_utf8_clean (output bytes into JSON strings)
$(B)/bin/zvm-serve: $(B)/obj/serve/main.o $(LIBSERVE) $(COMPILE_LIB) $(LIBCLIENT)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ $(SERVE_LDLIBS)
tools: $(B)/bin/zvm-serve
core: $(LIBSERVE)
# the unit tests of serve/ link its library and libzvm-client (unit_libs)
$(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/serve/test_*.c)): $(LIBSERVE) $(COMPILE_LIB) $(LIBCLIENT)
