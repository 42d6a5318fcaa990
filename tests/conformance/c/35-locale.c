// conformance:
/* The "C" locale: setlocale, localeconv, decimal point in printf/strtod, strcoll, MB_CUR_MAX, ASCII mbtowc. */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int main(void)
{
	const char *l = setlocale(LC_ALL, NULL);
	printf("initial locale: %s\n", l);
	l = setlocale(LC_ALL, "C");
	printf("setlocale C: %s\n", l ? l : "NULL");
	l = setlocale(LC_NUMERIC, "C");
	printf("setlocale LC_NUMERIC C: %s\n", l ? l : "NULL");
	struct lconv *lc = localeconv();
	printf("decimal_point [%s] thousands_sep [%s] grouping len %zu int_curr [%s] currency [%s]\n", lc->decimal_point,
	       lc->thousands_sep, strlen(lc->grouping), lc->int_curr_symbol, lc->currency_symbol);
	printf("frac_digits %d p_cs_precedes %d\n", lc->frac_digits, lc->p_cs_precedes);
	printf("printf %.3f strtod %.2f\n", 1234.5678, strtod("2,5", NULL));
	printf("strcoll: %d %d %d\n", strcoll("a", "b") < 0, strcoll("B", "a") < 0, strcoll("same", "same") == 0);
	char x[32];
	size_t n = strxfrm(x, "transform", sizeof x);
	printf("strxfrm %zu [%s]\n", n, x);
	printf("MB_CUR_MAX %d\n", (int)MB_CUR_MAX);
	wchar_t w[32];
	size_t wn = mbstowcs(w, "plain ascii", 32);
	printf("mbstowcs %zu last %d wcslen %zu\n", wn, (int)w[wn - 1], wcslen(w));
	char back[32];
	size_t bn = wcstombs(back, L"wide text", sizeof back);
	printf("wcstombs %zu [%s]\n", bn, back);
	wchar_t wc;
	int r = mbtowc(&wc, "A", 1);
	printf("mbtowc 'A' -> %d value %d;", r, (int)wc);
	printf(" empty %d\n", mbtowc(&wc, "", 1));
	static const wchar_t hello[] = L"hello";
	printf("wcscmp %d wcschr %td\n", wcscmp(L"abc", L"abd") < 0, wcschr(hello, L'l') - hello);
	return 0;
}
