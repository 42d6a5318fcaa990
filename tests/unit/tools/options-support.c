/* zvm-cc's flag table is part of zvm-cc, not of libzvm: compile it in. */
#include "tools/zvm-cc/options.c"
