/*
 * html.h - one self-contained HTML page of a command's result (--html FILE):
 * the question, the answer in a sentence, the warnings, the charts inline as
 * SVG, every table of the command's JSON result, and where the data came
 * from. No script, no font, no network access: it opens offline, and its CSS
 * reflows for a phone. Written all or nothing through cli/outdir.h.
 */
#ifndef TW_CLI_HTML_H
#define TW_CLI_HTML_H

#include "plot.h"
#include "tradewar.h"

#include <jansson.h>
#include <stddef.h>

typedef struct html_page {
    const char *command;        /* "report", "timeline", "sweep", "optimal", ... */
    const char *title;          /* the page's title (the scenario's name), or NULL */
    const json_t *json;         /* the command's JSON result (borrowed) */
    const plot_capture *charts; /* SVG charts to show inline, or NULL */
    const tw_model *model;      /* economies' names for the answer (codes when NULL) */
} html_page;

/* Write the page to `path` (its directory is created when missing). 0, or -1
 * with `why`. */
int html_write(const char *path, const html_page *p, char *why, size_t size);

/* The question and the one-sentence answer the page opens with, from the
 * command's JSON; into q and a. */
void html_question_answer(const html_page *p, char *q, size_t qsize, char *a, size_t asize);

#endif
