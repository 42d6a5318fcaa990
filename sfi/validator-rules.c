/*
 * validator-rules.c — the validator's policy as tables: the rules with
 * their reasons, the forbidden and the nondeterministic instructions, and
 * the ISA sets code may use. docs/sfi.md §2 explains each.
 */
#include <stddef.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

const struct sfi_rule_row sfi_rules[RULE_COUNT] = {
	[RULE_TEXT_SIZE] = { "text-size",
		"the text must be a non-empty whole number of 32-byte bundles" },
	[RULE_UNDECODABLE] = { "undecodable",
		"every byte of the text must decode as an x86-64 instruction" },
	[RULE_BUNDLE_CROSSING] = { "bundle-crossing",
		"no instruction may cross a 32-byte bundle boundary, so every bundle start is an instruction start" },
	[RULE_ISA_SET] = { "isa-set",
		"only x86-64 base, x87, SSE to SSE4.2, POPCNT and CMPXCHG16B are admitted (no VEX/EVEX/XOP/MMX)" },
	[RULE_FORBIDDEN] = { "forbidden-instruction",
		"the instruction talks to the kernel, changes privileged or segment state, or escapes the checks" },
	[RULE_PRIVILEGED] = { "privileged-instruction",
		"privileged and system instructions are never admitted" },
	[RULE_SEGMENT_REGISTER] = { "segment-register",
		"loading or storing a segment register could change what addresses mean" },
	[RULE_NONDETERMINISTIC] = { "nondeterministic",
		"the instruction gives different results from run to run (time, randomness, CPU identity)" },
	[RULE_SEGMENT_OVERRIDE] = { "segment-override",
		"fs/gs overrides reach memory outside the sandbox; at most one segment prefix is allowed" },
	[RULE_IGNORED_PREFIX] = { "ignored-prefix",
		"a prefix the CPU ignores hides what the instruction looks like (only NOPs may carry one)" },
	[RULE_MEMORY_ADDRESS_64] = { "memory-address-64",
		"a memory operand must use 32-bit addressing (0x67) or be rsp/rip plus a 32-bit displacement with no index" },
	[RULE_STRING_WITHOUT_ADDR32] = { "string-without-addr32",
		"string instructions, xlat and maskmovdqu must carry the 0x67 prefix so they use esi/edi/ebx" },
	[RULE_BIT_TEST_MEMORY] = { "bit-test-memory",
		"bt/bts/btr/btc with a register bit offset reach up to 2^63 bits past a memory operand" },
	[RULE_STACK_POINTER_WRITE] = { "stack-pointer-write",
		"rsp may change only by push, pop, call, 32-bit writes of esp, or 'and' with a negative 8-bit immediate" },
	[RULE_BRANCH_OPERAND_SIZE] = { "branch-operand-size",
		"a 0x66 prefix on a branch truncates the target to 16 bits" },
	[RULE_PLAIN_RETURN] = { "plain-return",
		"a ret must directly follow 'and $-32, %r11d; mov %r11, (%rsp)' in the same bundle (or return by pop %r11 and a masked jump)" },
	[RULE_FAR_BRANCH] = { "far-branch",
		"far jumps, calls and returns change the code segment" },
	[RULE_INDIRECT_THROUGH_MEMORY] = { "indirect-through-memory",
		"indirect jumps and calls must go through a register masked in the same bundle" },
	[RULE_INDIRECT_UNMASKED] = { "indirect-branch-unmasked",
		"an indirect jmp/call *%rX must directly follow 'and $-32, %eX' in the same bundle" },
	[RULE_DIRECT_BRANCH_TARGET] = { "direct-branch-target",
		"a direct branch must land on an instruction start in the text (a call may also target a trampoline)" },
	[RULE_LOCKED_GROUP_TARGET] = { "locked-group-target",
		"a direct branch may not land inside a masked group (after its mask, before its jump or return)" },
};

size_t sfi_rule_count(void)
{
	return RULE_COUNT;
}

const struct sfi_rule_info *sfi_rule_at(size_t i)
{
	/* struct sfi_rule_row has the layout of struct sfi_rule_info. */
	return i < RULE_COUNT ? (const struct sfi_rule_info *)&sfi_rules[i] : NULL;
}

