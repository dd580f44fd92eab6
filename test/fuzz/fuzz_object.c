/*-------------------------------------------------------------------------
 *
 * fuzz_object.c
 *		  libFuzzer target: one-object answers (writes, OAuth tokens).
 *
 * rf_json_parser_finish_object: the body of an INSERT/UPDATE answer (whose
 * object fills RETURNING) and of a token request (access_token,
 * expires_in, read as page fields by http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static const char *const fields[] = {"access_token", "expires_in", "token_type"};
static const char *const refs[] = {"uuid", "name", "id", "type", "parent.uuid"};
static const char *const objects[] = {"", "location", "data"};

static const FuzzStyle style = {
	NULL, 0, fields, FUZZ_N(fields), refs, FUZZ_N(refs), objects, FUZZ_N(objects)
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_run(&style, data, size);
}
