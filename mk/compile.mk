# zvm-compile: zvm-cc on untrusted C in a jail of its own (compile/,
# docs/compile.md), for zvm serve's compile stage. Tested by
# tests/compile/t_compile.sh; its pure parts by tests/unit/compile/.
COMPILE_C   := $(wildcard compile/*.c)
COMPILE_LIB := $(B)/lib/libzvmcompile.a
# paths are built in PATH_MAX buffers; a cut one fails at its open
$(COMPILE_C:%.c=$(B)/obj/%.o): ALL_CFLAGS += -Wno-format-truncation
$(COMPILE_LIB): $(filter-out $(B)/obj/compile/main.o,$(COMPILE_C:%.c=$(B)/obj/%.o)) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(B)/bin/zvm-compile: $(B)/obj/compile/main.o $(COMPILE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ -o $@ -l:libjansson.a -Wl,-Bstatic -lseccomp -lcap-ng -Wl,-Bdynamic
core: $(COMPILE_LIB)
tools: $(B)/bin/zvm-compile
$(B)/tests/unit/compile/test_report: $(COMPILE_LIB)
