/*
 * simd.h — shared by runtime/zlibc's string functions (memcpy.c,
 * memmove.c, strlen.c, strcmp.c): 16-byte SSE2 loads and stores. SSE2 is
 * part of x86-64 itself. One function per file, as in musl, so that a
 * program defining one of them itself still links with the others.
 */
#ifndef ZLIBC_SIMD_H
#define ZLIBC_SIMD_H
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

typedef __m128i v16;
#define LD(p) _mm_loadu_si128((const v16 *)(const void *)(p))
#define ST(p, v) _mm_storeu_si128((v16 *)(void *)(p), (v))
#endif
