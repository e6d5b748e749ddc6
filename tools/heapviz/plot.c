/*
 * plot.c - writing plot.gp and running gnuplot on it.
 */
#define _POSIX_C_SOURCE 200809L
#include "tools/heapviz/plot.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/heapviz/output.h"
#include "tools/heapviz/png_out.h"

/* A gnuplot single-quoted string: only the quote itself needs doubling. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static double kib(size_t bytes)
{
	return (double)bytes / 1024.0;
}

static void legend(FILE *f, int quarantine)
{
	static const char *const what[STRIP_CLASSES] = {
	    [STRIP_GAP] = "between regions",
	    [STRIP_META] = "headers, control data",
	    [STRIP_USED] = "used (requested)",
	    [STRIP_SLACK] = "used (slack)",
	    [STRIP_FREE] = "free",
	    [STRIP_QUARANTINED] = "quarantined",
	};
	unsigned c;

	for (c = 0; c < STRIP_CLASSES; c++) {
		/* Only quarantine mode has quarantined blocks. */
		if (c == STRIP_QUARANTINED && !quarantine)
			continue;
		fprintf(f,
			", keyentry with boxes fs solid fc rgb '#%06x' "
			"title '%s'",
			png_out_colour(c), what[c]);
	}
	fprintf(f,
		", keyentry with boxes fs solid fc rgb '#%06x' "
		"title 'darker: a block starts'\n",
		png_out_colour(STRIP_USED | STRIP_EDGE));
}

static void preamble(FILE *f, const struct plot_info *pi)
{
	fprintf(f, "# plot.gp - written by heapviz for the files next to it;\n"
		   "# edit and run `gnuplot plot.gp` in this directory.\n"
		   "set datafile separator comma\n"
		   "term = strstrt(GPVAL_TERMINALS, 'pngcairo') ? "
		   "'pngcairo font \"sans,9\"' : 'png'\n"
		   "name = ");
	gp_str(f, pi->name);
	fprintf(f,
		"\nsetup = sprintf('heap %%.0f KiB in %u region%s, %s mode', "
		"%.1f)\n",
		pi->regions, pi->regions > 1 ? "s" : "",
		pi->quarantine ? "quarantine"
		: pi->checking ? "checking"
			       : "fast",
		kib(pi->heap_bytes));
}

/* summary.png on axes, and the fragmentation beside it on the same steps:
 * a row of the picture and the curve at that height are the same moment. */
static void heapmap(FILE *f, const struct plot_info *pi,
		    const struct record *rec)
{
	double steps = (double)rec->nstrips * (double)rec->every;
	double dy = (double)rec->every * rec->nstrips / pi->summary_h;
	double dx = kib(pi->arena_bytes) / rec->width;
	unsigned h = pi->summary_h + 260, w = rec->width * 100 / 63 + 20;
	size_t i;

	/* The picture area is 64% of the width: at least one screen pixel
	 * per image pixel, so no block edge is lost to scaling. */
	h = h < 560 ? 560 : h > 1100 ? 1100 : h;
	w = w < 1400 ? 1400 : w;
	fprintf(f,
		"\n# heapmap.png\nreset\nset datafile separator comma\n"
		"set terminal @term size %u,%u\nset output 'heapmap.png'\n"
		"set multiplot title name.': the heap over time (time goes "
		"down)  -  '.setup\n",
		w, h);
	fprintf(f,
		"set tmargin at screen 0.86\nset bmargin at screen 0.09\n"
		"set lmargin at screen 0.06\nset rmargin at screen 0.70\n"
		"set key at screen 0.06, screen 0.93 left top horizontal Left "
		"reverse "
		"maxrows 2 samplen 1.5\n"
		"set xrange [0:%.3f]\nset yrange [%.3f:0]\n"
		"set xlabel 'offset in the arena (KiB)'\nset ylabel 'step'\n"
		"plot 'summary.png' binary filetype=png flipy dx=%.6f dy=%.6f "
		"origin=(%.6f,%.6f) with rgbimage notitle",
		kib(pi->arena_bytes), steps, dx, dy, dx / 2, dy / 2);
	legend(f, pi->quarantine);
	fprintf(f, "set lmargin at screen 0.74\nset rmargin at screen 0.97\n"
		   "unset key\nset xrange [0:1]\nset xtics 0.25 nomirror\n"
		   "set x2range [0:*]\nset x2tics\nset ylabel ''\n"
		   "set format y ''\nset xlabel 'fragmentation  (1 - largest "
		   "free / free)' tc rgb '#b02020'\n"
		   "set x2label 'free blocks' tc rgb '#2060a0'\n");
	for (i = 0; i < rec->nframes; i++) {
		const struct frame *fr = &rec->frames[i];

		fprintf(f,
			"set arrow from graph 0, first %zu to graph 1, first "
			"%zu nohead dt 3 lc rgb '#808080'\n",
			fr->st.step, fr->st.step);
		fprintf(f,
			"set label '%zu ' at graph 1, first %zu right "
			"offset 0,0.5 tc rgb '#606060'\n",
			i, fr->st.step);
	}
	fprintf(f, "plot 'stats.csv' skip 1 using 11:1 with lines lw 2 "
		   "lc rgb '#b02020', '' skip 1 using 6:1 axes x2y1 with "
		   "steps lc rgb '#2060a0'\nunset multiplot\n");
}

