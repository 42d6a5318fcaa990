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
 *
 * Speed: Zydis's full decode is most of the cost, so pass 1 avoids it for
 * one-byte nop/hlt/int3, for prefix-free direct branches, for the common
 * encodings validator-fast.c decodes itself, and for instructions equal
 * to one already checked outside their displacement and immediate (the
 * memo). Each shortcut is justified where it is; the
 * fuzzer and the unit tests check that they give exactly the verdict of
 * the plain path (sfi_validate_text_fast(..., false)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

struct ctx {
	const uint8_t *code;
	size_t size;
	uint64_t base;
	const struct sfi_options *opt;
	struct sfi_run r;      /* starts, interiors, branches; the fast loop's state */
	bool fast;             /* fast paths for the commonest instructions */
	struct memo *memo;     /* NULL: decode every instruction */
	ZydisDecoder dec;
};

struct insn {
	ZydisDecodedInstruction i;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
};

static void set_bit(uint32_t *m, size_t i) { m[i / 32] |= 1u << (i % 32); }
static bool get_bit(const uint32_t *m, size_t i) { return m[i / 32] & (1u << (i % 32)); }

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
	/* Rule 9 names these one by one; relaxing it admits them whatever
	 * their ISA set (rdrand, rdtscp, xgetbv, ...). */
	if (sfi_nondeterministic(i->mnemonic)) {
		if (c->opt->deterministic)
			return RULE_NONDETERMINISTIC;
	} else if (!sfi_isa_set_allowed(i->meta.isa_set)) {
		return RULE_ISA_SET;
	}
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

static int grow_branches(struct sfi_run *r)
{
	size_t n = r->capbr ? r->capbr * 2 : 1024;
	struct sfi_branch *b = realloc(r->br, n * sizeof(*b));

	if (!b)
		return -ENOMEM;
	r->br = b;
	r->capbr = n;
	return 0;
}

static int add_branch(struct ctx *c, uint32_t off, uint64_t target, bool is_call)
{
	struct sfi_run *r = &c->r;

	if (r->nbr == r->capbr && grow_branches(r) < 0)
		return -ENOMEM;
	r->br[r->nbr++] = (struct sfi_branch){ off, target, is_call };
	return 0;
}

/* Branches: no 0x66, no ret, no far forms, indirect ones only as masked
 * pairs through a register, direct ones recorded for pass 2. */
static int check_branch(struct ctx *c, const struct insn *x, size_t off, int prev_mask, int *err)
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
	/* The mask must come right before, in the same bundle (pass 1 gives
	 * prev_mask = -1 at a bundle start). */
	if (prev_mask < 0 || prev_mask != ZydisRegisterGetId(o->reg.value))
		return RULE_INDIRECT_UNMASKED;
	set_bit(c->r.interior, off);
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

/* What pass 1 needs to know of an instruction that is not a branch: it
 * depends only on the instruction's bytes, so it can be remembered. */
struct summary {
	uint8_t len;
	int8_t rule;           /* -1: passes every per-instruction check */
	int8_t mask_reg;       /* R's id if this is `and $-32, %eR`, else -1 */
};

static int8_t mask_reg_of(const struct insn *x)
{
	const ZydisDecodedInstruction *p = &x->i;

	if (p->mnemonic != ZYDIS_MNEMONIC_AND || p->operand_count_visible != 2 || p->operand_width != 32 ||
	    x->op[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    ZydisRegisterGetClass(x->op[0].reg.value) != ZYDIS_REGCLASS_GPR32 ||
	    x->op[1].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || x->op[1].imm.value.s != -32)
		return -1;
	return (int8_t)ZydisRegisterGetId(x->op[0].reg.value);
}

/*
 * The memo: compiled code repeats the same instructions over and over
 * (spills, prologues, the same globals), and Zydis's full decode is most
 * of the validator's time. An instruction's decoding is a function of its
 * own bytes (the decoder never looks past its end), and the value of a
 * displacement changes none of the checks (only where the memory operand
 * points, which rule 2 bounds by its form), so a non-branch instruction
 * equal to a remembered one outside its displacement gets the same
 * summary. Branches are never remembered: their checks depend on where
 * they are. Immediates are compared (the mask and `and $imm8, %rsp` read
 * them). Set-associative, indexed by the first MEMO_KEY bytes.
 */
#define MEMO_SET_BITS 10
#define MEMO_WAYS 4
#define MEMO_KEY 3

struct memo_entry {
	uint64_t lo, hi;       /* the bytes, zero outside the compared ones */
	uint64_t mlo, mhi;     /* which bytes are compared */
	struct summary s;      /* s.len == 0: empty */
};

struct memo {
	struct memo_entry e[1u << MEMO_SET_BITS][MEMO_WAYS];
	uint8_t next[1u << MEMO_SET_BITS];
};

static uint32_t memo_set(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	w &= (uint32_t)((1ull << (8 * MEMO_KEY)) - 1);
	return (w * 0x9e3779b1u) >> (32 - MEMO_SET_BITS);
}

static void load16(const uint8_t *p, uint64_t *lo, uint64_t *hi)
{
	memcpy(lo, p, 8);
	memcpy(hi, p + 8, 8);
}

/* p has at least 16 readable bytes. */
static const struct summary *memo_find(const struct memo *m, const uint8_t *p)
{
	const struct memo_entry *set = m->e[memo_set(p)];
	uint64_t lo, hi;

	load16(p, &lo, &hi);
	for (unsigned w = 0; w < MEMO_WAYS; w++)
		if ((lo & set[w].mlo) == set[w].lo && (hi & set[w].mhi) == set[w].hi && set[w].s.len)
			return &set[w].s;
	return NULL;
}

/* Remembers the instruction x at p (at least 16 readable bytes). */
static void memo_add(struct memo *m, const uint8_t *p, const ZydisDecodedInstruction *i,
		     const struct summary *s)
{
	uint32_t k = memo_set(p);
	struct memo_entry *e = &m->e[k][m->next[k]];
	uint8_t mask[16] = { 0 };

	/* A displacement inside the index bytes would spread one shape
	 * over many sets: not worth remembering. */
	if (i->raw.disp.size && i->raw.disp.offset < MEMO_KEY)
		return;
	m->next[k] = (uint8_t)((m->next[k] + 1) % MEMO_WAYS);
	memset(mask, 0xff, s->len);
	if (i->raw.disp.size)
		memset(mask + i->raw.disp.offset, 0, i->raw.disp.size / 8);
	/* An immediate's value matters to `and` (the masks) and to rejected
	 * instructions; for the others it is data. */
	for (unsigned n = 0; n < 2; n++)
		if (i->raw.imm[n].size && s->rule < 0 && i->mnemonic != ZYDIS_MNEMONIC_AND &&
		    i->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY && i->raw.imm[n].offset >= MEMO_KEY)
			memset(mask + i->raw.imm[n].offset, 0, i->raw.imm[n].size / 8);
	load16(mask, &e->mlo, &e->mhi);
	load16(p, &e->lo, &e->hi);
	e->lo &= e->mlo;
	e->hi &= e->mhi;
	e->s = *s;
}

/*
 * The common direct branches, in the only encodings the toolchain emits,
 * without a prefix: these bytes at an instruction start are always these
 * instructions in 64-bit mode, and pass every per-instruction check (no
 * prefix, no memory operand, base ISA; a call's stack write is allowed).
 * The fuzzer checks the verdicts equal Zydis's path (fast = false).
 */
static const struct summary *direct_branch(struct ctx *c, const uint8_t *p, size_t off,
					   struct summary *s, int *err)
{
	static const struct summary branch = { 0, -1, -1 };
	int64_t rel;
	bool call = false;

	if (*p == 0xe8 || *p == 0xe9) {
		int32_t r32;
		memcpy(&r32, p + 1, 4);
		rel = r32;
		s->len = 5;
		call = *p == 0xe8;
	} else if (*p == 0xeb || (*p >= 0x70 && *p <= 0x7f)) {
		rel = (int8_t)p[1];
		s->len = 2;
	} else if (p[0] == 0x0f && p[1] >= 0x80 && p[1] <= 0x8f) {
		int32_t r32;
		memcpy(&r32, p + 2, 4);
		rel = r32;
		s->len = 6;
	} else {
		return NULL;
	}
	s->rule = branch.rule;
	s->mask_reg = branch.mask_reg;
	if (add_branch(c, (uint32_t)off, c->base + off + s->len + (uint64_t)rel, call) < 0)
		*err = -ENOMEM;
	return s;
}

/* the masked return's store, `mov %r11, (%rsp)`, in its one encoding */
static const uint8_t store_r11_at_rsp[4] = { 0x4c, 0x89, 0x1c, 0x24 };
#define MASK_R11 11 /* mask_reg of `and $-32, %r11d` */

static int pass1(struct ctx *c, struct sfi_verdict *v, size_t *bad_off)
{
	struct insn x;
	size_t off = 0;
	struct sfi_run *r = &c->r;
	int err = 0;

	r->prev_mask = -1;
	r->ret_ready = -1;
	for (;;) {
		const uint8_t *p;
		const struct summary *hit = NULL;
		struct summary s;
		struct sfi_fast f;
		int rule = -1;

		/* the common case, in a loop of its own (validator-fast.c) */
		if (c->fast && c->size >= 16) {
			if (r->nbr == r->capbr && grow_branches(r) < 0)
				return -ENOMEM;
			off = sfi_fast_run(r, off, c->size - 15);
		}
		if (off >= c->size)
			break;
		p = c->code + off;

		/* The masked return (docs/sfi.md §4): `and $-32, %r11d; mov %r11,
		 * (%rsp); ret` in one bundle. [rsp] then holds a bundle start
		 * below 4 GiB; nothing can change it before the ret (one thread,
		 * no asynchronous signals), and neither the store nor the ret may
		 * be a branch target, direct (interior) or indirect (not a bundle
		 * start). Judged the same way on both paths. */
		if (*p == 0xc3 && r->ret_ready >= 0 && off % ZVM_BUNDLE_SIZE) {
			set_bit(c->r.starts, off);
			set_bit(c->r.interior, off);
			set_bit(c->r.interior, (size_t)r->ret_ready);
			r->instructions++;
			r->prev_mask = -1;
			r->ret_ready = -1;
			off++;
			continue;
		}
		/* nop, hlt, int3: one byte, no operands; most of the padding */
		if (c->fast && (*p == 0x90 || *p == 0xf4 || *p == 0xcc)) {
			set_bit(c->r.starts, off);
			r->instructions++;
			r->prev_mask = -1;
			r->ret_ready = -1;
			off++;
			continue;
		}
		if (c->fast && c->size - off >= 16) {
			hit = direct_branch(c, p, off, &s, &err);
			if (err < 0)
				return err;
			if (!hit && sfi_fast_decode(p, &f)) {
				s.len = (uint8_t)f.len;
				s.rule = -1;
				s.mask_reg = (int8_t)f.mask_reg;
				hit = &s;
				if (f.jmp_reg >= 0) {
					/* the pair's rule, as check_branch judges it */
					s.mask_reg = -1;
					if (off % ZVM_BUNDLE_SIZE && r->prev_mask == f.jmp_reg)
						set_bit(c->r.interior, off);
					else
						hit = NULL; /* Zydis names the violation */
				}
			}
			if (!hit && c->memo)
				hit = memo_find(c->memo, p);
		}
		if (hit) {
			if (hit != &s)
				s = *hit;
			rule = s.rule;
		} else {
			if (ZYAN_FAILED(ZydisDecoderDecodeFull(&c->dec, p, c->size - off, &x.i, x.op))) {
				fill_verdict(c, v, RULE_UNDECODABLE, off, NULL);
				v->instructions = r->instructions;
				*bad_off = off;
				return 1;
			}
			s.len = x.i.length;
			s.mask_reg = mask_reg_of(&x);
			rule = check_prefixes(&x);
			if (rule < 0)
				rule = check_opcode(c, &x);
			if (rule < 0)
				rule = check_memory(&x);
			if (rule < 0 && is_branch(&x.i)) {
				rule = check_branch(c, &x, off, off % ZVM_BUNDLE_SIZE ? r->prev_mask : -1, &err);
				if (err < 0)
					return err;
			} else {
				if (rule < 0)
					rule = check_stack_pointer(&x);
				s.rule = (int8_t)rule;
				if (c->memo && c->size - off >= 16)
					memo_add(c->memo, p, &x.i, &s);
			}
		}
		r->instructions++;
		set_bit(c->r.starts, off);
		/* Crossing is judged first: it is what makes the rest meaningful. */
		if (off / ZVM_BUNDLE_SIZE != (off + s.len - 1) / ZVM_BUNDLE_SIZE)
			rule = RULE_BUNDLE_CROSSING;
		if (rule >= 0) {
			verdict_at(c, v, rule, off);
			v->instructions = r->instructions;
			*bad_off = off;
			return 1;
		}
		r->ret_ready = (s.len == 4 && off % ZVM_BUNDLE_SIZE && r->prev_mask == MASK_R11 &&
			     !memcmp(p, store_r11_at_rsp, 4)) ? (long)off : -1;
		r->prev_mask = s.mask_reg;
		off += s.len;
	}
	v->instructions = r->instructions;
	*bad_off = c->size;
	return 0;
}

int sfi_plain_decode(const uint8_t *p, size_t n, const struct sfi_options *opt, struct sfi_fast *f)
{
	uint32_t interior[1] = { 0 };
	struct ctx c = { .code = p, .size = n, .base = ZVM_TEXT_BASE, .opt = opt, .r.interior = interior };
	struct insn x;
	int rule, err = 0;

	if (ZYAN_FAILED(ZydisDecoderInit(&c.dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisDecoderDecodeFull(&c.dec, p, n, &x.i, x.op)))
		return 2;
	f->len = x.i.length;
	f->mask_reg = mask_reg_of(&x);
	f->jmp_reg = -1;
	rule = check_prefixes(&x);
	if (rule < 0)
		rule = check_opcode(&c, &x);
	if (rule < 0)
		rule = check_memory(&x);
	if (rule >= 0)
		return 2;
	if (is_branch(&x.i)) {
		/* as if masked right before, at offset 1 of a bundle */
		if (x.op[0].type != ZYDIS_OPERAND_TYPE_REGISTER)
			return 2;
		f->jmp_reg = (int8_t)ZydisRegisterGetId(x.op[0].reg.value);
		if (check_branch(&c, &x, 1, f->jmp_reg, &err) >= 0 || err)
			return 2;
		f->mask_reg = -1;
		return 1;
	}
	return check_stack_pointer(&x) >= 0 ? 2 : 0;
}

static int pass2(struct ctx *c, struct sfi_verdict *v, size_t limit)
{
	for (size_t k = 0; k < c->r.nbr; k++) {
		const struct sfi_branch *b = &c->r.br[k];
		uint64_t t = b->target;
		int rule = -1;

		if (b->offset >= limit)
			break; /* a lower-offset violation from pass 1 wins */
		if (t >= c->base + limit && t < c->base + c->size)
			continue; /* past pass 1's violation: not decoded, cannot judge */
		if (t >= c->base && t < c->base + c->size) {
			if (!get_bit(c->r.starts, t - c->base))
				rule = RULE_DIRECT_BRANCH_TARGET;
			else if (get_bit(c->r.interior, t - c->base))
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

int sfi_validate_text_fast(const uint8_t *code, size_t size, uint64_t load_address,
			   const struct sfi_options *opt, struct sfi_verdict *verdict, bool fast)
{
	struct ctx c = { .code = code, .size = size, .base = load_address, .opt = opt, .fast = fast };
	size_t bad_off = size;
	int rc;

	if (!code || !opt || !verdict || load_address + size > ZVM_SANDBOX_END || load_address + size < load_address)
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
	c.r.code = code;
	c.r.base = load_address;
	c.r.starts = calloc(size / 32 + 1, sizeof(uint32_t));
	c.r.interior = calloc(size / 32 + 1, sizeof(uint32_t));
	/* A small text is not worth the table. */
	if (fast && size >= 4096)
		c.memo = calloc(1, sizeof(*c.memo));
	if (!c.r.starts || !c.r.interior || (fast && size >= 4096 && !c.memo)) {
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
	free(c.r.starts);
	free(c.r.interior);
	free(c.r.br);
	free(c.memo);
	return rc;
}

int sfi_validate_text(const uint8_t *code, size_t size, uint64_t load_address,
		      const struct sfi_options *opt, struct sfi_verdict *verdict)
{
	return sfi_validate_text_fast(code, size, load_address, opt, verdict, true);
}
