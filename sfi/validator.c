/*
 * validator.c — proves, before anything runs, that a text segment obeys the
 * rules of docs/sfi.md §2. This file and validator-rules.c are the part of
 * zvm that must be right for safety.
 *
 * Pass 1 decodes linearly from offset 0 and checks each instruction on its
 * own (and an indirect branch together with the mask before it), recording
 * instruction starts, the interiors of masked pairs, and direct branches.
 * Pass 2 checks every direct branch's target against those records. The
 * verdict is the violation at the lowest offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

struct branch {
	uint32_t offset;       /* of the branch instruction */
	uint64_t target;       /* absolute */
	bool is_call;
};

struct ctx {
	const uint8_t *code;
	size_t size;
	uint64_t base;
	const struct sfi_options *opt;
	uint8_t *starts;       /* bit per byte: an instruction starts here */
	uint8_t *interior;     /* bit per byte: the jump of a masked pair */
	struct branch *br;
	size_t nbr, capbr;
	ZydisDecoder dec;
};

struct insn {
	ZydisDecodedInstruction i;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
};

static void set_bit(uint8_t *m, size_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static bool get_bit(const uint8_t *m, size_t i) { return m[i >> 3] & (1u << (i & 7)); }

static bool is_gpr64(ZydisRegister r)
{
	return ZydisRegisterGetClass(r) == ZYDIS_REGCLASS_GPR64;
}

static bool has_prefix(const ZydisDecodedInstruction *i, uint8_t value)
{
	for (unsigned k = 0; k < i->raw.prefix_count; k++)
		if (i->raw.prefixes[k].value == value)
			return true;
	return false;
}

/* Prefixes: no fs/gs, at most one segment prefix, nothing ignored except
 * on NOPs (the assembler's padding uses redundant prefixes). */
static int check_prefixes(const struct insn *x)
{
	const ZydisDecodedInstruction *i = &x->i;
	unsigned segments = 0;
	bool nop = i->mnemonic == ZYDIS_MNEMONIC_NOP;

	if (i->attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS))
		return RULE_SEGMENT_OVERRIDE;
	for (unsigned k = 0; k < i->raw.prefix_count; k++) {
		uint8_t v = i->raw.prefixes[k].value;
		if (v == 0x64 || v == 0x65)
			return RULE_SEGMENT_OVERRIDE;
		if (v == 0x26 || v == 0x2e || v == 0x36 || v == 0x3e)
			segments++;
	}
	if (segments > 1 && !nop)
		return RULE_SEGMENT_OVERRIDE;
	for (unsigned k = 0; k < i->raw.prefix_count; k++)
		if (i->raw.prefixes[k].type == ZYDIS_PREFIX_TYPE_IGNORED && !nop)
			return RULE_IGNORED_PREFIX;
	return -1;
}

static int check_opcode(const struct ctx *c, const struct insn *x)
{
	const ZydisDecodedInstruction *i = &x->i;

	if (i->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
		return RULE_ISA_SET;
	if (sfi_forbidden_reason(i->mnemonic))
		return RULE_FORBIDDEN;
	if (sfi_denied_category(i))
		return RULE_PRIVILEGED;
	/* hlt is privileged to the CPU, which is the point: in user mode it
	 * faults, so it serves as a trap (and as the text's padding). */
	if ((i->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) && i->mnemonic != ZYDIS_MNEMONIC_HLT)
		return RULE_PRIVILEGED;
	if (c->opt->deterministic && sfi_nondeterministic(i->mnemonic))
		return RULE_NONDETERMINISTIC;
	if (!sfi_isa_set_allowed(i->meta.isa_set))
		return RULE_ISA_SET;
	for (unsigned k = 0; k < i->operand_count; k++) {
		const ZydisDecodedOperand *o = &x->op[k];
		if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && o->visibility != ZYDIS_OPERAND_VISIBILITY_HIDDEN &&
		    ZydisRegisterGetClass(o->reg.value) == ZYDIS_REGCLASS_SEGMENT)
			return RULE_SEGMENT_REGISTER;
		if (o->type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    (ZydisRegisterGetClass(o->reg.value) == ZYDIS_REGCLASS_CONTROL ||
		     ZydisRegisterGetClass(o->reg.value) == ZYDIS_REGCLASS_DEBUG))
			return RULE_PRIVILEGED;
		if (o->type == ZYDIS_OPERAND_TYPE_POINTER)
			return RULE_FAR_BRANCH;
	}
	if ((i->mnemonic == ZYDIS_MNEMONIC_BT || i->mnemonic == ZYDIS_MNEMONIC_BTS ||
	     i->mnemonic == ZYDIS_MNEMONIC_BTR || i->mnemonic == ZYDIS_MNEMONIC_BTC) &&
	    x->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY && x->op[1].type == ZYDIS_OPERAND_TYPE_REGISTER)
		return RULE_BIT_TEST_MEMORY;
	return -1;
}

