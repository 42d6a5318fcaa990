/*
 * validator-fast.c — the commonest encodings of compiled code, decoded
 * without Zydis: integer ALU, mov, lea, push/pop, shifts, movzx/movsx,
 * cmov, setcc, the toolchain's NOP padding, a few SSE2 scalar forms, and
 * `jmp|call *%rR` (the mask is judged by pass 1).
 *
 * The contract (validator-internal.h): sfi_fast_decode returns true only
 * for bytes that Zydis decodes to an instruction of the same length that
 * passes every per-instruction check of validator.c, with the same mask
 * register; for anything else, or in doubt, it returns false and pass 1
 * asks Zydis. A false "no" costs time; a false "yes" would weaken a rule,
 * so every accepted shape is checked against the plain path byte for byte
 * (tests/unit/sfi/test_validator_fast.c enumerates prefixes x opcodes x
 * ModRM x SIB; the fuzzer compares whole verdicts).
 *
 * What keeps a shape safe here:
 *  - prefixes: only 66, 67, F2/F3 (as SSE's mandatory prefix), one REX
 *    right before the opcode; no segment or lock prefix, nothing twice
 *    (except the 66s of NOP padding, where nothing is checked);
 *  - memory: a ModRM memory operand passes only with 0x67, or as rsp/rip
 *    plus a displacement with no index (rule memory-address-64);
 *  - registers: any register operand the instruction writes that is
 *    number 4 (sp/rsp, or ah/spl) is left to Zydis (stack-pointer-write),
 *    unless it is a 32-bit write of esp, which zero-extends;
 *  - opcodes: an explicit list of base-ISA and SSE/SSE2 forms, each with
 *    the ModRM reg values that are that instruction; no opcode that is a
 *    branch, a string or stack-special instruction, or touches segments.
 */
#include <string.h>

#include "sfi/sfi.h"
#include "sfi/validator-internal.h"

/* What the operands of a ModRM instruction do, besides memory. */
enum {
	W_NONE = 0,     /* writes no register named by ModRM */
	W_REG = 1,      /* writes the reg field's register */
	W_RM = 2,       /* writes rm's register when mod == 3 */
	MEM_ONLY = 4,   /* mod == 3 is another instruction (lea) */
	REG_ONLY = 8,   /* mod != 3 is another instruction (or none we take) */
	AGEN = 16,      /* the memory operand is an address computed, not read */
	RM_XMM = 32,    /* rm names an xmm register: never rsp */
	REG_XMM = 64,   /* reg names an xmm register */
};

/* ModRM [SIB] [disp] at q: length, and whether any memory operand is one
 * rule memory-address-64 admits (with a32: any; else rsp, no index, or rip). */
static inline unsigned modrm_fast(const uint8_t *q, uint8_t rex, bool a32, bool *mem, bool *mem_ok)
{
	uint8_t m = q[0];
	unsigned mod = m >> 6, rm = m & 7, len;

	*mem = mod != 3;
	if (mod == 3) {
		*mem_ok = true;
		return 1;
	}
	len = 1 + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
	if (rm == 4) {
		uint8_t sib = q[1];
		len++;
		if ((sib & 7) == 5 && mod == 0)
			len += 4;  /* no base: disp32 */
		*mem_ok = a32 || ((sib & 0x3f) == 0x24 && !(rex & 3)); /* rsp, no index */
		return len;
	}
	if (rm == 5 && mod == 0) {
		*mem_ok = true;    /* rip + disp32 */
		return 5;
	}
	*mem_ok = a32;
	return len;
}

/* The NOP padding gas emits: 66* [2e] 0f 1f /0, and 66 90. NOPs carry
 * any prefixes and touch no memory (validator.c skips their checks). */
