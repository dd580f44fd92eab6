/*-------------------------------------------------------------------------
 *
 * rf_port.h
 *		  What jsonpage.c needs from the program it is built into.
 *
 * jsonpage.c depends on json-c and on this header only, so that it builds
 * both into the extension and standalone (the fuzz targets in test/fuzz).
 * The extension implements these hooks in rf_port.c with palloc and
 * ereport; the fuzz harness with malloc and longjmp.
 *
 * Allocation hooks never return NULL.  Memory they hand out is released
 * in bulk by the embedding (a memory context, or the harness after each
 * input), so jsonpage.c frees only what it knows to be temporary.
 *
 * Error hooks do not return: the extension raises an ERROR, the harness
 * jumps back to the start of the input.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_PORT_H
#define RF_PORT_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

#if defined(__GNUC__) || defined(__clang__)
#define RF_PORT_NORETURN __attribute__((noreturn))
#define RF_PORT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RF_PORT_NORETURN
#define RF_PORT_PRINTF(f, a)
#endif

/* Allocation: palloc, palloc0, repalloc, pfree, pstrdup, psprintf */
extern void *rf_port_alloc(size_t size);
extern void *rf_port_alloc0(size_t size);
extern void *rf_port_realloc(void *ptr, size_t size);
extern void rf_port_free(void *ptr);
extern char *rf_port_strdup(const char *s);
extern char *rf_port_strndup(const char *s, size_t len);
extern char *rf_port_printf(const char *fmt,...) RF_PORT_PRINTF(1, 2);

/*
 * The response does not have the shape the endpoint expects: "what" says
 * what is wrong, "found" is the offending value (NULL: nothing there).
 */
extern void rf_port_shape_error(const char *vendor, const char *endpoint,
								const char *what,
								struct json_object *found) RF_PORT_NORETURN;

/*
 * The vendor flagged a failure inside a successful answer: ok_field is
 * false; name and reason are the strings found next to it, or NULL.
 */
extern void rf_port_ok_error(const char *vendor, const char *endpoint,
							 const char *ok_field, const char *name,
							 const char *reason) RF_PORT_NORETURN;

/*
 * rf_port.c also gives the extension's own files vendor text fit for a
 * message or a text column (palloc'd; not for the standalone build):
 * invalid UTF-8 bytes become "\xNN", control characters stay out, and the
 * text is cut at a character boundary within maxbytes ("..." follows).
 */
#define RF_VALUE_SHOWN		64	/* how much of a bad value a message shows */
extern char *rf_clean_text(const char *s, int len, int maxbytes);
extern char *rf_json_excerpt(struct json_object *v);

#endif							/* RF_PORT_H */
