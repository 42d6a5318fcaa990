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
#include "sfi/validator-internal.h"

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

#define N4 0x90, 0x90, 0x90, 0x90
#define N8 N4, N4
#define N28 N8, N8, N8, N4

static const struct row rows[] = {
	/* ---- accepted ---- */
	{ "nop and hlt", B(0x90, 0xf4), NULL, 0 },
	{ "32-bit address store", B(0x67, 0x89, 0x18), NULL, 0 },                     /* mov %ebx,(%eax) */
	{ "rsp + disp32", B(0x48, 0x8b, 0x84, 0x24, 0xf0, 0xff, 0xff, 0x7f), NULL, 0 }, /* mov 0x7ffffff0(%rsp),%rax */
	{ "rip-relative", B(0x48, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00), NULL, 0 },
	{ "eip-relative", B(0x67, 0x48, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00), NULL, 0 },
	{ "x87 load rsp-relative", B(0x67, 0xdd, 0x04, 0x24), NULL, 0 },               /* fldl (%esp) */
	{ "push pop", B(0x50, 0x58), NULL, 0 },
	{ "pushw popw", B(0x66, 0x50, 0x66, 0x58), NULL, 0 },
	{ "push/pop rsp-relative memory", B(0xff, 0x74, 0x24, 0x08, 0x8f, 0x44, 0x24, 0x08), NULL, 0 },
	{ "push imm, pushfq", B(0x6a, 0x01, 0x9c), NULL, 0 },
	{ "sub esp", B(0x83, 0xec, 0x40), NULL, 0 },                                   /* sub $64,%esp */
	{ "and esp", B(0x83, 0xe4, 0xf0), NULL, 0 },
	{ "mov esp", B(0xbc, 0, 0, 0, 0), NULL, 0 },
	{ "lea esp", B(0x67, 0x8d, 0x60, 0x08), NULL, 0 },
	{ "xchg eax,esp", B(0x87, 0xe0), NULL, 0 },
	{ "cmov into esp", B(0x0f, 0x44, 0xe0), NULL, 0 },
	{ "and rsp imm8 negative", B(0x48, 0x83, 0xe4, 0xf0), NULL, 0 },               /* and $-16,%rsp */
	{ "masked indirect jump", B(0x83, 0xe0, 0xe0, 0xff, 0xe0), NULL, 0 },          /* and $-32,%eax; jmp *%rax */
	{ "masked indirect call r11", B(0x41, 0x83, 0xe3, 0xe0, 0x41, 0xff, 0xd3), NULL, 0 },
	{ "mask in its imm32 form", B(0x81, 0xe0, 0xe0, 0xff, 0xff, 0xff, 0xff, 0xe0), NULL, 0 },
	{ "mask ending its bundle's last bytes", B(N8, N8, N8, 0x90, 0x90, 0x90, 0x83, 0xe0, 0xe0, 0xff, 0xe0), NULL, 0 },
	{ "return sequence", B(0x41, 0x5b, 0x41, 0x83, 0xc3, 0x1f, 0x41, 0x83, 0xe3, 0xe0, 0x41, 0xff, 0xe3), NULL, 0 },
	{ "jump to the mask of a group", B(0xeb, 0x00, 0x83, 0xe0, 0xe0, 0xff, 0xe0), NULL, 0 },
	{ "call trap 0", B(0xe8, 0xfb, 0xef, 0xff, 0xff), NULL, 0 },                   /* call 0x10000 */
	{ "call trap 1", B(0xe8, 0x1b, 0xf0, 0xff, 0xff), NULL, 0 },                   /* call 0x10020 */
	{ "call trap 3", B(0xe8, 0x5b, 0xf0, 0xff, 0xff), NULL, 0 },                   /* call 0x10060 */
	{ "call forward to an instruction", B(0xe8, 0x00, 0x00, 0x00, 0x00, 0x90), NULL, 0 },
	{ "jcc rel32 forward", B(0x0f, 0x84, 0x01, 0x00, 0x00, 0x00, 0x90, 0x90), NULL, 0 },
	{ "backward jump to a start", B(0x90, 0xeb, 0xfd), NULL, 0 },                  /* nop; jmp -3 */
	{ "loop, jrcxz, jecxz", B(0xe2, 0xfe, 0xe3, 0xfe, 0x67, 0xe3, 0xfd), NULL, 0 },
	{ "addr32 string instructions", B(0x67, 0xf3, 0xaa, 0x67, 0x48, 0xa5, 0x67, 0xac, 0x67, 0xa6, 0x67, 0xae,
					 0x67, 0xf3, 0x48, 0xab), NULL, 0 },
	{ "addr32 xlat", B(0x67, 0xd7), NULL, 0 },
	{ "addr32 maskmovdqu", B(0x67, 0x66, 0x0f, 0xf7, 0xc1), NULL, 0 },
	{ "int3 ud2 hlt", B(0xcc, 0x0f, 0x0b, 0xf4), NULL, 0 },
	{ "gas padding nop", B(0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00), NULL, 0 },
	{ "nopw with a 64-bit base", B(0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00), NULL, 0 },
	{ "pause, fences", B(0xf3, 0x90, 0x0f, 0xae, 0xe8, 0x0f, 0xae, 0xf0, 0x0f, 0xae, 0xf8), NULL, 0 },
	{ "sse4.2 crc32", B(0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3), NULL, 0 },
	{ "popcnt", B(0xf3, 0x0f, 0xb8, 0xc0), NULL, 0 },
	{ "cmpxchg16b addr32", B(0x67, 0x48, 0x0f, 0xc7, 0x08), NULL, 0 },
	{ "lock add addr32", B(0xf0, 0x67, 0x01, 0x00), NULL, 0 },
	{ "x87 and fcmov", B(0xd8, 0xc1, 0xda, 0xc1), NULL, 0 },
	{ "lahf, cqo, bswap", B(0x9f, 0x48, 0x99, 0x0f, 0xc8), NULL, 0 },
	{ "ldmxcsr rsp-relative", B(0x0f, 0xae, 0x14, 0x24), NULL, 0 },
	{ "bt immediate into memory", B(0x67, 0x0f, 0xba, 0x20, 0x03), NULL, 0 },
	{ "bt register with register", B(0x0f, 0xa3, 0xc3), NULL, 0 },
	{ "lea with 64-bit registers", B(0x48, 0x8d, 0x04, 0x18), NULL, 0 },           /* lea (%rax,%rbx),%rax */
	{ "rdtsc when nondeterministic", B(0x0f, 0x31), NULL, 0, true },
	{ "rdrand when nondeterministic", B(0x0f, 0xc7, 0xf0), NULL, 0, true },
	{ "rdtscp when nondeterministic", B(0x0f, 0x01, 0xf9), NULL, 0, true },
	{ "cpuid when nondeterministic", B(0x0f, 0xa2), NULL, 0, true },
	{ "fsin when nondeterministic", B(0xd9, 0xfe), NULL, 0, true },
	{ "rcpps when nondeterministic", B(0x0f, 0x53, 0xc1), NULL, 0, true },

	/* ---- undecodable, bundle-crossing ---- */
	{ "undecodable", B(0x06), "undecodable", 0 },
	{ "into is gone in 64-bit mode", B(0x90, 0xce), "undecodable", 1 },
	{ "longer than 15 bytes", B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				   0x66, 0x90), "undecodable", 0 },
	{ "crossing a bundle", B(N28, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), "bundle-crossing", 28 },
	{ "crossing a bundle with a nop", B(N28, 0x0f, 0x1f, 0x44, 0x00, 0x00), "bundle-crossing", 28 },
	{ "crossing a bundle with a call", B(N28, 0xe8, 0x00, 0x00, 0x00, 0x00), "bundle-crossing", 28 },

	/* ---- isa-set ---- */
	{ "vex", B(0xc5, 0xfd, 0x6f, 0xc8), "isa-set", 0 },
	{ "evex", B(0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1), "isa-set", 0 },               /* vmovaps %zmm1,%zmm0 */
	{ "mmx", B(0x0f, 0x77), "isa-set", 0 },                                         /* emms */
	{ "3dnow", B(0x0f, 0x0e), "isa-set", 0 },                                       /* femms */
	{ "lzcnt", B(0xf3, 0x0f, 0xbd, 0xc0), "isa-set", 0 },
	{ "movbe", B(0x67, 0x0f, 0x38, 0xf0, 0x00), "isa-set", 0 },
	{ "fxsave", B(0x67, 0x0f, 0xae, 0x00), "isa-set", 0 },

	/* ---- forbidden-instruction ---- */
	{ "syscall", B(0x0f, 0x05), "forbidden-instruction", 0 },
	{ "int 0x80 after a nop", B(0x90, 0xcd, 0x80), "forbidden-instruction", 1 },
	{ "int $3 in two bytes", B(0xcd, 0x03), "forbidden-instruction", 0 },
	{ "int1", B(0xf1), "forbidden-instruction", 0 },
	{ "sysenter", B(0x0f, 0x34), "forbidden-instruction", 0 },
	{ "sysexit", B(0x0f, 0x35), "forbidden-instruction", 0 },
	{ "sysret", B(0x48, 0x0f, 0x07), "forbidden-instruction", 0 },
	{ "iretq", B(0x48, 0xcf), "forbidden-instruction", 0 },
	{ "lfs", B(0x67, 0x0f, 0xb4, 0x00), "forbidden-instruction", 0 },
	{ "lss", B(0x67, 0x0f, 0xb2, 0x00), "forbidden-instruction", 0 },
	{ "rdfsbase", B(0xf3, 0x48, 0x0f, 0xae, 0xc0), "forbidden-instruction", 0 },
	{ "wrfsbase", B(0xf3, 0x48, 0x0f, 0xae, 0xd0), "forbidden-instruction", 0 },
	{ "swapgs", B(0x0f, 0x01, 0xf8), "forbidden-instruction", 0 },
	{ "in", B(0xec), "forbidden-instruction", 0 },
	{ "out", B(0xe6, 0x80), "forbidden-instruction", 0 },
	{ "insb", B(0x6c), "forbidden-instruction", 0 },
	{ "outsb", B(0x6e), "forbidden-instruction", 0 },
	{ "sgdt", B(0x67, 0x0f, 0x01, 0x00), "forbidden-instruction", 0 },
	{ "sidt", B(0x67, 0x0f, 0x01, 0x0c, 0x24), "forbidden-instruction", 0 },
	{ "sldt", B(0x0f, 0x00, 0xc0), "forbidden-instruction", 0 },
	{ "str", B(0x0f, 0x00, 0xc8), "forbidden-instruction", 0 },
	{ "smsw", B(0x0f, 0x01, 0xe0), "forbidden-instruction", 0 },
	{ "lar", B(0x0f, 0x02, 0xc0), "forbidden-instruction", 0 },
	{ "lsl", B(0x0f, 0x03, 0xc0), "forbidden-instruction", 0 },
	{ "verr", B(0x0f, 0x00, 0xe0), "forbidden-instruction", 0 },
	{ "verw", B(0x0f, 0x00, 0xe8), "forbidden-instruction", 0 },
	{ "popfq", B(0x9d), "forbidden-instruction", 0 },
	{ "cli", B(0xfa), "forbidden-instruction", 0 },
	{ "sti", B(0xfb), "forbidden-instruction", 0 },
	{ "clflush", B(0x67, 0x0f, 0xae, 0x38), "forbidden-instruction", 0 },
	{ "clflushopt", B(0x67, 0x66, 0x0f, 0xae, 0x38), "forbidden-instruction", 0 },
	{ "clwb", B(0x67, 0x66, 0x0f, 0xae, 0x30), "forbidden-instruction", 0 },
	{ "monitor", B(0x0f, 0x01, 0xc8), "forbidden-instruction", 0 },
	{ "mwait", B(0x0f, 0x01, 0xc9), "forbidden-instruction", 0 },
	{ "umonitor", B(0xf3, 0x0f, 0xae, 0xf0), "forbidden-instruction", 0 },
	{ "umwait", B(0xf2, 0x0f, 0xae, 0xf0), "forbidden-instruction", 0 },
	{ "tpause", B(0x66, 0x0f, 0xae, 0xf0), "forbidden-instruction", 0 },
	{ "xbegin", B(0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00), "forbidden-instruction", 0 },
	{ "xend", B(0x0f, 0x01, 0xd5), "forbidden-instruction", 0 },
	{ "xabort", B(0xc6, 0xf8, 0x01), "forbidden-instruction", 0 },
	{ "xtest", B(0x0f, 0x01, 0xd6), "forbidden-instruction", 0 },
	{ "rdpkru", B(0x0f, 0x01, 0xee), "forbidden-instruction", 0 },
	{ "wrpkru", B(0x0f, 0x01, 0xef), "forbidden-instruction", 0 },
	{ "xsave", B(0x67, 0x0f, 0xae, 0x20), "forbidden-instruction", 0 },
	{ "xrstor", B(0x67, 0x0f, 0xae, 0x28), "forbidden-instruction", 0 },
	{ "xsaveopt", B(0x67, 0x0f, 0xae, 0x30), "forbidden-instruction", 0 },
	{ "enqcmd", B(0x67, 0xf2, 0x0f, 0x38, 0xf8, 0x00), "forbidden-instruction", 0 },
	{ "movdir64b", B(0x67, 0x66, 0x0f, 0x38, 0xf8, 0x00), "forbidden-instruction", 0 },
	{ "endbr64", B(0xf3, 0x0f, 0x1e, 0xfa), "forbidden-instruction", 0 },
	{ "endbr32", B(0xf3, 0x0f, 0x1e, 0xfb), "forbidden-instruction", 0 },
	{ "ud0", B(0x0f, 0xff, 0xc0), "forbidden-instruction", 0 },
	{ "ud1", B(0x0f, 0xb9, 0xc0), "forbidden-instruction", 0 },
	{ "enter", B(0xc8, 0x10, 0x00, 0x00), "forbidden-instruction", 0 },
	{ "leave", B(0xc9), "forbidden-instruction", 0 },
	{ "wrfsbase even when nondeterministic", B(0xf3, 0x48, 0x0f, 0xae, 0xd0), "forbidden-instruction", 0, true },

	/* ---- privileged-instruction ---- */
	{ "lgdt", B(0x0f, 0x01, 0x14, 0x24), "privileged-instruction", 0 },
	{ "ltr", B(0x0f, 0x00, 0xd8), "privileged-instruction", 0 },
	{ "mov cr0", B(0x0f, 0x20, 0xc0), "privileged-instruction", 0 },
	{ "mov dr7", B(0x0f, 0x23, 0xf8), "privileged-instruction", 0 },
	{ "wbinvd", B(0x0f, 0x09), "privileged-instruction", 0 },
	{ "rdmsr", B(0x0f, 0x32), "privileged-instruction", 0 },
	{ "rsm", B(0x0f, 0xaa), "privileged-instruction", 0 },
	{ "vmcall", B(0x0f, 0x01, 0xc1), "privileged-instruction", 0 },
	{ "invlpg", B(0x67, 0x0f, 0x01, 0x38), "privileged-instruction", 0 },

	/* ---- segment-register ---- */
	{ "mov to ds", B(0x8e, 0xd8), "segment-register", 0 },
	{ "mov from ds", B(0x8c, 0xd8), "segment-register", 0 },
	{ "push fs", B(0x0f, 0xa0), "segment-register", 0 },
	{ "pop gs", B(0x0f, 0xa9), "segment-register", 0 },

	/* ---- nondeterministic ---- */
	{ "rdtsc", B(0x0f, 0x31), "nondeterministic", 0 },
	{ "rdtscp", B(0x0f, 0x01, 0xf9), "nondeterministic", 0 },
	{ "rdpmc", B(0x0f, 0x33), "nondeterministic", 0 },
	{ "rdrand", B(0x0f, 0xc7, 0xf0), "nondeterministic", 0 },
	{ "rdseed", B(0x0f, 0xc7, 0xf8), "nondeterministic", 0 },
	{ "rdpid", B(0xf3, 0x0f, 0xc7, 0xf8), "nondeterministic", 0 },
	{ "cpuid", B(0x0f, 0xa2), "nondeterministic", 0 },
	{ "xgetbv", B(0x0f, 0x01, 0xd0), "nondeterministic", 0 },
	{ "fsin", B(0xd9, 0xfe), "nondeterministic", 0 },
	{ "fcos", B(0xd9, 0xff), "nondeterministic", 0 },
	{ "fsincos", B(0xd9, 0xfb), "nondeterministic", 0 },
	{ "fptan", B(0xd9, 0xf2), "nondeterministic", 0 },
	{ "fpatan", B(0xd9, 0xf3), "nondeterministic", 0 },
	{ "f2xm1", B(0xd9, 0xf0), "nondeterministic", 0 },
	{ "fyl2x", B(0xd9, 0xf1), "nondeterministic", 0 },
	{ "fyl2xp1", B(0xd9, 0xf9), "nondeterministic", 0 },
	{ "rcpps", B(0x0f, 0x53, 0xc1), "nondeterministic", 0 },
	{ "rcpss", B(0xf3, 0x0f, 0x53, 0xc1), "nondeterministic", 0 },
	{ "rsqrtps", B(0x0f, 0x52, 0xc1), "nondeterministic", 0 },
	{ "rsqrtss", B(0xf3, 0x0f, 0x52, 0xc1), "nondeterministic", 0 },

	/* ---- segment-override, ignored-prefix ---- */
	{ "fs prefix", B(0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0), "segment-override", 0 },
	{ "gs prefix with addr32", B(0x65, 0x67, 0x8b, 0x00), "segment-override", 0 },
	{ "fs prefix on a nop", B(0x64, 0x90), "segment-override", 0 },
	{ "fs prefix on a long nop", B(0x64, 0x0f, 0x1f, 0x00), "segment-override", 0 },
	{ "gs prefix on a register move", B(0x65, 0x89, 0xc0), "segment-override", 0 },
	{ "two segment prefixes", B(0x26, 0x3e, 0x67, 0x8b, 0x00), "segment-override", 0 },
	{ "ignored rep on a mov", B(0xf3, 0x48, 0x89, 0xc0), "ignored-prefix", 0 },
	/* es/cs/ss/ds do nothing in 64-bit mode: only NOPs may carry them */
	{ "ds prefix on a load", B(0x3e, 0x67, 0x8b, 0x00), "ignored-prefix", 0 },
	{ "rex before a legacy prefix", B(0x48, 0x66, 0x89, 0xc0), "ignored-prefix", 0 },

	/* ---- memory-address-64 ---- */
	{ "64-bit store", B(0x48, 0x89, 0x18), "memory-address-64", 0 },
	{ "rsp base with index", B(0x48, 0x8b, 0x04, 0xc4), "memory-address-64", 0 },
	{ "rbp base", B(0x8b, 0x45, 0x08), "memory-address-64", 0 },
	{ "absolute disp32, 64-bit", B(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), "memory-address-64", 0 },
	{ "moffs64", B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), "memory-address-64", 0 },
	{ "push from a 64-bit address", B(0xff, 0x30), "memory-address-64", 0 },
	{ "x87 store to a 64-bit address", B(0xdd, 0x18), "memory-address-64", 0 },
	{ "call through a 64-bit address", B(0xff, 0x10), "memory-address-64", 0 },

	/* ---- string-without-addr32 ---- */
	{ "rep movsb without addr32", B(0xf3, 0xa4), "string-without-addr32", 0 },
	{ "movsq", B(0x48, 0xa5), "string-without-addr32", 0 },
	{ "stosb", B(0xaa), "string-without-addr32", 0 },
	{ "lodsb", B(0xac), "string-without-addr32", 0 },
	{ "cmpsb", B(0xa6), "string-without-addr32", 0 },
	{ "scasb", B(0xae), "string-without-addr32", 0 },
	{ "xlat", B(0xd7), "string-without-addr32", 0 },
	{ "maskmovdqu", B(0x66, 0x0f, 0xf7, 0xc1), "string-without-addr32", 0 },

	/* ---- bit-test-memory ---- */
	{ "bts reg into memory", B(0x67, 0x48, 0x0f, 0xab, 0x00), "bit-test-memory", 0 },
	{ "bt reg into memory", B(0x67, 0x0f, 0xa3, 0x00), "bit-test-memory", 0 },
	{ "btr reg into memory", B(0x67, 0x0f, 0xb3, 0x00), "bit-test-memory", 0 },
	{ "btc reg into rsp memory", B(0x0f, 0xbb, 0x04, 0x24), "bit-test-memory", 0 },

	/* ---- stack-pointer-write ---- */
	{ "mov rax to rsp", B(0x48, 0x89, 0xc4), "stack-pointer-write", 0 },
	{ "add $8, rsp", B(0x48, 0x83, 0xc4, 0x08), "stack-pointer-write", 0 },
	{ "sub $8, rsp", B(0x48, 0x83, 0xec, 0x08), "stack-pointer-write", 0 },
	{ "lea into rsp", B(0x48, 0x8d, 0x20), "stack-pointer-write", 0 },
	{ "xchg into rsp", B(0x48, 0x87, 0xe0), "stack-pointer-write", 0 },
	{ "pop rsp", B(0x5c), "stack-pointer-write", 0 },
	{ "and rsp imm32", B(0x48, 0x81, 0xe4, 0xf0, 0xff, 0xff, 0xff), "stack-pointer-write", 0 },
	{ "and rsp positive", B(0x48, 0x83, 0xe4, 0x0f), "stack-pointer-write", 0 },
	{ "16-bit sp", B(0x66, 0x83, 0xc4, 0x08), "stack-pointer-write", 0 },
	{ "spl", B(0x40, 0x80, 0xc4, 0x01), "stack-pointer-write", 0 },
	{ "cmov into rsp", B(0x48, 0x0f, 0x44, 0xe0), "stack-pointer-write", 0 },
	{ "xadd into rsp", B(0x48, 0x0f, 0xc1, 0xc4), "stack-pointer-write", 0 },
	{ "inc rsp", B(0x48, 0xff, 0xc4), "stack-pointer-write", 0 },
	{ "neg rsp", B(0x48, 0xf7, 0xdc), "stack-pointer-write", 0 },
	{ "rdrand rsp when nondeterministic", B(0x48, 0x0f, 0xc7, 0xf4), "stack-pointer-write", 0, true },

	/* ---- branches ---- */
	{ "0x66 jmp", B(0x66, 0xe9, 0x00, 0x00, 0x00, 0x00), "branch-operand-size", 0 },
	{ "0x66 jcc", B(0x66, 0x74, 0x00), "branch-operand-size", 0 },
	{ "0x66 call", B(0x66, 0xe8, 0x00, 0x00), "branch-operand-size", 0 },
	{ "0x66 on a masked jmp", B(0x83, 0xe0, 0xe0, 0x66, 0xff, 0xe0), "branch-operand-size", 3 },
	{ "ret", B(0xc3), "plain-return", 0 },
	{ "ret imm", B(0xc2, 0x08, 0x00), "plain-return", 0 },
	{ "lret", B(0xcb), "far-branch", 0 },
	{ "lret imm", B(0xca, 0x08, 0x00), "far-branch", 0 },
	{ "ljmp through memory", B(0x67, 0xff, 0x28), "far-branch", 0 },
	{ "lcall through memory", B(0x67, 0xff, 0x18), "far-branch", 0 },
	{ "jmp through memory", B(0xff, 0x24, 0x24), "indirect-through-memory", 0 },
	{ "jmp through addr32 memory", B(0x67, 0xff, 0x24, 0x24), "indirect-through-memory", 0 },
	{ "call through rsp memory", B(0xff, 0x54, 0x24, 0x08), "indirect-through-memory", 0 },
	{ "unmasked jmp", B(0xff, 0xe0), "indirect-branch-unmasked", 0 },
	{ "unmasked call", B(0xff, 0xd0), "indirect-branch-unmasked", 0 },
	{ "mask on another register", B(0x83, 0xe1, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 3 },
	{ "mask of -16", B(0x83, 0xe0, 0xf0, 0xff, 0xe0), "indirect-branch-unmasked", 3 },
	{ "64-bit mask", B(0x48, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 4 },
	{ "mask then nop then jmp", B(0x83, 0xe0, 0xe0, 0x90, 0xff, 0xe0), "indirect-branch-unmasked", 4 },
	{ "mask of r11 for rax", B(0x41, 0x83, 0xe3, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 4 },
	{ "mask and jmp split across bundles", B(N28, 0x90, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "indirect-branch-unmasked", 32 },
	{ "jump into an instruction", B(0xeb, 0x01, 0xb8, 0, 0, 0, 0), "direct-branch-target", 0 },
	{ "jcc into an instruction", B(0x74, 0x01, 0xb8, 0, 0, 0, 0), "direct-branch-target", 0 },
	{ "call into an instruction", B(0xe8, 0x01, 0, 0, 0, 0xb8, 0, 0, 0, 0), "direct-branch-target", 0 },
	{ "jump before the text", B(0xeb, 0xfd), "direct-branch-target", 0 },              /* 0x10fff */
	{ "jump past the text", B(0xe9, 0x00, 0x00, 0x01, 0x00), "direct-branch-target", 0 },
	{ "call not a trap entry", B(0xe8, 0x0b, 0xf0, 0xff, 0xff), "direct-branch-target", 0 }, /* call 0x10010 */
	{ "call trap 4, which does not exist", B(0xe8, 0x7b, 0xf0, 0xff, 0xff), "direct-branch-target", 0 },
	{ "jmp to a trap", B(0xe9, 0xfb, 0xef, 0xff, 0xff), "direct-branch-target", 0 },          /* jmp 0x10000 */
	{ "jcc to a trap", B(0x0f, 0x84, 0xfa, 0xef, 0xff, 0xff), "direct-branch-target", 0 },
	{ "loop into an instruction", B(0xe2, 0x01, 0xb8, 0, 0, 0, 0), "direct-branch-target", 0 },
	{ "jump onto a masked jmp", B(0xeb, 0x03, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "locked-group-target", 0 },
	{ "jcc onto a masked jmp", B(0x74, 0x03, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "locked-group-target", 0 },
	{ "call onto a masked jmp", B(0xe8, 0x03, 0, 0, 0, 0x83, 0xe0, 0xe0, 0xff, 0xe0), "locked-group-target", 0 },
	{ "jump onto the return's jmp", B(0xeb, 0x0a, 0x41, 0x5b, 0x41, 0x83, 0xc3, 0x1f, 0x41, 0x83, 0xe3, 0xe0,
					  0x41, 0xff, 0xe3), "locked-group-target", 0 },

	/* ---- the masked return: and $-32,%r11d; mov %r11,(%rsp); ret ---- */
	{ "masked return", B(0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3), NULL, 0 },
	{ "masked return, imm32 mask", B(0x41, 0x81, 0xe3, 0xe0, 0xff, 0xff, 0xff, 0x4c, 0x89, 0x1c, 0x24, 0xc3), NULL, 0 },
	{ "jump onto the masked return's mask", B(0xeb, 0x00, 0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3), NULL, 0 },
	{ "store of r11 without the mask, ret", B(0x4c, 0x89, 0x1c, 0x24, 0xc3), "plain-return", 4 },
	{ "mask of eax, store of rax, ret", B(0x83, 0xe0, 0xe0, 0x48, 0x89, 0x04, 0x24, 0xc3), "plain-return", 7 },
	{ "64-bit mask of r11, store, ret", B(0x49, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3), "plain-return", 8 },
	{ "masked store as 0(%rsp), ret", B(0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x5c, 0x24, 0x00, 0xc3), "plain-return", 9 },
	{ "32-bit masked store, ret", B(0x41, 0x83, 0xe3, 0xe0, 0x44, 0x89, 0x1c, 0x24, 0xc3), "plain-return", 8 },
	{ "mask, store, nop, ret", B(0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0x90, 0xc3), "plain-return", 9 },
	{ "mask, store, ret imm", B(0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc2, 0x08, 0x00), "plain-return", 8 },
	{ "masked store at a bundle start", B(N28, 0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3), "plain-return", 36 },
	{ "jump onto the masked return's store", B(0xeb, 0x04, 0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3),
	  "locked-group-target", 0 },
	{ "jump onto the masked return's ret", B(0xeb, 0x08, 0x41, 0x83, 0xe3, 0xe0, 0x4c, 0x89, 0x1c, 0x24, 0xc3),
	  "locked-group-target", 0 },

	/* ---- which violation is reported ---- */
	{ "lowest offset wins", B(0xeb, 0x01, 0xb8, 0, 0, 0, 0, 0x0f, 0x05), "direct-branch-target", 0 },
	{ "later branch to beyond a violation", B(0x0f, 0x05, 0xeb, 0x00), "forbidden-instruction", 0 },
	{ "a violation before a bad branch", B(0x90, 0x0f, 0x05, 0xeb, 0x01, 0xb8, 0, 0, 0, 0), "forbidden-instruction", 1 },
};

/* The three ways a row is run: as a short text (fast paths on), by the
 * plain Zydis path, and at the start of a 4 KiB text (the memo on, warmed
 * by a first run on the same bytes). All must give the expected verdict. */
enum mode { MODE_SHORT, MODE_PLAIN, MODE_MEMO };
static const char *const mode_name[] = { "short", "plain", "memo" };

static bool run_row(const struct row *r, enum mode m)
{
	static uint8_t text[2 * 4096];
	size_t size = m == MODE_MEMO ? 2 * 4096 : (r->len + 31) / 32 * 32;
	struct sfi_options opt = { .deterministic = !r->nondet };
	struct sfi_verdict v;
	int rc;

	memset(text, 0xf4, sizeof(text));
	memcpy(text, r->bytes, r->len);
	if (m == MODE_MEMO) {
		/* the same bytes again in the second page: decoded first there
		 * if the first copy is valid, remembered, then met again */
		memcpy(text + 4096, r->bytes, r->len);
	}
	rc = sfi_validate_text_fast(text, size, ZVM_TEXT_BASE, &opt, &v, m != MODE_PLAIN);
	if (!r->rule) {
		if (rc != 0 || !v.valid) {
			print_error("%s (%s): expected valid, got rule %s at %llu (%s)\n", r->name, mode_name[m],
				    v.rule, (unsigned long long)v.offset, v.disasm);
			return false;
		}
		return true;
	}
	if (rc != 1 || v.valid) {
		print_error("%s (%s): expected rule %s, got valid\n", r->name, mode_name[m], r->rule);
		return false;
	}
	if (strcmp(v.rule, r->rule) != 0 || v.offset != r->offset) {
		print_error("%s (%s): expected %s at %llu, got %s at %llu (%s)\n", r->name, mode_name[m], r->rule,
			    (unsigned long long)r->offset, v.rule, (unsigned long long)v.offset, v.disasm);
		return false;
	}
	if (v.address != ZVM_TEXT_BASE + v.offset || v.nbytes == 0 || v.nbytes > 15 || !v.disasm[0] || !v.reason ||
	    memcmp(v.bytes, text + v.offset, v.nbytes) != 0) {
		print_error("%s (%s): verdict fields wrong\n", r->name, mode_name[m]);
		return false;
	}
	return true;
}

static void test_table(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (enum mode m = MODE_SHORT; m <= MODE_MEMO; m++)
			failed += !run_row(&rows[i], m);
	if (failed)
		fail_msg("%u row runs failed", failed);
}

/* What a verdict says about one instruction. */
static void test_verdict_fields(void **state)
{
	static const uint8_t code[] = { 0x90, 0x90, 0x0f, 0x05 };
	uint8_t text[32];
	struct sfi_options opt = { .deterministic = true };
	struct sfi_verdict v;

	(void)state;
	memset(text, 0xf4, sizeof(text));
	memcpy(text, code, sizeof(code));
	assert_int_equal(sfi_validate_text(text, sizeof(text), 0x20000, &opt, &v), 1);
	assert_false(v.valid);
	assert_string_equal(v.rule, "forbidden-instruction");
	assert_int_equal(v.offset, 2);
	assert_int_equal(v.address, 0x20002);
	assert_int_equal(v.nbytes, 2);
	assert_memory_equal(v.bytes, code + 2, 2);
	assert_string_equal(v.disasm, "syscall");
	assert_int_equal(v.instructions, 3);

	/* an accepted text counts every instruction */
	memset(text, 0x90, sizeof(text));
	assert_int_equal(sfi_validate_text(text, sizeof(text), ZVM_TEXT_BASE, &opt, &v), 0);
	assert_true(v.valid);
	assert_int_equal(v.instructions, 32);

	/* a branch verdict names the branch, in AT&T syntax */
	memcpy(text, (const uint8_t[]){ 0xeb, 0x01, 0xb8, 0, 0, 0, 0 }, 7);
	assert_int_equal(sfi_validate_text(text, sizeof(text), ZVM_TEXT_BASE, &opt, &v), 1);
	assert_string_equal(v.rule, "direct-branch-target");
	assert_non_null(strstr(v.disasm, "jmp"));
	assert_non_null(strstr(v.disasm, "11003"));

	/* undecodable bytes */
	text[0] = 0x06;
	assert_int_equal(sfi_validate_text(text, sizeof(text), ZVM_TEXT_BASE, &opt, &v), 1);
	assert_string_equal(v.disasm, "(undecodable)");
	assert_int_equal(v.bytes[0], 0x06);
}

/*
 * The memo remembers instructions by their bytes outside displacements
 * and (except for `and`) immediates. A text where shapes repeat with other
 * displacements and immediates, and near-copies that must not be taken
 * for them: a 64-bit twin of an addr32 access, a mask that is not -32.
 */
static void test_memo(void **state)
{
	static uint8_t text[3 * 4096];
	struct sfi_options opt = { .deterministic = true };
	struct sfi_verdict v, w;
	size_t off = 0;

	(void)state;
	memset(text, 0xf4, sizeof(text));
	for (unsigned k = 0; off < 4096; k++) {
		const uint8_t a[] = { 0x67, 0x8b, 0x40, (uint8_t)k };                    /* mov k(%eax),%eax */
		const uint8_t b[] = { 0x48, 0x8b, 0x84, 0x24, (uint8_t)k, 1, 0, 0 };     /* mov 0x1kk(%rsp),%rax */
		const uint8_t c[] = { 0x67, 0xc7, 0x00, (uint8_t)k, 0, 0, 0 };          /* movl $k,(%eax) */
		const uint8_t d[] = { 0x83, 0xe1, 0xf0 };                               /* and $-16,%ecx */
		const uint8_t e[] = { 0x83, 0xe0, 0xe0, 0xff, 0xe0 };                   /* and $-32,%eax; jmp *%rax */
		const uint8_t *parts[] = { a, b, c, d, e };
		const size_t lens[] = { sizeof(a), sizeof(b), sizeof(c), sizeof(d), sizeof(e) };
		for (unsigned p = 0; p < 5; p++) {
			if (off % 32 + lens[p] > 32)
				off = (off + 31) / 32 * 32; /* HLT up to the next bundle */
			memcpy(text + off, parts[p], lens[p]);
			off += lens[p];
		}
	}
	off = (off + 31) / 32 * 32;
	assert_int_equal(sfi_validate_text(text, off + 32, ZVM_TEXT_BASE, &opt, &v), 0);

	/* the 64-bit twin of the first shape */
	memcpy(text + off, (const uint8_t[]){ 0x8b, 0x40, 0x08 }, 3);
	assert_int_equal(sfi_validate_text(text, off + 32, ZVM_TEXT_BASE, &opt, &v), 1);
	assert_string_equal(v.rule, "memory-address-64");
	assert_int_equal(v.offset, off);

	/* and $-16 then jmp: the remembered `and $-16,%ecx` differs only in
	 * the register and the immediate from the mask */
	memcpy(text + off, (const uint8_t[]){ 0x83, 0xe0, 0xf0, 0xff, 0xe0 }, 5);
	assert_int_equal(sfi_validate_text(text, off + 32, ZVM_TEXT_BASE, &opt, &v), 1);
	assert_string_equal(v.rule, "indirect-branch-unmasked");
	assert_int_equal(v.offset, off + 3);

	/* and $-32 on ecx (remembered as no mask for eax), then jmp *%rcx */
	memcpy(text + off, (const uint8_t[]){ 0x83, 0xe1, 0xe0, 0xff, 0xe1 }, 5);
	assert_int_equal(sfi_validate_text(text, off + 32, ZVM_TEXT_BASE, &opt, &v), 0);

	/* the same verdicts by the plain path, on a whole bad text */
	memcpy(text + off, (const uint8_t[]){ 0x67, 0x8b, 0x04, 0x24 }, 4);
	text[off + 4] = 0xc3;
	assert_int_equal(sfi_validate_text(text, off + 32, ZVM_TEXT_BASE, &opt, &v), 1);
	assert_int_equal(sfi_validate_text_fast(text, off + 32, ZVM_TEXT_BASE, &opt, &w, false), 1);
	assert_string_equal(v.rule, w.rule);
	assert_int_equal(v.offset, w.offset);
	assert_int_equal(v.instructions, w.instructions);
	assert_string_equal(v.rule, "plain-return");
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
	assert_string_equal(v.rule, "text-size");
	assert_int_equal(sfi_validate_text(NULL, 32, ZVM_TEXT_BASE, &opt, &v), -EINVAL);
	assert_int_equal(sfi_validate_text(text, 32, ZVM_TEXT_BASE, NULL, &v), -EINVAL);
	assert_int_equal(sfi_validate_text(text, 32, ZVM_TEXT_BASE, &opt, NULL), -EINVAL);
	/* a text that would reach past 4 GiB, or wrap */
	assert_int_equal(sfi_validate_text(text, 32, ZVM_SANDBOX_END - 16, &opt, &v), -EINVAL);
	assert_int_equal(sfi_validate_text(text, 32, UINT64_MAX - 15, &opt, &v), -EINVAL);
}

/* Every rule named in the table exists in the validator's list, and every
 * rule of the list (but text-size, tested above) is broken by some row. */
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
	for (size_t k = 0; k < sfi_rule_count(); k++) {
		const struct sfi_rule_info *r = sfi_rule_at(k);
		bool used = !strcmp(r->name, "text-size");
		assert_non_null(r->reason);
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && !used; i++)
			used = rows[i].rule && !strcmp(rows[i].rule, r->name);
		if (!used)
			fail_msg("no table row breaks rule %s", r->name);
	}
	assert_null(sfi_rule_at(sfi_rule_count()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_verdict_fields),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_text_size),
		cmocka_unit_test(test_rule_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
