/*
 * test_validator.c — the validator on raw bytes, one table row per case:
 * bytes, expected verdict, rule and offset (libseccomp's .tests idea).
 * The text is padded with HLT to a bundle multiple, loaded at 0x11000.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sfi/sfi.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* table rows omit nondet */

struct row {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	const char *rule;   /* NULL: valid */
	uint64_t offset;
	bool nondet;        /* validate with determinism off */
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct row rows[] = {
	/* accepted */
	{ "nop and hlt", B(0x90, 0xf4), NULL, 0 },
	{ "32-bit address store", B(0x67, 0x89, 0x18), NULL, 0 },                     /* mov %ebx,(%eax) */
	{ "rsp + disp32", B(0x48, 0x8b, 0x84, 0x24, 0xf0, 0xff, 0xff, 0x7f), NULL, 0 }, /* mov 0x7ffffff0(%rsp),%rax */
	{ "rip-relative", B(0x48, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00), NULL, 0 },
	{ "push pop", B(0x50, 0x58), NULL, 0 },
	{ "sub esp", B(0x83, 0xec, 0x40), NULL, 0 },                                   /* sub $64,%esp */
	{ "and rsp imm8 negative", B(0x48, 0x83, 0xe4, 0xf0), NULL, 0 },               /* and $-16,%rsp */
	{ "masked indirect jump", B(0x83, 0xe0, 0xe0, 0xff, 0xe0), NULL, 0 },          /* and $-32,%eax; jmp *%rax */
	{ "masked indirect call r11", B(0x41, 0x83, 0xe3, 0xe0, 0x41, 0xff, 0xd3), NULL, 0 },
	{ "return sequence", B(0x41, 0x5b, 0x41, 0x83, 0xc3, 0x1f, 0x41, 0x83, 0xe3, 0xe0, 0x41, 0xff, 0xe3), NULL, 0 },
	{ "call trap 1", B(0xe8, 0x1b, 0xf0, 0xff, 0xff), NULL, 0 },                   /* call 0x10020 */
	{ "addr32 rep stosb", B(0x67, 0xf3, 0xaa), NULL, 0 },
	{ "int3 ud2", B(0xcc, 0x0f, 0x0b), NULL, 0 },
	{ "gas padding nop", B(0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00), NULL, 0 },
	{ "backward jump to a start", B(0x90, 0xeb, 0xfd), NULL, 0 },                  /* nop; jmp -3 */
	{ "rdtsc when nondeterministic", B(0x0f, 0x31), NULL, 0, true },
	{ "sse4.2 crc32", B(0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3), NULL, 0 },
	{ "lea with 64-bit registers", B(0x48, 0x8d, 0x04, 0x18), NULL, 0 },           /* lea (%rax,%rbx),%rax */
	/* rejected */
	{ "syscall", B(0x0f, 0x05), "forbidden-instruction", 0 },
	{ "int 0x80 after a nop", B(0x90, 0xcd, 0x80), "forbidden-instruction", 1 },
	{ "64-bit store", B(0x48, 0x89, 0x18), "memory-address-64", 0 },
	{ "rsp base with index", B(0x48, 0x8b, 0x04, 0xc4), "memory-address-64", 0 },
	{ "fs prefix", B(0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0), "segment-override", 0 },
	{ "fs prefix on a nop", B(0x64, 0x90), "segment-override", 0 },
	{ "rep movsb without addr32", B(0xf3, 0xa4), "string-without-addr32", 0 },
	{ "mov rax to rsp", B(0x48, 0x89, 0xc4), "stack-pointer-write", 0 },
	{ "and rsp positive", B(0x48, 0x83, 0xe4, 0x0f), "stack-pointer-write", 0 },
	{ "unmasked jmp", B(0xff, 0xe0), "indirect-branch-unmasked", 0 },
	{ "mask on another register", B(0x83, 0xe1, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 3 },
	{ "mask of -16", B(0x83, 0xe0, 0xf0, 0xff, 0xe0), "indirect-branch-unmasked", 3 },
	{ "jmp through memory", B(0xff, 0x24, 0x24), "indirect-through-memory", 0 },
	{ "ret", B(0xc3), "plain-return", 0 },
	{ "0x66 jmp", B(0x66, 0xe9, 0x00, 0x00, 0x00, 0x00), "branch-operand-size", 0 },
	{ "jump into an instruction", B(0xeb, 0x01, 0xb8, 0, 0, 0, 0), "direct-branch-target", 0 },
	{ "jump onto a masked jmp", B(0xeb, 0x03, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "locked-group-target", 0 },
	{ "call not a trap entry", B(0xe8, 0x0b, 0xf0, 0xff, 0xff), "direct-branch-target", 0 }, /* call 0x10010 */
	{ "jmp to a trap", B(0xe9, 0xfb, 0xef, 0xff, 0xff), "direct-branch-target", 0 },          /* jmp 0x10000 */
	{ "rdtsc", B(0x0f, 0x31), "nondeterministic", 0 },
	{ "cpuid", B(0x0f, 0xa2), "nondeterministic", 0 },
	{ "lgdt", B(0x0f, 0x01, 0x14, 0x24), "privileged-instruction", 0 },
	{ "mov cr0", B(0x0f, 0x20, 0xc0), "privileged-instruction", 0 },
	{ "mov to ds", B(0x8e, 0xd8), "segment-register", 0 },
	{ "wrfsbase", B(0xf3, 0x48, 0x0f, 0xae, 0xd0), "forbidden-instruction", 0 },
	{ "vex", B(0xc5, 0xfd, 0x6f, 0xc8), "isa-set", 0 },
	{ "bts reg into memory", B(0x67, 0x48, 0x0f, 0xab, 0x00), "bit-test-memory", 0 },
	{ "undecodable", B(0x06), "undecodable", 0 },
	{ "crossing a bundle", B(0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), "bundle-crossing", 28 },
	{ "mask and jmp split across bundles", B(0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				 0x83, 0xe0, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 32 },
	{ "ignored rep on a mov", B(0xf3, 0x48, 0x89, 0xc0), "ignored-prefix", 0 },
	{ "lowest offset wins", B(0xeb, 0x01, 0xb8, 0, 0, 0, 0, 0x0f, 0x05), "direct-branch-target", 0 },
	{ "later branch to beyond a violation", B(0x0f, 0x05, 0xeb, 0x00), "forbidden-instruction", 0 },
};

static void run_row(const struct row *r)
{
	uint8_t text[4096];
	size_t size = (r->len + 31) / 32 * 32;
	struct sfi_options opt = { .deterministic = !r->nondet };
	struct sfi_verdict v;
	int rc;

	memset(text, 0xf4, sizeof(text));
	memcpy(text, r->bytes, r->len);
	rc = sfi_validate_text(text, size, ZVM_TEXT_BASE, &opt, &v);
	if (!r->rule) {
		if (rc != 0)
			fail_msg("%s: expected valid, got rule %s at 0x%llx (%s)", r->name, v.rule,
				 (unsigned long long)v.offset, v.disasm);
		assert_true(v.valid);
		return;
	}
	if (rc != 1)
		fail_msg("%s: expected rule %s, got valid", r->name, r->rule);
	if (strcmp(v.rule, r->rule) != 0 || v.offset != r->offset)
		fail_msg("%s: expected %s at %llu, got %s at %llu (%s)", r->name, r->rule,
			 (unsigned long long)r->offset, v.rule, (unsigned long long)v.offset, v.disasm);
	assert_int_equal(v.address, ZVM_TEXT_BASE + v.offset);
	assert_true(v.nbytes > 0);
	assert_true(v.disasm[0] != '\0');
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

static void test_text_size(void **state)
{
	uint8_t text[33];
	struct sfi_options opt = { .deterministic = true };
	struct sfi_verdict v;

	(void)state;
	memset(text, 0x90, sizeof(text));
	assert_int_equal(sfi_validate_text(text, 33, ZVM_TEXT_BASE, &opt, &v), 1);
	assert_string_equal(v.rule, "text-size");
	assert_int_equal(sfi_validate_text(text, 0, ZVM_TEXT_BASE, &opt, &v), 1);
	assert_int_equal(sfi_validate_text(NULL, 32, ZVM_TEXT_BASE, &opt, &v), -EINVAL);
	/* a text that would reach past 4 GiB */
	assert_int_equal(sfi_validate_text(text, 32, ZVM_SANDBOX_END - 16, &opt, &v), -EINVAL);
}

/* Every rule named in the table exists in the validator's list. */
static void test_rule_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool found = !rows[i].rule;
		for (size_t k = 0; k < sfi_rule_count() && !found; k++)
			found = !strcmp(sfi_rule_at(k)->name, rows[i].rule);
		if (!found)
			fail_msg("rule %s is not in sfi_rule_at()", rows[i].rule);
	}
	assert_null(sfi_rule_at(sfi_rule_count()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_text_size),
		cmocka_unit_test(test_rule_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
