/* plot.c - bar, grouped-bar and line charts as PNG or SVG files, drawn with PLplot. */
#include "plot.h"

#include <plplot.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours ------------------------------------------------------------- */

/* cmap0: 0 background, 1 text and axes, 2 grid, 3.. series (Okabe-Ito,
 * readable by colour-blind readers), then the same translucent for bands. */
enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_SERIES = 3, N_SERIES_COLOURS = 8 };
enum { COL_BAND = COL_SERIES + N_SERIES_COLOURS, N_COLOURS = COL_BAND + N_SERIES_COLOURS };
static const int series_rgb[N_SERIES_COLOURS][3] = {
    {0, 114, 178}, {213, 94, 0},  {0, 158, 115},  {230, 159, 0},
    {86, 180, 233}, {204, 121, 167}, {120, 120, 120}, {0, 0, 0},
};

static void palette(void)
{
    plscmap0n(N_COLOURS);
    plscol0(COL_BG, 255, 255, 255);
    plscol0(COL_FG, 25, 25, 25);
    plscol0(COL_GRID, 215, 215, 215);
    for (int k = 0; k < N_SERIES_COLOURS; k++) {
        plscol0(COL_SERIES + k, series_rgb[k][0], series_rgb[k][1], series_rgb[k][2]);
        plscol0a(COL_BAND + k, series_rgb[k][0], series_rgb[k][1], series_rgb[k][2], 0.22);
    }
}

static PLINT series_colour(size_t s) { return (PLINT)(COL_SERIES + s % N_SERIES_COLOURS); }

/* ---- text ---------------------------------------------------------------- */

/* '#' is PLplot's escape character: double it so it prints as itself. */
static const char *esc(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    for (; s && *s && o + 3 < size; s++) {
        if (*s == '#')
            buf[o++] = '#';
        buf[o++] = *s;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- a chart file -------------------------------------------------------- */

typedef struct chart {
    char tmp[4200], final[4200];
    double w, h; /* page size in pixels */
} chart;

static int fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *device_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".png") == 0)
        return "pngcairo";
    if (dot && strcmp(dot, ".svg") == 0)
        return "svgcairo";
    return NULL;
}

/* Temporary file next to the target, then PLplot opened on it. */
static int chart_begin(chart *c, const char *path, double w, double h, char *why, size_t size)
{
    const char *dev = device_for(path);
    if (!dev)
        return fail(why, size, "%s: a chart must end in .png or .svg", path);
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) : 1;
    const char *dir = slash ? path : ".";
    const char *base = slash ? slash + 1 : path;
    int n = snprintf(c->tmp, sizeof c->tmp, "%.*s/.%s.XXXXXX", dirlen, dir, base);
    if (n < 0 || (size_t)n >= sizeof c->tmp || strlen(path) >= sizeof c->final)
        return fail(why, size, "%s: path too long", path);
    strcpy(c->final, path);
    int fd = mkstemp(c->tmp);
    if (fd < 0)
        return fail(why, size, "cannot create a file for %s: %s", path, strerror(errno));
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    c->w = w;
    c->h = h;
    plsdev(dev);
    plsfnam(c->tmp);
    plspage(0, 0, (PLINT)w, (PLINT)h, 0, 0);
    palette();
    plinit();
    pladv(0);
    plfont(1);
    return 0;
}

static int chart_end(chart *c, char *why, size_t size)
{
    plend();
    struct stat sb;
    if (stat(c->tmp, &sb) != 0 || sb.st_size == 0) {
        unlink(c->tmp);
        return fail(why, size, "cannot write %s: the plotting library wrote nothing", c->final);
    }
    if (rename(c->tmp, c->final) != 0) {
        int e = errno;
        unlink(c->tmp);
        return fail(why, size, "cannot rename to %s: %s", c->final, strerror(e));
    }
    return 0;
}

/* ---- page coordinates ---------------------------------------------------- */

/* Draw on the whole page with coordinates 0..1 both ways. */
static void page(void)
{
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
}

