/*
 * fuzz_validator.c — libFuzzer target for sfi_validate_text. Any bytes,
 * padded with HLT to a bundle multiple, must give a verdict without a
 * crash; an accepted text is decoded again here and must respect the
 * invariants the safety argument uses (no instruction crossing a bundle,
 * no syscall/int/ret anywhere in the decoded stream).
 */
#include <Zydis/Zydis.h>
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sfi/sfi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t text[4096];
	struct sfi_options opt = { .deterministic = size & 1 };
	struct sfi_verdict v;
	size_t n = size > sizeof(text) ? sizeof(text) : size, padded = (n + 31) / 32 * 32;
	int rc;

	if (padded == 0)
		padded = 32;
	memset(text, 0xf4, padded);
	memcpy(text, data, n);
	rc = sfi_validate_text(text, padded, ZVM_TEXT_BASE, &opt, &v);
	assert(rc == 0 || rc == 1);
	if (rc == 1) {
		assert(v.rule && v.offset < padded);
		return 0;
	}
	{
		ZydisDecoder d;
		ZydisDecodedInstruction in;
		size_t off = 0;

		ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		while (off < padded) {
			assert(ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&d, NULL, text + off, padded - off, &in)));
			assert(off / 32 == (off + in.length - 1) / 32);
			assert(in.mnemonic != ZYDIS_MNEMONIC_SYSCALL && in.mnemonic != ZYDIS_MNEMONIC_RET &&
			       in.mnemonic != ZYDIS_MNEMONIC_INT && in.mnemonic != ZYDIS_MNEMONIC_SYSENTER);
			off += in.length;
		}
	}
	return 0;
}
