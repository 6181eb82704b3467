/* html.c - a command's result as one self-contained HTML page. See html.h. */
#include "html.h"

#include "outdir.h"
#include "tradewar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text --------------------------------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
}

/* "welfare_pct" -> "welfare, %"-like headings: underscores to spaces, known
 * suffixes spelled out. */
static void heading(FILE *f, const char *key)
{
    static const struct {
        const char *suffix, *say;
    } ends[] = {{"_pct", ", %"}, {"_base", " (base)"}};
    if (strcmp(key, "sensitivity") == 0) {
        fputs("elasticity range (welfare under other values of theta and psi)", f);
        return;
    }
    size_t len = strlen(key);
    const char *tail = "";
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        size_t s = strlen(ends[k].suffix);
        if (len > s && strcmp(key + len - s, ends[k].suffix) == 0) {
            len -= s;
            tail = ends[k].say;
            break;
        }
    }
    for (size_t k = 0; k < len; k++)
        fputc(key[k] == '_' ? ' ' : key[k], f);
    esc(f, tail);
}

static void number(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("n/a", f);
    else if (x != 0 && (fabs(x) >= 1e7 || fabs(x) < 1e-4))
        fprintf(f, "%.4g", x);
    else if (fabs(x) >= 1000)
        fprintf(f, "%.1f", x);
    else
        fprintf(f, "%.4g", x);
}

static int scalar(const json_t *v) { return !json_is_object(v) && !json_is_array(v); }

static void value(FILE *f, const json_t *v)
{
    if (json_is_string(v))
        esc(f, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        number(f, json_real_value(v));
    else if (json_is_true(v))
        fputs("yes", f);
    else if (json_is_false(v))
        fputs("no", f);
    else if (json_is_null(v))
        fputs("\xE2\x80\x94", f);
    else if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            if (i)
                fputs(", ", f);
            if (scalar(x))
                value(f, x);
            else
                fputs("\xE2\x80\xA6", f);
        }
    } else if (json_is_object(v)) {
        const char *k;
        const json_t *x;
        int first = 1;
        json_object_foreach((json_t *)v, k, x)
        {
            fprintf(f, "%s", first ? "" : "; ");
            first = 0;
            heading(f, k);
            fputs(": ", f);
            if (scalar(x))
                value(f, x);
            else
                fputs("\xE2\x80\xA6", f);
        }
    }
}

static int numeric(const json_t *v) { return json_is_number(v); }

/* Text long enough to wrap in its cell. */
static int long_text(const json_t *v)
{
    return (json_is_string(v) && strlen(json_string_value(v)) > 40) || json_is_array(v) ||
           json_is_object(v);
}

/* A value that fits a table cell: a scalar or a short list of scalars. */
static int flat(const json_t *v)
{
    if (scalar(v))
        return 1;
    if (!json_is_array(v) || json_array_size(v) > 8)
        return 0;
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x) if (!scalar(x)) return 0;
    return 1;
}

/* An object whose every value is a number (welfare by country code). */
static int number_map(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0)
        return 0;
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x) if (!numeric(x) && !json_is_null(x)) return 0;
    return 1;
}

/* The text naming an item of an array of objects: its label, stage, ... */
static const char *item_name(const json_t *o, size_t i, char *buf, size_t size)
{
    static const char *const keys[] = {"label", "stage", "variant", "name", "code", "sector"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const json_t *v = json_object_get(o, keys[k]);
        if (json_is_string(v))
            return json_string_value(v);
    }
    snprintf(buf, size, "%zu", i + 1);
    return buf;
}

/* ---- tables ------------------------------------------------------------------------- */

static void render(FILE *f, const char *key, const json_t *v, int depth);

/* An array of objects: one row each, scalar fields as columns; a field that
 * maps names to numbers in every item (welfare by economy) becomes a table
 * of its own, one column per item; other nested fields follow. */
