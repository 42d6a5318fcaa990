# The in-sandbox runtime, built by zvm-cc itself (the same SFI pipeline as
# every untrusted program): $(B)/runtime/{include/,zvm.ld,crt0.o,libzvmrt.a,
# libzvmgcc.a}, which zvm-cc compiles and links programs against.
RT        := $(B)/runtime
RT_HDRS   := $(patsubst runtime/include/%,$(RT)/include/%,$(shell find runtime/include -name '*.h'))
RT_C      := $(wildcard runtime/*.c)
RT_GCC_C  := $(wildcard runtime/libgcc/*.c)
# -fno-builtin and no loop-to-call rewriting: memcpy, strlen, __udivti3 ...
# must not turn into calls of themselves.
RT_CFLAGS := -O2 -g0 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -fno-builtin -fno-tree-loop-distribute-patterns -fno-math-errno
ZVMCC     := $(B)/bin/zvm-cc
RT_ENV    := ZVM_RUNTIME_DIR=$(RT) ZVM_LIBC=mini

$(RT)/include/%.h: runtime/include/%.h
	@mkdir -p $(dir $@)
	cp $< $@
$(RT)/zvm.ld: runtime/zvm.ld
	@mkdir -p $(dir $@)
	cp $< $@
$(RT)/obj/%.o: runtime/%.c $(ZVMCC) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) $(RT_CFLAGS) -c $< -o $@
$(RT)/crt0.o: runtime/crt0.S $(ZVMCC) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) -Wall -Wextra -Werror -c $< -o $@
# the default libc's SSE2 memcpy, memmove, strlen and strcmp serve the small
# runtime too (string.c has the rest)
RT_ZLIBC  := memcpy memmove strlen strcmp
$(RT)/obj/zlibc/%.o: runtime/zlibc/%.c runtime/zlibc/simd.h $(ZVMCC) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) $(RT_CFLAGS) -c $< -o $@
# what cpuid answers (zvm-cc rewrites it into a call): both runtimes
$(RT)/obj/cpuid.o: runtime/cpuid.S $(ZVMCC) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(RT_ENV) $(ZVMCC) -Wall -Wextra -Werror -c $< -o $@
$(RT)/libzvmrt.a: $(RT_C:runtime/%.c=$(RT)/obj/%.o) $(RT_ZLIBC:%=$(RT)/obj/zlibc/%.o) $(RT)/obj/cpuid.o
	rm -f $@ && ar rcs $@ $^
$(RT)/libzvmgcc.a: $(RT_GCC_C:runtime/%.c=$(RT)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

RT_ALL    := $(RT_HDRS) $(RT)/zvm.ld $(RT)/crt0.o $(RT)/libzvmrt.a $(RT)/libzvmgcc.a
.PHONY: runtime
runtime: $(RT_ALL)
all: $(RT_ALL)