static const struct {
	ZydisMnemonic m;
	const char *why;
} forbidden[] = {
	{ ZYDIS_MNEMONIC_SYSCALL, "enters the kernel" },
	{ ZYDIS_MNEMONIC_SYSENTER, "enters the kernel" },
	{ ZYDIS_MNEMONIC_SYSEXIT, "privileged return from the kernel" },
	{ ZYDIS_MNEMONIC_SYSRET, "privileged return from the kernel" },
	{ ZYDIS_MNEMONIC_INT, "enters the kernel (only the one-byte int3 is a trap)" },
	{ ZYDIS_MNEMONIC_INT1, "enters the kernel" },
	{ ZYDIS_MNEMONIC_INTO, "enters the kernel" },
	{ ZYDIS_MNEMONIC_IRET, "changes segments and flags" },
	{ ZYDIS_MNEMONIC_IRETD, "changes segments and flags" },
	{ ZYDIS_MNEMONIC_IRETQ, "changes segments and flags" },
	{ ZYDIS_MNEMONIC_LFS, "loads a segment register" },
	{ ZYDIS_MNEMONIC_LGS, "loads a segment register" },
	{ ZYDIS_MNEMONIC_LSS, "loads a segment register" },
	{ ZYDIS_MNEMONIC_RDFSBASE, "reads the trusted thread pointer" },
	{ ZYDIS_MNEMONIC_RDGSBASE, "reads a segment base" },
	{ ZYDIS_MNEMONIC_WRFSBASE, "changes the trusted thread pointer" },
	{ ZYDIS_MNEMONIC_WRGSBASE, "changes a segment base" },
	{ ZYDIS_MNEMONIC_SWAPGS, "privileged" },
	{ ZYDIS_MNEMONIC_IN, "port I/O" },
	{ ZYDIS_MNEMONIC_OUT, "port I/O" },
	{ ZYDIS_MNEMONIC_INSB, "port I/O" },
	{ ZYDIS_MNEMONIC_INSW, "port I/O" },
	{ ZYDIS_MNEMONIC_INSD, "port I/O" },
	{ ZYDIS_MNEMONIC_OUTSB, "port I/O" },
	{ ZYDIS_MNEMONIC_OUTSW, "port I/O" },
	{ ZYDIS_MNEMONIC_OUTSD, "port I/O" },
	{ ZYDIS_MNEMONIC_SGDT, "reveals kernel addresses" },
	{ ZYDIS_MNEMONIC_SIDT, "reveals kernel addresses" },
	{ ZYDIS_MNEMONIC_SLDT, "reveals system state" },
	{ ZYDIS_MNEMONIC_STR, "reveals system state" },
	{ ZYDIS_MNEMONIC_SMSW, "reveals system state" },
	{ ZYDIS_MNEMONIC_LAR, "inspects segment descriptors" },
	{ ZYDIS_MNEMONIC_LSL, "inspects segment descriptors" },
	{ ZYDIS_MNEMONIC_VERR, "inspects segment descriptors" },
	{ ZYDIS_MNEMONIC_VERW, "inspects segment descriptors" },
	{ ZYDIS_MNEMONIC_POPF, "sets the trap and alignment-check flags" },
	{ ZYDIS_MNEMONIC_POPFD, "sets the trap and alignment-check flags" },
	{ ZYDIS_MNEMONIC_POPFQ, "sets the trap and alignment-check flags" },
	{ ZYDIS_MNEMONIC_CLI, "privileged" },
	{ ZYDIS_MNEMONIC_STI, "privileged" },
	{ ZYDIS_MNEMONIC_CLFLUSH, "cache control (side channels)" },
	{ ZYDIS_MNEMONIC_CLFLUSHOPT, "cache control (side channels)" },
	{ ZYDIS_MNEMONIC_CLWB, "cache control (side channels)" },
	{ ZYDIS_MNEMONIC_MONITOR, "waits on memory" },
	{ ZYDIS_MNEMONIC_MWAIT, "waits on memory" },
	{ ZYDIS_MNEMONIC_UMONITOR, "waits on memory" },
	{ ZYDIS_MNEMONIC_UMWAIT, "waits on memory" },
	{ ZYDIS_MNEMONIC_TPAUSE, "waits" },
	{ ZYDIS_MNEMONIC_XBEGIN, "transactional memory: its abort path is an unchecked branch" },
	{ ZYDIS_MNEMONIC_XEND, "transactional memory" },
	{ ZYDIS_MNEMONIC_XABORT, "transactional memory" },
	{ ZYDIS_MNEMONIC_XTEST, "transactional memory" },
	{ ZYDIS_MNEMONIC_RDPKRU, "protection keys" },
	{ ZYDIS_MNEMONIC_WRPKRU, "protection keys" },
	{ ZYDIS_MNEMONIC_XSAVE, "saves extended state to unchecked sizes" },
	{ ZYDIS_MNEMONIC_XSAVE64, "saves extended state to unchecked sizes" },
	{ ZYDIS_MNEMONIC_XSAVEC, "saves extended state to unchecked sizes" },
	{ ZYDIS_MNEMONIC_XSAVEOPT, "saves extended state to unchecked sizes" },
	{ ZYDIS_MNEMONIC_XSAVES, "saves extended state to unchecked sizes" },
	{ ZYDIS_MNEMONIC_XRSTOR, "restores extended state" },
	{ ZYDIS_MNEMONIC_XRSTOR64, "restores extended state" },
	{ ZYDIS_MNEMONIC_XRSTORS, "restores extended state" },
	{ ZYDIS_MNEMONIC_ENQCMD, "device command" },
	{ ZYDIS_MNEMONIC_ENQCMDS, "device command" },
	{ ZYDIS_MNEMONIC_MOVDIR64B, "64-byte direct store" },
	{ ZYDIS_MNEMONIC_ENDBR64, "CET marker: not part of this scheme" },
	{ ZYDIS_MNEMONIC_ENDBR32, "CET marker: not part of this scheme" },
	{ ZYDIS_MNEMONIC_UD0, "undefined instruction (use ud2)" },
	{ ZYDIS_MNEMONIC_UD1, "undefined instruction (use ud2)" },
	{ ZYDIS_MNEMONIC_ENTER, "writes rsp from a 64-bit computation" },
	{ ZYDIS_MNEMONIC_LEAVE, "writes rsp from rbp (use movl %ebp, %esp; popq %rbp)" },
};

