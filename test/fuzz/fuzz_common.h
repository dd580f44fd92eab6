/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *		  The driver shared by the libFuzzer targets of fdw/jsonpage.c.
 *
 * Each target describes an answer style: the rows specs of its endpoints
 * (copied from the vendor_*.c descriptors), the page fields the scan reads
 * (count, next) and the column references of its tables.  The driver feeds
 * the input to the streaming parser in chunks, as libcurl would, then
 * treats the document as the answer of every endpoint of the style.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "jsonpage.h"

typedef struct FuzzStyle
{
	const RfRowsSpec *specs;	/* endpoints answering in this style */
	int			nspecs;
	const char *const *fields;	/* page-level fields: count, next, ... */
	int			nfields;
	const char *const *refs;	/* column references (json_path syntax) */
	int			nrefs;
	const char *const *objects; /* rf_json_page_object paths; "" = body */
	int			nobjects;
} FuzzStyle;

#define FUZZ_N(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* Run one input against a style; returns 0 (libFuzzer's convention) */
extern int	fuzz_run(const FuzzStyle *style, const uint8_t *data, size_t size);

/*
 * The whole target of a rows style: its table of what to read and
 * libFuzzer's entry point.  The arguments are arrays.
 */
#define FUZZ_ROWS_TARGET(specs_, fields_, refs_) \
	static const FuzzStyle fuzz_style = { \
		specs_, FUZZ_N(specs_), fields_, FUZZ_N(fields_), \
		refs_, FUZZ_N(refs_), NULL, 0 \
	}; \
	int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int \
	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return fuzz_run(&fuzz_style, data, size); \
	}

/*
 * Like fuzz_run, but the input starts with a line of the rows_path and a
 * line of ';'-separated references, then the body.
 */
extern int	fuzz_run_with_paths(const uint8_t *data, size_t size);

#endif							/* FUZZ_COMMON_H */
