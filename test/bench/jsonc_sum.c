/*-------------------------------------------------------------------------
 *
 * jsonc_sum.c
 *		  The benchmarks' practical limit: json-c parsing journey pages.
 *
 * Reads every file named on the command line (each one whole response body
 * of GET /bi/visit-journey-events/) into memory first, then, timed, feeds
 * each body to a json_tokener in chunks of CHUNK bytes (libcurl hands a
 * write callback at most 16 KiB at a time), as retail_fdw does, with the
 * same UTF-8 validation flag, walks "results" and sums dwell_time_seconds.
 * The parse is repeated -r N times; one line per repetition is printed:
 *
 *		rows sum seconds
 *
 * Build: cc -O2 -o jsonc_sum jsonc_sum.c -ljson-c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define CHUNK 16384

typedef struct Body
{
	char	   *data;
	size_t		len;
} Body;

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "jsonc_sum: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static Body
read_file(const char *path)
{
	Body		b = {NULL, 0};
	size_t		cap = 1 << 20;
	FILE	   *f = fopen(path, "rb");

	if (f == NULL)
		die(strerror(errno), path);
	b.data = malloc(cap);
	if (b.data == NULL)
		die("out of memory", NULL);
	for (;;)
	{
		size_t		n;

		if (b.len == cap)
		{
			cap *= 2;
			b.data = realloc(b.data, cap);
			if (b.data == NULL)
				die("out of memory", NULL);
		}
		n = fread(b.data + b.len, 1, cap - b.len, f);
		if (n == 0)
			break;
		b.len += n;
	}
	fclose(f);
	return b;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse one body; add its rows and dwell times */
static void
parse_body(json_tokener *tok, const Body *b, const char *name,
		   int64_t *rows, int64_t *sum)
{
	json_object *doc = NULL;
	json_object *results;
	size_t		off = 0;
	size_t		n;
	size_t		i;

	json_tokener_reset(tok);
	while (off < b->len && doc == NULL)
	{
		size_t		len = b->len - off < CHUNK ? b->len - off : CHUNK;

		doc = json_tokener_parse_ex(tok, b->data + off, (int) len);
		if (doc == NULL && json_tokener_get_error(tok) != json_tokener_continue)
			die(json_tokener_error_desc(json_tokener_get_error(tok)), name);
		off += len;
	}
	if (doc == NULL)
		die("truncated JSON", name);
	if (!json_object_object_get_ex(doc, "results", &results) ||
		!json_object_is_type(results, json_type_array))
		die("no results array", name);
	n = json_object_array_length(results);
	for (i = 0; i < n; i++)
	{
		json_object *row = json_object_array_get_idx(results, i);
		json_object *v;

		if (json_object_object_get_ex(row, "dwell_time_seconds", &v) &&
			!json_object_is_type(v, json_type_null))
			*sum += json_object_get_int64(v);
		(*rows)++;
	}
	json_object_put(doc);
}

int
main(int argc, char **argv)
{
	int			reps = 1;
	int			opt;
	int			nbodies;
	Body	   *bodies;
	json_tokener *tok;
	int			r;
	int			i;

	while ((opt = getopt(argc, argv, "r:")) != -1)
	{
		if (opt == 'r')
			reps = atoi(optarg);
		else
			die("usage: jsonc_sum [-r repetitions] file...", NULL);
	}
	nbodies = argc - optind;
	if (nbodies <= 0 || reps <= 0)
		die("usage: jsonc_sum [-r repetitions] file...", NULL);
	bodies = calloc(nbodies, sizeof(Body));
	if (bodies == NULL)
		die("out of memory", NULL);
	for (i = 0; i < nbodies; i++)
		bodies[i] = read_file(argv[optind + i]);

	tok = json_tokener_new_ex(64);
	if (tok == NULL)
		die("out of memory", NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);

	for (r = 0; r < reps; r++)
	{
		int64_t		rows = 0;
		int64_t		sum = 0;
		double		t0 = now();

		for (i = 0; i < nbodies; i++)
			parse_body(tok, &bodies[i], argv[optind + i], &rows, &sum);
		printf("%" PRId64 " %" PRId64 " %.6f\n", rows, sum, now() - t0);
		fflush(stdout);
	}
	json_tokener_free(tok);
	return 0;
}
