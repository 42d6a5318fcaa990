/*
 * test_rewriter.c — the SFI rewrite, one row per input statement: the
 * lines that must appear in the output, or the error that must be given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tools/zvm-cc/rewriter.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* rows omit error */

static const struct row {
	const char *in;
	const char *want[8]; /* substrings, in order */
	const char *error;   /* prefix of the message, or NULL */
	const char *absent;  /* must not appear in the output */
} rows[] = {
	{ "\tmovq %rax, (%rbx)\n", { "movq %rax, (%ebx)" } },
	{ "\tmovl 8(%rax,%rcx,4), %edx\n", { "movl 8(%eax,%ecx,4), %edx" } },
	{ "\tmovq %r8, -16(%r15,%r9)\n", { "movq %r8, -16(%r15d,%r9d)" } },
	{ "\tmovq 8(%rsp), %rax\n", { "movq 8(%rsp), %rax" } },
	{ "\tmovq (%rsp,%rax,8), %rax\n", { "movq (%esp,%eax,8), %rax" } },
	{ "\tmovq x(%rip), %rax\n", { "movq x(%rip), %rax" } },
	{ "\tmovl table(,%rax,4), %eax\n", { "movl table(,%eax,4), %eax" } },
	{ "\tmovl counter, %eax\n", { "movl counter(%rip), %eax" } },
	{ "\tmovl 0x1234, %eax\n", { "addr32 movl 0x1234, %eax" } },
	{ "\tleaq 8(%rax,%rbx), %rcx\n", { "leaq 8(%rax,%rbx), %rcx" } },
	{ "\tnopw 0x0(%rax,%rax,1)\n", { "nopw 0x0(%rax,%rax,1)" } },
	{ "\tsubq $24, %rsp\n", { "subl $24, %esp" } },
	{ "\taddq %rax, %rsp\n", { "addl %eax, %esp" } },
	{ "\tandq $-16, %rsp\n", { "andq $-16, %rsp" } },
	{ "\tandq $-4096, %rsp\n", { "andl $-4096, %esp" } },
	{ "\tmovq %rbp, %rsp\n", { "movl %ebp, %esp" } },
	{ "\tleaq -8(%rbp), %rsp\n", { "leal -8(%rbp), %esp" } },
	{ "\tleave\n", { "movl %ebp, %esp", "popq %rbp" } },
	/* the masked return (docs/sfi.md §4) */
	{ "\tret\n", { "movl (%rsp), %r11d", "addl $31, %r11d", ".bundle_lock", "andl $-32, %r11d",
			"movq %r11, (%rsp)", "ret", ".bundle_unlock" }, NULL, "popq" },
	{ "\trep ret\n", { "movl (%rsp), %r11d", "movq %r11, (%rsp)", "ret" }, NULL, "rep" },
	{ "\tret $16\n", { "popq %r11", "leal 16(%rsp), %esp", "jmp *%r11" } },
	/* no function label, so no anchor: the call stays, the return rounds up */
	{ "\tcall foo\n", { "call foo", ".p2align 5" }, NULL, ".nops" },
	/* a call in a function ends at a bundle end */
	{ "\t.type f, @function\nf:\n\tcall g\n",
	  { "\t.p2align 5\nf:\n.Lzvm_ca1:\n",
	    "\t.nops ((-(. - .Lzvm_cb1)) & 31) & ((((-(. - .Lzvm_cb1)) & 31) < (.Lzvm_ce1 - .Lzvm_cs1)))\n",
	    "\t.nops ((.Lzvm_cs1 - .Lzvm_ce1) - (. - .Lzvm_cb1)) & 31\n.Lzvm_cs1:\n\tcall g\n.Lzvm_ce1:\n\t.p2align 5",
	    ".set .Lzvm_cb1, .Lzvm_ca1" } },
	{ "\t.type f, @function\nf:\n\tcall *%rax\n\tsyscall\n",
	  { ".Lzvm_cs1:\n\t.bundle_lock\n\tandl $-32, %eax\n\tcall *%rax\n\t.bundle_unlock\n.Lzvm_ce1:",
	    ".Lzvm_cs2:\n\tcall __zvm_syscall\n.Lzvm_ce2:" } },
	/* after a section switch the anchor is elsewhere: the call stays */
	{ "\t.type f, @function\nf:\n\t.section .text.unlikely\n\tcall g\n", { "call g", ".p2align 5" }, NULL,
	  ".Lzvm_cs" },
	{ "\tcall *%rax\n", { ".bundle_lock", "andl $-32, %eax", "call *%rax", ".bundle_unlock", ".p2align 5" } },
	{ "\tjmp *%r12\n", { "andl $-32, %r12d", "jmp *%r12" } },
	{ "\tcall *8(%rax)\n", { "movq 8(%eax), %r11", "andl $-32, %r11d", "call *%r11", ".p2align 5" } },
	{ "\tjmp *.L4(,%rax,8)\n", { "movq .L4(,%eax,8), %r11", "addl $31, %r11d", "andl $-32, %r11d", "jmp *%r11" } },
	/* musl's longjmp: a saved return address is rounded up like a return */
	{ "\tjmp *56(%rdi)\n", { "movq 56(%edi), %r11", ".bundle_lock", "addl $31, %r11d", "andl $-32, %r11d", "jmp *%r11" } },
	{ "\trep stosq\n", { "addr32 rep stosq" } },
	{ "\tmovsb\n", { "addr32 movsb" } },
	{ "\tmovsd %xmm0, (%rax)\n", { "movsd %xmm0, (%eax)" } },
	{ "\tmovq %fs:0, %rax\n", { "movq __zvm_thread_pointer(%rip), %rax" } },
	{ "\tsyscall\n", { "call __zvm_syscall", ".p2align 5" } },
	{ "\tcpuid\n", { "call __zvm_cpuid", ".p2align 5" }, NULL, "\tcpuid" },
	/* musl's TLS descriptors: other %fs offsets go through r11 */
	{ "\tmov %fs:8, %rdx\n", { "movq __zvm_thread_pointer(%rip), %r11", "mov 8(%r11d), %rdx" } },
	{ "\tsub %fs:0, %rax\n", { "sub __zvm_thread_pointer(%rip), %rax" } },
	{ "\tmov %fs:x@tpoff, %rax\n", { NULL }, "t.s:1: '%fs:x@tpoff'" },
	/* a prefix as a statement of its own ("lock ; xadd" in inline asm) */
	{ "\tlock ; xaddl %eax, (%rdi)\n", { "lock xaddl %eax, (%edi)" } },
	{ "\tlock\n\tincl (%rdi)\n", { "lock incl (%edi)" } },
	/* a tail call of a trap becomes a call and a return */
	{ "\tjmp zvm_trap_write\n", { "call zvm_trap_write", ".p2align 5", "movq %r11, (%rsp)", "ret" } },
	{ "\tjne zvm_trap_exit\n", { NULL }, "t.s:1: 'jne zvm_trap_exit'" },
	{ "\tint $3\n", { "int3" } },
	{ "\tjne .L3\n", { "jne .L3" } },
	{ "\t.type f, @function\nf:\n\tnop\n", { ".type f, @function", ".p2align 5", "f:" } },
	{ "\t.data\nx:\n\t.quad 1\n", { ".data", "x:", ".quad 1" } },
	{ "\tmovq $.L9, %rax\n.L9:\n", { "movq $.L9, %rax", ".p2align 5", ".L9:" } },
	{ "\tnop; nop # comment\n", { "nop", "nop" } },
	{ "\trep bsfq %rdi, %rax\n", { "\tbsfq %rdi, %rax" } },
	{ "\tmovq %rax, (%rdi) /* C comment */\n", { "movq %rax, (%edi)" } },
	{ "/* a comment\n   over lines */\n\tmovq (%rsi), %rax\n", { "movq (%esi), %rax" } },
	{ "\tmovl %eax, (-1-2)(%rdi,%rdx)\n", { "movl %eax, (-1-2)(%edi,%edx)" } },
	{ "\tmovl (1+2), %eax\n", { "addr32 movl (1+2), %eax" } },
	/* a TLS offset is a signed relocation: computed by lea into r11 */
	{ "\tmovl x@tpoff(%rdx), %eax\n", { "leaq x@tpoff(%rdx), %r11", "movl (%r11d), %eax" } },
	{ "\tmovl %eax, x@tpoff(%rdx,%rcx,4)\n", { "leaq x@tpoff(%rdx,%rcx,4), %r11", "movl %eax, (%r11d)" } },
	{ "\tmovl x@tpoff(%r11), %eax\n", { NULL }, "t.s:1: 'x@tpoff(%r11)'" },
	/* labels whose address sits in data (computed goto tables) are aligned */
	{ "\t.text\n.L3:\n\tnop\n\t.section .rodata\ntab:\n\t.quad .L3\n", { ".p2align 5", ".L3:", "tab:" } },
	{ "\t.text\n.L3:\n\tnop\n", { ".L3:" }, NULL, ".p2align" },
	{ "\tmovq x(%rip), %rax\n\tjmp .L2\n.L2:\n", { ".L2:" }, NULL, ".p2align" },
	/* a global code label without .type (hand-written) is aligned */
	{ "\t.globl f\nf:\n\tnop\n", { ".globl f", ".p2align 5", "f:" } },
	{ "\tleaq g(%rip), %rax\ng:\n", { "leaq g(%rip), %rax", ".p2align 5", "g:" } },
	/* line markers (cpp, gcc around inline asm) name the original line */
	{ "\tnop\n# 7 \"a.c\" 1\n\tnop\n\tint $0x80\n", { NULL }, "a.c:8: 'int $0x80'" },
	{ "# 7 \"a.c\" 1\n\tnop\n# 0 \"\" 2\n\tint $0x80\n", { NULL }, "t.s:4: 'int $0x80'" },
	{ "\t.bundle_align_mode 5\n\tnop\n", { "nop" }, NULL, "bundle_align_mode 5\n\t.bundle_align_mode" },
	{ "\t.bundle_align_mode 0\n", { NULL }, "t.s:1: '.bundle_align_mode 0'" },
	{ "\tnop\n\t.code32\n", { NULL }, "t.s:2: '.code32'" },
	{ "\tendbr64\n\tnop\n", { "nop" }, NULL, "endbr" },
	{ "\tinb $0x60, %al\n", { NULL }, "t.s:1: 'inb' is not allowed in sandboxed code (port I/O)" },
	{ "\tpopfq\n", { NULL }, "t.s:1: 'popfq' is not allowed" },
	{ "\tmovw %ax, %ds\n", { NULL }, "t.s:1: 'movw %ds': segment registers" },
	{ "\tpushq %fs\n", { NULL }, "t.s:1: 'pushq %fs': segment registers" },
	{ "\tincl (%rax)\n\tinsertps $0, %xmm1, %xmm0\n\tstosb\n", { "incl (%eax)", "insertps", "addr32 stosb" } },
	{ "\tmovq %gs:8, %rax\n", { NULL }, "t.s:1: '%gs:8'" },
	{ "\tint $0x80\n", { NULL }, "t.s:1: 'int $0x80'" },
	{ "\tnop\n\tsysenter\n", { NULL }, "t.s:2: 'sysenter' is not allowed" },
	{ "\tpopq %rsp\n", { NULL }, "t.s:1: 'popq' writes %rsp" },
	{ "\tljmp *(%rax)\n", { NULL }, "t.s:1: 'ljmp' is not allowed" },
	/* strings are data: an escaped quote does not end one, so ';', '#' and
	 * a C comment inside stay in it (gcc writes puts("q\"x;y") so) */
	{ "\t.section .rodata\n\t.string \"q\\\"x;y\"\n", { "\t.string \"q\\\"x;y\"\n" } },
	{ "\t.string \"q\\\"#;\"\n", { "\t.string \"q\\\"#;\"\n" } },
	{ "\t.asciz \"\\\\\\\";x\"\n", { "\t.asciz \"\\\\\\\";x\"\n" } },
	{ "\t.asciz \"\\\\;\" # c\n", { "\t.asciz \"\\\\;\"\n" } },
	{ "\t.ascii \"a#b\", \"/* x */\"\n", { "\t.ascii \"a#b\", \"/* x */\"\n" } },
	{ "\t.string \"a\\\"/*\"\n\tmovq (%rax), %rbx\n", { ".string \"a\\\"/*\"", "movq (%eax), %rbx" } },
	{ "\t.ascii \"\\101;\\\"\\073#\\\\\"\n", { "\t.ascii \"\\101;\\\"\\073#\\\\\"\n" } },
	{ "\t.ascii \"x: ret\" ; .byte 1\n", { ".ascii \"x: ret\"", ".byte 1" }, NULL, "jmp" },
	{ "\t.file \"a\\\"b;c.c\"\n\t.ident \"GCC: \\\"x\\\" ; #1\"\n",
	  { "\t.file \"a\\\"b;c.c\"\n", "\t.ident \"GCC: \\\"x\\\" ; #1\"\n" } },
	/* character constants ('c, gas's syntax): '#, '; and '" are one byte */
	{ "\t.data\n\t.byte '#, ';, '\"\n", { "\t.byte '#, ';, '\"\n" } },
	{ "\tmovb $';, %al\n\tcmpb $',, %al\n", { "movb $';, %al", "cmpb $',, %al" } },
	{ "\tmovb $'\\\\, (%rdi)\n", { "movb $'\\\\, (%edi)" } },
	/* comments: '/' starts one at the start of a statement; a C comment
	 * inside a '#' one is no comment; ';' inside comments splits nothing */
	{ "/ a ; ret\n\tnop\n", { "nop" }, NULL, "jmp" },
	{ "\tnop ; / ret\n", { "nop" }, NULL, "jmp" },
	{ "\tnop # see /* here\n\tmovq (%rax), %rbx\n", { "movq (%eax), %rbx" } },
	{ "\tnop /* a; ret */ ; nop\n", { "nop", "nop" }, NULL, "jmp" },
	{ "\tnop # a; ret\n", { "nop" }, NULL, "jmp" },
	/* sections: a quoted name (which may hold a comma) and tabs */
	{ "\t.section \".text.hot\"\n\tmovq (%rax), %rbx\n", { "movq (%eax), %rbx" } },
	{ "\t.section \".data.a,\\\"x\\\"\",\"aw\"\n\tmovq (%rax), %rbx\n", { "movq (%rax), %rbx" } },
	{ "\t.data\t1\n\tmovq (%rax), %rbx\n", { "movq (%rax), %rbx" } },
	/* line markers: cpp's escaped names; a marker inside a C comment is text */
	{ "# 7 \"a\\\"b;#.c\" 1\n\tint $0x80\n", { NULL }, "a\"b;#.c:7: 'int $0x80'" },
	{ "# 1 \"a\"b;#c.c\" 1\n\tint $0x80\n# 0 \"\" 2\n", { NULL }, "a\"b;#c.c:1: 'int $0x80'" },
	{ "# 3 \"d\\\\x\\y.S\"\n\tint $0x80\n", { NULL }, "d\\x\\y.S:3: 'int $0x80'" },
	{ "/*\n# 7 \"x.c\" 1\n*/\n\tint $0x80\n", { NULL }, "t.s:4: 'int $0x80'" },
	/* the pre-pass reads statements as the main pass does */
	{ "\t.text\n.L3:\n\tnop\n\t.section .rodata\ntab: .quad .L3\n", { ".p2align 5", ".L3:", "tab:" } },
	{ "\t.globl f, g\nf:\n\tnop\ng:\n\tnop\n", { "\t.p2align 5\nf:", "\t.p2align 5\ng:" } },
	{ "\t.type f, @object; .type g, @function\nf:\n\tnop\ng:\n", { "f:\n", "\t.p2align 5\ng:" }, NULL, ".p2align 5\nf:" },
	{ "\t.type f, @object # not a function\nf:\n\tnop\n", { "f:" }, NULL, ".p2align" },
	{ "\t.section .rodata\nm: .ascii \"$L9\"\n\t.text\nL9:\n\tnop\n", { "L9:" }, NULL, ".p2align" },
	{ "\t.text\n.L3:\n\tnop\n\t.section .rodata\n\t.quad .L3 # /* x\n\t.text\n\tmovq (%rax), %rbx\n",
	  { ".p2align 5", ".L3:", "movq (%eax), %rbx" } },
	/* loop alignment: an innermost loop's head starts a bundle, with 32
	 * more bytes when gas finds it 33-64 bytes long in the upper half of
	 * a 64-byte line, measured from the function's 64-byte anchor */
	{ "\t.type f, @function\nf:\n\tnop\n.L3:\n\tdecl %eax\n\tjne .L3\n\tret\n",
	  { "\t.p2align 5\n\t.p2align 6\n.Lzvm_fa1:\n\t.p2align 5\nf:", "\t.p2align 5\n.Lzvm_lp1:\n",
	    "\t.nops 32 & ((((.Lzvm_lp1 - .Lzvm_fb1) & 32) != 0) & ((.Lzvm_le1 - .Lzvm_lh1) > 32) & ((.Lzvm_le1 - .Lzvm_lh1) <= 64))\n.Lzvm_lh1:\n.L3:",
	    "jne .L3\n.Lzvm_le1:\n", "\t.set .Lzvm_fb1, .Lzvm_fa1\n" } },
	/* only the inner loop; the outer head is left as gcc placed it */
	{ "\t.type f, @function\nf:\n.L2:\n\tnop\n.L3:\n\tdecl %eax\n\tjne .L3\n\tdecl %ecx\n\tjne .L2\n",
	  { ".Lzvm_lh1:\n.L3:", "jne .L3\n.Lzvm_le1:\n" }, NULL, "\t.p2align 5\n.L2:" },
	{ "\t.type f, @function\nf:\n.L2:\n\tnop\n.L3:\n\tdecl %eax\n\tjne .L3\n\tdecl %ecx\n\tjne .L2\n",
	  { "f:" }, NULL, ".Lzvm_lh2" },
	/* two loops in one function: both measured from its anchor */
	{ "\t.type f, @function\nf:\n.L3:\n\tdecl %eax\n\tjne .L3\n.L4:\n\tdecl %ecx\n\tjne .L4\n",
	  { "(.Lzvm_lp1 - .Lzvm_fb1)", ".Lzvm_le1:", "(.Lzvm_lp2 - .Lzvm_fb1)", ".Lzvm_le2:" } },
	/* a label inside the loop body does not lose the loop's end */
	{ "\t.type f, @function\nf:\n.L3:\n\tdecl %eax\n\tje .L5\n.L5:\n\tjne .L3\n",
	  { ".Lzvm_lh1:\n.L3:", ".L5:", "jne .L3\n.Lzvm_le1:" } },
	/* numeric labels (hand-written); no function: a bundle start only */
	{ "1:\n\tdecl %eax\n\tjnz 1b\n", { "\t.p2align 5\n1:" }, NULL, ".nops" },
	{ "1:\n\tdecl %eax\n\tjnz 1f\n1:\n", { "1:" }, NULL, ".p2align" },
	/* another section since the function's anchor: a bundle start only */
	{ "\t.type f, @function\nf:\n\tnop\n\t.section .text.unlikely\n.L3:\n\tdecl %eax\n\tjne .L3\n",
	  { "\t.p2align 5\n.L3:" }, NULL, ".nops" },
	/* a jump back from the cold part is no loop (its end would be in
	 * another section: gas could not measure it) */
	{ "\t.type f, @function\nf:\n.L3:\n\tnop\n\tjne .L9\n\t.section .text.unlikely\n.L9:\n\tjmp .L3\n",
	  { "jmp .L3" }, NULL, ".Lzvm_l" },
	/* a jump back into the function before is no loop */
	{ "\t.type f, @function\nf:\n.L3:\n\tnop\n\t.type g, @function\ng:\n\tjmp .L3\n", { "g:" }, NULL, ".Lzvm_l" },
	/* no loop in data */
	{ "\t.data\n.L3:\n\t.byte 1\n\t.text\n\tjmp .L3\n", { "jmp .L3" }, NULL, ".p2align" },
	/* code alignment above 32 bytes: gas would pad across bundles */
	{ "\tnop\n\t.p2align 6\n\tnop\n", { "\t.p2align 5\n\t.p2align 6\n\tnop" } },
	{ "\tnop\n\t.balign 64\n", { "\t.p2align 5\n\t.p2align 6\n" }, NULL, "balign" },
	{ "\tnop\n\t.align 64, 0x90\n", { "\t.p2align 5\n\t.p2align 6\n" }, NULL, ".align" },
	{ "\tnop\n\t.p2align 6,,10\n", { "\t.p2align 6,,10\n" }, NULL, "p2align 5" },
	{ "\tnop\n\t.p2align 4,,10\n", { "\t.p2align 4,,10\n" }, NULL, "p2align 5" },
	{ "\tnop\n\t.p2align 7\n", { NULL }, "t.s:2: '.p2align 7': code alignment above 64 bytes" },
	{ "\t.data\n\t.p2align 7\n", { "\t.p2align 7\n" }, NULL, "p2align 5" },
};

