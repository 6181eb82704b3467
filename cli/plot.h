/*
 * plot.h - charts for the tradewar program (SVG and PNG).
 *
 * A small API for the charts the commands draw: bars by category (welfare by
 * economy), grouped bars vertical or horizontal (several series per
 * category: output change by sector for the US and China), lines with
 * several series over labelled points (a path of stages), panels of lines
 * (one per economy, each with its own scale) and ranges (a mean with its
 * 5-95% quantiles).
 *
 * plot.c lays a chart out itself and writes it as SVG with real <text>
 * elements (a label can be edited, searched and read by a screen reader);
 * a PNG is that same SVG rasterised by librsvg, so both files show one
 * layout. Text is measured with DejaVu Sans's advance widths: titles wrap
 * (then shorten with an ellipsis), labels that would collide rotate or
 * shorten, and nothing is drawn outside the canvas. Series colours are the
 * Okabe-Ito palette (distinct for colour-blind readers), with a different
 * marker per series as well.
 *
 * The format follows the path's extension: ".png" or ".svg". Each chart is
 * written to a temporary file in the target's directory (".NAME.XXXXXX") and
 * renamed onto the path only when complete, so a failure never leaves a
 * half-written chart. A NULL path draws the chart for the capture only (see
 * plot_capture_set). Every function returns 0 on success, else -1 with a
 * one-line reason in `why`. Text is UTF-8.
 * The capture is a static pointer: draw from one thread at a time.
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

/* A panel of a multi-panel line chart: its own title and value scale, k series. */
typedef struct plot_panel {
    const char *title;
    size_t k;
    const plot_series *series;
} plot_panel;

/* Panels stacked one above the other over the same n points (as plot_lines),
 * each with its own value axis, so that a small change in one economy stays
 * visible beside a large one in another. Series are coloured in order across
 * all panels; a legend names them unless every panel holds one series. */
int plot_panels(const char *path, const plot_labels *l, size_t n, const double *x,
                const char *const *xticks, size_t npanels, const plot_panel *panels, char *why,
                size_t why_size);

/* Ranges, one per category: a dot at value[c], a whisker from lo[c] to hi[c]
 * (e.g. a mean and its 5-95% quantiles) and, when mark is not NULL, a cross
 * at mark[c] (e.g. the central value). names: the legend's texts for the
 * whisker, the dot and the cross. */
int plot_ranges(const char *path, const plot_labels *l, size_t n, const char *const *categories,
                const double *value, const double *mark, const double *lo, const double *hi,
                const char *const *names, char *why, size_t why_size);

/* ---- capture: the charts of an HTML page ------------------------------------ */

#define PLOT_CAPTURE_MAX 32
/* The SVG text of each chart drawn while the capture is set, in order (a
 * chart drawn twice, as .png and .svg, is kept once: from its .svg or NULL
 * path). svg[k] and title[k] are owned by the capture (plot_capture_free). */
typedef struct plot_capture {
    size_t n;
    char *svg[PLOT_CAPTURE_MAX];
    char *title[PLOT_CAPTURE_MAX];
} plot_capture;
/* Set (or with NULL, clear) the capture. */
void plot_capture_set(plot_capture *c);
void plot_capture_free(plot_capture *c);

/* A money unit scaled to read well: values given in `unit` (the data's
 * currency unit, e.g. "millions of US dollars"; a leading "thousands",
 * "millions" or "billions" sets its power of ten) whose largest magnitude is
 * `maxabs` are multiplied by *factor to be read in the returned label
 * (e.g. "billions of US dollars": factor 1e-3), written into buf. A unit
 * without such a word is kept as it is (factor 1). */
const char *plot_money_unit(const char *unit, double maxabs, double *factor, char *buf,
                            size_t size);

#endif
