# Fuzzing with libFuzzer (clang): every tests/fuzz/fuzz_*.c is linked with
# the pure parts of the core, built by clang with coverage and ASan+UBSan.
#   make fuzz-build   build them into $(B)/fuzz/
#   make fuzz-smoke   each for 10 s (part of make check, via t_fuzz_smoke.sh)
#   make fuzz         each for FUZZ_SECONDS (default 60), corpus kept in $(B)/fuzz/corpus-*
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_CORE     := sfi/elf.c sfi/validator.c sfi/validator-rules.c sfi/report.c channels/manifest.c channels/channel.c \
                 $(wildcard supervisor/protocol.c)
FUZZ_CFLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                 -std=gnu11 -D_GNU_SOURCE -DOPENSSL_SUPPRESS_DEPRECATED -I.
FUZZ_SECONDS  ?= 60

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_CORE)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $< $(FUZZ_CORE) -o $@ -lZydis -lcrypto

.PHONY: fuzz-build fuzz fuzz-smoke
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do n=$$(basename $$f | sed 's/^fuzz_//'); \
		mkdir -p $(B)/fuzz/corpus-$$n; \
		echo "== $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done

fuzz-smoke: fuzz-build
	BUILD=$(B) bash tests/fuzz/t_fuzz_smoke.sh