/* Text at page point (x, y); `angle` in degrees as seen on the page. */
static void page_text(const chart *c, double x, double y, double angle, double just,
                      double scale, const char *text)
{
    char buf[1024];
    double a = angle * 3.14159265358979323846 / 180;
    plschr(0, scale);
    plcol0(COL_FG);
    /* a direction vector in page units: correct for the page's aspect ratio */
    plptex(x, y, cos(a) / c->w, sin(a) / c->h, just, esc(text, buf, sizeof buf));
    plschr(0, 1.0);
}

/* Title, subtitle and note around the plotting area. */
static void chart_texts(const chart *c, const plot_labels *l)
{
    page();
    if (l->title)
        page_text(c, 0.5, 1 - 34 / c->h, 0, 0.5, 1.45, l->title);
    if (l->subtitle)
        page_text(c, 0.5, 1 - 64 / c->h, 0, 0.5, 1.0, l->subtitle);
    if (l->note)
        page_text(c, 0.01, 10 / c->h, 0, 0.0, 0.8, l->note);
}

/* ---- axes ---------------------------------------------------------------- */

typedef struct frame {
    double vx0, vx1, vy0, vy1; /* viewport, page fractions */
    double x0, x1, y0, y1;     /* world window */
} frame;

static void frame_use(const frame *f)
{
    plvpor(f->vx0, f->vx1, f->vy0, f->vy1);
    plwind(f->x0, f->x1, f->y0, f->y1);
}

/* Page position of world point (x, y) in frame f. */
static double px(const frame *f, double x) { return f->vx0 + (x - f->x0) / (f->x1 - f->x0) * (f->vx1 - f->vx0); }
static double py(const frame *f, double y) { return f->vy0 + (y - f->y0) / (f->y1 - f->y0) * (f->vy1 - f->vy0); }

/* A range that includes 0 (for bars) with room for value labels. */
static void value_range(const double *v, size_t n, int include_zero, double *lo, double *hi)
{
    double a = include_zero ? 0 : INFINITY, b = include_zero ? 0 : -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (isfinite(v[k])) {
            a = fmin(a, v[k]);
            b = fmax(b, v[k]);
        }
    if (!isfinite(a) || !isfinite(b)) {
        a = 0;
        b = 1;
    }
    if (b - a < 1e-12) {
        double m = fabs(a) > 0 ? fabs(a) * 0.1 : 1;
        a -= m;
        b += m;
    }
    double pad = 0.12 * (b - a);
    *lo = (include_zero && a == 0) ? 0 : a - pad;
    *hi = (include_zero && b == 0) ? 0 : b + pad;
    if (include_zero && a == 0 && b > 0)
        *hi = b + pad;
    if (include_zero && b == 0 && a < 0)
        *lo = a - pad;
}

/* Value axis with grid: "y" along the left (vertical charts) or "x" along the bottom. */
static void value_axis(const frame *f, int along_x)
{
    frame_use(f);
    plcol0(COL_GRID);
    plwidth(1);
    if (along_x)
        plbox("g", 0, 0, "", 0, 0);
    else
        plbox("", 0, 0, "g", 0, 0);
    plcol0(COL_FG);
    plschr(0, 0.95);
    if (along_x)
        plbox("bcnst", 0, 0, "bc", 0, 0);
    else
        plbox("bc", 0, 0, "bcnstv", 0, 0);
    plschr(0, 1.0);
    /* the zero line */
    plwidth(1.5);
    if (along_x && f->x0 < 0 && f->x1 > 0)
        pljoin(0, f->y0, 0, f->y1);
    if (!along_x && f->y0 < 0 && f->y1 > 0)
        pljoin(f->x0, 0, f->x1, 0);
    plwidth(1);
}

static void axis_labels(const chart *c, const frame *f, const plot_labels *l)
{
    page();
    if (l->xlabel)
        page_text(c, (f->vx0 + f->vx1) / 2, f->vy0 - 62 / c->h, 0, 0.5, 1.05, l->xlabel);
    if (l->ylabel) {
        /* shrink a long label to the height of the plot (about 10 px a character) */
        double room = (f->vy1 - f->vy0) * c->h, need = 10.5 * (double)strlen(l->ylabel);
        double scale = need > room ? fmax(0.6, 1.05 * room / need) : 1.05;
        page_text(c, f->vx0 - 85 / c->w, (f->vy0 + f->vy1) / 2, 90, 0.5, scale, l->ylabel);
    }
}