static void object_array(FILE *f, const char *key, const json_t *a, int depth)
{
    json_t *cols = json_object(), *maps = json_object(), *nested = json_object();
    size_t i;
    const json_t *o;
    json_array_foreach(a, i, o)
    {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)o, k, x)
        {
            if (number_map(x))
                json_object_set_new(maps, k, json_true());
            else if (flat(x))
                json_object_set_new(cols, k, json_true());
            else
                json_object_set_new(nested, k, json_true());
        }
    }
    const char *c;
    json_t *unused;
    if (json_object_size(cols) > 0) {
        fputs("<div class=\"scroll\"><table>\n<thead><tr>", f);
        json_object_foreach(cols, c, unused)
        {
            fputs("<th>", f);
            heading(f, c);
            fputs("</th>", f);
        }
        fputs("</tr></thead>\n<tbody>\n", f);
        json_array_foreach(a, i, o)
        {
            fputs("<tr>", f);
            json_object_foreach(cols, c, unused)
            {
                const json_t *x = json_object_get(o, c);
                fprintf(f, "<td%s>",
                        x && numeric(x) ? " class=\"n\""
                        : long_text(x)  ? " class=\"w\""
                                        : "");
                if (x)
                    value(f, x);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    json_object_foreach(maps, c, unused)
    {
        /* rows: the keys of the first item's map; columns: the items */
        fprintf(f, "<h%d>", depth + 3 > 6 ? 6 : depth + 3);
        heading(f, key);
        fputs(": ", f);
        heading(f, c);
        fprintf(f, "</h%d>\n", depth + 3 > 6 ? 6 : depth + 3);
        const json_t *first = NULL;
        json_array_foreach(a, i, o) if (!first && number_map(json_object_get(o, c)))
            first = json_object_get(o, c);
        fputs("<div class=\"scroll\"><table>\n<thead><tr><th></th>", f);
        int range = json_array_size(a) > 1;
        json_array_foreach(a, i, o)
        {
            char buf[32];
            fputs("<th>", f);
            esc(f, item_name(o, i, buf, sizeof buf));
            fputs("</th>", f);
        }
        if (range)
            fputs("<th>range</th>", f);
        fputs("</tr></thead>\n<tbody>\n", f);
        const char *row;
        const json_t *unused2;
        json_object_foreach((json_t *)first, row, unused2)
        {
            double lo = INFINITY, hi = -INFINITY;
            fputs("<tr><th>", f);
            esc(f, row);
            fputs("</th>", f);
            json_array_foreach(a, i, o)
            {
                const json_t *x = json_object_get(json_object_get(o, c), row);
                fputs("<td class=\"n\">", f);
                if (x)
                    value(f, x);
                fputs("</td>", f);
                if (x && numeric(x)) {
                    lo = fmin(lo, json_number_value(x));
                    hi = fmax(hi, json_number_value(x));
                }
            }
            if (range) {
                fputs("<td class=\"n\">", f);
                if (lo <= hi) {
                    number(f, lo);
                    fputs(" \xE2\x80\xA6 ", f);
                    number(f, hi);
                }
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    /* the nested fields item by item: a section for each (a stage, a point) */
    if (json_object_size(nested) > 0)
        json_array_foreach(a, i, o)
        {
            char buf[32];
            int h = depth + 3 > 6 ? 6 : depth + 3;
            fprintf(f, "<section><h%d>", h);
            esc(f, item_name(o, i, buf, sizeof buf));
            fprintf(f, "</h%d>\n", h);
            json_object_foreach(nested, c, unused)
            {
                const json_t *x = json_object_get(o, c);
                if (!x || json_is_null(x) || (json_is_array(x) && json_array_size(x) == 0))
                    continue;
                render(f, c, x, depth + 2);
            }
            fputs("</section>\n", f);
        }
    json_decref(cols);
    json_decref(maps);
    json_decref(nested);
}

/* An object: its scalar fields as a two-column table, then its nested fields. */
static void object(FILE *f, const json_t *o, int depth)
{
    const char *k;
    const json_t *x;
    int any = 0;
    json_object_foreach((json_t *)o, k, x) if (flat(x) || number_map(x))
    {
        if (!any)
            fputs("<div class=\"scroll\"><table class=\"kv\">\n<tbody>\n", f);
        any = 1;
        fputs("<tr><th>", f);
        heading(f, k);
        fprintf(f, "</th><td%s>", numeric(x) ? " class=\"n\"" : long_text(x) ? " class=\"w\"" : "");
        value(f, x);
        fputs("</td></tr>\n", f);
    }
    if (any)
        fputs("</tbody></table></div>\n", f);
    json_object_foreach((json_t *)o, k, x) if (!(flat(x) || number_map(x)))
        render(f, k, x, depth + 1);
}

static void render(FILE *f, const char *key, const json_t *v, int depth)
{
    if (!v || json_is_null(v) || strcmp(key, "warnings") == 0 || strcmp(key, "tradewar") == 0)
        return;
    int h = depth + 2 > 6 ? 6 : depth + 2;
    if (key[0]) {
        fprintf(f, "<section><h%d>", h);
        heading(f, key);
        fprintf(f, "</h%d>\n", h);
    }
    if (json_is_object(v))
        object(f, v, depth);
    else if (json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0)))
        object_array(f, key, v, depth);
    else {
        fputs("<p>", f);
        value(f, v);
        fputs("</p>\n", f);
    }
    if (key[0])
        fputs("</section>\n", f);
}

/* ---- the question and the answer ------------------------------------------------------- */

static double num_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str_at(const json_t *o, const char *key, const char *dflt)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The two economies whose welfare moves most in a code -> % map. */
static void two_largest(const json_t *map, const char **a, const char **b)
{
    double ma = -1, mb = -1;
    const char *k;
    const json_t *x;
    *a = *b = NULL;
    json_object_foreach((json_t *)map, k, x)
    {
        double v = json_is_number(x) ? fabs(json_number_value(x)) : -1;
        if (v > ma) {
            mb = ma, *b = *a;
            ma = v, *a = k;
        } else if (v > mb) {
            mb = v, *b = k;
        }
    }
}

/* "China (-0.202%)" -- a code's change from a map, under the economy's name */
static int say(const tw_model *m, char *buf, size_t size, const json_t *map, const char *code)
{
    if (!code)
        return snprintf(buf, size, "(none)");
    const char *name = code;
    for (size_t i = 0; m && i < tw_model_countries(m); i++)
        if (strcmp(tw_model_country_code(m, i), code) == 0)
            name = tw_model_country_name(m, i);
    return snprintf(buf, size, "%s (%+.3g%%)", name, json_number_value(json_object_get(map, code)));
}

void html_question_answer(const html_page *p, char *q, size_t qs, char *a, size_t as)
{
    const json_t *j = p->json, *hdr = json_object_get(j, "tradewar");
    const char *scen = str_at(hdr, "scenario_name", p->title ? p->title : "the scenario");
    const char *cmd = p->command;
    snprintf(q, qs, "What does %s do?", scen);
    snprintf(a, as, "The tables below give every economy's changes.");
    char x[160], y[160];
    if (strcmp(cmd, "report") == 0) {
        const json_t *cs = json_object_get(j, "comparisons");
        const json_t *c = json_array_get(cs, json_array_size(cs) ? json_array_size(cs) - 1 : 0);
        if (!c)
            return;
        snprintf(q, qs, "%s: what does each stage change, compared with \"%s\"?", scen,
                 str_at(c, "from_stage", "the first stage"));
        json_t *map = json_object();
        size_t i;
        const json_t *row;
        json_array_foreach(json_object_get(c, "countries"), i, row)
            json_object_set_new(map, str_at(row, "code", "?"),
                                json_real(num_at(row, "welfare_pct")));
        const char *ka, *kb;
        two_largest(map, &ka, &kb);
        say(p->model, x, sizeof x, map, ka);
        say(p->model, y, sizeof y, map, kb);
        /* the elasticity range of the economy that moves most */
        double lo = INFINITY, hi = -INFINITY;
        const json_t *v;
        json_array_foreach(json_object_get(c, "sensitivity"), i, v)
        {
            double w = num_at(json_object_get(v, "welfare_pct"), ka ? ka : "");
            if (isfinite(w))
                lo = fmin(lo, w), hi = fmax(hi, w);
        }
        char r[160] = "";
        if (lo <= hi)
            snprintf(r, sizeof r,
                     "; under the other elasticities the first one's change lies "
                     "between %.3g%% and %.3g%%",
                     lo, hi);
        snprintf(a, as, "After \"%s\", welfare (real income) moves most in %s and %s%s.",
                 str_at(c, "stage", "the last stage"), x, y, r);
        json_decref(map);
    } else if (strcmp(cmd, "timeline") == 0) {
        const json_t *st = json_object_get(j, "stages");
        const json_t *last = json_array_get(st, json_array_size(st) ? json_array_size(st) - 1 : 0);
        snprintf(q, qs, "%s: where does each stage leave every economy?", scen);
        if (!last)
            return;
        const json_t *map = json_object_get(last, "welfare_pct");
        const char *ka, *kb;
        two_largest(map, &ka, &kb);
        say(p->model, x, sizeof x, map, ka);
        say(p->model, y, sizeof y, map, kb);
        snprintf(a, as,
                 "After the last stage (\"%s\", %s), welfare differs most from the base "
                 "economy in %s and %s.",
                 str_at(last, "stage", "?"), str_at(last, "date", "?"), x, y);
    } else if (strcmp(cmd, "sweep") == 0) {
        const json_t *pt = json_array_get(json_object_get(j, "points"), 0);
        snprintf(q, qs, "How much do the welfare changes hinge on the elasticities?");
        const json_t *best = NULL;
        double m = -1;
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(pt, "countries"), i, c)
        {
            double v = fabs(num_at(json_object_get(c, "welfare_pct"), "mean"));
            if (!isfinite(v))
                v = fabs(num_at(json_object_get(c, "welfare_pct"), "central"));
            if (v > m)
                m = v, best = c;
        }
        if (!best)
            return;
        const json_t *w = json_object_get(best, "welfare_pct");
        double mean = num_at(w, "mean"), lo = NAN, hi = NAN;
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)w, k, v)
        {
            if (k[0] == 'q' && json_is_number(v)) {
                if (isnan(lo))
                    lo = json_number_value(v);
                hi = json_number_value(v);
            }
        }
        if (isfinite(mean) && isfinite(lo))
            snprintf(a, as,
                     "At %s, %s's welfare moves most: %+.3g%% on average over the draws, "
                     "from %.3g%% to %.3g%% between the outer quantiles.",
                     str_at(pt, "label", "the first point"), str_at(best, "name", "?"), mean, lo,
                     hi);
        else
            snprintf(a, as, "At %s, %s's welfare moves most: %+.3g%% with the data's elasticities.",
                     str_at(pt, "label", "the first point"), str_at(best, "name", "?"),
                     num_at(w, "central"));
    } else {
        static const struct {
            const char *cmd, *q;
        } qs_[] = {{"optimal",
                    "Which policy would a government choose for itself, and what would it do?"},
                   {"war", "Where does an all-out tariff war end?"},
                   {"talks", "What could trade talks gain over the tariff war?"},
                   {"enforce", "Does the agreement enforce itself?"}};
        for (size_t k = 0; k < sizeof qs_ / sizeof qs_[0]; k++)
            if (strcmp(cmd, qs_[k].cmd) == 0)
                snprintf(q, qs, "%s", qs_[k].q);
        json_t *map = json_object();
        size_t i;
        const json_t *row;
        json_array_foreach(json_object_get(j, "countries"), i, row)
        {
            const json_t *pl = json_object_get(row, "player");
            if (pl && json_is_false(pl))
                continue;
            double w = num_at(row, "welfare_pct");
            if (isfinite(w))
                json_object_set_new(map, str_at(row, "code", "?"), json_real(w));
        }
        const char *ka, *kb;
        two_largest(map, &ka, &kb);
        const json_t *ag = json_object_get(j, "agreement");
        if (strcmp(cmd, "enforce") == 0 && ag) {
            /* enforceable: every player's own verdict */
            int all = 1, any = 0;
            json_array_foreach(json_object_get(j, "countries"), i, row)
            {
                const json_t *e = json_object_get(row, "enforceable");
                if (json_is_boolean(e)) {
                    any = 1;
                    all &= json_is_true(e);
                }
            }
            double dc = num_at(ag, "critical_discount"), delta = num_at(j, "delta");
            if (any)
                snprintf(a, as, "%s: %s (critical discount factor %.3g%s%s).",
                         all ? "Yes, the agreement enforces itself"
                             : "No, the agreement does not enforce itself",
                         all ? "no player gains by deviating once punished"
                             : "some player gains by deviating",
                         dc, isfinite(delta) ? " against a discount factor of " : "",
                         isfinite(delta) ? (snprintf(y, sizeof y, "%.3g", delta), y) : "");
        } else if (ka) {
            say(p->model, x, sizeof x, map, ka);
            if (kb)
                say(p->model, y, sizeof y, map, kb);
            snprintf(a, as,
                     "Welfare (real income) changes most in %s%s%s (the tables give every "
                     "economy, tariff and the solver's status).",
                     x, kb ? " and " : "", kb ? y : "");
        }
        json_decref(map);
    }
}

