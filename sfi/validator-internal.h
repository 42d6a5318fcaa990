/*
 * validator-internal.h — the validator's rules and tables (policy as data),
 * shared by validator.c (the checks) and validator-rules.c (the tables).
 */
#ifndef ZVM_VALIDATOR_INTERNAL_H
#define ZVM_VALIDATOR_INTERNAL_H

#include <Zydis/Zydis.h>
#include <stdbool.h>

enum sfi_rule {
	RULE_TEXT_SIZE,
	RULE_UNDECODABLE,
	RULE_BUNDLE_CROSSING,
	RULE_ISA_SET,
	RULE_FORBIDDEN,
	RULE_PRIVILEGED,
	RULE_SEGMENT_REGISTER,
	RULE_NONDETERMINISTIC,
	RULE_SEGMENT_OVERRIDE,
	RULE_IGNORED_PREFIX,
	RULE_MEMORY_ADDRESS_64,
	RULE_STRING_WITHOUT_ADDR32,
	RULE_BIT_TEST_MEMORY,
	RULE_STACK_POINTER_WRITE,
	RULE_BRANCH_OPERAND_SIZE,
	RULE_PLAIN_RETURN,
	RULE_FAR_BRANCH,
	RULE_INDIRECT_THROUGH_MEMORY,
	RULE_INDIRECT_UNMASKED,
	RULE_DIRECT_BRANCH_TARGET,
	RULE_LOCKED_GROUP_TARGET,
	RULE_COUNT
};

struct sfi_rule_row {
	const char *name;
	const char *reason;
};
extern const struct sfi_rule_row sfi_rules[RULE_COUNT];

/* Why a mnemonic is refused, or NULL. */
const char *sfi_forbidden_reason(ZydisMnemonic m);
bool sfi_nondeterministic(ZydisMnemonic m);
/* Why the instruction's whole category is refused, or NULL. */
const char *sfi_denied_category(const ZydisDecodedInstruction *i);
bool sfi_isa_set_allowed(ZydisISASet s);

/* What pass 1 needs of one instruction decoded without Zydis
 * (validator-fast.c). */
struct sfi_fast {
	int len;
	int mask_reg;          /* R's id if this is `and $-32, %eR`, else -1 */
	int jmp_reg;           /* R's id if this is `jmp|call *%rR`, else -1 */
};
/* Fills f and returns f->len > 0 if the bytes at p (at least 16 readable)
 * are one of the common encodings validator-fast.c knows: the same length
 * as Zydis decodes, passing every per-instruction check (for jmp_reg >= 0:
 * all but the mask before it, which the caller checks). 0: ask Zydis.
 * (Read the fields one by one: a copy of the whole struct loads what was
 * stored field by field, which defeats store forwarding.) */
int sfi_fast_decode(const uint8_t *p, struct sfi_fast *f);

/* A direct branch, recorded by pass 1 for pass 2. */
struct sfi_branch {
	uint32_t offset;       /* of the branch instruction */
	uint64_t target;       /* absolute */
	bool is_call;
};

/* Pass 1's state that its fast loop (sfi_fast_run) carries on. */
struct sfi_run {
	const uint8_t *code;
	uint64_t base;
	uint32_t *starts;      /* bit per byte, a word per bundle: an instruction starts here */
	uint32_t *interior;    /* bit per byte: inside a masked group */
	struct sfi_branch *br;
	size_t nbr, capbr;
	uint64_t instructions;
	int prev_mask;         /* mask_reg of the instruction before, -1 */
	long ret_ready;        /* offset of a masked `mov %r11, (%rsp)` a ret may follow, -1 */
};

/* Runs pass 1 from off over every instruction the fast paths take (the
 * one-byte ones, prefix-free direct branches, sfi_fast_decode's, the
 * masked pair's jump and the masked return) and that does not cross a
 * bundle, while off < end (end <= the text's size - 15) and a branch
 * slot is free; returns where it stopped, at an instruction start that
 * the general path must judge. */
size_t sfi_fast_run(struct sfi_run *r, size_t off, size_t end);

/* The plain path's view of the one instruction at p (n readable bytes):
 * 0 if it passes every per-instruction check and is no branch, 1 if it
 * is `jmp|call *%rR` passing all but the mask (jmp_reg = R), 2 else
 * (undecodable, another branch, or a rule broken). For the tests. */
int sfi_plain_decode(const uint8_t *p, size_t n, const struct sfi_options *opt, struct sfi_fast *f);

/* sfi_validate_text with its fast paths (one-byte instructions, common
 * direct branches, validator-fast.c, the decode memo) on or off: the verdict must be the
 * same either way (the fuzzer compares them). */
int sfi_validate_text_fast(const uint8_t *code, size_t size, uint64_t load_address,
			   const struct sfi_options *opt, struct sfi_verdict *verdict, bool fast);

#endif
