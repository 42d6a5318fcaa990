/* runtime/zrt/fmap.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/fmap.c"
