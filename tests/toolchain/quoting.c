/* Strings the rewriter must leave alone: quotes, backslashes, ';', '#' and
 * comment openers inside .string/.ascii operands (gcc writes these), and
 * gas character constants in inline asm. Compared byte for byte with the
 * native build (t_toolchain.sh). */
#include <stdio.h>
#include <string.h>

static const char *const tricky[] = {
	"q\"x;y", "a#b", "\\;", "/* x */", "\\\"#z", "x: ret", "; ret", "\"#\"",
	"\101\073\043", "\\\\\";x", "*/ /*", "tab\t;\t#", "// not a comment", "'#';'\"'",
	"\"/*\";", "#", ";", "\\", "\"", "end",
};

/* the same bytes in an initialised array: .ascii, not .string */
static const char blob[] = { 'q', '"', ';', '#', '/', '*', '\\', '"', '\'', ';' };

int main(void)
{
	char c1, c2, c3;
	unsigned sum = 0;

	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		printf("%zu [%s] %zu\n", i, tricky[i], strlen(tricky[i]));
		for (const char *p = tricky[i]; *p; p++)
			sum = sum * 31 + (unsigned char)*p;
	}
	fwrite(blob, 1, sizeof(blob), stdout);
	putchar('\n');
	/* character constants in instructions: '; and '# are bytes, not a
	 * statement separator or a comment */
	__asm__("movb $';, %0" : "=q"(c1));
	__asm__("movb $'#, %0" : "=q"(c2));
	__asm__("movb $'\", %0 # a \" comment; ret" : "=q"(c3));
	printf("%c%c%c %u\n", c1, c2, c3, sum);
	return 0;
}