/* The tables above are the policy; these arrays, indexed by Zydis's
 * enums and filled once at load time, are how the validator asks them
 * (a scan of every table for every instruction cost half the time). */
static const char *forbidden_by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static bool nondeterministic_by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static bool allowed_by_isa_set[ZYDIS_ISA_SET_MAX_VALUE + 1];
static const char *denied_by_category[ZYDIS_CATEGORY_MAX_VALUE + 1];

const char *sfi_forbidden_reason(ZydisMnemonic m)
{
	return (unsigned)m <= ZYDIS_MNEMONIC_MAX_VALUE ? forbidden_by_mnemonic[m] : "unknown mnemonic";
}

/* Whole categories no sandboxed program needs; a table of mnemonics alone
 * would miss some (Zydis does not mark lgdt or rsm privileged). */
static const struct {
	ZydisInstructionCategory c;
	const char *why;
} denied_categories[] = {
	{ ZYDIS_CATEGORY_SYSTEM, "system instruction" },
	{ ZYDIS_CATEGORY_SYSCALL, "enters the kernel" },
	{ ZYDIS_CATEGORY_SYSRET, "returns from the kernel or SMM" },
	{ ZYDIS_CATEGORY_INTERRUPT, "interrupt (only int3 is a trap)" },
	{ ZYDIS_CATEGORY_IO, "port I/O" },
	{ ZYDIS_CATEGORY_IOSTRINGOP, "port I/O" },
	{ ZYDIS_CATEGORY_SEGOP, "segment operation" },
	{ ZYDIS_CATEGORY_VTX, "virtualization" },
	{ ZYDIS_CATEGORY_SGX, "enclaves" },
	{ ZYDIS_CATEGORY_SMAP, "supervisor access control" },
	{ ZYDIS_CATEGORY_PCONFIG, "platform configuration" },
	{ ZYDIS_CATEGORY_PT, "processor trace" },
	{ ZYDIS_CATEGORY_UINTR, "user interrupts" },
	{ ZYDIS_CATEGORY_RDWRFSGS, "segment bases" },
	{ ZYDIS_CATEGORY_XSAVE, "extended state" },
	{ ZYDIS_CATEGORY_XSAVEOPT, "extended state" },
	{ ZYDIS_CATEGORY_WAITPKG, "waits" },
	{ ZYDIS_CATEGORY_KEYLOCKER, "key locker" },
	{ ZYDIS_CATEGORY_KEYLOCKER_WIDE, "key locker" },
};

