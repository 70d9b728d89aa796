/* fuzz_config.c - libFuzzer target for the cluster config parser.
 *
 * Feeds arbitrary bytes (YAML or JSON) to teeu_config_parse with
 * TEEU_CONFIG_SKIP_FILES, so the whole schema walk runs and no file is
 * opened, then frees whatever was built. Memory errors and leaks on any
 * success or error path are what this looks for; seeds are in
 * tests/fuzz/corpus/fuzz_config/.
 */
#include <stddef.h>
#include <stdint.h>

#include "teeu/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	if (teeu_config_parse(data, size, "fuzz", "/nonexistent", TEEU_CONFIG_SKIP_FILES, &cfg,
	                      &err) == 0) {
		/* Touch what the accessors hand out. */
		for (size_t i = 0; i < teeu_config_party_count(cfg); i++)
			(void)teeu_config_party_find(cfg, teeu_config_party_at(cfg, i)->name);
		(void)teeu_config_party_find(cfg, teeu_config_self_party(cfg));
	}
	teeu_config_free(cfg);
	return 0;
}
