#ifndef _ZVM_ASSERT_H
#define _ZVM_ASSERT_H
void __zvm_assert_fail(const char *expr, const char *file, int line, const char *func) __attribute__((noreturn));
#if !defined(__cplusplus) && __STDC_VERSION__ >= 201112L
#define static_assert _Static_assert
#endif
#endif
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __zvm_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