static unsigned fast_nop(const uint8_t *p)
{
	const uint8_t *q = p;
	bool mem, ok;
	unsigned n66 = 0;

	while (*q == 0x66 && n66 < 6)
		q++, n66++;
	if (n66 == 1 && *q == 0x90)
		return 2;
	if (*q == 0x2e)
		q++;
	if (q[0] != 0x0f || q[1] != 0x1f || ((q[2] >> 3) & 7) != 0)
		return 0;
	q += 2;
	q += modrm_fast(q, 0, false, &mem, &ok);
	return q - p <= 15 ? (unsigned)(q - p) : 0;
}

/* Flags of the one-byte opcodes with ModRM taken here, and the ModRM reg
 * values (bit n: /n) that are the instruction. 0: not taken. */
struct form {
	uint8_t flags;
	uint8_t regs;        /* allowed /r values; 0xff: the reg field is a register */
	uint8_t imm;         /* 1: imm8, 4: imm16/32 by operand size */
	bool byte;           /* 8-bit operands: no 0x66 */
};

static struct form one_byte(uint8_t op)
{
	struct form none = { 0 };

	if (op < 0x40 && (op & 7) < 4) {
		bool cmp = (op >> 3) == 7;
		uint8_t w = cmp ? W_NONE : (op & 2) ? W_REG : W_RM;
		return (struct form){ w, 0xff, 0, !(op & 1) };
	}
	switch (op) {
	case 0x63: return (struct form){ W_REG, 0xff, 0, false };  /* movsxd, REX.W checked below */
	case 0x69: return (struct form){ W_REG, 0xff, 4, false };
	case 0x6b: return (struct form){ W_REG, 0xff, 1, false };
	case 0x80: return (struct form){ W_RM, 0xff, 1, true };    /* /7 cmp: see below */
	case 0x81: return (struct form){ W_RM, 0xff, 4, false };
	case 0x83: return (struct form){ W_RM, 0xff, 1, false };
	case 0x84: return (struct form){ W_NONE, 0xff, 0, true };
	case 0x85: return (struct form){ W_NONE, 0xff, 0, false };
	case 0x88: return (struct form){ W_RM, 0xff, 0, true };
	case 0x89: return (struct form){ W_RM, 0xff, 0, false };
	case 0x8a: return (struct form){ W_REG, 0xff, 0, true };
	case 0x8b: return (struct form){ W_REG, 0xff, 0, false };
	case 0x8d: return (struct form){ W_REG | MEM_ONLY | AGEN, 0xff, 0, false };
	case 0xc0: return (struct form){ W_RM, 0xbf, 1, true };    /* not /6 */
	case 0xc1: return (struct form){ W_RM, 0xbf, 1, false };
	case 0xd0: return (struct form){ W_RM, 0xbf, 0, true };
	case 0xd1: return (struct form){ W_RM, 0xbf, 0, false };
	case 0xd2: return (struct form){ W_RM, 0xbf, 0, true };
	case 0xd3: return (struct form){ W_RM, 0xbf, 0, false };
	case 0xc6: return (struct form){ W_RM, 0x01, 1, true };    /* /0 only: c6 f8 is xabort */
	case 0xc7: return (struct form){ W_RM, 0x01, 4, false };   /* c7 f8 is xbegin */
	case 0xf6: return (struct form){ W_RM, 0xfd, 0, true };    /* not /1; /0 has an imm8 */
	case 0xf7: return (struct form){ W_RM, 0xfd, 0, false };
	case 0xfe: return (struct form){ W_RM, 0x03, 0, true };    /* inc, dec */
	case 0xff: return (struct form){ W_RM, 0x03, 0, false };   /* inc, dec; /2 /4 below */
	default: return none;
	}
}

static struct form two_byte(uint8_t op)
{
	struct form none = { 0 };

	if (op >= 0x40 && op <= 0x4f)
		return (struct form){ W_REG, 0xff, 0, false };     /* cmovcc */
	if (op >= 0x90 && op <= 0x9f)
		return (struct form){ W_RM, 0x01, 0, true };       /* setcc, /0 as gcc writes it */
	switch (op) {
	case 0xaf: return (struct form){ W_REG, 0xff, 0, false };  /* imul */
	case 0xb6: case 0xbe: return (struct form){ W_REG, 0xff, 0, false }; /* movzx/movsx r, r/m8 */
	case 0xb7: case 0xbf: return (struct form){ W_REG, 0xff, 0, false }; /* r, r/m16 */
	default: return none;
	}
}