/* Every memory operand, hidden ones included (string instructions, xlat,
 * push/pop/call's stack accesses). lea computes an address without using
 * it; NOPs do not touch memory. */
static int check_memory(const struct insn *x)
{
	const ZydisDecodedInstruction *i = &x->i;

	if (i->mnemonic == ZYDIS_MNEMONIC_NOP)
		return -1;
	for (unsigned k = 0; k < i->operand_count; k++) {
		const ZydisDecodedOperand *o = &x->op[k];
		if (o->type != ZYDIS_OPERAND_TYPE_MEMORY)
			continue;
		if (o->mem.type == ZYDIS_MEMOP_TYPE_AGEN)
			continue;
		if (o->mem.segment == ZYDIS_REGISTER_FS || o->mem.segment == ZYDIS_REGISTER_GS)
			return RULE_SEGMENT_OVERRIDE;
		if (o->mem.type != ZYDIS_MEMOP_TYPE_MEM)
			return RULE_MEMORY_ADDRESS_64; /* MIB, VSIB: not admitted */
		if (i->address_width == 32)
			continue;
		if ((o->mem.base == ZYDIS_REGISTER_RSP || o->mem.base == ZYDIS_REGISTER_RIP) &&
		    o->mem.index == ZYDIS_REGISTER_NONE)
			continue;
		return o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN ? RULE_STRING_WITHOUT_ADDR32
									 : RULE_MEMORY_ADDRESS_64;
	}
	return -1;
}

static bool is_stack_op(ZydisMnemonic m)
{
	return m == ZYDIS_MNEMONIC_PUSH || m == ZYDIS_MNEMONIC_POP || m == ZYDIS_MNEMONIC_CALL ||
	       m == ZYDIS_MNEMONIC_PUSHF || m == ZYDIS_MNEMONIC_PUSHFQ;
}

