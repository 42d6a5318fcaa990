/* runtime/zrt/mem.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/mem.c"
