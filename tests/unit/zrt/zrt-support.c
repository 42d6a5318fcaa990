/* The ZRT sources under test, compiled natively (see test_zrt_*.c for the
 * fake traps). mk/zrt.mk adds -iquote runtime/include for zvm.h. */
#include "runtime/zrt/mem.c"
#include "runtime/zrt/clock.c"
