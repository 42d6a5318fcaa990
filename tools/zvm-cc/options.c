/*
 * options.c — the flags that would break the scheme, as data.
 *
 * -m flags are allowed only from a list: an unknown one may enable an
 * instruction set the validator refuses (AVX, BMI, MOVBE, ...), and a
 * refused build now is kinder than a validation error later. -f flags are
 * allowed unless listed: most only steer optimisation. -fPIC, -fpic,
 * -fPIE and -fpie are allowed: position-independent code is valid code,
 * linked statically like any other (the driver keeps TLS initial-exec).
 */
#include <stdbool.h>
#include <string.h>

#include "tools/zvm-cc/options.h"

struct rule {
	const char *prefix; /* matches the flag's start; "=" ends a name */
	const char *why;    /* NULL: allowed */
};

static const struct rule f_rules[] = {
	{ "-fstack-protector", "the canary is read from %fs:40, outside the sandbox" },
	{ "-fcf-protection=full", "endbr64 is not admitted (CET is not used)" },
	{ "-fcf-protection=branch", "endbr64 is not admitted (CET is not used)" },
	{ "-fcf-protection=return", "shadow stacks are not used" },
	{ "-fjump-tables", "jump tables are indirect jumps into the middle of bundles" },
	{ "-flto", "LTO objects carry no assembly for the rewriter" },
	{ "-fsplit-stack", "split stacks read %fs:0x70" },
	{ "-fsanitize=address", "the shadow memory lies outside the sandbox" },
	{ "-fsanitize=kernel", "kernel sanitizers" },
	{ "-fsanitize=hwaddress", "tagged pointers are not sandbox addresses" },
	{ "-fsanitize=thread", "the shadow memory lies outside the sandbox" },
	{ "-fsanitize=memory", "the shadow memory lies outside the sandbox" },
};

/* Allowed -m flags; "-mno-*" (turning something off) always is. */
static const char *const m_allowed[] = {
	"-m64", "-msse", "-msse2", "-msse3", "-mssse3", "-msse4", "-msse4.1", "-msse4.2", "-mpopcnt",
	"-mcx16", "-msahf", "-mtune=", "-mfpmath=", "-mstackrealign", "-mpreferred-stack-boundary=",
	"-mincoming-stack-boundary=", "-mlong-double-64", "-mlong-double-80", "-mgeneral-regs-only",
	"-minline-all-stringops", "-minline-stringops-dynamically", "-mstringop-strategy=",
	"-mmemcpy-strategy=", "-mmemset-strategy=", "-malign-data=", "-momit-leaf-frame-pointer",
	"-mieee-fp", "-maccumulate-outgoing-args", "-mpush-args", "-m80387", "-mhard-float",
	"-mfp-ret-in-387", "-m128bit-long-double", "-m96bit-long-double", "-mlarge-data-threshold=",
	"-mabi=sysv", "-mmove-max=", "-mstore-max=", "-mprefer-vector-width=", "-mbranch-cost=",
	"-mdaz-ftz", "-mfentry", "-mrecord-mcount", "-mnop-mcount", "-mtls-dialect=gnu",
	"-mindirect-branch=keep", "-mfunction-return=keep", "-mharden-sls=none", "-malign-stringops",
	"-mvzeroupper", "-mneeded", "-mno-",
};

static const char *const m_refused_why[][2] = {
	{ "-m32", "the sandbox runs x86-64 code only" },
	{ "-mx32", "the sandbox runs x86-64 code only" },
	{ "-m16", "the sandbox runs x86-64 code only" },
	{ "-mcmodel=", "the small code model is required (everything below 2 GiB)" },
	{ "-mred-zone", "the rewritten syscall is a call: it would overwrite the red zone" },
	{ "-mtls-dialect=gnu2", "TLS descriptors are indirect calls through the GOT" },
	{ "-march=", "the target is fixed: -march=x86-64-v2 (what the validator admits)" },
};

/* "-mtune=" matches "-mtune=x"; "-msse4" matches only "-msse4". */
static bool matches(const char *flag, const char *p)
{
	size_t n = strlen(p);

	if (strncmp(flag, p, n) != 0)
		return false;
	return p[n - 1] == '=' || p[n - 1] == '-' || flag[n] == '\0';
}

const char *zvm_cc_refused(const char *flag)
{
	if (!strncmp(flag, "-f", 2)) {
		for (size_t i = 0; i < sizeof(f_rules) / sizeof(f_rules[0]); i++)
			if (!strncmp(flag, f_rules[i].prefix, strlen(f_rules[i].prefix)))
				return f_rules[i].why;
		return NULL;
	}
	if (!strncmp(flag, "-m", 2)) {
		/* what zvm-cc forces anyway */
		if (!strcmp(flag, "-march=x86-64-v2") || !strcmp(flag, "-mcmodel=small"))
			return NULL;
		for (size_t i = 0; i < sizeof(m_refused_why) / sizeof(m_refused_why[0]); i++)
			if (matches(flag, m_refused_why[i][0]))
				return m_refused_why[i][1];
		for (size_t i = 0; i < sizeof(m_allowed) / sizeof(m_allowed[0]); i++)
			if (matches(flag, m_allowed[i]))
				return NULL;
		return "may enable instructions outside x86-64-v2 (base, SSE to SSE4.2, POPCNT, CMPXCHG16B), "
		       "or is not known to be safe for sandboxed code";
	}
	if (!strcmp(flag, "-shared"))
		return "a cell runs one static executable with no dynamic loader, so there are no shared "
		       "libraries; build the static library instead (objects with -c, -fPIC is fine, then "
		       "`ar rcs libNAME.a *.o`, and link programs with -lNAME)";
	if (!strcmp(flag, "-pie") || !strcmp(flag, "-static-pie"))
		return "images are static executables at fixed sandbox addresses";
	return NULL;
}
