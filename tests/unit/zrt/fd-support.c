/* runtime/zrt/fd.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/fd.c"