/* every failing row is printed, then the test fails */
static int bad;
#define row_fail(...) (print_error(__VA_ARGS__), print_error("\n"), bad++)

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *out = NULL, *err = NULL;
		size_t olen = 0, elen = 0;
		FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);
		int rc = zvm_rewrite(rows[i].in, strlen(rows[i].in), "t.s", o, e);
		const char *at;

		fclose(o);
		fclose(e);
		if (rows[i].error) {
			if (rc == 0 || strncmp(err, rows[i].error, strlen(rows[i].error)) != 0)
				row_fail("row %zu (%s): expected error '%s', got rc %d '%s'", i, rows[i].in,
					 rows[i].error, rc, err);
		} else {
			if (rc != 0)
				row_fail("row %zu (%s): error %s", i, rows[i].in, err);
			if (!strstr(out, ".bundle_align_mode 5"))
				row_fail("row %zu: no bundle mode", i);
			at = out;
			for (int k = 0; k < 5 && rows[i].want[k]; k++) {
				const char *f = strstr(at, rows[i].want[k]);
				if (!f) {
					row_fail("row %zu (%s): '%s' missing (in order) from:\n%s", i, rows[i].in,
						 rows[i].want[k], out);
					break;
				}
				at = f + strlen(rows[i].want[k]);
			}
			if (rows[i].absent && strstr(out, rows[i].absent))
				row_fail("row %zu (%s): '%s' should not be in:\n%s", i, rows[i].in, rows[i].absent, out);
		}
		free(out);
		free(err);
	}
	if (bad)
		fail_msg("%d rows failed", bad);
}