/* ---- the page ----------------------------------------------------------------------- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0 auto;max-width:1100px;"
    "padding:12px;color:#1a1a1a;line-height:1.45;font-size:15px}"
    "h1{font-size:1.45em;margin:.3em 0}h2{font-size:1.2em;margin-top:1.4em;"
    "border-bottom:1px solid #ccc}h3,h4,h5,h6{font-size:1em;margin:1em 0 .3em}"
    ".question{font-size:1.1em;color:#444}.answer{font-size:1.15em;font-weight:bold;"
    "background:#eef5fb;border-left:4px solid #0072B2;padding:8px 12px}"
    ".warnings{background:#fff4e0;border-left:4px solid #E69F00;padding:6px 12px}"
    "figure{margin:1em 0;overflow-x:auto}"
    "figure svg{width:100%;min-width:560px;height:auto;display:block}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;margin:.4em 0;font-size:.9em}"
    "th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px;text-align:left;vertical-align:top;"
    "white-space:nowrap}td.w{white-space:normal;min-width:14em;overflow-wrap:break-word}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "thead th{background:#f3f3f3}table.kv th{font-weight:normal;color:#444}"
    "footer{color:#555;font-size:.85em;margin-top:2em}"
    "@media (max-width:600px){body{font-size:14px;padding:8px}table{font-size:.85em}}";

static void warnings(FILE *f, const json_t *j)
{
    /* every "warnings" list, at any depth */
    if (json_is_object(j)) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            if (strcmp(k, "warnings") == 0 && json_is_array(v) && json_array_size(v) > 0) {
                size_t i;
                const json_t *w;
                fputs("<div class=\"warnings\" role=\"note\"><strong>Warnings</strong><ul>\n", f);
                json_array_foreach(v, i, w)
                {
                    fputs("<li>", f);
                    if (json_is_object(w) && json_is_string(json_object_get(w, "message")))
                        esc(f, json_string_value(json_object_get(w, "message")));
                    else
                        value(f, w);
                    fputs("</li>\n", f);
                }
                fputs("</ul></div>\n", f);
            } else
                warnings(f, v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        const json_t *v;
        json_array_foreach(j, i, v) warnings(f, v);
    }
}

