/* zvm exec's archive reader and write-back are part of the zvm tool, not
 * of libzvm: compile them in. */
#include "tools/zvm/exec-tar.c"