static void rect(double xa, double xb, double ya, double yb, PLINT colour)
{
    PLFLT x[4] = {xa, xb, xb, xa}, y[4] = {ya, ya, yb, yb};
    plcol0(colour);
    plfill(4, x, y);
}

/* Legend of k series in the right margin, from the top of the frame. */
static void legend(const chart *c, const frame *f, size_t k, const char *const *names, int lines)
{
    page();
    double x = f->vx1 + 18 / c->w, y = f->vy1 - 12 / c->h, step = 26 / c->h;
    for (size_t s = 0; s < k; s++, y -= step) {
        if (lines) {
            PLFLT lx[2] = {x, x + 28 / c->w}, ly[2] = {y, y};
            plcol0(series_colour(s));
            plwidth(3);
            plline(2, lx, ly);
            plwidth(1);
        } else {
            rect(x, x + 20 / c->w, y - 7 / c->h, y + 7 / c->h, series_colour(s));
        }
        page_text(c, x + 36 / c->w, y - 5 / c->h, 0, 0, 0.95, names[s] ? names[s] : "");
    }
}

static size_t longest(const char *const *s, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; s && k < n; k++)
        if (s[k] && strlen(s[k]) > m)
            m = strlen(s[k]);
    return m;
}

static int check_values(const double *v, size_t n, char *why, size_t size, const char *path)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k]))
            return fail(why, size, "%s: value %zu is not finite", path, k + 1);
    return 0;
}

/* ---- bars ------------------------------------------------------------------ */

int plot_bars(const char *path, const plot_labels *l, size_t n, const char *const *categories,
              const double *values, const char *value_format, char *why, size_t why_size)
{
    if (n == 0)
        return fail(why, why_size, "%s: nothing to plot", path);
    if (check_values(values, n, why, why_size, path) != 0)
        return -1;
    chart c;
    double w = fmax(800, 140 + 90.0 * (double)n), h = 620;
    if (chart_begin(&c, path, w, h, why, why_size) != 0)
        return -1;
    frame f = {120 / w, 1 - 40 / w, 130 / h, 1 - 90 / h, 0, (double)n, 0, 0};
    value_range(values, n, 1, &f.y0, &f.y1);
    chart_texts(&c, l);
    value_axis(&f, 0);
    for (size_t k = 0; k < n; k++) {
        double x = (double)k;
        rect(x + 0.15, x + 0.85, 0, values[k], values[k] >= 0 ? series_colour(0) : series_colour(1));
        if (value_format) {
            char num[64];
            snprintf(num, sizeof num, value_format, values[k]);
            double off = (f.y1 - f.y0) * 0.025;
            double y = values[k] >= 0 ? values[k] + off : values[k] - off;
            page();
            page_text(&c, px(&f, x + 0.5), py(&f, y) - (values[k] >= 0 ? 0 : 10 / h), 0, 0.5,
                      0.85, num);
            frame_use(&f);
        }
    }
    page();
    for (size_t k = 0; k < n; k++)
        page_text(&c, px(&f, (double)k + 0.5), f.vy0 - 26 / h, 0, 0.5, 1.0,
                  categories ? categories[k] : "");
    axis_labels(&c, &f, l);
    return chart_end(&c, why, why_size);
}

/* ---- ranges: a value and its interval per category ------------------------ */