/* Random string operands made of the pieces that once confused the
 * rewriter: each directive comes out byte for byte, in code and in data,
 * followed by the instruction after it (rewritten, so still in code). */
static void test_random_strings(void **state)
{
	static const char *const piece[] = { "a", ";", "#", "/", "*", "/*", "*/", "\\\"", "\\\\",
					     "\\101", "\\073", "'", ":", " ", "\\t", "$x", "%rip" };
	static const char *const dir[] = { ".ascii", ".asciz", ".string" };
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		char body[256] = "", in[512], want[300], *out = NULL, *err = NULL;
		size_t olen = 0, elen = 0, len = 0;
		int n = (int)((seed = seed * 1103515245 + 12345) >> 16) % 12;
		FILE *o, *e;

		for (int k = 0; k < n; k++) {
			const char *pc = piece[((seed = seed * 1103515245 + 12345) >> 16) % (sizeof(piece) / sizeof(piece[0]))];
			len += (size_t)snprintf(body + len, sizeof(body) - len, "%s", pc);
		}
		snprintf(want, sizeof(want), "\t%s \"%s\"\n", dir[iter % 3], body);
		snprintf(in, sizeof(in), "%s%s\tmovq (%%rax), %%rbx\n", iter & 1 ? "\t.data\n" : "", want);
		if (iter & 1)
			strcat(in, "\t.text\n\tmovq (%rax), %rbx\n");
		o = open_memstream(&out, &olen);
		e = open_memstream(&err, &elen);
		if (zvm_rewrite(in, strlen(in), "t.s", o, e) != 0) {
			fclose(o);
			fclose(e);
			fail_msg("%s: error %s", in, err);
		}
		fclose(o);
		fclose(e);
		if (!strstr(out, want) || !strstr(out, "movq (%eax), %rbx"))
			fail_msg("iteration %d: input\n%s\ncame out as\n%s", iter, in, out);
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_rows), cmocka_unit_test(test_random_strings) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
