/* runtime/zrt/clock.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/clock.c"