int plot_ranges(const char *path, const plot_labels *l, size_t n, const char *const *categories,
                const double *value, const double *mark, const double *lo, const double *hi,
                const char *const *names, char *why, size_t why_size)
{
    if (n == 0)
        return fail(why, why_size, "%s: nothing to plot", path);
    if (check_values(value, n, why, why_size, path) != 0 ||
        (mark && check_values(mark, n, why, why_size, path) != 0) ||
        check_values(lo, n, why, why_size, path) != 0 ||
        check_values(hi, n, why, why_size, path) != 0)
        return -1;
    double *all = malloc(4 * n * sizeof *all);
    if (!all)
        return fail(why, why_size, "out of memory");
    memcpy(all, value, n * sizeof *all);
    memcpy(all + n, lo, n * sizeof *all);
    memcpy(all + 2 * n, hi, n * sizeof *all);
    memcpy(all + 3 * n, mark ? mark : value, n * sizeof *all);
    chart c;
    double legend_w = 100 + 13.0 * (double)longest(names, mark ? 3 : 2);
    double w = fmax(800, 140 + legend_w + 90.0 * (double)n), h = 620;
    if (chart_begin(&c, path, w, h, why, why_size) != 0) {
        free(all);
        return -1;
    }
    frame f = {120 / w, 1 - legend_w / w, 130 / h, 1 - 90 / h, 0, (double)n, 0, 0};
    value_range(all, 4 * n, 1, &f.y0, &f.y1);
    free(all);
    chart_texts(&c, l);
    value_axis(&f, 0);
    double cap = 0.12;
    for (size_t k = 0; k < n; k++) {
        double x = (double)k + 0.5;
        plcol0(series_colour(0));
        plwidth(2);
        pljoin(x, lo[k], x, hi[k]);
        pljoin(x - cap, lo[k], x + cap, lo[k]);
        pljoin(x - cap, hi[k], x + cap, hi[k]);
        plwidth(1);
        PLFLT px1[1] = {x}, py1[1] = {value[k]};
        plssym(0, 1.3);
        plpoin(1, px1, py1, 17); /* filled circle */
        if (mark) {
            PLFLT pm[1] = {mark[k]};
            plcol0(series_colour(1));
            plssym(0, 1.2);
            plpoin(1, px1, pm, 5); /* x */
        }
        plssym(0, 1.0);
    }
    page();
    for (size_t k = 0; k < n; k++)
        page_text(&c, px(&f, (double)k + 0.5), f.vy0 - 26 / h, 0, 0.5, 1.0,
                  categories ? categories[k] : "");
    /* legend: the whisker, the dot, the mark */
    double x = f.vx1 + 18 / w, y = f.vy1 - 12 / h, step = 26 / h;
    for (int e = 0; e < (mark ? 3 : 2); e++, y -= step) {
        PLFLT ex[1] = {x + 14 / w}, ey[1] = {y};
        if (e == 0) {
            PLFLT lx[2] = {x + 14 / w, x + 14 / w}, ly[2] = {y - 9 / h, y + 9 / h};
            plcol0(series_colour(0));
            plwidth(2);
            plline(2, lx, ly);
            plwidth(1);
        } else {
            plcol0(series_colour(e == 1 ? 0 : 1));
            plssym(0, e == 1 ? 1.3 : 1.2);
            plpoin(1, ex, ey, e == 1 ? 17 : 5);
            plssym(0, 1.0);
        }
        page_text(&c, x + 36 / w, y - 5 / h, 0, 0, 0.95, names && names[e] ? names[e] : "");
    }
    axis_labels(&c, &f, l);
    return chart_end(&c, why, why_size);
}

static void grouped_vertical(const chart *c, const frame *f, size_t n, size_t k,
                             const char *const *categories, const double *values)
{
    double width = 0.8 / (double)k;
    frame_use(f);
    for (size_t cat = 0; cat < n; cat++)
        for (size_t s = 0; s < k; s++) {
            double x = (double)cat + 0.1 + width * (double)s;
            rect(x, x + width * 0.92, 0, values[s * n + cat], series_colour(s));
        }
    page();
    int rotate = 7.0 * (double)longest(categories, n) > (f->vx1 - f->vx0) * c->w / (double)n;
    for (size_t cat = 0; cat < n; cat++)
        page_text(c, px(f, (double)cat + 0.5), f->vy0 - (rotate ? 14 : 26) / c->h,
                  rotate ? 35 : 0, rotate ? 1.0 : 0.5, 0.9, categories ? categories[cat] : "");
}

