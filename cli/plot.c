/* plot.c - bar, grouped-bar, line, panel and range charts laid out here and
 * written as SVG (real <text> elements), or as PNG rasterised from that SVG
 * by librsvg. See plot.h. */
#include "plot.h"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours: Okabe & Ito (2008), distinct for colour-blind readers ------------ */

enum { N_COLOURS = 8 };
static const char *const colours[N_COLOURS] = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                               "#56B4E9", "#CC79A7", "#000000", "#F0E442"};
static const char *colour(size_t s) { return colours[s % N_COLOURS]; }
#define FG "#1a1a1a"
#define MUTED "#555555"
#define GRID "#dcdcdc"
#define FONT "DejaVu Sans, Verdana, Arial, sans-serif"

/* ---- text measurement: DejaVu Sans advance widths, 1/1000 em (ASCII 32..126) ---- */

static const unsigned short width_regular[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,  318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,  611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,  635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,  525, 636, 337, 636, 838};
static const unsigned short width_bold[95] = {
    348,  456, 521, 838, 696, 1002, 872, 306,  457, 457, 523, 838, 380, 415,  380, 365,
    696,  696, 696, 696, 696, 696,  696, 696,  696, 696, 400, 400, 838, 838,  838, 580,
    1000, 774, 762, 734, 830, 683,  683, 821,  837, 372, 372, 775, 637, 995,  837, 850,
    733,  850, 770, 720, 682, 812,  774, 1103, 771, 724, 725, 457, 365, 457,  838, 500,
    500,  675, 716, 593, 716, 678,  435, 716,  712, 343, 343, 665, 343, 1042, 712, 687,
    716,  716, 493, 595, 478, 712,  652, 924,  645, 652, 582, 712, 365, 712,  838};

/* Width in pixels of `len` bytes of UTF-8 text at font size `size`. Other
 * characters count as a wide letter; 8% is added for a viewer that falls
 * back to a wider font. */
static double text_wn(const char *s, size_t len, double size, int bold)
{
    double w = 0;
    for (size_t k = 0; k < len && s[k]; k++) {
        unsigned char ch = (unsigned char)s[k];
        unsigned idx = (unsigned)ch - 32u;
        if (idx < 95u)
            w += (bold ? width_bold : width_regular)[idx];
        else if ((ch & 0xC0) != 0x80 && ch >= 0x80)
            w += 800; /* the first byte of a non-ASCII character */
    }
    return w * size / 1000 * 1.08;
}
static double text_w(const char *s, double size, int bold)
{
    return s ? text_wn(s, strlen(s), size, bold) : 0;
}

/* The longest prefix of s (at most `len` bytes, on a character boundary)
 * that, with "…" after it, is at most `maxw` wide; into out. */
static void shorten(const char *s, double maxw, double size, int bold, char *out, size_t out_size)
{
    size_t len = strlen(s);
    if (text_w(s, size, bold) <= maxw || len == 0) {
        snprintf(out, out_size, "%s", s);
        return;
    }
    double ell = text_w("\xE2\x80\xA6", size, bold);
    size_t cut = len;
    while (cut > 0 && (text_wn(s, cut, size, bold) + ell > maxw || (s[cut] & 0xC0) == 0x80))
        cut--;
    while (cut > 0 && s[cut - 1] == ' ')
        cut--;
    snprintf(out, out_size, "%.*s\xE2\x80\xA6", (int)cut, s);
}

/* Break s into at most `maxlines` lines of at most `maxw` pixels, at spaces;
 * the last line is shortened with an ellipsis when the text does not fit.
 * Returns the number of lines. */
enum { LINE = 320 };
static int wrap(const char *s, double maxw, double size, int bold, char (*lines)[LINE],
                int maxlines)
{
    int n = 0;
    while (s && *s && n < maxlines) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t len = strlen(s), take = len;
        if (text_w(s, size, bold) > maxw && n + 1 < maxlines) {
            /* the last space before the width runs out */
            size_t best = 0;
            for (size_t k = 1; k < len; k++)
                if (s[k] == ' ' && text_wn(s, k, size, bold) <= maxw)
                    best = k;
            take = best ? best : len;
        }
        char piece[LINE];
        snprintf(piece, sizeof piece, "%.*s", (int)(take < LINE - 1 ? take : LINE - 1), s);
        shorten(piece, maxw, size, bold, lines[n], LINE);
        n++;
        s += take;
    }
    return n;
}

/* ---- an SVG document in memory ------------------------------------------------ */

typedef struct svg {
    char *buf;
    size_t len, cap;
    int oom;
    double w, h;
} svg;

static void put(svg *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put(svg *d, const char *fmt, ...)
{
    if (d->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            d->oom = 1;
            return;
        }
        if ((size_t)n < d->cap - d->len) {
            d->len += (size_t)n;
            return;
        }
        size_t cap = 2 * d->cap + (size_t)n + 4096;
        char *b = realloc(d->buf, cap);
        if (!b) {
            d->oom = 1;
            return;
        }
        d->buf = b;
        d->cap = cap;
    }
}

