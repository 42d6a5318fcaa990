# Fuzzing with libFuzzer (clang): every tests/fuzz/fuzz_*.c is linked with
# the pure parts of the core (sfi/*.c channels/*.c, the wire protocol, protocol/*.c, system maps, maps/*.c with -ljansson,
# minus what needs a real worker; zvmd's reader of validator helpers' replies), built by clang with coverage and ASan+UBSan.
#   make fuzz-build   build them into $(B)/fuzz/
#   make fuzz-smoke   each for 10 s (part of make check, via t_fuzz_smoke.sh)
#   make fuzz         each for FUZZ_SECONDS (default 60), corpus kept in $(B)/fuzz/corpus-*
# A new fuzz_<name>.c needs no change here; its seeds go in tests/fuzz/seeds/<name>/.
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
# Sources that only make sense inside a worker (they reference the trap
# entry, the cell-stage seccomp filter, ...): extend when one is added.
FUZZ_EXCLUDE  := sfi/cell.c sfi/run.c sfi/traps.c sfi/faults.c sfi/template.c
FUZZ_CORE     := $(filter-out $(FUZZ_EXCLUDE),$(wildcard sfi/*.c channels/*.c protocol/*.c maps/*.c)) supervisor/validator.c compile/result.c serve/request.c serve/map-request.c
FUZZ_OBJ      := $(FUZZ_CORE:%.c=$(B)/fuzz-obj/%.o)
FUZZ_COMMON   := -g -O1 -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
                 -DOPENSSL_SUPPRESS_DEPRECATED -I. -I$(B)/gen -MMD -MP
FUZZ_SECONDS  ?= 60
FUZZ_SMOKE_SECONDS ?= 10

$(B)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_COMMON) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(B)/fuzz-obj/sfi/valcache.o: $(B)/gen/validator-id.h

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined $< $(FUZZ_OBJ) -o $@ $(LDLIBS) -ljansson

.PHONY: fuzz-build fuzz fuzz-smoke
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do n=$$(basename $$f | sed 's/^fuzz_//'); \
		mkdir -p $(B)/fuzz/corpus-$$n tests/fuzz/seeds/$$n; \
		echo "== $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done

fuzz-smoke: fuzz-build
	BUILD=$(B) FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) bash tests/fuzz/t_fuzz_smoke.sh

-include $(shell find $(B)/fuzz-obj $(B)/fuzz -name '*.d' 2>/dev/null)