const char *sfi_denied_category(const ZydisDecodedInstruction *i)
{
	/* The traps, and what rule 9 already judges (so that it can be
	 * relaxed by a manifest): */
	if (i->mnemonic == ZYDIS_MNEMONIC_HLT || i->mnemonic == ZYDIS_MNEMONIC_INT3 ||
	    sfi_nondeterministic(i->mnemonic))
		return NULL;
	return (unsigned)i->meta.category <= ZYDIS_CATEGORY_MAX_VALUE ? denied_by_category[i->meta.category]
								       : "unknown category";
}

static const ZydisMnemonic nondeterministic[] = {
	ZYDIS_MNEMONIC_RDTSC, ZYDIS_MNEMONIC_RDTSCP, ZYDIS_MNEMONIC_RDPMC, ZYDIS_MNEMONIC_RDRAND,
	ZYDIS_MNEMONIC_RDSEED, ZYDIS_MNEMONIC_RDPID, ZYDIS_MNEMONIC_CPUID, ZYDIS_MNEMONIC_XGETBV,
	/* x87 transcendentals and approximate reciprocals differ between CPUs */
	ZYDIS_MNEMONIC_FSIN, ZYDIS_MNEMONIC_FCOS, ZYDIS_MNEMONIC_FSINCOS, ZYDIS_MNEMONIC_FPTAN,
	ZYDIS_MNEMONIC_FPATAN, ZYDIS_MNEMONIC_F2XM1, ZYDIS_MNEMONIC_FYL2X, ZYDIS_MNEMONIC_FYL2XP1,
	ZYDIS_MNEMONIC_RCPPS, ZYDIS_MNEMONIC_RCPSS, ZYDIS_MNEMONIC_RSQRTPS, ZYDIS_MNEMONIC_RSQRTSS,
};

bool sfi_nondeterministic(ZydisMnemonic m)
{
	return (unsigned)m <= ZYDIS_MNEMONIC_MAX_VALUE && nondeterministic_by_mnemonic[m];
}

/* What -march=x86-64-v2 code may contain. */
static const ZydisISASet allowed_isa[] = {
	ZYDIS_ISA_SET_I86, ZYDIS_ISA_SET_I186, ZYDIS_ISA_SET_I286REAL, ZYDIS_ISA_SET_I386,
	ZYDIS_ISA_SET_I486, ZYDIS_ISA_SET_I486REAL, ZYDIS_ISA_SET_PENTIUMREAL, ZYDIS_ISA_SET_PPRO,
	ZYDIS_ISA_SET_LONGMODE, ZYDIS_ISA_SET_CMOV, ZYDIS_ISA_SET_FCMOV, ZYDIS_ISA_SET_X87,
	ZYDIS_ISA_SET_SSE, ZYDIS_ISA_SET_SSE2, ZYDIS_ISA_SET_SSE3, ZYDIS_ISA_SET_SSE3X87,
	ZYDIS_ISA_SET_SSSE3, ZYDIS_ISA_SET_SSE4, ZYDIS_ISA_SET_SSE42, ZYDIS_ISA_SET_SSEMXCSR,
	ZYDIS_ISA_SET_SSE_PREFETCH, ZYDIS_ISA_SET_POPCNT, ZYDIS_ISA_SET_CMPXCHG16B,
	ZYDIS_ISA_SET_LAHF, ZYDIS_ISA_SET_PAUSE, ZYDIS_ISA_SET_FAT_NOP, ZYDIS_ISA_SET_PREFETCH_NOP,
};

bool sfi_isa_set_allowed(ZydisISASet s)
{
	return (unsigned)s <= ZYDIS_ISA_SET_MAX_VALUE && allowed_by_isa_set[s];
}

__attribute__((constructor)) static void index_tables(void)
{
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		forbidden_by_mnemonic[forbidden[i].m] = forbidden[i].why;
	for (size_t i = 0; i < sizeof(nondeterministic) / sizeof(nondeterministic[0]); i++)
		nondeterministic_by_mnemonic[nondeterministic[i]] = true;
	for (size_t i = 0; i < sizeof(allowed_isa) / sizeof(allowed_isa[0]); i++)
		allowed_by_isa_set[allowed_isa[i]] = true;
	for (size_t i = 0; i < sizeof(denied_categories) / sizeof(denied_categories[0]); i++)
		denied_by_category[denied_categories[i].c] = denied_categories[i].why;
}
