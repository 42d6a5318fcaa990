/* batteries MODE — the libraries of mk/batteries.mk from a program in a
 * cell (tests/compat/t_batteries.sh). Reads stdin whole, writes stdout:
 *   gz|gunzip      zlib's deflate/inflate in gzip format (windowBits 31)
 *   bz2|bunzip2    bzip2's buffer-to-buffer coder
 *   xz|unxz        liblzma's .xz encoder (preset 6, CRC64) and decoder
 *   xml            expat: elements, attributes and text bytes, one line
 *                  per element start, then totals
 *   sql            SQLite: the statements on stdin run against test.db
 *                  in the cell's file system, rows printed '|'-separated
 * Exit status 1 with a message on stderr when a library reports an error.
 */
#include <bzlib.h>
#include <expat.h>
#include <lzma.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void die(const char *what, long code)
{
	fprintf(stderr, "batteries: %s failed (%ld)\n", what, code);
	exit(1);
}

static void reserve(struct buf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	b->cap = (b->n + more) * 2;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		die("realloc", 0);
}

static struct buf slurp(void)
{
	struct buf b = { 0 };
	size_t r;

	do {
		reserve(&b, 65536);
		r = fread(b.p + b.n, 1, 65536, stdin);
		b.n += r;
	} while (r > 0);
	return b;
}

static void emit(const struct buf *b)
{
	if (fwrite(b->p, 1, b->n, stdout) != b->n)
		die("fwrite", 0);
}

static void gz(const struct buf *in, int compress)
{
	z_stream z = { 0 };
	struct buf out = { 0 };
	int rc;

	rc = compress ? deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) : inflateInit2(&z, 31);
	if (rc != Z_OK)
		die("zlib init", rc);
	z.next_in = in->p;
	z.avail_in = (uInt)in->n;
	do {
		reserve(&out, 65536);
		z.next_out = out.p + out.n;
		z.avail_out = 65536;
		rc = compress ? deflate(&z, Z_FINISH) : inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			die(compress ? "deflate" : "inflate", rc);
		out.n = (size_t)(z.next_out - out.p);
	} while (rc != Z_STREAM_END);
	compress ? deflateEnd(&z) : inflateEnd(&z);
	emit(&out);
}

static void bz2(const struct buf *in, int compress)
{
	struct buf out = { 0 };
	unsigned int n;
	int rc;

	/* the worst case of compression is 1% + 600 bytes; decompression
	 * grows the buffer until the data fits */
	for (size_t cap = in->n + in->n / 100 + 600;; cap *= 2) {
		out.n = 0;
		reserve(&out, cap);
		n = (unsigned int)cap;
		rc = compress ? BZ2_bzBuffToBuffCompress((char *)out.p, &n, (char *)in->p, (unsigned int)in->n, 9, 0, 0)
			      : BZ2_bzBuffToBuffDecompress((char *)out.p, &n, (char *)in->p, (unsigned int)in->n, 0, 0);
		if (rc != BZ_OUTBUFF_FULL)
			break;
	}
	if (rc != BZ_OK)
		die(compress ? "BZ2_bzBuffToBuffCompress" : "BZ2_bzBuffToBuffDecompress", rc);
	out.n = n;
	emit(&out);
}

static void xz(const struct buf *in, int compress)
{
	lzma_stream s = LZMA_STREAM_INIT;
	struct buf out = { 0 };
	lzma_ret rc;

	rc = compress ? lzma_easy_encoder(&s, 6, LZMA_CHECK_CRC64) : lzma_stream_decoder(&s, UINT64_MAX, 0);
	if (rc != LZMA_OK)
		die("lzma init", rc);
	s.next_in = in->p;
	s.avail_in = in->n;
	do {
		reserve(&out, 65536);
		s.next_out = out.p + out.n;
		s.avail_out = 65536;
		rc = lzma_code(&s, LZMA_FINISH);
		if (rc != LZMA_OK && rc != LZMA_STREAM_END)
			die("lzma_code", rc);
		out.n = (size_t)(s.next_out - out.p);
	} while (rc != LZMA_STREAM_END);
	lzma_end(&s);
	emit(&out);
}

struct xml_count {
	int depth;
	long elements, attributes, text;
};

static void xml_start(void *data, const XML_Char *name, const XML_Char **attr)
{
	struct xml_count *c = data;

	printf("%*s<%s", c->depth * 2, "", name);
	for (int i = 0; attr[i]; i += 2, c->attributes++)
		printf(" %s=\"%s\"", attr[i], attr[i + 1]);
	printf(">\n");
	c->depth++;
	c->elements++;
}

static void xml_end(void *data, const XML_Char *name)
{
	((struct xml_count *)data)->depth--;
}

static void xml_text(void *data, const XML_Char *s, int len)
{
	((struct xml_count *)data)->text += len;
}

static void xml(const struct buf *in)
{
	struct xml_count c = { 0 };
	XML_Parser p = XML_ParserCreate(NULL);

	XML_SetUserData(p, &c);
	XML_SetElementHandler(p, xml_start, xml_end);
	XML_SetCharacterDataHandler(p, xml_text);
	if (XML_Parse(p, (const char *)in->p, (int)in->n, 1) == XML_STATUS_ERROR) {
		fprintf(stderr, "batteries: xml: line %lu: %s\n", (unsigned long)XML_GetCurrentLineNumber(p),
			XML_ErrorString(XML_GetErrorCode(p)));
		exit(1);
	}
	printf("%s: %ld elements, %ld attributes, %ld text bytes\n", XML_ExpatVersion(), c.elements,
	       c.attributes, c.text);
	XML_ParserFree(p);
}

static int sql_row(void *data, int n, char **val, char **col)
{
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", val[i] ? val[i] : "");
	printf("\n");
	return 0;
}

static void sql(struct buf *in)
{
	sqlite3 *db;
	char *err = NULL;

	reserve(in, 1);
	in->p[in->n] = '\0';
	if (sqlite3_open("test.db", &db) != SQLITE_OK)
		die("sqlite3_open", 0);
	if (sqlite3_exec(db, (const char *)in->p, sql_row, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "batteries: sql: %s\n", err);
		exit(1);
	}
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	struct buf in;

	if (!strcmp(m, "--help") || argc != 2) {
		printf("usage: batteries gz|gunzip|bz2|bunzip2|xz|unxz|xml|sql <in >out\n");
		return argc == 2 ? 0 : 2;
	}
	in = slurp();
	if (!strcmp(m, "gz") || !strcmp(m, "gunzip"))
		gz(&in, m[1] == 'z');
	else if (!strcmp(m, "bz2") || !strcmp(m, "bunzip2"))
		bz2(&in, m[1] == 'z');
	else if (!strcmp(m, "xz") || !strcmp(m, "unxz"))
		xz(&in, m[0] == 'x');
	else if (!strcmp(m, "xml"))
		xml(&in);
	else if (!strcmp(m, "sql"))
		sql(&in);
	else
		die(m, 2);
	return fflush(stdout) ? 1 : 0;
}