static void grouped_horizontal(const chart *c, const frame *f, size_t n, size_t k,
                               const char *const *categories, const double *values)
{
    double height = 0.8 / (double)k;
    frame_use(f);
    /* category 0 on top */
    for (size_t cat = 0; cat < n; cat++)
        for (size_t s = 0; s < k; s++) {
            double y = (double)(n - 1 - cat) + 0.9 - height * (double)(s + 1);
            rect(0, values[s * n + cat], y, y + height * 0.92, series_colour(s));
        }
    page();
    for (size_t cat = 0; cat < n; cat++)
        page_text(c, f->vx0 - 8 / c->w, py(f, (double)(n - 1 - cat) + 0.5) - 5 / c->h, 0, 1.0,
                  0.9, categories ? categories[cat] : "");
}

int plot_grouped_bars(const char *path, const plot_labels *l, int horizontal, size_t n,
                      const char *const *categories, size_t k, const char *const *series,
                      const double *values, char *why, size_t why_size)
{
    if (n == 0 || k == 0)
        return fail(why, why_size, "%s: nothing to plot", path);
    if (check_values(values, n * k, why, why_size, path) != 0)
        return -1;
    chart c;
    double label_w = 30 + 10.5 * (double)longest(categories, n);
    double legend_w = k > 1 ? 90 + 13.0 * (double)longest(series, k) : 40; /* ~12.5 px a character */
    double w, h;
    if (horizontal) {
        w = 1000;
        h = fmax(520, 190 + (double)n * (12.0 * (double)k + 12));
    } else {
        w = 160 + legend_w + fmax(640, (double)n * (22.0 * (double)k + 16));
        h = 640;
    }
    if (chart_begin(&c, path, w, h, why, why_size) != 0)
        return -1;
    frame f;
    if (horizontal) {
        f = (frame){fmax(110, label_w) / w, 1 - legend_w / w, 110 / h, 1 - 90 / h, 0, 0, 0, (double)n};
        value_range(values, n * k, 1, &f.x0, &f.x1);
    } else {
        double plot_w = w - 100 - legend_w;
        int rotate = 7.0 * (double)longest(categories, n) > plot_w / (double)n;
        f = (frame){150 / w, 1 - legend_w / w, (rotate ? 170 : 110) / h, 1 - 90 / h, 0, (double)n, 0, 0};
        value_range(values, n * k, 1, &f.y0, &f.y1);
    }
    chart_texts(&c, l);
    value_axis(&f, horizontal);
    if (horizontal)
        grouped_horizontal(&c, &f, n, k, categories, values);
    else
        grouped_vertical(&c, &f, n, k, categories, values);
    if (k > 1)
        legend(&c, &f, k, series, 0);
    if (horizontal) {
        /* the category axis needs no label: the names say it; the value axis is along x */
        plot_labels swapped = *l;
        swapped.xlabel = l->ylabel;
        swapped.ylabel = NULL;
        axis_labels(&c, &f, &swapped);
    } else {
        plot_labels lower = *l;
        if (f.vy0 * h > 150)
            lower.xlabel = NULL; /* rotated category names take the space below */
        axis_labels(&c, &f, &lower);
    }
    return chart_end(&c, why, why_size);
}

/* ---- lines ----------------------------------------------------------------- */

static void band(const double *x, const plot_series *s, size_t n, PLINT colour)
{
    PLFLT *bx = malloc(2 * n * sizeof *bx), *by = malloc(2 * n * sizeof *by);
    if (bx && by) {
        for (size_t k = 0; k < n; k++) {
            bx[k] = x[k];
            by[k] = s->lo[k];
            bx[2 * n - 1 - k] = x[k];
            by[2 * n - 1 - k] = s->hi[k];
        }
        plcol0(colour);
        plfill((PLINT)(2 * n), bx, by);
    }
    free(bx);
    free(by);
}