static void fragmentation(FILE *f, const struct record *rec)
{
	size_t i;

	fprintf(f, "\n# fragmentation.png\nreset\nset datafile separator "
		   "comma\nset terminal @term size 1100,700\n"
		   "set output 'fragmentation.png'\n"
		   "set multiplot layout 2,1 title name.'  -  '.setup\n"
		   "set key outside right top\nset grid\nset xlabel 'step'\n");
	for (i = 0; i < rec->nframes; i++) {
		const struct frame *fr = &rec->frames[i];

		fprintf(f,
			"set arrow from first %zu, graph 0 to first %zu, "
			"graph 1 nohead dt 3 lc rgb '#808080'\n",
			fr->st.step, fr->st.step);
		fprintf(f,
			"set label '%zu' at first %zu, graph 1 offset 0.3,-0.8 "
			"tc rgb '#606060'\n",
			i, fr->st.step);
	}
	fprintf(f, "set ylabel 'KiB'\nset title 'bytes (dotted lines: the "
		   "frames, numbered as in frames/)'\n"
		   "plot 'stats.csv' skip 1 using 1:($2/1024) with lines lw 2 "
		   "title 'used', '' skip 1 using 1:($4/1024) with lines lw 2 "
		   "title 'free', '' skip 1 using 1:($5/1024) with lines lw 2 "
		   "title 'largest free block'\n"
		   "set title 'fragmentation = 1 - largest free / free'\n"
		   "set ylabel 'fragmentation'\nset yrange [0:1]\n"
		   "set ytics nomirror\nset y2label 'free blocks'\n"
		   "set y2range [0:*]\nset y2tics\n"
		   "plot 'stats.csv' skip 1 using 1:11 with lines lw 2 "
		   "title 'fragmentation', '' skip 1 using 1:6 axes x1y2 "
		   "with steps title 'free blocks'\nunset multiplot\n");
}

/* Pixels of frames.png: a header for the title and legend, then one
 * panel per frame, its title above and its offsets below. A panel is at
 * least as tall as the frame, so that no wrapped row is lost. */
#define FRAMES_HEADER 70
#define PANEL_TITLE   24
#define PANEL_TICS    26
#define PANEL_MIN     60

static void frames(FILE *f, const struct plot_info *pi,
		   const struct record *rec)
{
	size_t n = rec->nframes < PLOT_MAX_FRAMES ? rec->nframes
						  : PLOT_MAX_FRAMES,
	       i;
	double panel = PANEL_TITLE + PANEL_TICS +
		       (pi->frame_h > PANEL_MIN ? pi->frame_h : PANEL_MIN);
	double h = FRAMES_HEADER + (double)n * panel;
	double row_kib = kib(pi->arena_bytes) / rec->frame_rows;
	double dx = row_kib / rec->width;
	unsigned w = rec->width * 100 / 94 + 20;
	char name[OUTPUT_PATH_MAX / 2];

	if (!n)
		return;
	w = w < 1200 ? 1200 : w;
	fprintf(f,
		"\n# frames.png\nreset\nset terminal @term size %u,%.0f\n"
		"set output 'frames.png'\n"
		"set multiplot title name.'  -  '.setup%s\n"
		"unset ytics\nset xrange [0:%.3f]\nset yrange [*:*] reverse\n"
		"set xtics out nomirror\nset lmargin at screen 0.03\n"
		"set rmargin at screen 0.97\n"
		"set key at screen 0.03, screen %.4f left top horizontal "
		"Left reverse maxrows 1 samplen 1.5\n",
		w, h,
		rec->frame_rows > 1 ? ".'  (frames wrapped into rows: "
				      "offsets are within a row)'"
				    : "",
		row_kib, 1 - 34 / h);
	for (i = 0; i < n; i++) {
		const struct frame *fr = &rec->frames[i];
		double top = FRAMES_HEADER + (double)i * panel + PANEL_TITLE;
		double bottom =
		    FRAMES_HEADER + (double)(i + 1) * panel - PANEL_TICS;

		output_frame_name(name, sizeof name, i, fr);
		fprintf(f,
			"set tmargin at screen %.4f\nset bmargin at screen "
			"%.4f\n",
			1 - top / h, 1 - bottom / h);
		fprintf(f,
			"set title sprintf('%zu  %%s:  step %zu  -  used "
			"%%.1f KiB, free %%.1f KiB in %zu block%s, largest "
			"%%.1f KiB, fragmentation %%.2f', ",
			i, fr->st.step, fr->st.free_blocks,
			fr->st.free_blocks == 1 ? "" : "s");
		gp_str(f, fr->label);
		fprintf(f, ", %.3f, %.3f, %.3f, %.4f) offset 0,-0.6\n",
			kib(fr->st.used), kib(fr->st.free),
			kib(fr->st.largest_free), fr->st.fragmentation);
		fprintf(f,
			"plot '%s' binary filetype=png flipy dx=%.6f "
			"origin=(%.6f,0) with rgbimage notitle",
			name, dx, dx / 2);
		if (i == 0) {
			legend(f, pi->quarantine);
			fprintf(f, "unset key\n");
		} else {
			fputc('\n', f);
		}
	}
	fprintf(f, "unset multiplot\n");
}

static int run_gnuplot(const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("heapviz: fork");
		return -1;
	}
	if (pid == 0) {
		/* The script names its files relative to the directory, so
		 * it can be run again there by hand. */
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", "plot.gp", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("heapviz: waitpid");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		fprintf(stderr, "heapviz: could not run gnuplot (install it: "
				"scripts/install-deps.sh viz), or use "
				"--no-plot\n");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "heapviz: gnuplot failed on %s/plot.gp\n", dir);
		return -1;
	}
	return 0;
}

int plot_all(const struct plot_info *pi, const struct record *rec)
{
	char path[OUTPUT_PATH_MAX];
	FILE *f;
	int bad;

	output_path(path, pi->dir, "plot.gp");
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	preamble(f, pi);
	heapmap(f, pi, rec);
	fragmentation(f, rec);
	frames(f, pi, rec);
	bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "heapviz: error writing %s\n", path);
		return -1;
	}
	return run_gnuplot(pi->dir);
}