/* rsp changes only in ways that keep it in [0, 4 GiB]: see rule 4. */
static int check_stack_pointer(const struct insn *x)
{
	const ZydisDecodedInstruction *i = &x->i;

	for (unsigned k = 0; k < i->operand_count; k++) {
		const ZydisDecodedOperand *o = &x->op[k];
		ZydisRegister r;
		if (o->type != ZYDIS_OPERAND_TYPE_REGISTER || !(o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
			continue;
		r = o->reg.value;
		if (r == ZYDIS_REGISTER_ESP)
			continue; /* a 32-bit write zero-extends into rsp */
		if (r == ZYDIS_REGISTER_SP || r == ZYDIS_REGISTER_SPL)
			return RULE_STACK_POINTER_WRITE;
		if (r != ZYDIS_REGISTER_RSP)
			continue;
		if (o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN && is_stack_op(i->mnemonic))
			continue;
		/* and $imm8, %rsp with a negative immediate only clears low bits */
		if (i->mnemonic == ZYDIS_MNEMONIC_AND && k == 0 && i->operand_count_visible == 2 &&
		    x->op[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && x->op[1].size <= 64 &&
		    i->raw.imm[0].size == 8 && x->op[1].imm.value.s < 0)
			continue;
		return RULE_STACK_POINTER_WRITE;
	}
	return -1;
}

static bool is_branch(const ZydisDecodedInstruction *i)
{
	switch (i->meta.category) {
	case ZYDIS_CATEGORY_COND_BR:
	case ZYDIS_CATEGORY_UNCOND_BR:
	case ZYDIS_CATEGORY_CALL:
	case ZYDIS_CATEGORY_RET:
		return true;
	default:
		return i->mnemonic == ZYDIS_MNEMONIC_LOOP || i->mnemonic == ZYDIS_MNEMONIC_LOOPE ||
		       i->mnemonic == ZYDIS_MNEMONIC_LOOPNE || i->mnemonic == ZYDIS_MNEMONIC_JRCXZ ||
		       i->mnemonic == ZYDIS_MNEMONIC_JECXZ;
	}
}

/* Is prev exactly `and $-32, %eR` for the 64-bit register R? */
static bool is_mask_for(const struct insn *prev, ZydisRegister r64)
{
	const ZydisDecodedInstruction *p = &prev->i;
	ZydisRegister r32;

	if (p->mnemonic != ZYDIS_MNEMONIC_AND || p->operand_count_visible != 2 || p->operand_width != 32)
		return false;
	r32 = ZydisRegisterEncode(ZYDIS_REGCLASS_GPR32, ZydisRegisterGetId(r64));
	return prev->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER && prev->op[0].reg.value == r32 &&
	       prev->op[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && prev->op[1].imm.value.s == -32;
}

static int add_branch(struct ctx *c, uint32_t off, uint64_t target, bool is_call)
{
	if (c->nbr == c->capbr) {
		size_t n = c->capbr ? c->capbr * 2 : 1024;
		struct branch *b = realloc(c->br, n * sizeof(*b));
		if (!b)
			return -ENOMEM;
		c->br = b;
		c->capbr = n;
	}
	c->br[c->nbr++] = (struct branch){ off, target, is_call };
	return 0;
}

/* Branches: no 0x66, no ret, no far forms, indirect ones only as masked
 * pairs through a register, direct ones recorded for pass 2. */
static int check_branch(struct ctx *c, const struct insn *x, const struct insn *prev,
			size_t off, size_t prev_off, int *err)
{
	const ZydisDecodedInstruction *i = &x->i;
	const ZydisDecodedOperand *o = &x->op[0];

	if (!is_branch(i))
		return -1;
	if (has_prefix(i, 0x66) || (i->attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE))
		return RULE_BRANCH_OPERAND_SIZE;
	if (i->meta.category == ZYDIS_CATEGORY_RET)
		return i->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR ? RULE_FAR_BRANCH : RULE_PLAIN_RETURN;
	if (i->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
		return RULE_FAR_BRANCH;
	if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && o->imm.is_relative) {
		uint64_t target;
		if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(i, o, c->base + off, &target)))
			return RULE_DIRECT_BRANCH_TARGET;
		if (add_branch(c, (uint32_t)off, target, i->mnemonic == ZYDIS_MNEMONIC_CALL) < 0)
			*err = -ENOMEM;
		return -1;
	}
	if (o->type == ZYDIS_OPERAND_TYPE_MEMORY)
		return RULE_INDIRECT_THROUGH_MEMORY;
	if (o->type != ZYDIS_OPERAND_TYPE_REGISTER || !is_gpr64(o->reg.value))
		return RULE_INDIRECT_UNMASKED;
	/* The mask must come right before, in the same bundle. */
	if (!prev || prev_off + prev->i.length != off ||
	    prev_off / ZVM_BUNDLE_SIZE != off / ZVM_BUNDLE_SIZE || !is_mask_for(prev, o->reg.value))
		return RULE_INDIRECT_UNMASKED;
	set_bit(c->interior, off);
	return -1;
}

static void fill_verdict(const struct ctx *c, struct sfi_verdict *v, int rule, size_t off,
			 const struct insn *x)
{
	ZydisFormatter fmt;

	v->valid = false;
	v->rule = sfi_rules[rule].name;
	v->reason = sfi_rules[rule].reason;
	v->offset = off;
	v->address = c->base + off;
	v->nbytes = x ? x->i.length : (unsigned)(c->size - off < 15 ? c->size - off : 15);
	memcpy(v->bytes, c->code + off, v->nbytes);
	if (!x) {
		snprintf(v->disasm, sizeof(v->disasm), "(undecodable)");
		return;
	}
	ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_ATT);
	if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&fmt, &x->i, x->op, x->i.operand_count_visible,
							v->disasm, sizeof(v->disasm), c->base + off, NULL)))
		snprintf(v->disasm, sizeof(v->disasm), "(unprintable)");
}

static bool is_trampoline_entry(uint64_t t)
{
	return t >= ZVM_TRAMPOLINE_BASE && t < ZVM_TRAMPOLINE_BASE + ZVM_TRAP_COUNT * ZVM_BUNDLE_SIZE &&
	       t % ZVM_BUNDLE_SIZE == 0;
}