static int lines_range(size_t n, size_t k, const plot_series *series, double *lo, double *hi,
                       char *why, size_t size, const char *path)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t s = 0; s < k; s++)
        for (size_t p = 0; p < n; p++) {
            const double *arrs[3] = {series[s].y, series[s].lo, series[s].hi};
            for (int a = 0; a < 3; a++) {
                if (!arrs[a])
                    continue;
                if (!isfinite(arrs[a][p]))
                    return fail(why, size, "%s: series '%s' point %zu is not finite", path,
                                series[s].label ? series[s].label : "", p + 1);
                *lo = fmin(*lo, arrs[a][p]);
                *hi = fmax(*hi, arrs[a][p]);
            }
        }
    double span = *hi - *lo;
    if (span < 1e-12)
        span = fabs(*hi) > 0 ? fabs(*hi) * 0.2 : 1;
    *lo -= 0.08 * span;
    *hi += 0.08 * span;
    return 0;
}

int plot_lines(const char *path, const plot_labels *l, size_t n, const double *x,
               const char *const *xticks, size_t k, const plot_series *series, char *why,
               size_t why_size)
{
    if (n == 0 || k == 0)
        return fail(why, why_size, "%s: nothing to plot", path);
    for (size_t s = 0; s < k; s++)
        if (!series[s].y || (!series[s].lo) != (!series[s].hi))
            return fail(why, why_size, "%s: series %zu needs values (and both band edges or none)",
                        path, s + 1);
    double *xs = malloc(n * sizeof *xs);
    if (!xs)
        return fail(why, why_size, "out of memory");
    for (size_t p = 0; p < n; p++)
        xs[p] = x ? x[p] : (double)(p + 1);
    double lo, hi;
    if (lines_range(n, k, series, &lo, &hi, why, why_size, path) != 0) {
        free(xs);
        return -1;
    }
    const char *names[64];
    size_t shown = k < 64 ? k : 64;
    for (size_t s = 0; s < shown; s++)
        names[s] = series[s].label;
    double legend_w = 100 + 13.0 * (double)longest(names, shown);
    double tick_h = xticks ? 20 + 6.0 * (double)longest(xticks, n) : 40;
    double w = 1100, h = 560 + tick_h;
    chart c;
    if (chart_begin(&c, path, w, h, why, why_size) != 0) {
        free(xs);
        return -1;
    }
    double pad = n > 1 ? (xs[n - 1] - xs[0]) * 0.04 : 0.5;
    double left = xticks ? fmax(120, 7.5 * (double)strlen(xticks[0])) : 120;
    frame f = {left / w, 1 - legend_w / w, (tick_h + 80) / h, 1 - 90 / h,
               xs[0] - pad, xs[n - 1] + pad, lo, hi};
    chart_texts(&c, l);
    frame_use(&f);
    plcol0(COL_GRID);
    plbox(xticks ? "" : "g", 0, 0, "g", 0, 0);
    for (size_t p = 0; xticks && p < n; p++)
        pljoin(xs[p], lo, xs[p], hi);
    plcol0(COL_FG);
    plschr(0, 0.95);
    plbox(xticks ? "bc" : "bcnst", 0, 0, "bcnstv", 0, 0);
    plschr(0, 1.0);
    if (lo < 0 && hi > 0) {
        plwidth(1.5);
        pljoin(f.x0, 0, f.x1, 0);
        plwidth(1);
    }
    for (size_t s = 0; s < k; s++)
        if (series[s].lo)
            band(xs, &series[s], n, (PLINT)(COL_BAND + s % N_SERIES_COLOURS));
    for (size_t s = 0; s < k; s++) {
        plcol0(series_colour(s));
        plwidth(2.5);
        plline((PLINT)n, xs, series[s].y);
        plwidth(1);
        if (n <= 40) {
            plschr(0, 0.9);
            plpoin((PLINT)n, xs, series[s].y, 17);
            plschr(0, 1.0);
        }
    }
    page();
    for (size_t p = 0; xticks && p < n; p++)
        page_text(&c, px(&f, xs[p]) + 4 / w, f.vy0 - 12 / h, 35, 1.0, 0.85, xticks[p]);
    legend(&c, &f, shown, names, 1);
    plot_labels lab = *l;
    if (xticks)
        lab.xlabel = NULL; /* the tick labels take its place; put it in the subtitle */
    axis_labels(&c, &f, &lab);
    free(xs);
    return chart_end(&c, why, why_size);
}
