/*
 * main.c - heapviz: replay an operation trace against an mm/ heap and draw
 * the heap as it changes. docs/heapviz.md explains the pictures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/mm_host.h"
#include "tools/heapviz/output.h"
#include "tools/heapviz/plot.h"
#include "tools/heapviz/record.h"
#include "tools/heapviz/replay.h"
#include "tools/heapviz/scenario.h"
#include "tools/heapviz/trace.h"

/* Beyond these the pictures get too tall to look at. */
#define AUTO_MAX_STRIPS	  400u
#define AUTO_SUMMARY_ROWS 600u

struct options {
	const char *scenario, *trace_file, *out, *write_trace;
	struct scenario_params sp;
	size_t seed;
	unsigned regions; /* 0: the scenario's choice */
	unsigned width, frame_height, frame_rows, row_height;
	size_t every, frame_every;
	int plot, quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: heapviz [options] [TRACE]\n"
		"Replay TRACE (or a built-in scenario) against an mm/ heap and "
		"draw the heap.\n\n"
		"  --scenario NAME     built-in trace (default "
		"fill-free-alternate):\n");
	scenario_list(f);
	fprintf(f,
		"  --seed N            seed for the scenario (default 1)\n"
		"  --ops N             mixed: operations before the drain\n"
		"  --block BYTES       fill-free-alternate: block size\n"
		"  --heap-size BYTES   heap size, k/m suffixes (default 256k)\n"
		"  --regions N         split the heap into N regions (1..8)\n"
		"  --checking          checking mode: red zones show as slack\n"
		"  --quarantine        checking mode with the quarantine: "
		"freed blocks wait\n"
		"  --width PX          pixels across the heap (default 1024)\n"
		"  --every K           a summary strip every K steps "
		"(default: at most %u strips)\n"
		"  --row-height PX     summary pixels per strip (default: "
		"auto)\n"
		"  --frame-height PX   frame picture height (default 64)\n"
		"  --frame-rows N      wrap a frame into N rows (default 1)\n"
		"  --frame-every N     a frame every N steps, besides the "
		"trace's p lines\n"
		"  --out DIR           output directory (default "
		"build/heapmap/NAME)\n"
		"  --write-trace FILE  also write the trace replayed\n"
		"  --no-plot           skip gnuplot (PNG and CSV only)\n"
		"  --quiet             print nothing but errors\n",
		AUTO_MAX_STRIPS);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || (size_t)v != v)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_uint(const char *s, unsigned *out, unsigned lo, unsigned hi)
{
	size_t v;

	if (parse_size(s, &v) || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Options that take a value, so that an unknown one is named as such. */
static const char *const valued[] = {
    "--scenario",   "--out",	     "--write-trace", "--seed",
    "--ops",	    "--block",	     "--heap-size",   "--regions",
    "--width",	    "--every",	     "--row-height",  "--frame-height",
    "--frame-rows", "--frame-every",
};

static int takes_value(const char *a)
{
	size_t i;

	for (i = 0; i < sizeof valued / sizeof valued[0]; i++)
		if (!strcmp(a, valued[i]))
			return 1;
	return 0;
}

static int parse_value(const char *a, const char *v, struct options *o)
{
	if (!strcmp(a, "--scenario"))
		o->scenario = v;
	else if (!strcmp(a, "--out"))
		o->out = v;
	else if (!strcmp(a, "--write-trace"))
		o->write_trace = v;
	else if (!strcmp(a, "--seed"))
		return parse_size(v, &o->seed);
	else if (!strcmp(a, "--ops"))
		return parse_size(v, &o->sp.ops);
	else if (!strcmp(a, "--block"))
		return parse_size(v, &o->sp.block);
	else if (!strcmp(a, "--heap-size"))
		return parse_size(v, &o->sp.cfg.heap_bytes);
	else if (!strcmp(a, "--regions"))
		return parse_uint(v, &o->regions, 1, REPLAY_MAX_REGIONS);
	else if (!strcmp(a, "--width"))
		return parse_uint(v, &o->width, 16, 1u << 14);
	else if (!strcmp(a, "--every"))
		return parse_size(v, &o->every) || !o->every;
	else if (!strcmp(a, "--row-height"))
		return parse_uint(v, &o->row_height, 1, 64);
	else if (!strcmp(a, "--frame-height"))
		return parse_uint(v, &o->frame_height, 1, 4096);
	else if (!strcmp(a, "--frame-rows"))
		return parse_uint(v, &o->frame_rows, 1, 1024);
	else if (!strcmp(a, "--frame-every"))
		return parse_size(v, &o->frame_every);
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--checking")) {
			o->sp.cfg.flags |= HEAP_CHECKING;
		} else if (!strcmp(a, "--quarantine")) {
			o->sp.cfg.flags |= HEAP_QUARANTINE;
		} else if (!strcmp(a, "--no-plot")) {
			o->plot = 0;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (a[0] != '-' || !strcmp(a, "-")) {
			if (o->trace_file) {
				fprintf(stderr, "heapviz: one trace only\n");
				return -1;
			}
			o->trace_file = a;
		} else if (!takes_value(a)) {
			fprintf(stderr, "heapviz: unknown option %s\n", a);
			usage(stderr);
			return -1;
		} else if (i + 1 >= argc || parse_value(a, argv[i + 1], o)) {
			fprintf(stderr,
				"heapviz: bad or missing value for %s\n", a);
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

/* The trace's name: the scenario, or the file's base name. */
static void trace_name(const struct options *o, char *buf, size_t size)
{
	const char *base, *dot;

	if (!o->trace_file) {
		snprintf(buf, size, "%s", o->scenario);
		return;
	}
	base = strrchr(o->trace_file, '/');
	base = base ? base + 1 : o->trace_file;
	dot = strrchr(base, '.');
	snprintf(buf, size, "%.*s",
		 dot && dot != base ? (int)(dot - base) : (int)strlen(base),
		 base);
}

static int load_trace(const struct options *o, struct trace *t)
{
	FILE *f;
	int rc;

	if (!o->trace_file) {
		if (scenario_make(o->scenario, &o->sp, t)) {
			fprintf(stderr,
				"heapviz: no scenario '%s'; there are:\n",
				o->scenario);
			scenario_list(stderr);
			return -1;
		}
		return 0;
	}
	f = strcmp(o->trace_file, "-") ? fopen(o->trace_file, "r") : stdin;
	if (!f) {
		perror(o->trace_file);
		return -1;
	}
	rc = trace_read(t, f, o->trace_file);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int save_trace(const char *path, const struct trace *t)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		perror(path);
		return -1;
	}
	bad = trace_write(t, f);
	if (fclose(f) || bad) {
		fprintf(stderr, "heapviz: error writing %s\n", path);
		return -1;
	}
	return 0;
}

/* Strips at step 0, every K steps and the last; frames where asked. */
static int run(const struct options *o, const struct trace *t, struct replay *r,
	       struct record *rec, const char *name)
{
	size_t i, last_frame = (size_t)-1;
	int explicit_frames = o->frame_every > 0;

	for (i = 0; i < t->count; i++)
		explicit_frames |= t->ops[i].kind == TRACE_PICTURE;
	if (record_strip(rec, r))
		return -1;
	if (!explicit_frames && record_frame(rec, r, "start"))
		return -1;
	for (i = 0; i < t->count; i++) {
		const struct trace_op *op = &t->ops[i];

		if (op->kind == TRACE_PICTURE) {
			last_frame = r->steps;
			if (record_frame(rec, r, op->label))
				return -1;
			continue;
		}
		if (replay_step(r, op, name))
			return -1;
		if ((r->steps % rec->every == 0 || r->steps == t->steps) &&
		    record_strip(rec, r))
			return -1;
		if (o->frame_every && r->steps % o->frame_every == 0 &&
		    last_frame != r->steps) {
			last_frame = r->steps;
			if (record_frame(rec, r, NULL))
				return -1;
		}
	}
	if (!explicit_frames && t->steps && record_frame(rec, r, "end"))
		return -1;
	return 0;
}

static void report(const struct options *o, const struct output *out,
		   const struct record *rec, const struct trace *t,
		   const char *name)
{
	const struct strip_stats *end = &rec->stats[rec->nstrips - 1];

	if (o->quiet)
		return;
	printf("heapviz: %s: %zu steps, %zu strips (every %zu), %zu frames, "
	       "%zu failed allocations\n",
	       name, t->steps, rec->nstrips, rec->every, rec->nframes,
	       end->failed);
	printf("  summary  %s/summary.png (%ux%u)\n", out->dir, rec->width,
	       out->summary_h);
	printf("  frames   %s/frames/ (%ux%u each)\n", out->dir, rec->width,
	       out->frame_h);
	printf("  stats    %s/stats.csv, %s/frames.csv\n", out->dir, out->dir);
	if (o->plot)
		printf("  plots    %s/heapmap.png, %s/fragmentation.png, "
		       "%s/frames.png\n",
		       out->dir, out->dir, out->dir);
}

int main(int argc, char **argv)
{
	struct options o = {
	    .scenario = "fill-free-alternate",
	    .sp = {.cfg = {.heap_bytes = 256 << 10}},
	    .seed = 1,
	    .width = 1024,
	    .frame_height = 64,
	    .frame_rows = 1,
	    .plot = 1,
	};
	char name[256], outdir[OUTPUT_PATH_MAX];
	struct output out = {0};
	struct record rec;
	struct replay r;
	struct trace t;
	size_t strips;
	int rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	mm_host_init();
	o.sp.seed = o.seed;
	trace_name(&o, name, sizeof name);
	o.sp.cfg.regions = o.regions	  ? o.regions
			   : o.trace_file ? 1
					  : scenario_regions(o.scenario);
	trace_init(&t);
	if (load_trace(&o, &t))
		goto done_trace;
	if (o.write_trace && save_trace(o.write_trace, &t))
		goto done_trace;
	if (!o.every)
		o.every = (t.steps + AUTO_MAX_STRIPS - 1) / AUTO_MAX_STRIPS;
	if (!o.every)
		o.every = 1;
	strips = 1 + (t.steps + o.every - 1) / o.every;
	if (!o.row_height) {
		o.row_height = (unsigned)(AUTO_SUMMARY_ROWS / strips);
		o.row_height = o.row_height < 1	  ? 1
			       : o.row_height > 4 ? 4
						  : o.row_height;
	}
	if (replay_open(&r, &o.sp.cfg, t.id_end))
		goto done_trace;
	record_init(&rec, o.width, o.frame_rows, o.every);
	if (run(&o, &t, &r, &rec, o.trace_file ? o.trace_file : name))
		goto done;
	if (!o.out) {
		snprintf(outdir, sizeof outdir, "build/heapmap/%s", name);
		o.out = outdir;
	}
	out.dir = o.out;
	out.row_height = o.row_height;
	out.frame_height = o.frame_height;
	if (output_write(&out, &rec))
		goto done;
	if (o.plot) {
		struct plot_info pi = {
		    .name = name,
		    .dir = o.out,
		    .arena_bytes = r.whole.hi - r.whole.lo,
		    .heap_bytes = o.sp.cfg.heap_bytes,
		    .regions = o.sp.cfg.regions,
		    .checking = (o.sp.cfg.flags & HEAP_CHECKING) != 0,
		    .quarantine = (o.sp.cfg.flags & HEAP_QUARANTINE) != 0,
		    .summary_h = out.summary_h,
		    .frame_h = out.frame_h,
		};

		if (plot_all(&pi, &rec))
			goto done;
	}
	report(&o, &out, &rec, &t, name);
	rc = 0;
done:
	record_release(&rec);
	replay_close(&r);
done_trace:
	trace_release(&t);
	return rc;
}