/* SSE/SSE2 forms by mandatory prefix (0, 0x66, 0xf2, 0xf3) and opcode. */
static uint8_t sse_form(uint8_t pfx, uint8_t op, bool rexw)
{
	const uint8_t X = REG_XMM | RM_XMM;

	switch (pfx) {
	case 0:
		switch (op) {
		case 0x10: case 0x28: case 0x54: case 0x57: return X;
		case 0x11: case 0x29: return X;
		}
		break;
	case 0x66:
		switch (op) {
		case 0x28: case 0x29: case 0x2e: case 0x2f: case 0x54: case 0x57:
		case 0x6f: case 0x7f: case 0xef: case 0xd6:
			return rexw ? 0 : X;
		case 0x6e: return REG_XMM;                  /* movd/movq xmm, r/m */
		case 0x7e: return REG_XMM | W_RM;           /* movd/movq r/m, xmm */
		}
		break;
	case 0xf2:
	case 0xf3:
		switch (op) {
		case 0x10: case 0x11: case 0x51: case 0x58: case 0x59: case 0x5a: case 0x5c: case 0x5e:
			return rexw ? 0 : X;
		case 0x2a: return REG_XMM;                  /* cvtsi2sd/ss xmm, r/m */
		case 0x2c: case 0x2d: return RM_XMM | W_REG; /* cvt(t)sd2si r, xmm/m */
		case 0x6f: case 0x7f: case 0x7e: return pfx == 0xf3 && !rexw ? X : 0;
		}
		break;
	}
	return 0;
}

/* A written register is rsp (or sp/spl/ah) when its number is 4; esp
 * (d32: a 32-bit destination) is fine, a 32-bit write zero-extends. */
static bool writes_sp(uint8_t flags, unsigned reg, unsigned rm, bool mem, bool d32)
{
	if ((flags & W_REG) && !(flags & REG_XMM) && reg == 4 && !d32)
		return true;
	return (flags & W_RM) && !mem && !(flags & RM_XMM) && rm == 4 && !d32;
}

/*
 * The decoder proper reads its forms from tables made at start-up out of
 * the lists above (one_byte, two_byte, sse_form), so that an instruction
 * costs a few loads instead of a chain of switches.
 *
 * t1[op][/r]: one-byte opcodes with ModRM, by the reg field;
 * t2[pfx][rex.w][op]: two-byte (0f) opcodes, pfx 0 none, 1 66, 2 f2, 3 f3.
 */
enum {
	X_OK = 1,        /* taken (with the checks of fast_decode) */
	X_BYTE = 2,      /* 8-bit operands: no 0x66, no 32-bit destination */
	X_REQW = 4,      /* needs REX.W (movsxd) */
	X_IMM8 = 8,      /* an imm8 follows */
	X_IMMZ = 16,     /* an imm16/32 by operand size follows */
	X_D32 = 32,      /* (t2) a register destination is 32-bit */
	X_MASKOP = 64,   /* and $imm, %eR may be a mask (81 /4, 83 /4) */
	X_SPECIAL = 128, /* (t1) no ModRM, or jmp|call *r: the branchy path */
};

struct fent {
	uint8_t flags;   /* W_* and the rest of the first enum */
	uint8_t x;       /* X_* */
	uint8_t regs;    /* (t2) the ModRM reg values allowed: bit n for /n */
};

static struct fent t1[256][8];
static struct fent t2[4][2][256];

static bool no_modrm(uint8_t op)
{
	return (op >= 0x50 && op <= 0x5f) || (op >= 0xb0 && op <= 0xbf) || op == 0x98 || op == 0x99 ||
	       op == 0x04 || op == 0x05 || (op >= 0x0c && op <= 0x3d && (op & 7) >= 4 && (op & 7) <= 5) ||
	       op == 0xa8 || op == 0xa9;
}

