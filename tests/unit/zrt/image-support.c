/* runtime/zrt/image.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/image.c"