/* XML-escaped text */
static void put_text_escaped(svg *d, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            put(d, "&amp;");
            break;
        case '<':
            put(d, "&lt;");
            break;
        case '>':
            put(d, "&gt;");
            break;
        case '"':
            put(d, "&quot;");
            break;
        default:
            put(d, "%c", *s);
        }
    }
}

static int svg_begin(svg *d, double w, double h, const char *title)
{
    memset(d, 0, sizeof *d);
    d->cap = 16384;
    d->buf = malloc(d->cap);
    if (!d->buf)
        return -1;
    d->buf[0] = '\0';
    d->w = ceil(w);
    d->h = ceil(h);
    put(d,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
        "viewBox=\"0 0 %.0f %.0f\" font-family=\"" FONT "\" role=\"img\">\n<title>",
        d->w, d->h, d->w, d->h);
    put_text_escaped(d, title ? title : "chart");
    put(d, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    return 0;
}

enum { LEFT, MIDDLE, RIGHT };
static void text(svg *d, double x, double y, double size, int anchor, double angle, int bold,
                 const char *fill, const char *s)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    put(d, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"%s\"", x, y, size, fill);
    if (anchor != LEFT)
        put(d, " text-anchor=\"%s\"", anchors[anchor]);
    if (bold)
        put(d, " font-weight=\"bold\"");
    if (angle != 0)
        put(d, " transform=\"rotate(%.1f %.1f %.1f)\"", angle, x, y);
    put(d, ">");
    put_text_escaped(d, s);
    put(d, "</text>\n");
}

static void line(svg *d, double x0, double y0, double x1, double y1, const char *stroke,
                 double width)
{
    put(d,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
        "stroke-width=\"%.1f\"/>\n",
        x0, y0, x1, y1, stroke, width);
}

static void box(svg *d, double x0, double y0, double x1, double y1, const char *fill)
{
    double x = fmin(x0, x1), y = fmin(y0, y1);
    put(d, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x, y,
        fmax(fabs(x1 - x0), 0.5), fmax(fabs(y1 - y0), 0.5), fill);
}

/* A marker of kind m (circle, square, triangle, diamond) centred at (x, y). */
static void marker(svg *d, size_t m, double x, double y, double r, const char *fill)
{
    switch (m % 4) {
    case 0:
        put(d, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", x, y, r, fill);
        break;
    case 1:
        box(d, x - r * 0.9, y - r * 0.9, x + r * 0.9, y + r * 0.9, fill);
        break;
    case 2:
        put(d, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>\n", x, y - r * 1.2,
            x + r * 1.1, y + r * 0.8, x - r * 1.1, y + r * 0.8, fill);
        break;
    default:
        put(d, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>\n", x,
            y - r * 1.25, x + r * 1.1, y, x, y + r * 1.25, x - r * 1.1, y, fill);
    }
}

static char *svg_end(svg *d)
{
    put(d, "</svg>\n");
    if (d->oom) {
        free(d->buf);
        return NULL;
    }
    return d->buf;
}

/* ---- capture and files -------------------------------------------------------- */

static plot_capture *capture;

void plot_capture_set(plot_capture *c) { capture = c; }

void plot_capture_free(plot_capture *c)
{
    for (size_t k = 0; c && k < c->n; k++) {
        free(c->svg[k]);
        free(c->title[k]);
    }
    if (c)
        c->n = 0;
}

static int fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* The rasterised PNG of doc into the file `tmp`. */
static int write_png(const char *doc, double w, double h, const char *tmp, char *why, size_t size)
{
    GError *err = NULL;
    RsvgHandle *hd = rsvg_handle_new_from_data((const guint8 *)doc, strlen(doc), &err);
    if (!hd) {
        fail(why, size, "cannot draw the chart: %s", err ? err->message : "librsvg failed");
        if (err)
            g_error_free(err);
        return -1;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)w, (int)h);
    cairo_t *cr = cairo_create(s);
    RsvgRectangle vp = {0, 0, w, h};
    int rc = 0;
    if (!rsvg_handle_render_document(hd, cr, &vp, &err)) {
        rc = fail(why, size, "cannot draw the chart: %s", err ? err->message : "librsvg failed");
        if (err)
            g_error_free(err);
    }
    cairo_destroy(cr);
    if (rc == 0 && cairo_surface_write_to_png(s, tmp) != CAIRO_STATUS_SUCCESS)
        rc = fail(why, size, "cannot write %s", tmp);
    cairo_surface_destroy(s);
    g_object_unref(hd);
    return rc;
}

