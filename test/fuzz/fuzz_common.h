/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *		  The driver shared by the libFuzzer targets of fdw/jsonpage.c.
 *
 * Each vendor target reads its answer style from the vendor's real
 * descriptors (fdw/vendors/<vendor>/<vendor>.c, built without PostgreSQL): the rows specs
 * of its endpoints and listers, the page fields the scan reads (count,
 * next) and the column references of its tables.  The driver feeds the
 * input to the streaming parser in chunks, as libcurl would, then treats
 * the document as the answer of every endpoint of the style.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "jsonpage.h"
#include "vendor.h"

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
 * A rows path that some answers of an endpoint use instead of its
 * rows_path: a vendor's hook chooses it, so only the vendor's module
 * knows it (and its fuzz target names it)
 */
typedef struct FuzzRowsPath
{
	const char *resource;
	const char *rows_path;
} FuzzRowsPath;

/*
 * The answer style of a vendor, from its descriptors and the rows paths
 * "more" adds (built once)
 */
extern const FuzzStyle *fuzz_vendor_style(const char *vendor,
										  const FuzzRowsPath *more, int nmore);

/* The whole target of a vendor: libFuzzer's entry point */
#define FUZZ_VENDOR_TARGET(vendor_) \
	int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int \
	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return fuzz_run(fuzz_vendor_style(vendor_, NULL, 0), data, size); \
	}

/* The same, with the rows paths of a vendor's hooks (FuzzRowsPath[]) */
#define FUZZ_VENDOR_TARGET_MORE(vendor_, more_) \
	int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int \
	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return fuzz_run(fuzz_vendor_style(vendor_, more_, FUZZ_N(more_)), \
						data, size); \
	}

/*
 * Like fuzz_run, but the input starts with a line of the rows_path and a
 * line of ';'-separated references, then the body.
 */
extern int	fuzz_run_with_paths(const uint8_t *data, size_t size);

#endif							/* FUZZ_COMMON_H */
