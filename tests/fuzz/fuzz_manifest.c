/*
 * fuzz_manifest.c — libFuzzer target for zvm_manifest_parse: any text gives
 * a manifest whose invariants hold or an error naming a line, and no leak.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "channels/channels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_manifest m;
	char err[512] = "";

	if (zvm_manifest_parse((const char *)data, size, "fuzz", &m, err, sizeof(err)) < 0) {
		assert(!strncmp(err, "fuzz:", 5));
		return 0;
	}
	assert(m.program && m.memory > 0 && m.timeout > 0 && m.nchannels <= ZVM_MAX_CHANNELS);
	for (unsigned i = 0; i < m.nchannels; i++)
		assert(m.channels[i].type <= 3 && m.channels[i].alias[0] == '/');
	zvm_manifest_free(&m);
	return 0;
}