/* Write the finished document to path (atomically), capture it; frees it. */
static int emit(svg *d, const char *path, const char *title, char *why, size_t size)
{
    char *doc = svg_end(d);
    if (!doc)
        return fail(why, size, "out of memory");
    const char *dot = path ? strrchr(path, '.') : NULL;
    int png = dot && strcmp(dot, ".png") == 0, is_svg = dot && strcmp(dot, ".svg") == 0;
    if (path && !png && !is_svg) {
        free(doc);
        return fail(why, size, "%s: a chart must end in .png or .svg", path);
    }
    if (capture && (!path || is_svg) && capture->n < PLOT_CAPTURE_MAX) {
        capture->svg[capture->n] = dup_str(doc);
        capture->title[capture->n] = dup_str(title ? title : "chart");
        if (capture->svg[capture->n] && capture->title[capture->n])
            capture->n++;
        else {
            free(capture->svg[capture->n]);
            free(capture->title[capture->n]);
        }
    }
    if (!path) {
        free(doc);
        return 0;
    }
    char tmp[4200];
    const char *slash = strrchr(path, '/');
    int n = slash
                ? snprintf(tmp, sizeof tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1)
                : snprintf(tmp, sizeof tmp, "./.%s.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        free(doc);
        return fail(why, size, "%s: path too long", path);
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(doc);
        return fail(why, size, "cannot create a file for %s: %s", path, strerror(errno));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    int rc = 0;
    if (png) {
        close(fd);
        rc = write_png(doc, d->w, d->h, tmp, why, size);
    } else {
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            rc = fail(why, size, "cannot write %s: %s", path, strerror(errno));
        } else {
            fputs(doc, f);
            if (ferror(f) | (fclose(f) != 0))
                rc = fail(why, size, "cannot write %s: %s", path, strerror(errno));
        }
    }
    free(doc);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = fail(why, size, "cannot rename to %s: %s", path, strerror(errno));
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* ---- the common frame: title, subtitle, legend, note ------------------------------ */

#define TITLE_SIZE 19.0
#define SUB_SIZE 13.5
#define LABEL_SIZE 13.0
#define TICK_SIZE 12.0
#define NOTE_SIZE 10.5
#define PAD 14.0

typedef struct legend_item {
    const char *name;
    size_t colour;
    int kind; /* 0 box, 1 line with marker, 2 whisker, 3 dot, 4 cross */
} legend_item;

/* Title and subtitle (wrapped to the width), then the legend in rows. Returns
 * the y below them. With d NULL only measures. */
static double header(svg *d, double w, const plot_labels *l, size_t nleg, const legend_item *leg)
{
    char lines[3][LINE];
    double y = PAD;
    int n = wrap(l->title, w - 2 * PAD, TITLE_SIZE, 1, lines, 2);
    for (int k = 0; k < n; k++) {
        y += TITLE_SIZE * 1.25;
        if (d)
            text(d, w / 2, y - 4, TITLE_SIZE, MIDDLE, 0, 1, FG, lines[k]);
    }
    n = wrap(l->subtitle, w - 2 * PAD, SUB_SIZE, 0, lines, 3);
    for (int k = 0; k < n; k++) {
        y += SUB_SIZE * 1.35;
        if (d)
            text(d, w / 2, y - 4, SUB_SIZE, MIDDLE, 0, 0, MUTED, lines[k]);
    }
    if (nleg > 0) {
        /* rows of items, centred */
        y += 8;
        size_t first = 0;
        while (first < nleg) {
            double roww = 0;
            size_t last = first;
            char names[64][LINE];
            for (; last < nleg && last - first < 64; last++) {
                shorten(leg[last].name ? leg[last].name : "", w / 2, LABEL_SIZE, 0,
                        names[last - first], LINE);
                double iw = 34 + text_w(names[last - first], LABEL_SIZE, 0) + 18;
                if (last > first && roww + iw > w - 2 * PAD)
                    break;
                roww += iw;
            }
            y += 20;
            double x = (w - roww) / 2;
            for (size_t k = first; d && k < last; k++) {
                const char *c = colour(leg[k].colour);
                double cy = y - 5;
                switch (leg[k].kind) {
                case 0:
                    box(d, x, cy - 6, x + 24, cy + 6, c);
                    break;
                case 1:
                    line(d, x, cy, x + 26, cy, c, 2.5);
                    marker(d, leg[k].colour, x + 13, cy, 4, c);
                    break;
                case 2:
                    line(d, x + 13, cy - 8, x + 13, cy + 8, c, 2);
                    line(d, x + 8, cy - 8, x + 18, cy - 8, c, 2);
                    line(d, x + 8, cy + 8, x + 18, cy + 8, c, 2);
                    break;
                case 3:
                    marker(d, 0, x + 13, cy, 5, c);
                    break;
                default:
                    line(d, x + 8, cy - 5, x + 18, cy + 5, c, 2);
                    line(d, x + 8, cy + 5, x + 18, cy - 5, c, 2);
                }
                text(d, x + 34, y, LABEL_SIZE, LEFT, 0, 0, FG, names[k - first]);
                x += 34 + text_w(names[k - first], LABEL_SIZE, 0) + 18;
            }
            first = last;
        }
    }
    return y + 16;
}

static double footer_h(const plot_labels *l) { return l->note ? NOTE_SIZE + 12 : 4; }

static void footer(svg *d, const plot_labels *l)
{
    if (!l->note)
        return;
    char s[LINE];
    shorten(l->note, d->w - 2 * PAD, NOTE_SIZE, 0, s, sizeof s);
    text(d, PAD, d->h - 8, NOTE_SIZE, LEFT, 0, 0, MUTED, s);
}

/* ---- a value axis --------------------------------------------------------------- */

typedef struct axis {
    double lo, hi, step;
    int decimals;
} axis;

/* A range over the finite values (with 0 when include_zero) on round ticks;
 * with `room`, a step more when a value is at the edge (labels above bars). */
static axis nice_axis_room(const double *v, size_t n, int include_zero, int room)
{
    double a = include_zero ? 0 : INFINITY, b = include_zero ? 0 : -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (isfinite(v[k])) {
            a = fmin(a, v[k]);
            b = fmax(b, v[k]);
        }
    if (!isfinite(a) || !isfinite(b))
        a = 0, b = 1;
    if (b - a < 1e-12 * fmax(1, fabs(b))) {
        double m = fabs(a) > 0 ? fabs(a) * 0.1 : 1;
        a -= m;
        b += m;
    }
    double raw = (b - a) / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
    axis x;
    x.lo = floor(a / step + 1e-9) * step;
    x.hi = ceil(b / step - 1e-9) * step;
    /* room above/below the extreme values for labels */
    if (room && b > 0 && x.hi - b < 0.04 * (x.hi - x.lo))
        x.hi += step;
    if (room && a < 0 && a - x.lo < 0.04 * (x.hi - x.lo))
        x.lo -= step;
    x.step = step;
    x.decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    return x;
}

static axis nice_axis(const double *v, size_t n, int include_zero)
{
    return nice_axis_room(v, n, include_zero, 1);
}

static void tick_text(const axis *a, double v, char *buf, size_t size)
{
    if (fabs(v) < a->step * 1e-6)
        v = 0;
    snprintf(buf, size, "%.*f", a->decimals, v);
    /* a typographic minus */
    size_t len = strlen(buf);
    if (buf[0] == '-' && len + 3 < size) {
        memmove(buf + 3, buf + 1, len);
        memcpy(buf, "\xE2\x88\x92", 3);
    }
}

static double ticks_width(const axis *a)
{
    double m = 0;
    char buf[64];
    for (double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
        tick_text(a, v, buf, sizeof buf);
        m = fmax(m, text_w(buf, TICK_SIZE, 0));
    }
    return m;
}

/* The plotting area in pixels. */
typedef struct area {
    double x0, x1, y0, y1; /* left, right, top, bottom */
} area;

static double map(double v, double lo, double hi, double p0, double p1)
{
    return p0 + (v - lo) / (hi - lo) * (p1 - p0);
}

/* Value axis: vertical (along the left of r) or horizontal (along the bottom),
 * grid lines, tick labels, zero line. */
static void value_axis(svg *d, const area *r, const axis *a, int horizontal)
{
    char buf[64];
    for (double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
        tick_text(a, v, buf, sizeof buf);
        if (horizontal) {
            double x = map(v, a->lo, a->hi, r->x0, r->x1);
            line(d, x, r->y0, x, r->y1, GRID, 1);
            text(d, x, r->y1 + TICK_SIZE + 6, TICK_SIZE, MIDDLE, 0, 0, FG, buf);
        } else {
            double y = map(v, a->lo, a->hi, r->y1, r->y0);
            line(d, r->x0, y, r->x1, y, GRID, 1);
            text(d, r->x0 - 6, y + TICK_SIZE * 0.35, TICK_SIZE, RIGHT, 0, 0, FG, buf);
        }
    }
    if (a->lo < 0 && a->hi > 0) {
        if (horizontal) {
            double x = map(0, a->lo, a->hi, r->x0, r->x1);
            line(d, x, r->y0, x, r->y1, FG, 1.2);
        } else {
            double y = map(0, a->lo, a->hi, r->y1, r->y0);
            line(d, r->x0, y, r->x1, y, FG, 1.2);
        }
    }
    put(d,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
        "stroke=\"%s\"/>\n",
        r->x0, r->y0, r->x1 - r->x0, r->y1 - r->y0, MUTED);
}

/* The value axis's label, rotated along the left edge, shortened to the height. */
static void ylabel(svg *d, const area *r, double x, const char *s)
{
    if (!s || !*s)
        return;
    char lines[2][LINE];
    int n = wrap(s, r->y1 - r->y0, LABEL_SIZE, 0, lines, 2);
    for (int k = 0; k < n; k++)
        text(d, x + (k - (n - 1)) * (LABEL_SIZE + 3), (r->y0 + r->y1) / 2, LABEL_SIZE, MIDDLE, -90,
             0, FG, lines[k]);
}
static double ylabel_w(const char *s, double height)
{
    char lines[2][LINE];
    return (s && *s) ? wrap(s, height, LABEL_SIZE, 0, lines, 2) * (LABEL_SIZE + 3) + 6 : 0;
}

static void xlabel(svg *d, const area *r, double y, const char *s)
{
    if (!s || !*s)
        return;
    char t[LINE];
    shorten(s, r->x1 - r->x0, LABEL_SIZE, 0, t, sizeof t);
    text(d, (r->x0 + r->x1) / 2, y, LABEL_SIZE, MIDDLE, 0, 0, FG, t);
}

/* ---- category labels along the bottom ------------------------------------------- */

/* How category names fit under slots `slot` px wide: wrapped into two lines
 * (rotate 0) or rotated 40 degrees and shortened to `maxlen`. Returns the
 * height they need below the axis. */
typedef struct catfit {
    int rotate;
    double maxlen, height;
} catfit;

#define ROT 40.0
#define PI 3.14159265358979323846
static catfit fit_categories(const char *const *cats, size_t n, double slot, double left_room)
{
    catfit f = {0, 0, 2 * (TICK_SIZE + 3) + 8};
    char lines[2][LINE];
    for (size_t k = 0; cats && k < n; k++) {
        int m = wrap(cats[k], slot - 6, TICK_SIZE, 0, lines, 2);
        /* shortened (an ellipsis) means it does not fit */
        if (m > 0 && strstr(lines[m - 1], "\xE2\x80\xA6") && !strstr(cats[k], "\xE2\x80\xA6"))
            f.rotate = 1;
    }
    if (!f.rotate)
        return f;
    double longest = 0;
    for (size_t k = 0; cats && k < n; k++)
        longest = fmax(longest, text_w(cats[k], TICK_SIZE, 0));
    (void)left_room; /* draw_categories shortens the first labels to the room on the left */
    f.maxlen = fmin(longest, 300);
    f.height = f.maxlen * sin(ROT * PI / 180) + TICK_SIZE + 14;
    return f;
}

static void draw_categories(svg *d, const area *r, const char *const *cats, size_t n,
                            const catfit *f)
{
    double slot = (r->x1 - r->x0) / (double)n;
    char lines[2][LINE];
    /* rotated labels closer than a line apart: label every step-th only */
    size_t step = 1;
    if (f->rotate)
        step = (size_t)ceil((TICK_SIZE + 2) / (slot * sin(ROT * PI / 180)));
    for (size_t k = 0; cats && k < n; k++) {
        double x = r->x0 + slot * ((double)k + 0.5);
        if (f->rotate && k % step != 0)
            continue;
        if (f->rotate) {
            /* the first labels may not reach further left than the canvas */
            double room = fmin(f->maxlen, (x - 4) / cos(ROT * PI / 180));
            shorten(cats[k], room, TICK_SIZE, 0, lines[0], LINE);
            text(d, x + 4, r->y1 + 14, TICK_SIZE, RIGHT, -ROT, 0, FG, lines[0]);
        } else {
            int m = wrap(cats[k], slot - 6, TICK_SIZE, 0, lines, 2);
            for (int j = 0; j < m; j++)
                text(d, x, r->y1 + TICK_SIZE + 6 + j * (TICK_SIZE + 3), TICK_SIZE, MIDDLE, 0, 0, FG,
                     lines[j]);
        }
    }
}

static int check_values(const double *v, size_t n, char *why, size_t size, const char *path)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k]))
            return fail(why, size, "%s: value %zu is not finite", path ? path : "chart", k + 1);
    return 0;
}

