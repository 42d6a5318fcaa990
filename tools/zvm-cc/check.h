/*
 * check.h — the validator's verdict on what zvm-cc linked.
 */
#ifndef ZVM_CC_CHECK_H
#define ZVM_CC_CHECK_H

/* Runs `VALIDATOR validate IMAGE`. Returns 0 if the image is valid (or
 * the validator is not there); otherwise prints the instruction, the
 * function and source line holding it, the rule and what to do, removes
 * IMAGE and returns a negative errno. */
int zvm_cc_check_image(const char *validator, const char *image);

#endif
