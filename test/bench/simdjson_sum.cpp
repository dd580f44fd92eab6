/*-------------------------------------------------------------------------
 *
 * simdjson_sum.cpp
 *		  The benchmarks' parse limit: simdjson's on-demand API walking
 *		  journey pages.
 *
 * The same contract as jsonc_sum.c: reads every file named on the command
 * line (one whole response body of GET /bi/visit-journey-events/ each)
 * into memory first, then, timed, walks each body's "results" with
 * simdjson's on-demand parser (which validates UTF-8 and the structure it
 * walks) and, per row, reads the members the benchmark's query uses:
 * visit_id (a string), event_end (a string) and dwell_time_seconds (an
 * integer or null), summing the last.  -r N repeats the walk; one line
 * per repetition:
 *
 *		rows sum seconds
 *
 * It builds no tree and converts nothing into PostgreSQL values: it is a
 * floor for parsing, not a rival to a foreign table.  Only the benchmark
 * uses it; retail_fdw does not link simdjson.
 *
 * Build: c++ -O2 -std=c++17 -o simdjson_sum simdjson_sum.cpp -lsimdjson
 *
 *-------------------------------------------------------------------------
 */
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <simdjson.h>

static void
die(const char *what, const char *arg)
{
	std::fprintf(stderr, "simdjson_sum: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	std::exit(1);
}

static double
now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Walk one body; add its rows and dwell times (exits on any error) */
static void
walk_body(simdjson::ondemand::parser &parser, const simdjson::padded_string &body,
		  const char *name, int64_t *rows, int64_t *sum, size_t *text)
{
	simdjson::ondemand::document doc;
	simdjson::ondemand::array results;

	if (parser.iterate(body).get(doc) != simdjson::SUCCESS)
		die("not JSON", name);
	if (doc["results"].get_array().get(results) != simdjson::SUCCESS)
		die("no results array", name);
	for (auto elem : results)
	{
		simdjson::ondemand::object row;
		std::string_view s;
		int64_t		dwell;
		bool		isnull;

		if (elem.get_object().get(row) != simdjson::SUCCESS)
			die("a row is not an object", name);
		/* in any order: find_field_unordered, as a column list would */
		if (row.find_field_unordered("visit_id").get_string().get(s) != simdjson::SUCCESS)
			die("no visit_id string", name);
		*text += s.size();
		if (row.find_field_unordered("event_end").get_string().get(s) != simdjson::SUCCESS)
			die("no event_end string", name);
		*text += s.size();
		auto		d = row.find_field_unordered("dwell_time_seconds");

		if (d.is_null().get(isnull) != simdjson::SUCCESS)
			die("no dwell_time_seconds", name);
		if (!isnull)
		{
			if (d.get_int64().get(dwell) != simdjson::SUCCESS)
				die("dwell_time_seconds is not an integer", name);
			*sum += dwell;
		}
		(*rows)++;
	}
}

int
main(int argc, char **argv)
{
	int			reps = 1;
	int			opt;

	while ((opt = getopt(argc, argv, "r:")) != -1)
	{
		if (opt == 'r')
			reps = std::atoi(optarg);
		else
			die("usage: simdjson_sum [-r repetitions] file...", nullptr);
	}
	if (optind >= argc || reps <= 0)
		die("usage: simdjson_sum [-r repetitions] file...", nullptr);

	std::vector<simdjson::padded_string> bodies;

	for (int i = optind; i < argc; i++)
	{
		simdjson::padded_string b;

		if (simdjson::padded_string::load(argv[i]).get(b) != simdjson::SUCCESS)
			die("cannot read", argv[i]);
		bodies.push_back(std::move(b));
	}

	simdjson::ondemand::parser parser;

	for (int r = 0; r < reps; r++)
	{
		int64_t		rows = 0;
		int64_t		sum = 0;
		size_t		text = 0;
		double		t0 = now();

		for (size_t i = 0; i < bodies.size(); i++)
			walk_body(parser, bodies[i], argv[optind + i], &rows, &sum, &text);
		std::printf("%" PRId64 " %" PRId64 " %.6f\n", rows, sum, now() - t0);
		std::fflush(stdout);
		if (text == 0 && rows > 0)
			die("read no text", nullptr);
	}
	return 0;
}