/* ---- vertical categories: bars, grouped bars, ranges ------------------------------ */

typedef struct vlayout {
    svg d;
    area r;
    axis a;
    catfit cf;
} vlayout;

/* Lay out a chart of n categories along the bottom (slot px each, at least),
 * values v[0..nv) on the vertical axis; draws header, axis, labels. */
static int vertical_begin(vlayout *v, const plot_labels *l, size_t n, const char *const *cats,
                          double slot, const double *vals, size_t nv, size_t nleg,
                          const legend_item *leg)
{
    v->a = nice_axis(vals, nv, 1);
    double w = fmax(760, 150 + slot * (double)n);
    double left = PAD + ylabel_w(l->ylabel, 300) + ticks_width(&v->a) + 10;
    double top = header(NULL, w, l, nleg, leg);
    v->cf = fit_categories(cats, n, (w - left - PAD) / (double)n, left);
    double bottom = v->cf.height + (l->xlabel && *l->xlabel ? LABEL_SIZE + 10 : 0) + footer_h(l);
    double h = top + 340 + bottom;
    if (svg_begin(&v->d, w, h, l->title) != 0)
        return -1;
    header(&v->d, w, l, nleg, leg);
    v->r = (area){left, w - PAD - 6, top, h - bottom};
    value_axis(&v->d, &v->r, &v->a, 0);
    ylabel(&v->d, &v->r, PAD + LABEL_SIZE, l->ylabel);
    draw_categories(&v->d, &v->r, cats, n, &v->cf);
    xlabel(&v->d, &v->r, v->r.y1 + v->cf.height + LABEL_SIZE, l->xlabel);
    footer(&v->d, l);
    return 0;
}