__attribute__((constructor)) static void make_tables(void)
{
	static const uint8_t pfx[4] = { 0, 0x66, 0xf2, 0xf3 };

	for (unsigned op = 0; op < 256; op++) {
		struct form fm = one_byte((uint8_t)op);
		for (unsigned reg = 0; reg < 8; reg++) {
			struct fent *e = &t1[op][reg];
			if (no_modrm((uint8_t)op) || (op == 0xff && (reg == 2 || reg == 4))) {
				e->x = X_SPECIAL;
				continue;
			}
			if ((!fm.flags && !fm.regs) || !(fm.regs & (1u << reg)))
				continue;
			e->flags = fm.flags;
			e->x = X_OK | (fm.byte ? X_BYTE : 0) | (op == 0x63 ? X_REQW : 0) |
			       (fm.imm == 1 ? X_IMM8 : fm.imm == 4 ? X_IMMZ : 0);
			if ((op == 0xf6 || op == 0xf7) && reg == 0)
				e->x |= op == 0xf6 ? X_IMM8 : X_IMMZ;  /* test r/m, imm */
			if ((op == 0x80 || op == 0x81 || op == 0x83) && reg == 7)
				e->flags = W_NONE;                     /* cmp */
			if ((op == 0xf6 || op == 0xf7) && (reg >= 4 || reg == 0))
				e->flags = W_NONE;                     /* mul/div write rax/rdx only; test */
			if ((op == 0x81 || op == 0x83) && reg == 4)
				e->x |= X_MASKOP;
		}
	}
	for (unsigned k = 0; k < 4; k++)
		for (unsigned w = 0; w < 2; w++)
			for (unsigned op = 0; op < 256; op++) {
				struct fent *e = &t2[k][w][op];
				uint8_t rep = k >= 2 ? pfx[k] : 0, flags;
				bool o16 = k == 1, d32;
				if (op == 0x0f || op == 0x38 || op == 0x3a)
					continue;
				if (rep || (o16 && sse_form(0x66, (uint8_t)op, w))) {
					/* SSE with its mandatory prefix */
					flags = sse_form(pfx[k], (uint8_t)op, w);
					d32 = !w;
				} else if ((flags = sse_form(0, (uint8_t)op, w))) {
					if (w || o16)
						continue;
					d32 = false; /* xmm only */
				} else {
					struct form fm = two_byte((uint8_t)op);
					if (!fm.flags && !fm.regs)
						continue;
					if (o16 && (w || fm.byte))
						continue;
					flags = fm.flags;
					d32 = !fm.byte && !w && !o16;
					e->regs = fm.regs;
				}
				if (!flags)
					continue;
				if (!e->regs)
					e->regs = 0xff;
				e->flags = flags;
				e->x |= X_OK | (d32 ? X_D32 : 0);
			}
}

/* The forms without ModRM, and jmp|call *%rR (op at q[-1]). */
static unsigned fast_special(const uint8_t *p, const uint8_t *q, uint8_t op, uint8_t rex, bool o16, bool a32,
			     int *mask, int *jmp)
{
	unsigned r = (op & 7) | (rex & 1 ? 8 : 0), len;

	if (op == 0xff) {
		/* jmp|call *%rR: pass 1 checks the mask before it */
		if ((q[0] >> 6) != 3 || o16 || a32 || (rex && rex != 0x41))
			return 0;
		*jmp = (q[0] & 7) | (rex ? 8 : 0);
		return (unsigned)(q - p) + 1;
	}
	if (a32 || (o16 && (rex & 8)))
		return 0;
	if (op >= 0x50 && op <= 0x5f) {
		/* push/pop r64; pop %rsp writes rsp */
		if (o16 || (rex && rex != 0x41) || (op >= 0x58 && r == 4))
			return 0;
		len = 1;
	} else if (op >= 0xb0 && op <= 0xb7) {
		if (o16 || r == 4)
			return 0;
		len = 2;
	} else if (op >= 0xb8) {
		if (r == 4 && ((rex & 8) || o16))
			return 0; /* mov $imm32, %esp is a 32-bit write */
		len = (rex & 8) ? 9 : o16 ? 3 : 5;
	} else if (op == 0x98 || op == 0x99) {
		len = 1;
	} else if (!(op & 1)) {
		if (o16)
			return 0;
		len = 2;        /* al, imm8 */
	} else {
		len = o16 ? 3 : 5;
	}
	/* and $-32, %eax in its short form is a mask too */
	if (op == 0x25 && !o16 && !(rex & 8) && q[0] == 0xe0 && q[1] == 0xff && q[2] == 0xff && q[3] == 0xff)
		*mask = 0;
	len += (unsigned)(q - p) - 1;
	return len <= 15 ? len : 0;
}