/* Re-decodes the instruction at off, for the verdict of pass 2. */
static void verdict_at(struct ctx *c, struct sfi_verdict *v, int rule, size_t off)
{
	struct insn x;

	if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&c->dec, c->code + off, c->size - off, &x.i, x.op)))
		fill_verdict(c, v, rule, off, &x);
	else
		fill_verdict(c, v, rule, off, NULL);
}

static int pass1(struct ctx *c, struct sfi_verdict *v, size_t *bad_off)
{
	struct insn a, b, *cur = &a, *prev = NULL;
	size_t off = 0, prev_off = 0;
	int err = 0;

	while (off < c->size) {
		int rule = -1;
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&c->dec, c->code + off, c->size - off, &cur->i, cur->op))) {
			fill_verdict(c, v, RULE_UNDECODABLE, off, NULL);
			*bad_off = off;
			return 1;
		}
		v->instructions++;
		set_bit(c->starts, off);
		if (off / ZVM_BUNDLE_SIZE != (off + cur->i.length - 1) / ZVM_BUNDLE_SIZE)
			rule = RULE_BUNDLE_CROSSING;
		if (rule < 0)
			rule = check_prefixes(cur);
		if (rule < 0)
			rule = check_opcode(c, cur);
		if (rule < 0)
			rule = check_memory(cur);
		if (rule < 0)
			rule = check_branch(c, cur, prev, off, prev_off, &err);
		if (rule < 0)
			rule = check_stack_pointer(cur);
		if (err < 0)
			return err;
		if (rule >= 0) {
			fill_verdict(c, v, rule, off, cur);
			*bad_off = off;
			return 1;
		}
		prev = cur;
		prev_off = off;
		cur = cur == &a ? &b : &a;
		off += prev->i.length;
	}
	*bad_off = c->size;
	return 0;
}

static int pass2(struct ctx *c, struct sfi_verdict *v, size_t limit)
{
	for (size_t k = 0; k < c->nbr; k++) {
		const struct branch *b = &c->br[k];
		uint64_t t = b->target;
		int rule = -1;

		if (b->offset >= limit)
			break; /* a lower-offset violation from pass 1 wins */
		if (t >= c->base + limit && t < c->base + c->size)
			continue; /* past pass 1's violation: not decoded, cannot judge */
		if (t >= c->base && t < c->base + c->size) {
			if (!get_bit(c->starts, t - c->base))
				rule = RULE_DIRECT_BRANCH_TARGET;
			else if (get_bit(c->interior, t - c->base))
				rule = RULE_LOCKED_GROUP_TARGET;
		} else if (!(b->is_call && is_trampoline_entry(t))) {
			rule = RULE_DIRECT_BRANCH_TARGET;
		}
		if (rule >= 0) {
			verdict_at(c, v, rule, b->offset);
			return 1;
		}
	}
	return 0;
}

int sfi_validate_text(const uint8_t *code, size_t size, uint64_t load_address,
		      const struct sfi_options *opt, struct sfi_verdict *verdict)
{
	struct ctx c = { .code = code, .size = size, .base = load_address, .opt = opt };
	size_t bad_off = size;
	int rc;

	if (!code || !opt || !verdict || load_address + size > ZVM_SANDBOX_END)
		return -EINVAL;
	memset(verdict, 0, sizeof(*verdict));
	if (size == 0 || size % ZVM_BUNDLE_SIZE != 0) {
		verdict->rule = sfi_rules[RULE_TEXT_SIZE].name;
		verdict->reason = sfi_rules[RULE_TEXT_SIZE].reason;
		snprintf(verdict->disasm, sizeof(verdict->disasm), "(text of %zu bytes)", size);
		return 1;
	}
	if (ZYAN_FAILED(ZydisDecoderInit(&c.dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -EINVAL;
	c.starts = calloc(1, size / 8 + 1);
	c.interior = calloc(1, size / 8 + 1);
	if (!c.starts || !c.interior) {
		rc = -ENOMEM;
		goto out;
	}
	rc = pass1(&c, verdict, &bad_off);
	if (rc >= 0) {
		struct sfi_verdict v2 = *verdict;
		/* pass 2 may find a branch before pass 1's violation */
		if (pass2(&c, &v2, bad_off) == 1) {
			v2.instructions = verdict->instructions;
			*verdict = v2;
			rc = 1;
		}
	}
	if (rc == 0)
		verdict->valid = true;
out:
	free(c.starts);
	free(c.interior);
	free(c.br);
	return rc;
}
