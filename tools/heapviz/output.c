/*
 * output.c - writing the pictures and the CSV files.
 */
#define _POSIX_C_SOURCE 200809L
#include "tools/heapviz/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/heapviz/images.h"

void output_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, OUTPUT_PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= OUTPUT_PATH_MAX) {
		fprintf(stderr, "heapviz: path too long: %s/%s\n", dir, name);
		exit(1);
	}
}

/* Labels become file names: keep letters and digits, squeeze the rest to
 * single dashes. */
void output_frame_name(char *buf, size_t size, size_t i, const struct frame *f)
{
	char slug[TRACE_LABEL_MAX];
	size_t n = 0;
	const char *s;

	for (s = f->label; *s && n + 1 < sizeof slug; s++) {
		int ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			 (*s >= '0' && *s <= '9');

		if (ok)
			slug[n++] = *s;
		else if (n && slug[n - 1] != '-')
			slug[n++] = '-';
	}
	while (n && slug[n - 1] == '-')
		n--;
	slug[n] = '\0';
	if (n)
		snprintf(buf, size, "frames/%02zu-%s.png", i, slug);
	else
		snprintf(buf, size, "frames/%02zu-step-%zu.png", i, f->st.step);
}

static int make_dir(const char *path)
{
	char buf[OUTPUT_PATH_MAX];
	char *p;

	snprintf(buf, sizeof buf, "%s", path);
	/* mkdir -p: each prefix in turn, an existing one is fine. */
	for (p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0777) && errno != EEXIST) {
				perror(buf);
				return -1;
			}
			*p = c;
			if (c == '\0')
				return 0;
		}
	}
}

/* Frames of an earlier run would read as frames of this one. */
static int clear_frames(const char *dir)
{
	char path[OUTPUT_PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 4 && strcmp(e->d_name + n - 4, ".png") == 0) {
			output_path(path, dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
	return 0;
}

/* Commas and quotes would break a CSV field. */
static void csv_label(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' || *s == '"' ? ' ' : *s, f);
}

static void stats_columns(FILE *f, const struct strip_stats *st)
{
	fprintf(f, "%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu,%.6f", st->step,
		st->used, st->requested, st->free, st->largest_free,
		st->free_blocks, st->used_blocks, st->overhead, st->failed,
		st->moved, st->fragmentation);
}

static const char stats_head[] =
    "step,used_bytes,requested_bytes,free_bytes,largest_free,free_blocks,"
    "used_blocks,overhead_bytes,failed_allocs,moved_reallocs,fragmentation";

static int close_checked(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) || bad) {
		fprintf(stderr, "heapviz: error writing %s\n", path);
		return -1;
	}
	return 0;
}

static int write_stats(const struct record *rec, const char *dir)
{
	char path[OUTPUT_PATH_MAX];
	size_t i;
	FILE *f;

	output_path(path, dir, "stats.csv");
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "%s\n", stats_head);
	for (i = 0; i < rec->nstrips; i++) {
		stats_columns(f, &rec->stats[i]);
		fputc('\n', f);
	}
	return close_checked(f, path);
}

static int write_frames(const struct output *out, const struct record *rec)
{
	char path[OUTPUT_PATH_MAX], name[OUTPUT_PATH_MAX / 2];
	size_t i, c;
	FILE *f;

	output_path(path, out->dir, "frames.csv");
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "frame,file,label,%s", stats_head);
	for (c = 0; c < STRIP_CLASSES; c++)
		fprintf(f, ",px_%s", strip_class_name((unsigned)c));
	fputc('\n', f);
	for (i = 0; i < rec->nframes; i++) {
		const struct frame *fr = &rec->frames[i];

		output_frame_name(name, sizeof name, i, fr);
		fprintf(f, "%zu,%s,", i, name);
		csv_label(f, fr->label);
		fputc(',', f);
		stats_columns(f, &fr->st);
		for (c = 0; c < STRIP_CLASSES; c++)
			fprintf(f, ",%zu", fr->count[c]);
		fputc('\n', f);
	}
	if (close_checked(f, path))
		return -1;
	for (i = 0; i < rec->nframes; i++) {
		output_frame_name(name, sizeof name, i, &rec->frames[i]);
		output_path(path, out->dir, name);
		if (images_frame(rec, &rec->frames[i], out->frame_height, path))
			return -1;
	}
	return 0;
}

int output_write(struct output *out, const struct record *rec)
{
	char path[OUTPUT_PATH_MAX];

	output_path(path, out->dir, "frames");
	if (make_dir(path) || clear_frames(path))
		return -1;
	output_path(path, out->dir, "summary.png");
	if (images_summary(rec, out->row_height, path))
		return -1;
	out->summary_h = (unsigned)(rec->nstrips * out->row_height);
	out->frame_h = images_frame_height(rec, out->frame_height);
	if (write_stats(rec, out->dir) || write_frames(out, rec))
		return -1;
	return 0;
}
