/*
 * escape-check.c — validates a raw text file as the loader would: padded
 * with HLT to its page end, at ZVM_TEXT_BASE, determinism on. Prints
 * "valid" or the rule name, then the verdict's details on stderr.
 * Exit: 0 valid, 1 invalid, 2 usage or I/O error.
 * Used by tests/escape/t_escape.sh on each program's linked .text, so the
 * corpus checks the validator alone, apart from the ELF parser and the CLI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"

#define PAGE 4096u

int main(int argc, char **argv)
{
	struct sfi_options opt = { .deterministic = true };
	struct sfi_verdict v;
	uint8_t *text = NULL;
	size_t len = 0, cap = 0, padded;
	FILE *f;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TEXT.bin\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rbe");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (;;) {
		size_t n;
		if (len == cap) {
			uint8_t *t = realloc(text, cap = cap ? cap * 2 : 1 << 16);
			if (!t) {
				fprintf(stderr, "out of memory\n");
				return 2;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	padded = len ? (len + PAGE - 1) / PAGE * PAGE : PAGE;
	if (padded > cap) {
		uint8_t *t = realloc(text, padded);
		if (!t) {
			fprintf(stderr, "out of memory\n");
			return 2;
		}
		text = t;
	}
	memset(text + len, 0xf4, padded - len);
	rc = sfi_validate_text(text, padded, ZVM_TEXT_BASE, &opt, &v);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "validator: %s\n", strerror(-rc));
		return 2;
	}
	if (rc == 0) {
		printf("valid\n");
		return 0;
	}
	printf("%s\n", v.rule);
	fprintf(stderr, "offset %llu (0x%llx): %s: ", (unsigned long long)v.offset,
		(unsigned long long)v.address, v.disasm);
	for (unsigned k = 0; k < v.nbytes; k++)
		fprintf(stderr, "%02x%s", v.bytes[k], k + 1 < v.nbytes ? " " : "\n");
	return 1;
}
