/*
 * check.c — zvm-cc validates what it links (issue #14, defect 5), so a
 * program the validator would refuse fails its build, not its first run:
 * CPU-dispatch code (`__attribute__((target("pclmul")))`, AVX paths behind
 * <cpuid.h>) compiles without complaint and used to be found only by
 * `zvm run`. The verdict comes from the validator itself (`zvm-local
 * validate`, beside zvm-cc), so this check can never disagree with it;
 * addr2line turns the address into the function and the source line.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/zvm-cc/check.h"

/* What a user can do about the rule, one line. */
static const char *advice(const char *rule)
{
	if (!strcmp(rule, "isa-set"))
		return "the cell admits x86-64 with SSE up to SSE4.2, POPCNT and CMPXCHG16B: build this function "
		       "without the extension (drop its __attribute__((target(...))) or -m flag, or pick the "
		       "package's portable code, e.g. xz's ./configure --disable-clmul-crc)";
	if (!strcmp(rule, "nondeterministic"))
		return "a cell is deterministic: rdtsc, rdrand and the like are refused (use clock_gettime and "
		       "getrandom, which ZRT answers from the manifest's clock and seed)";
	return "see docs/sfi.md §7 (zvm validate --rules) for what the rule protects";
}

/* Runs argv with stdout and stderr into buf (NUL-terminated); returns the
 * exit status, or -1 when it could not run. */
static int capture(char *const argv[], char *buf, size_t len)
{
	int pipefd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf + got, len - 1 - got)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (got += (size_t)n) == len - 1) {
			char sink[512];
			while (read(pipefd[0], sink, sizeof(sink)) > 0)
				; /* the rest is not needed, but the child must not block */
			break;
		}
	buf[got] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

int zvm_cc_check_image(const char *validator, const char *image)
{
	char out[4096], where[1200] = "", addr[32], rule[64], insn[256] = "", *p;
	char a_validate[] = "validate";
	char *vargv[] = { (char *)validator, a_validate, (char *)image, NULL };
	unsigned long long a;
	int rc;

	if (access(validator, X_OK) != 0)
		return 0; /* zvm-cc without zvm beside it: nothing to ask */
	rc = capture(vargv, out, sizeof(out));
	if (rc == 0)
		return 0;
	if (rc != 1) {
		fprintf(stderr, "zvm-cc: %s: could not be validated (%s): %s", image, validator,
			rc < 0 ? "it did not run\n" : out);
		unlink(image);
		return -EIO;
	}
	/* "IMAGE: invalid: rule R at offset 0xO (address 0xA): DISASM" */
	p = strstr(out, ": invalid: rule ");
	if (!p || sscanf(p, ": invalid: rule %63s at offset %*s (address %llx):", rule, &a) != 2) {
		fprintf(stderr, "zvm-cc: %s: refused by the validator:\n%s", image, out);
		unlink(image);
		return -EINVAL;
	}
	if ((p = strstr(p, "): ")) != NULL)
		snprintf(insn, sizeof(insn), "%.*s", (int)strcspn(p + 3, "\n"), p + 3);
	snprintf(addr, sizeof(addr), "0x%llx", a);
	{
		/* -i: an inlined intrinsic's caller too; the last pair is the
		 * function the user wrote */
		char a_prog[] = "addr2line", a_f[] = "-f", a_i[] = "-i", a_c[] = "-C", a_e[] = "-e";
		char *aargv[] = { a_prog, a_f, a_i, a_c, a_e, (char *)image, addr, NULL };
		char fn[2048], *line[16];
		int n = 0;

		if (capture(aargv, fn, sizeof(fn)) == 0) {
			for (char *q = fn, *nl; n < 16 && (nl = strchr(q, '\n')); q = nl + 1) {
				*nl = '\0';
				line[n++] = q;
			}
			if (n >= 2 && strcmp(line[n - 2], "??") != 0) {
				bool known = strncmp(line[n - 1], "??", 2) != 0;
				snprintf(where, sizeof(where), " in %.400s%s%.400s%s%s%.300s", line[n - 2], known ? " (" : "",
					 known ? line[n - 1] : "", known ? ")" : "", n > 2 ? ", inlined from " : "",
					 n > 2 ? line[0] : "");
			}
		}
	}
	fprintf(stderr, "zvm-cc: %s would be refused in a cell: '%s' at %s%s (rule %s)\nzvm-cc: %s\n", image, insn,
		addr, where, rule, advice(rule));
	unlink(image); /* as a failed link: make must not find it */
	return -EINVAL;
}