/* Returns the length, 0 if not taken; *mask and *jmp: see struct sfi_fast. */
static inline __attribute__((always_inline)) unsigned fast_decode(const uint8_t *p, int *mask, int *jmp)
{
	const uint8_t *q = p;
	bool o16 = false, a32 = false, mem, mem_ok, d32;
	uint8_t rep = 0, rex = 0, op, m;
	struct fent e;
	unsigned reg, rm, imm, len;

	*mask = -1;
	*jmp = -1;
	if (*p == 0x66 || *p == 0x2e || (*p == 0x0f && p[1] == 0x1f)) {
		unsigned n = fast_nop(p);
		if (n)
			return n;
	}
	if (*p == 0x66 || *p == 0x67 || *p == 0xf2 || *p == 0xf3) {
		for (;; q++) {
			if (*q == 0x66 && !o16)
				o16 = true;
			else if (*q == 0x67 && !a32)
				a32 = true;
			else if ((*q == 0xf2 || *q == 0xf3) && !rep)
				rep = *q;
			else
				break;
		}
	}
	if ((*q & 0xf0) == 0x40)
		rex = *q++;
	op = *q++;
	m = q[0];
	if (op == 0x0f) {
		uint8_t op2 = *q++;
		if (rep && o16)
			return 0;
		m = q[0];
		e = t2[rep ? (rep & 1) + 2 : o16][(rex >> 3) & 1][op2];
		if (!(e.x & X_OK) || !(e.regs & (1u << ((m >> 3) & 7))))
			return 0;
		d32 = e.x & X_D32;
		imm = 0;
	} else {
		if (rep)
			return 0;
		e = t1[op][(m >> 3) & 7];
		if (e.x & X_SPECIAL)
			return fast_special(p, q, op, rex, o16, a32, mask, jmp);
		if (!(e.x & X_OK))
			return 0;
		if (o16 && ((rex & 8) || (e.x & X_BYTE)))
			return 0;
		if ((e.x & X_REQW) && !(rex & 8))
			return 0;
		d32 = !(e.x & X_BYTE) && !(rex & 8) && !o16;
		imm = (e.x & X_IMM8) ? 1 : (e.x & X_IMMZ) ? (o16 ? 2 : 4) : 0;
	}
	if ((e.flags & MEM_ONLY) && (m >> 6) == 3)
		return 0;
	len = modrm_fast(q, rex, a32, &mem, &mem_ok);
	if (!mem && a32)
		return 0;             /* 0x67 on a register form: Zydis's call */
	if (mem && !mem_ok && !(e.flags & AGEN))
		return 0;
	reg = ((m >> 3) & 7) | (rex & 4 ? 8 : 0);
	rm = (m & 7) | (rex & 1 ? 8 : 0);
	if (writes_sp(e.flags, reg, rm, mem, d32))
		return 0;
	/* and $-32, %eR: the mask of a masked pair, in either immediate size */
	if ((e.x & X_MASKOP) && !mem && !(rex & 8) && !o16 && q[1] == 0xe0 &&
	    (op == 0x83 || (q[2] == 0xff && q[3] == 0xff && q[4] == 0xff)))
		*mask = (int)rm;
	len += (unsigned)(q - p) + imm;
	return len <= 15 ? len : 0;
}