static double vy(const vlayout *v, double y) { return map(y, v->a.lo, v->a.hi, v->r.y1, v->r.y0); }

int plot_bars(const char *path, const plot_labels *l, size_t n, const char *const *categories,
              const double *values, const char *value_format, char *why, size_t why_size)
{
    if (n == 0)
        return fail(why, why_size, "%s: nothing to plot", path ? path : "chart");
    if (check_values(values, n, why, why_size, path) != 0)
        return -1;
    vlayout v;
    if (vertical_begin(&v, l, n, categories, 96, values, n, 0, NULL) != 0)
        return fail(why, why_size, "out of memory");
    double slot = (v.r.x1 - v.r.x0) / (double)n;
    for (size_t k = 0; k < n; k++) {
        double x = v.r.x0 + slot * (double)k;
        box(&v.d, x + slot * 0.18, vy(&v, 0), x + slot * 0.82, vy(&v, values[k]),
            colour(values[k] >= 0 ? 0 : 1));
        if (value_format) {
            char num[64];
            snprintf(num, sizeof num, value_format, values[k]);
            if (text_w(num, 11, 0) < slot - 4) {
                double y = values[k] >= 0 ? vy(&v, values[k]) - 5 : vy(&v, values[k]) + 15;
                text(&v.d, x + slot / 2, y, 11, MIDDLE, 0, 0, FG, num);
            }
        }
    }
    return emit(&v.d, path, l->title, why, why_size);
}

