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

/* sfi_validate_text with its fast paths (one-byte instructions, common
 * direct branches, the decode memo) on or off: the verdict must be the
 * same either way (the fuzzer compares them). */
int sfi_validate_text_fast(const uint8_t *code, size_t size, uint64_t load_address,
			   const struct sfi_options *opt, struct sfi_verdict *verdict, bool fast);

#endif
