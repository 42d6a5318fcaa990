/*
 * test_validator_fast.c — validator-fast.c against the plain Zydis path.
 *
 * The fast decoder may say "ask Zydis" as often as it likes, but every
 * instruction it accepts must be one the plain path accepts too, with the
 * same length, mask register and indirect-branch register. Checked over
 * every prefix set it could take (none/66/F2/F3 x none/67 x no REX/40-4F,
 * in both orders of 67), every one- and two-byte opcode, every ModRM
 * byte, every SIB byte for the ModRM forms that have one, and trailing
 * bytes of three kinds; then on random byte strings; then whole texts
 * (the images built here, random texts) give the same verdict with the
 * fast paths on and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

static const struct sfi_options det = { .deterministic = true };
static unsigned long accepted, failures;

/* p has 32 bytes; reports a disagreement. */
static void compare(const uint8_t *p)
{
	struct sfi_fast f, g;
	int r;

	if (!sfi_fast_decode(p, &f))
		return;
	accepted++;
	r = sfi_plain_decode(p, 32, &det, &g);
	if ((f.jmp_reg >= 0 ? r != 1 : r != 0) || f.len != g.len || f.mask_reg != g.mask_reg ||
	    f.jmp_reg != g.jmp_reg) {
		if (failures++ < 20) {
			char hex[3 * 16 + 1];
			for (int k = 0; k < 16; k++)
				snprintf(hex + 3 * k, 4, "%02x ", p[k]);
			print_error("fast accepts %s: len %u mask %d jmp %d; plain says %d: len %u mask %d jmp %d\n",
				    hex, f.len, f.mask_reg, f.jmp_reg, r, g.len, g.mask_reg, g.jmp_reg);
		}
	}
}

/* What follows the opcode (or, from its second byte, the ModRM byte):
 * the immediates that matter are -32 (the mask) in 8 and 32 bits. */
#define NTAILS 5
static void tail(uint8_t *b, size_t n, unsigned t)
{
	static const uint8_t fill[NTAILS] = { 0x00, 0xe0, 0xff, 0xff, 0xff };

	memset(b, fill[t], n);
	if (t == 3)
		b[0] = 0xe0;      /* e0 ff ff ff: -32 right after the opcode */
	if (t == 4)
		b[1] = 0xe0;      /* -32 right after ModRM */
}

/* prefixes in buf, then the opcode bytes, ModRM, SIB, tail */
static void each_opcode(const uint8_t *pre, unsigned npre)
{
	uint8_t b[32];

	for (unsigned map = 0; map < 2; map++) {
		for (unsigned op = 0; op < 256; op++) {
			unsigned at = npre;
			struct sfi_fast f;
			memcpy(b, pre, npre);
			if (map)
				b[at++] = 0x0f;
			b[at++] = (uint8_t)op;
			for (unsigned t = 0; t < NTAILS; t++) {
				/* no ModRM forms, and whether the opcode is taken at all */
				bool any = false;
				tail(b + at, sizeof(b) - at, t);
				compare(b);
				for (unsigned m = 0; m < 256; m++) {
					b[at] = (uint8_t)m;
					if (!sfi_fast_decode(b, &f))
						continue;
					any = true;
					compare(b);
					/* SIB forms: every SIB byte */
					if ((m >> 6) != 3 && (m & 7) == 4 && t == 0) {
						uint8_t keep = b[at + 1];
						for (unsigned s = 0; s < 256; s++) {
							b[at + 1] = (uint8_t)s;
							compare(b);
						}
						b[at + 1] = keep;
					}
				}
				if (!any)
					break; /* no ModRM byte makes it one we take */
			}
		}
	}
}

static void test_exhaustive(void **state)
{
	static const uint8_t mand[] = { 0, 0x66, 0xf2, 0xf3 };
	uint8_t pre[4];

	(void)state;
	for (unsigned m = 0; m < 4; m++)
		for (unsigned a = 0; a < 3; a++)
			for (int rex = -1; rex < 16; rex++) {
				unsigned n = 0;
				if (a == 1)
					pre[n++] = 0x67;
				if (mand[m])
					pre[n++] = mand[m];
				if (a == 2)
					pre[n++] = 0x67;
				if (rex >= 0)
					pre[n++] = (uint8_t)(0x40 | rex);
				each_opcode(pre, n);
			}
	/* NOP padding: up to 7 0x66, a cs prefix or not, 0f 1f with any ModRM */
	for (unsigned n66 = 0; n66 < 8; n66++)
		for (unsigned cs = 0; cs < 2; cs++) {
			uint8_t b[32];
			unsigned at = 0;
			for (unsigned k = 0; k < n66; k++)
				b[at++] = 0x66;
			if (cs)
				b[at++] = 0x2e;
			b[at] = 0x90;
			memset(b + at + 1, 0, sizeof(b) - at - 1);
			compare(b);
			b[at++] = 0x0f;
			b[at++] = 0x1f;
			for (unsigned m = 0; m < 256; m++)
				for (unsigned s = 0; s < 256; s += (m >> 6) != 3 && (m & 7) == 4 ? 1 : 256) {
					b[at] = (uint8_t)m;
					b[at + 1] = (uint8_t)s;
					compare(b);
				}
		}
	print_message("fast decoder: %lu accepted encodings checked\n", accepted);
	assert_true(accepted > 100000);
	if (failures)
		fail_msg("%lu encodings the fast decoder accepts differ from the plain path", failures);
}