static int page(FILE *f, const html_page *p)
{
    const json_t *j = p->json, *hdr = json_object_get(j, "tradewar");
    char q[1024], a[2048];
    html_question_answer(p, q, sizeof q, a, sizeof a);
    const char *title = p->title ? p->title : str_at(hdr, "scenario_name", p->command);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"tradewar " TW_VERSION_STRING "\">\n<title>",
          f);
    esc(f, title);
    fprintf(f, " \xE2\x80\x94 tradewar %s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
            p->command, css);
    fputs("<h1>", f);
    esc(f, title);
    fputs("</h1>\n<p class=\"question\">", f);
    esc(f, q);
    fputs("</p>\n<p class=\"answer\">", f);
    esc(f, a);
    fputs("</p>\n", f);
    warnings(f, j);
    if (p->charts && p->charts->n > 0) {
        fputs("<section><h2>Charts</h2>\n", f);
        for (size_t k = 0; k < p->charts->n; k++) {
            fputs("<figure class=\"chart\">\n", f);
            fputs(p->charts->svg[k], f);
            fputs("</figure>\n", f);
        }
        fputs("</section>\n", f);
    }
    fputs("<section><h2>Results</h2>\n", f);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (strcmp(k, "tradewar") != 0 && strcmp(k, "warnings") != 0)
            render(f, k, v, 1);
    }
    fputs("</section>\n", f);
    if (hdr) {
        fputs("<section><h2>Data and provenance</h2>\n", f);
        object(f, hdr, 1);
        fputs("</section>\n", f);
    }
    fputs("</main>\n<footer>Written by tradewar " TW_VERSION_STRING " (tradewar ", f);
    esc(f, p->command);
    fputs("). Every number on this page is in the command's JSON output; the data set's "
          "checksum above identifies the data.</footer>\n</body>\n</html>\n",
          f);
    return ferror(f) ? -1 : 0;
}

int html_write(const char *path, const html_page *p, char *why, size_t size)
{
    char dir[4096];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (!*base) {
        snprintf(why, size, "%s: --html names a file, not a directory", path);
        return -1;
    }
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) > 0 ? (int)(slash - path) : 1, path);
    else
        snprintf(dir, sizeof dir, ".");
    file_batch *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    int st = batch_begin(b, dir, 1, why, size);
    FILE *f = st == 0 ? batch_open(b, base, why, size) : NULL;
    if (st == 0 && !f)
        st = -1;
    if (f) {
        st = page(f, p);
        if (batch_close(f, base, why, size) != 0)
            st = -1;
        else if (st != 0)
            snprintf(why, size, "cannot write %s", path);
    }
    if (st == 0)
        st = batch_commit(b, why, size);
    else
        batch_abort(b);
    free(b);
    return st;
}
