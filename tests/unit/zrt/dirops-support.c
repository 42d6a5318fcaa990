/* runtime/zrt/dirops.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/dirops.c"
