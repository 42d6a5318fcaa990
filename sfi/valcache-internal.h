/*
 * valcache-internal.h — the validation cache with its key spelled out, for
 * tests: an entry stored under one validator identity is not found under
 * another (sfi/valcache.c).
 */
#ifndef ZVM_VALCACHE_INTERNAL_H
#define ZVM_VALCACHE_INTERNAL_H

#include "sfi/sfi.h"

/* The identity entries are keyed with now: "<sha256 of the validator's
 * sources and Zydis headers>-z<Zydis library version, hex>". */
const char *sfi_validator_id(void);
int sfi_valcache_lookup_as(const char *id, const struct sfi_image *img, const struct sfi_options *opt);
int sfi_valcache_store_as(const char *id, const struct sfi_image *img, const struct sfi_options *opt);

#endif
