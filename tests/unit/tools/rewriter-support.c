/* The rewriter is part of zvm-cc, not of libzvm: compile it into its test. */
#include "tools/zvm-cc/rewriter.c"
