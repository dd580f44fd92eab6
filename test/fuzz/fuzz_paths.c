/*-------------------------------------------------------------------------
 *
 * fuzz_paths.c
 *		  libFuzzer target: any rows_path and any column references.
 *
 * Column references come from the json_path column option, which any table
 * owner sets: the input's first line is a rows_path ("!" first: an object
 * body), its second line tab-separated references, the rest the body.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_run_with_paths(data, size);
}
