// conformance:
/* <stdint.h>/<inttypes.h>: limits, PRI and SCN macros, imaxdiv, strtoimax, exact-width arithmetic. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	printf("int8 %" PRId8 " %" PRId8 " uint8 %" PRIu8 "\n", INT8_MIN, INT8_MAX, UINT8_MAX);
	printf("int16 %" PRId16 " %" PRId16 " uint16 %" PRIu16 " %" PRIx16 "\n", INT16_MIN, INT16_MAX, UINT16_MAX, UINT16_MAX);
	printf("int32 %" PRId32 " %" PRIi32 " uint32 %" PRIu32 " %" PRIX32 " %" PRIo32 "\n", INT32_MIN, INT32_MAX, UINT32_MAX,
	       UINT32_MAX, UINT32_MAX);
	printf("int64 %" PRId64 " %" PRId64 " uint64 %" PRIu64 " %#" PRIx64 "\n", INT64_MIN, INT64_MAX, UINT64_MAX, UINT64_MAX);
	printf("intmax %" PRIdMAX " uintmax %" PRIuMAX "\n", INTMAX_MIN, UINTMAX_MAX);
	printf("intptr max %" PRIdPTR " size max %zu ptrdiff %td\n", INTPTR_MAX, SIZE_MAX, PTRDIFF_MIN);
	printf("least/fast: %" PRIdLEAST8 " %" PRIdFAST16 " %" PRIuFAST32 " %" PRIdLEAST64 "\n", (int_least8_t)-5,
	       (int_fast16_t)-300, (uint_fast32_t)4000000000u, (int_least64_t)-1);
	/* int_fast16_t and int_fast32_t are 8 bytes in glibc, 4 in musl: not compared */
	printf("sizes: %zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(int_fast8_t), sizeof(int_least32_t), sizeof(int_fast64_t),
	       sizeof(int_least16_t), sizeof(intmax_t), sizeof(intptr_t), sizeof(long), sizeof(long double));
	int64_t a;
	uint32_t b;
	int16_t c;
	uint8_t d;
	int r = sscanf("-1234567890123 4000000000 -32768 255", "%" SCNd64 " %" SCNu32 " %" SCNd16 " %" SCNu8, &a, &b, &c, &d);
	printf("SCN r=%d %" PRId64 " %" PRIu32 " %" PRId16 " %" PRIu8 "\n", r, a, b, c, d);
	imaxdiv_t q = imaxdiv(-17, 5);
	printf("imaxdiv %" PRIdMAX " %" PRIdMAX " imaxabs %" PRIdMAX "\n", q.quot, q.rem, imaxabs(-42));
	uint32_t u = UINT32_MAX;
	u += 2;
	uint8_t u8 = 250;
	u8 = (uint8_t)(u8 + 10);
	int8_t i8 = (int8_t)200;
	printf("wrap: %" PRIu32 " %" PRIu8 " %" PRId8 "\n", u, u8, i8);
	uint64_t h = 14695981039346656037ull;
	for (int i = 0; i < 1000; i++)
		h = (h ^ (uint64_t)i) * 1099511628211ull;
	printf("fnv %016" PRIx64 " >>17 %" PRIu64 " rot %08" PRIx32 "\n", h, h >> 17, (uint32_t)((h << 7) | (h >> 57)));
	printf("INT64_C %" PRId64 " UINT64_C %" PRIu64 "\n", INT64_C(-9000000000), UINT64_C(18000000000000000000));
	return 0;
}
