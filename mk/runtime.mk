# The in-sandbox runtime, built by zvm-cc itself (the same pipeline as
# every untrusted program): build/runtime/{include,zvm.ld,crt0.o,libzvmrt.a,libzvmgcc.a}.
RT        := $(B)/runtime
RT_HDRS   := $(patsubst runtime/include/%,$(RT)/include/%,$(wildcard runtime/include/*.h))
RT_C      := $(wildcard runtime/*.c)
RT_GCC_C  := $(wildcard runtime/libgcc/*.c)
RT_CFLAGS := -O2 -Wall -Wextra -Werror -fno-builtin -fno-tree-loop-distribute-patterns -fno-math-errno
ZVMCC     := $(B)/bin/zvm-cc

$(RT)/include/%.h: runtime/include/%.h
	@mkdir -p $(dir $@)
	cp $< $@
$(RT)/zvm.ld: runtime/zvm.ld
	@mkdir -p $(dir $@)
	cp $< $@
$(RT)/obj/%.o: runtime/%.c $(ZVMCC) $(RT_HDRS)
	@mkdir -p $(dir $@)
	ZVM_RUNTIME_DIR=$(RT) $(ZVMCC) $(RT_CFLAGS) -c $< -o $@
$(RT)/crt0.o: runtime/crt0.S $(ZVMCC) $(RT_HDRS)
	ZVM_RUNTIME_DIR=$(RT) $(ZVMCC) -c $< -o $@
$(RT)/libzvmrt.a: $(RT_C:runtime/%.c=$(RT)/obj/%.o)
	rm -f $@ && ar rcs $@ $^
$(RT)/libzvmgcc.a: $(RT_GCC_C:runtime/%.c=$(RT)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

.PHONY: runtime
runtime: $(RT_HDRS) $(RT)/zvm.ld $(RT)/crt0.o $(RT)/libzvmrt.a $(RT)/libzvmgcc.a
all: runtime

# Example programs
$(B)/examples/%.nexe: examples/%.c runtime
	@mkdir -p $(dir $@)
	$(ZVMCC) -O2 $< -o $@
all: $(B)/examples/hello.nexe $(B)/examples/cat.nexe
