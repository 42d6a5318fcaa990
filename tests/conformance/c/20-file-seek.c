// conformance:
/* fseek/ftell/rewind, r+ updates in place, ungetc, fgetpos/fsetpos, reads past the end, a+ writes. */
#include <stdio.h>
#include <string.h>

static void dump(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[256];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	printf("contents (%zu): [%s]\n", n, buf);
	fclose(f);
}

int main(void)
{
	FILE *f = fopen("seek.txt", "w");
	fputs("0123456789abcdefghijklmnopqrstuvwxyz", f);
	fclose(f);

	f = fopen("seek.txt", "r+");
	int r = fseek(f, 10, SEEK_SET);
	long t = ftell(f);
	int c = fgetc(f);
	printf("fseek SET 10: %d tell %ld getc %c\n", r, t, c);
	r = fseek(f, 5, SEEK_CUR);
	t = ftell(f);
	c = fgetc(f);
	printf("fseek CUR 5: %d tell %ld getc %c\n", r, t, c);
	r = fseek(f, -3, SEEK_END);
	t = ftell(f);
	c = fgetc(f);
	printf("fseek END -3: %d tell %ld getc %c\n", r, t, c);
	fseek(f, 0, SEEK_END);
	printf("fseek END 0: tell %ld\n", ftell(f));
	printf("fseek before start: %d\n", fseek(f, -100, SEEK_SET));
	fseek(f, 4, SEEK_SET);
	fputs("ABCD", f);
	fseek(f, 0, SEEK_CUR);
	c = fgetc(f);
	printf("after overwrite getc %c tell %ld\n", c, ftell(f));
	rewind(f);
	c = fgetc(f);
	int u = ungetc('Q', f);
	printf("rewind getc %c, ungetc -> %c, tell %ld\n", c, u, ftell(f));
	c = fgetc(f);
	printf("getc after ungetc %c", c);
	printf(" then %c\n", fgetc(f));
	fpos_t pos;
	fgetpos(f, &pos);
	char tmp[8] = "";
	fread(tmp, 1, 5, f);
	fsetpos(f, &pos);
	char tmp2[8] = "";
	fread(tmp2, 1, 5, f);
	printf("fgetpos/fsetpos [%s] [%s]\n", tmp, tmp2);
	fseek(f, 50, SEEK_SET);
	fputc('!', f);
	fclose(f);
	f = fopen("seek.txt", "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 36, SEEK_SET);
	char gap[16];
	size_t n = fread(gap, 1, sizeof gap, f);
	int zeros = 0;
	for (size_t i = 0; i + 1 < n; i++)
		zeros += gap[i] == 0;
	printf("sparse write: size %ld read %zu zeros %d last %c\n", size, n, zeros, gap[n - 1]);
	fclose(f);

	f = fopen("seek.txt", "w");
	fputs("hello", f);
	fclose(f);
	f = fopen("seek.txt", "a+");
	fseek(f, 0, SEEK_SET);
	printf("a+ read %c\n", fgetc(f));
	fseek(f, 0, SEEK_SET);
	fputs(" world", f);
	fclose(f);
	dump("seek.txt");

	f = fopen("seek.txt", "r");
	r = fseek(f, 1000, SEEK_SET);
	c = fgetc(f);
	printf("read past end: fseek %d getc %d eof %d\n", r, c, feof(f) != 0);
	clearerr(f);
	printf("clearerr eof %d\n", feof(f) != 0);
	fclose(f);
	remove("seek.txt");
	return 0;
}