int plot_ranges(const char *path, const plot_labels *l, size_t n, const char *const *categories,
                const double *value, const double *mark, const double *lo, const double *hi,
                const char *const *names, char *why, size_t why_size)
{
    if (n == 0)
        return fail(why, why_size, "%s: nothing to plot", path ? path : "chart");
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
    legend_item leg[3] = {{names ? names[0] : "", 0, 2},
                          {names ? names[1] : "", 0, 3},
                          {names && mark ? names[2] : "", 1, 4}};
    vlayout v;
    int rc = vertical_begin(&v, l, n, categories, 96, all, 4 * n, mark ? 3 : 2, leg);
    free(all);
    if (rc != 0)
        return fail(why, why_size, "out of memory");
    double slot = (v.r.x1 - v.r.x0) / (double)n;
    for (size_t k = 0; k < n; k++) {
        double x = v.r.x0 + slot * ((double)k + 0.5), c = fmin(10, slot * 0.15);
        const char *c0 = colour(0);
        line(&v.d, x, vy(&v, lo[k]), x, vy(&v, hi[k]), c0, 2);
        line(&v.d, x - c, vy(&v, lo[k]), x + c, vy(&v, lo[k]), c0, 2);
        line(&v.d, x - c, vy(&v, hi[k]), x + c, vy(&v, hi[k]), c0, 2);
        marker(&v.d, 0, x, vy(&v, value[k]), 5, c0);
        if (mark) {
            double y = vy(&v, mark[k]);
            line(&v.d, x - 5, y - 5, x + 5, y + 5, colour(1), 2);
            line(&v.d, x - 5, y + 5, x + 5, y - 5, colour(1), 2);
        }
    }
    return emit(&v.d, path, l->title, why, why_size);
}

static int grouped_horizontal(const char *path, const plot_labels *l, size_t n,
                              const char *const *cats, size_t k, const legend_item *leg,
                              const double *values, char *why, size_t why_size)
{
    svg d;
    axis a = nice_axis(values, n * k, 1);
    double w = 1000, label_w = 0;
    for (size_t c = 0; cats && c < n; c++)
        label_w = fmax(label_w, text_w(cats[c], TICK_SIZE, 0));
    label_w = fmin(label_w, 320);
    double top = header(NULL, w, l, k > 1 ? k : 0, leg);
    double row = 12.0 * (double)k + 14, bottom = TICK_SIZE + 14 + LABEL_SIZE + 12 + footer_h(l);
    double h = top + fmax(260, row * (double)n) + bottom;
    if (svg_begin(&d, w, h, l->title) != 0)
        return fail(why, why_size, "out of memory");
    header(&d, w, l, k > 1 ? k : 0, leg);
    /* half a tick label may stick out on either side of the axis */
    area r = {PAD + label_w + 10, w - PAD - ticks_width(&a) / 2 - 4, top, h - bottom};
    r.x0 = fmax(r.x0, PAD + ticks_width(&a) / 2);
    value_axis(&d, &r, &a, 1);
    double rh = (r.y1 - r.y0) / (double)n, bh = rh * 0.8 / (double)k;
    for (size_t c = 0; c < n; c++) {
        double y = r.y0 + rh * (double)c;
        for (size_t s = 0; s < k; s++) {
            double yy = y + rh * 0.1 + bh * (double)s;
            box(&d, map(0, a.lo, a.hi, r.x0, r.x1), yy + bh * 0.04,
                map(values[s * n + c], a.lo, a.hi, r.x0, r.x1), yy + bh * 0.96, colour(s));
        }
        char t[LINE];
        shorten(cats ? cats[c] : "", label_w, TICK_SIZE, 0, t, sizeof t);
        text(&d, r.x0 - 8, y + rh / 2 + TICK_SIZE * 0.35, TICK_SIZE, RIGHT, 0, 0, FG, t);
    }
    xlabel(&d, &r, r.y1 + TICK_SIZE + 12 + LABEL_SIZE + 4, l->ylabel);
    footer(&d, l);
    return emit(&d, path, l->title, why, why_size);
}