int sfi_fast_decode(const uint8_t *p, struct sfi_fast *f)
{
	return f->len = (int)fast_decode(p, &f->mask_reg, &f->jmp_reg);
}

/* the masked return's store, `mov %r11, (%rsp)`, in its one encoding, and
 * the mask_reg of `and $-32, %r11d` before it (validator.c: pass 1) */
static const uint8_t store_r11_at_rsp[4] = { 0x4c, 0x89, 0x1c, 0x24 };
#define MASK_R11 11

/*
 * Pass 1's hot loop: the same judgement as pass 1's general path for the
 * instructions it takes, with the state in registers and the instruction
 * starts of a bundle gathered in one word. It stops, leaving everything
 * as the general path would find it, at anything else: an instruction
 * that crosses a bundle, one it does not know, a jump whose mask is not
 * right before it, a ret that is no masked return, a full branch table.
 */
size_t sfi_fast_run(struct sfi_run *r, size_t off, size_t end)
{
	const uint8_t *code = r->code;
	uint32_t *starts = r->starts, bits = starts[off / 32];
	size_t bundle = off / 32;
	int prev = r->prev_mask;
	long ret_ready = r->ret_ready;
	uint64_t n = 0;

	while (off < end) {
		const uint8_t *p = code + off;
		unsigned pos = off % 32, len;
		int mask = -1, jmp = -1;
		uint8_t b = p[0];

		if (b == 0x90 || b == 0xf4 || b == 0xcc) {
			/* padding: a run of the same byte (up to 8, in this
			 * bundle) at once, each byte an instruction */
			uint64_t w, same = 0x0101010101010101ull * b;
			unsigned k;
			memcpy(&w, p, 8);
			w ^= same;
			k = w ? (unsigned)__builtin_ctzll(w) / 8 : 8;
			if (k > 32 - pos)
				k = 32 - pos;
			if (!pos) {
				starts[bundle] = bits;
				bundle = off / 32;
				bits = 0;
			}
			bits |= ((1u << k) - 1) << pos;
			n += k;
			prev = -1;
			ret_ready = -1;
			off += k;
			continue;
		} else if (b == 0xc3) {
			/* the masked return (validator.c): the store and the ret
			 * are interior, in the store's bundle */
			if (ret_ready < 0 || !pos)
				break;
			r->interior[off / 32] |= 1u << pos;
			r->interior[ret_ready / 32] |= 1u << (ret_ready % 32);
			len = 1;
		} else if (b == 0xe8 || b == 0xe9 || b == 0xeb || (b & 0xf0) == 0x70 ||
			   (b == 0x0f && (p[1] & 0xf0) == 0x80)) {
			int32_t rel;
			if (b == 0xeb || (b & 0xf0) == 0x70) {
				len = 2;
				rel = (int8_t)p[1];
			} else {
				len = b == 0x0f ? 6 : 5;
				memcpy(&rel, p + len - 4, 4);
			}
			if (pos + len > 32 || r->nbr == r->capbr)
				break;
			r->br[r->nbr++] = (struct sfi_branch){ (uint32_t)off, r->base + off + len + (uint64_t)(int64_t)rel,
							      b == 0xe8 };
		} else {
			len = fast_decode(p, &mask, &jmp);
			if (!len || pos + len > 32)
				break;
			if (jmp >= 0) {
				/* the pair's rule, as check_branch judges it */
				if (!pos || prev != jmp)
					break;
				r->interior[off / 32] |= 1u << pos;
			}
		}
		if (pos + len > 32)
			break;
		if (!pos) {
			starts[bundle] = bits;
			bundle = off / 32;
			bits = 0;
		}
		bits |= 1u << pos;
		n++;
		ret_ready = len == 4 && pos && prev == MASK_R11 && !memcmp(p, store_r11_at_rsp, 4) ? (long)off : -1;
		prev = mask;
		off += len;
	}
	starts[bundle] = bits;
	r->prev_mask = prev;
	r->ret_ready = ret_ready;
	r->instructions += n;
	return off;
}
