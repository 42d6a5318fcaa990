/*
 * fuzz_validator.c — libFuzzer target for sfi_validate_text.
 *
 * The first byte picks the options, the rest is text, padded with HLT to
 * its page end as the loader does (so texts of 4 KiB and more, where the
 * decode memo is on). Checked:
 *  - a verdict without a crash, its fields in range;
 *  - the fast paths (validator-fast.c among them) and the memo give
 *    exactly the verdict of the plain Zydis path
 *    (sfi_validate_text_fast(..., false));
 *  - an accepted text, decoded again here independently, keeps the
 *    invariants the safety argument uses: no instruction crosses a
 *    bundle, every memory operand is 32-bit or rsp/rip without index, no
 *    fs/gs, no kernel entry or ret, every indirect branch is a register
 *    masked right before it in its bundle, every direct branch lands on an
 *    instruction start in the text (or a call on a trap entry).
 */
#include <Zydis/Zydis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

#define MAX_TEXT (16 * 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static bool same_verdict(int ra, const struct sfi_verdict *a, int rb, const struct sfi_verdict *b)
{
	if (ra != rb || a->valid != b->valid || a->instructions != b->instructions)
		return false;
	if (a->valid)
		return true;
	return a->rule == b->rule && a->offset == b->offset && a->nbytes == b->nbytes &&
	       !memcmp(a->bytes, b->bytes, a->nbytes) && !strcmp(a->disasm, b->disasm);
}

static bool mem_ok(const ZydisDecodedInstruction *i, const ZydisDecodedOperand *o)
{
	if (o->mem.segment == ZYDIS_REGISTER_FS || o->mem.segment == ZYDIS_REGISTER_GS)
		return false;
	if (o->mem.type == ZYDIS_MEMOP_TYPE_AGEN || i->mnemonic == ZYDIS_MNEMONIC_NOP)
		return true;
	return i->address_width == 32 ||
	       ((o->mem.base == ZYDIS_REGISTER_RSP || o->mem.base == ZYDIS_REGISTER_RIP) &&
		o->mem.index == ZYDIS_REGISTER_NONE);
}

/* An accepted text, decoded again without the validator's code. */
static void recheck(const uint8_t *text, size_t size)
{
	static uint8_t starts[MAX_TEXT];
	ZydisDecoder d;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	size_t off = 0, prev_off = 0;
	ZydisDecodedInstruction prev = { 0 };
	ZydisDecodedOperand prev_op[ZYDIS_MAX_OPERAND_COUNT];

	memset(starts, 0, size);
	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (int pass = 0; pass < 2; pass++) {
		for (off = 0; off < size; off += in.length) {
			CHECK(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, text + off, size - off, &in, op)));
			if (pass == 0) {
				starts[off] = 1;
				CHECK(off / 32 == (off + in.length - 1) / 32);
				CHECK(in.mnemonic != ZYDIS_MNEMONIC_SYSCALL && in.mnemonic != ZYDIS_MNEMONIC_RET &&
				      in.mnemonic != ZYDIS_MNEMONIC_INT && in.mnemonic != ZYDIS_MNEMONIC_SYSENTER &&
				      in.mnemonic != ZYDIS_MNEMONIC_IRETQ && in.mnemonic != ZYDIS_MNEMONIC_INT1);
				CHECK(!(in.attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS)));
				for (unsigned k = 0; k < in.operand_count; k++)
					if (op[k].type == ZYDIS_OPERAND_TYPE_MEMORY)
						CHECK(mem_ok(&in, &op[k]));
				continue;
			}
			if (in.meta.category == ZYDIS_CATEGORY_UNCOND_BR || in.meta.category == ZYDIS_CATEGORY_COND_BR ||
			    in.meta.category == ZYDIS_CATEGORY_CALL) {
				if (op[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
					ZyanU64 t;
					CHECK(ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &op[0], ZVM_TEXT_BASE + off, &t)));
					if (t >= ZVM_TEXT_BASE && t < ZVM_TEXT_BASE + size)
						CHECK(starts[t - ZVM_TEXT_BASE]);
					else
						CHECK(in.mnemonic == ZYDIS_MNEMONIC_CALL && t >= ZVM_TRAMPOLINE_BASE &&
						      t < ZVM_TRAMPOLINE_BASE + 32 * ZVM_TRAP_COUNT && t % 32 == 0);
				} else {
					CHECK(op[0].type == ZYDIS_OPERAND_TYPE_REGISTER && off % 32 != 0);
					CHECK(prev.mnemonic == ZYDIS_MNEMONIC_AND && prev_off + prev.length == off &&
					      prev.operand_width == 32 && prev_op[1].imm.value.s == -32 &&
					      ZydisRegisterGetId(prev_op[0].reg.value) == ZydisRegisterGetId(op[0].reg.value));
				}
			}
			prev = in;
			memcpy(prev_op, op, sizeof(op));
			prev_off = off;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t text[MAX_TEXT];
	struct sfi_options opt;
	struct sfi_verdict fast, slow;
	size_t n, padded;
	int rf, rs;

	if (size < 1)
		return 0;
	opt.deterministic = !(data[0] & 1);
	data++, size--;
	n = size > MAX_TEXT ? MAX_TEXT : size;
	padded = n ? (n + 4095) / 4096 * 4096 : 4096;
	memset(text, 0xf4, padded);
	memcpy(text, data, n);

	rf = sfi_validate_text_fast(text, padded, ZVM_TEXT_BASE, &opt, &fast, true);
	CHECK(rf == 0 || rf == 1);
	CHECK(rf == 0 ? fast.valid : (!fast.valid && fast.rule && fast.reason && fast.offset < padded &&
				      fast.address == ZVM_TEXT_BASE + fast.offset && fast.nbytes <= 15));
	rs = sfi_validate_text_fast(text, padded, ZVM_TEXT_BASE, &opt, &slow, false);
	if (!same_verdict(rf, &fast, rs, &slow)) {
		fprintf(stderr, "fast: %d %s at %llu (%s); plain: %d %s at %llu (%s)\n", rf, fast.rule,
			(unsigned long long)fast.offset, fast.disasm, rs, slow.rule,
			(unsigned long long)slow.offset, slow.disasm);
		abort();
	}
	if (rf == 0)
		recheck(text, padded);
	return 0;
}
