/*
 * plot.h - charts for the tradewar program (PNG and SVG, drawn with PLplot).
 *
 * A small API for the charts the commands draw: bars by category (welfare by
 * economy), grouped bars vertical or horizontal (several series per
 * category: output change by sector for the US and China), lines with
 * several series over labelled points (a path of stages), and lines with a
 * shaded band around each series (a mean with its 5-95% range).
 *
 * The format follows the path's extension: ".png" (PLplot's pngcairo device)
 * or ".svg" (svgcairo). Each chart is drawn into a temporary file in the
 * target's directory (".NAME.XXXXXX") and renamed onto the path only when
 * complete, so a failure never leaves a half-written chart. Every function
 * returns 0 on success, else -1 with a one-line reason in `why`.
 *
 * Text may use any UTF-8 character except '#', PLplot's escape character
 * (it is doubled on the way in, so it prints as itself).
 * PLplot keeps global state: draw from one thread at a time.
 */
#ifndef TW_CLI_PLOT_H
#define TW_CLI_PLOT_H

#include <stddef.h>

/* The texts of a chart. Axis labels should carry units ("welfare change, %"). */
typedef struct plot_labels {
    const char *title;
    const char *subtitle; /* optional (NULL): a smaller line under the title */
    const char *xlabel;   /* the category axis of bar charts, the x axis of line charts */
    const char *ylabel;   /* the value axis */
    const char *note;     /* optional: a footnote at the bottom left (source, model) */
} plot_labels;

/* Bars, one per category, positive up and negative down, each labelled with
 * its value printed with `value_format` (printf, e.g. "%.2f"; NULL: none).
 * n categories; values[c]. */
int plot_bars(const char *path, const plot_labels *l, size_t n, const char *const *categories,
              const double *values, const char *value_format, char *why, size_t why_size);

/* Grouped bars: n categories, k series side by side in each, values[s * n + c].
 * `horizontal`: categories down the left side (long names, many categories),
 * bars along x; otherwise categories along the bottom. A legend names the series. */
int plot_grouped_bars(const char *path, const plot_labels *l, int horizontal, size_t n,
                      const char *const *categories, size_t k, const char *const *series,
                      const double *values, char *why, size_t why_size);

/* One line of a line chart: n values; lo and hi (both or neither, n values
 * each) draw a shaded band around it (e.g. the 5% and 95% quantiles). */
typedef struct plot_series {
    const char *label;
    const double *y;
    const double *lo, *hi; /* optional band */
} plot_series;

/* Lines over n points at x[0..n-1] (increasing; NULL: 1..n). `xticks`, when
 * not NULL, labels each point (dates, stage names) instead of numeric ticks.
 * k series; a legend names them; bands are drawn translucent beneath the lines. */
int plot_lines(const char *path, const plot_labels *l, size_t n, const double *x,
               const char *const *xticks, size_t k, const plot_series *series, char *why,
               size_t why_size);

/* Ranges, one per category: a dot at value[c], a whisker from lo[c] to hi[c]
 * (e.g. a mean and its 5-95% quantiles) and, when mark is not NULL, a cross
 * at mark[c] (e.g. the central value). names: the legend's texts for the
 * whisker, the dot and the cross. */
int plot_ranges(const char *path, const plot_labels *l, size_t n, const char *const *categories,
                const double *value, const double *mark, const double *lo, const double *hi,
                const char *const *names, char *why, size_t why_size);

#endif