/* Random bytes, and random bytes after a random choice of prefixes. */
static void test_random(void **state)
{
	static const uint8_t pfx[] = { 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0xf0, 0x48, 0x41, 0x4c, 0x0f };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t b[32];

	(void)state;
	for (unsigned long i = 0; i < 3000000; i++) {
		unsigned np;
		for (unsigned k = 0; k < 32; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[k] = (uint8_t)x;
		}
		np = (unsigned)(x >> 60) % 4;
		for (unsigned k = 0; k < np; k++)
			b[k] = pfx[(x >> (8 * k)) % sizeof(pfx)];
		compare(b);
	}
	if (failures)
		fail_msg("%lu random encodings differ", failures);
}

static bool same(int ra, const struct sfi_verdict *a, int rb, const struct sfi_verdict *b)
{
	if (ra != rb || a->valid != b->valid || a->instructions != b->instructions)
		return false;
	return a->valid || (!strcmp(a->rule, b->rule) && a->offset == b->offset && !strcmp(a->disasm, b->disasm));
}

static void check_text(const char *what, const uint8_t *t, size_t n, const struct sfi_options *opt)
{
	struct sfi_verdict a, b;
	int ra = sfi_validate_text_fast(t, n, ZVM_TEXT_BASE, opt, &a, true);
	int rb = sfi_validate_text_fast(t, n, ZVM_TEXT_BASE, opt, &b, false);

	if (!same(ra, &a, rb, &b))
		fail_msg("%s: fast %d %s at %llu (%s), plain %d %s at %llu (%s)", what, ra, a.valid ? "valid" : a.rule,
			 (unsigned long long)a.offset, a.disasm, rb, b.valid ? "valid" : b.rule,
			 (unsigned long long)b.offset, b.disasm);
}

/* The images of the tree, as they are and cut into 4 KiB windows (each
 * window a text of its own, valid or not), then random texts made of
 * their instructions' bytes shifted by one. */
static void test_images(void **state)
{
	const char *dir = getenv("BUILD") ? getenv("BUILD") : "build";
	static const char *const names[] = { "lua.nexe", "hello.nexe", "examples/wordfreq.nexe",
					     "examples/pipeline/sort.nexe", "examples/cat.nexe" };
	unsigned seen = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char path[512], err[256];
		struct sfi_image img;
		struct sfi_options nondet = { .deterministic = false };
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		if (sfi_image_load_file(path, &img, err, sizeof(err)) < 0)
			continue;
		seen++;
		check_text(path, img.text_padded, img.text_padded_size, &det);
		check_text(path, img.text_padded, img.text_padded_size, &nondet);
		for (size_t off = 0; off + 4096 <= img.text_padded_size; off += 4096 * 7 + 1) {
			uint8_t w[4096];
			memcpy(w, img.text_padded + off, sizeof(w));
			check_text(path, w, sizeof(w), &det);
		}
		sfi_image_free(&img);
	}
	if (!seen)
		skip();
}

static void test_random_texts(void **state)
{
	static uint8_t t[8192];
	uint64_t x = 12345;

	(void)state;
	for (unsigned r = 0; r < 300; r++) {
		for (size_t k = 0; k < sizeof(t); k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly the bytes compiled code is made of */
			t[k] = (x >> 40) % 4 ? (uint8_t)"\x48\x89\x8b\x67\x41\x83\xe0\xff\x0f\x1f\x66\x90\xc3\x44\x24\x05"[(x >> 8) % 16]
					     : (uint8_t)(x >> 16);
		}
		check_text("random text", t, sizeof(t), &det);
	}
}

/* Runs of padding (nop, hlt, int3: taken by the fast loop several bytes
 * at a time) of every length, across bundle ends, among direct branches
 * whose targets land anywhere near: every instruction start the fast loop
 * records must be one the plain path records. */
static void test_padding_runs(void **state)
{
	static uint8_t t[8192];
	static const uint8_t pad[3] = { 0x90, 0xf4, 0xcc };
	uint64_t x = 777;
	unsigned invalid = 0;

	(void)state;
	for (unsigned r = 0; r < 400; r++) {
		size_t at = 0;
		while (at + 16 < sizeof(t)) {
			unsigned what, n;
			int32_t rel;
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			what = (unsigned)(x % 5);
			n = (unsigned)((x >> 8) % 40) + 1;
			/* half the texts branch to the next instruction only (valid) */
			rel = r % 2 ? (int32_t)((x >> 20) % 160) - 80 : 0;
			/* no branch crosses a bundle: HLT up to the next one */
			if (what >= 2 && at % 32 + 6 > 32) {
				memset(t + at, 0xf4, 32 - at % 32);
				at += 32 - at % 32;
				continue;
			}
			switch (what) {
			case 0: case 1: /* a run */
				if (n > sizeof(t) - 16 - at)
					n = (unsigned)(sizeof(t) - 16 - at);
				memset(t + at, pad[(x >> 32) % 3], n);
				at += n;
				break;
			case 2: /* jmp rel8 */
				t[at++] = 0xeb;
				t[at++] = (uint8_t)rel;
				break;
			case 3: /* call or jmp rel32, or jcc rel32 */
				if ((x >> 40) & 1) {
					t[at++] = (x >> 41) & 1 ? 0xe8 : 0xe9;
				} else {
					t[at++] = 0x0f;
					t[at++] = 0x84;
				}
				memcpy(t + at, &rel, 4);
				at += 4;
				break;
			default: /* mov %rax,%rax */
				memcpy(t + at, "\x48\x89\xc0", 3);
				at += 3;
				break;
			}
		}
		memset(t + at, 0xf4, sizeof(t) - at);
		{
			struct sfi_verdict v;
			invalid += sfi_validate_text_fast(t, sizeof(t), ZVM_TEXT_BASE, &det, &v, false) == 1;
		}
		check_text("padding runs", t, sizeof(t), &det);
	}
	/* both kinds of text were seen */
	assert_true(invalid > 0 && invalid < 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_random_texts),
		cmocka_unit_test(test_padding_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
