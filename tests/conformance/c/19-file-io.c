// conformance:
/* File I/O on relative paths: fopen w/r/a, fprintf/fscanf, fwrite/fread of binary data, fputs/fgets, tmpfile. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	FILE *f = fopen("notes.txt", "w");
	if (!f) { printf("fopen w failed\n"); return 1; }
	for (int i = 1; i <= 5; i++)
		fprintf(f, "line %d: %d squared is %d\n", i, i, i * i);
	fputs("no newline at end", f);
	printf("fclose w: %d\n", fclose(f));

	f = fopen("notes.txt", "a");
	fputs("\nappended line\n", f);
	printf("ftell after append: %ld\n", ftell(f));
	fclose(f);

	f = fopen("notes.txt", "r");
	char line[128];
	int n = 0;
	while (fgets(line, sizeof line, f))
		printf("read %d: %s%s", ++n, line, strchr(line, '\n') ? "" : "\n");
	printf("feof %d ferror %d\n", feof(f) != 0, ferror(f) != 0);
	fclose(f);

	f = fopen("notes.txt", "r");
	int a, b, c, got = fscanf(f, "line %d: %d squared is %d", &a, &b, &c);
	printf("fscanf %d: %d %d %d\n", got, a, b, c);
	fclose(f);

	uint32_t data[1000];
	for (int i = 0; i < 1000; i++)
		data[i] = (uint32_t)i * 2654435761u;
	f = fopen("data.bin", "wb");
	size_t w = fwrite(data, sizeof data[0], 1000, f);
	fclose(f);
	uint32_t back[1000] = { 0 };
	f = fopen("data.bin", "rb");
	size_t r = fread(back, sizeof back[0], 1000, f);
	size_t r2 = fread(back, 1, 1, f);
	fclose(f);
	printf("binary: wrote %zu read %zu extra %zu equal %d\n", w, r, r2, memcmp(data, back, sizeof data) == 0);

	f = fopen("notes.txt", "w");
	fclose(f);
	f = fopen("notes.txt", "r");
	printf("truncated by w: first getc %d\n", fgetc(f));
	fclose(f);

	f = fopen("big.txt", "w+");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%05d\n", i);
	rewind(f);
	long sum = 0;
	int v;
	while (fscanf(f, "%d", &v) == 1)
		sum += v;
	printf("w+ sum %ld size %ld\n", sum, ftell(f));
	fclose(f);

	FILE *t = tmpfile();
	if (t) {
		fputs("temporary", t);
		rewind(t);
		char tb[32] = "";
		fgets(tb, sizeof tb, t);
		printf("tmpfile [%s]\n", tb);
		fclose(t);
	} else
		printf("tmpfile failed\n");
	printf("remove: %d %d %d\n", remove("notes.txt"), remove("data.bin"), remove("big.txt"));
	printf("fopen removed: %s\n", fopen("notes.txt", "r") ? "opened" : "NULL");
	return 0;
}
