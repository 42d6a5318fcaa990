/*
 * options.h — which gcc flags zvm-cc lets through. Pure: no I/O.
 */
#ifndef ZVM_CC_OPTIONS_H
#define ZVM_CC_OPTIONS_H

/* NULL if `flag` may be passed to gcc, else why it breaks the scheme
 * (a static string). Flags zvm-cc handles itself (-c, -o, -l, ...) are
 * not asked about. */
const char *zvm_cc_refused(const char *flag);

#endif