int plot_grouped_bars(const char *path, const plot_labels *l, int horizontal, size_t n,
                      const char *const *categories, size_t k, const char *const *series,
                      const double *values, char *why, size_t why_size)
{
    if (n == 0 || k == 0 || k > 64)
        return fail(why, why_size, "%s: nothing to plot", path ? path : "chart");
    if (check_values(values, n * k, why, why_size, path) != 0)
        return -1;
    legend_item leg[64];
    for (size_t s = 0; s < k; s++)
        leg[s] = (legend_item){series ? series[s] : "", s, 0};
    if (horizontal)
        return grouped_horizontal(path, l, n, categories, k, leg, values, why, why_size);
    vlayout v;
    if (vertical_begin(&v, l, n, categories, 22.0 * (double)k + 30, values, n * k, k > 1 ? k : 0,
                       leg) != 0)
        return fail(why, why_size, "out of memory");
    double slot = (v.r.x1 - v.r.x0) / (double)n, bw = slot * 0.8 / (double)k;
    for (size_t c = 0; c < n; c++)
        for (size_t s = 0; s < k; s++) {
            double x = v.r.x0 + slot * ((double)c + 0.1) + bw * (double)s;
            box(&v.d, x + bw * 0.04, vy(&v, 0), x + bw * 0.96, vy(&v, values[s * n + c]),
                colour(s));
        }
    return emit(&v.d, path, l->title, why, why_size);
}

/* ---- lines and panels ------------------------------------------------------------ */

static int series_ok(size_t n, const plot_series *s, char *why, size_t size, const char *path)
{
    if (!s->y || (!s->lo) != (!s->hi))
        return fail(why, size, "%s: a series needs values (and both band edges or none)",
                    path ? path : "chart");
    for (size_t p = 0; p < n; p++) {
        const double *arrs[3] = {s->y, s->lo, s->hi};
        for (int a = 0; a < 3; a++)
            if (arrs[a] && !isfinite(arrs[a][p]))
                return fail(why, size, "%s: series '%s' point %zu is not finite",
                            path ? path : "chart", s->label ? s->label : "", p + 1);
    }
    return 0;
}

static axis panel_axis(size_t n, const plot_panel *p)
{
    double *v = malloc(3 * n * (p->k ? p->k : 1) * sizeof *v);
    size_t m = 0;
    if (!v)
        return nice_axis(NULL, 0, 0);
    for (size_t s = 0; s < p->k; s++)
        for (size_t q = 0; q < n; q++) {
            v[m++] = p->series[s].y[q];
            if (p->series[s].lo) {
                v[m++] = p->series[s].lo[q];
                v[m++] = p->series[s].hi[q];
            }
        }
    axis a = nice_axis(v, m, 0);
    free(v);
    return a;
}

