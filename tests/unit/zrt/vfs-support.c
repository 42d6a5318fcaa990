/* runtime/zrt/vfs.c under test, compiled natively (see fakes-support.c) */
#include "runtime/zrt/vfs.c"