int plot_panels(const char *path, const plot_labels *l, size_t n, const double *x,
                const char *const *xticks, size_t npanels, const plot_panel *panels, char *why,
                size_t why_size)
{
    size_t total = 0;
    int one_each = 1;
    for (size_t q = 0; q < npanels; q++) {
        total += panels[q].k;
        one_each &= panels[q].k == 1 && panels[q].title;
        for (size_t s = 0; s < panels[q].k; s++)
            if (series_ok(n, &panels[q].series[s], why, why_size, path) != 0)
                return -1;
    }
    if (n == 0 || total == 0 || total > 64 || npanels > 16)
        return fail(why, why_size, "%s: nothing to plot", path ? path : "chart");
    double *xs = malloc(n * sizeof *xs);
    axis *ax = malloc(npanels * sizeof *ax);
    if (!xs || !ax) {
        free(xs), free(ax);
        return fail(why, why_size, "out of memory");
    }
    for (size_t p = 0; p < n; p++)
        xs[p] = x ? x[p] : (double)(p + 1);
    legend_item leg[64];
    size_t nleg = 0;
    for (size_t q = 0; q < npanels; q++)
        for (size_t s = 0; s < panels[q].k; s++, nleg++)
            leg[nleg] = (legend_item){panels[q].series[s].label, nleg, 1};
    if (one_each)
        nleg = 0;
    double tickw = 0;
    for (size_t q = 0; q < npanels; q++) {
        ax[q] = panel_axis(n, &panels[q]);
        tickw = fmax(tickw, ticks_width(&ax[q]));
    }
    double w = 1100, panel_h = npanels > 1 ? 210 : 360, gap = npanels > 1 ? 34 : 0;
    double left = PAD + ylabel_w(l->ylabel, panel_h) + tickw + 10;
    double top = header(NULL, w, l, nleg, leg);
    /* x labels: stage names rotated, or numbers */
    axis xa = nice_axis_room(xs, n, 0, 0);
    /* labelled points sit in the middle of n equal slots across the plot */
    double half = n > 1 ? (xs[n - 1] - xs[0]) / (double)(n - 1) / 2 : 0.5;
    double xlo = xticks ? xs[0] - half : xa.lo;
    double xhi = xticks ? xs[n - 1] + half : xa.hi;
    catfit cf = {0, 0, TICK_SIZE + 10};
    if (xticks) {
        double slot = (w - left - PAD) / (double)n;
        cf = fit_categories(xticks, n, slot, left);
    }
    double bottom = cf.height + (l->xlabel && *l->xlabel ? LABEL_SIZE + 10 : 0) + footer_h(l);
    double h = top + (double)npanels * (panel_h + gap) + bottom;
    svg d;
    if (svg_begin(&d, w, h, l->title) != 0) {
        free(xs), free(ax);
        return fail(why, why_size, "out of memory");
    }
    header(&d, w, l, nleg, leg);
    size_t colour_index = 0;
    area r = {left, w - PAD - 8, 0, 0};
    for (size_t q = 0; q < npanels; q++) {
        r.y0 = top + (double)q * (panel_h + gap) + gap;
        r.y1 = r.y0 + panel_h;
        if (panels[q].title) {
            char t[LINE];
            shorten(panels[q].title, r.x1 - r.x0, LABEL_SIZE, 1, t, sizeof t);
            text(&d, r.x0, r.y0 - 8, LABEL_SIZE, LEFT, 0, 1, FG, t);
        }
        value_axis(&d, &r, &ax[q], 0);
        ylabel(&d, &r, PAD + LABEL_SIZE, l->ylabel);
        if (xticks)
            for (size_t p = 0; p < n; p++) {
                double px = map(xs[p], xlo, xhi, r.x0, r.x1);
                line(&d, px, r.y0, px, r.y1, GRID, 1);
            }
        for (size_t s = 0; s < panels[q].k; s++, colour_index++) {
            const plot_series *ps = &panels[q].series[s];
            const char *c = colour(colour_index);
            if (ps->lo) {
                put(&d, "<path fill=\"%s\" fill-opacity=\"0.22\" d=\"", c);
                for (size_t p = 0; p < n; p++)
                    put(&d, "%s%.1f %.1f", p ? "L" : "M", map(xs[p], xlo, xhi, r.x0, r.x1),
                        map(ps->hi[p], ax[q].lo, ax[q].hi, r.y1, r.y0));
                for (size_t p = n; p-- > 0;)
                    put(&d, "L%.1f %.1f", map(xs[p], xlo, xhi, r.x0, r.x1),
                        map(ps->lo[p], ax[q].lo, ax[q].hi, r.y1, r.y0));
                put(&d, "Z\"/>\n");
            }
            put(&d, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"", c);
            for (size_t p = 0; p < n; p++)
                put(&d, "%s%.1f,%.1f", p ? " " : "", map(xs[p], xlo, xhi, r.x0, r.x1),
                    map(ps->y[p], ax[q].lo, ax[q].hi, r.y1, r.y0));
            put(&d, "\"/>\n");
            for (size_t p = 0; n <= 60 && p < n; p++)
                marker(&d, colour_index, map(xs[p], xlo, xhi, r.x0, r.x1),
                       map(ps->y[p], ax[q].lo, ax[q].hi, r.y1, r.y0), 3.6, c);
        }
    }
    /* x tick labels under the last panel */
    if (xticks) {
        draw_categories(&d, &r, xticks, n, &cf);
    } else {
        char buf[64];
        for (double v = xa.lo; v <= xa.hi + xa.step * 1e-6; v += xa.step) {
            tick_text(&xa, v, buf, sizeof buf);
            text(&d, map(v, xlo, xhi, r.x0, r.x1), r.y1 + TICK_SIZE + 6, TICK_SIZE, MIDDLE, 0, 0,
                 FG, buf);
        }
    }
    xlabel(&d, &r, r.y1 + cf.height + LABEL_SIZE, l->xlabel);
    footer(&d, l);
    free(xs), free(ax);
    return emit(&d, path, l->title, why, why_size);
}

int plot_lines(const char *path, const plot_labels *l, size_t n, const double *x,
               const char *const *xticks, size_t k, const plot_series *series, char *why,
               size_t why_size)
{
    if (k == 0)
        return fail(why, why_size, "%s: nothing to plot", path ? path : "chart");
    plot_panel p = {NULL, k, series};
    return plot_panels(path, l, n, x, xticks, 1, &p, why, why_size);
}

/* ---- money units ------------------------------------------------------------------ */

const char *plot_money_unit(const char *unit, double maxabs, double *factor, char *buf, size_t size)
{
    static const struct {
        const char *word;
        int power;
    } words[] = {{"thousands", 3}, {"millions", 6}, {"billions", 9}, {"trillions", 12}};
    *factor = 1;
    snprintf(buf, size, "%s", unit ? unit : "");
    if (!unit)
        return buf;
    int power = -1;
    const char *rest = NULL;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t len = strlen(words[k].word);
        if (strncmp(unit, words[k].word, len) == 0 && unit[len] == ' ') {
            power = words[k].power;
            rest = unit + len;
        }
    }
    if (power < 0 || !isfinite(maxabs) || maxabs <= 0)
        return buf;
    /* the largest power of 1000 at most maxabs in absolute units */
    double abs_max = maxabs * pow(10, power);
    int target = (int)(floor(log10(abs_max) / 3) * 3);
    if (target < 3)
        target = 3;
    if (target > 12)
        target = 12;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (words[k].power == target) {
            *factor = pow(10, power - target);
            snprintf(buf, size, "%s%s", words[k].word, rest);
        }
    return buf;
}
