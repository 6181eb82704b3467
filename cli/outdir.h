/*
 * outdir.h - output directories written all or none: every command's
 * --output (solve, report, timeline, the strategic commands) and a sweep's
 * summary files. Each file is written under a temporary name in the
 * directory (".NAME.XXXXXX") and renamed onto its name only when every file
 * of the batch is complete, so a failure leaves no half-written file behind
 * and the files of a directory always come from one run.
 */
#ifndef TW_CLI_OUTDIR_H
#define TW_CLI_OUTDIR_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* A batch holds as many files as a run writes (a report writes two charts per
 * stage, and scenarios may have up to TW_LIMIT_STAGES stages); BATCH_MAX only
 * stops a runaway loop. The entries grow on demand and are released by
 * batch_commit and batch_abort. */
#define BATCH_MAX 100000
typedef struct batch_entry {
    char tmp[4200], fin[4200];
} batch_entry;
typedef struct file_batch {
    char dir[4096];
    batch_entry *e;
    size_t n, cap;
} file_batch;

/* Create the missing parents of DIR (not DIR itself), like mkdir -p on its
 * parent. 0 or -1 with `why`. */
int batch_make_parents(const char *dir, char *why, size_t size);
/* Create DIR when missing (with its missing parents when `parents`, like
 * mkdir -p). 0 or -1 with `why`. */
int batch_begin(file_batch *b, const char *dir, int parents, char *why, size_t size);
/* A new file NAME in the batch, open for writing under a temporary name; NULL
 * with `why` (also when DIR/NAME is a directory: the rename would fail late). */
FILE *batch_open(file_batch *b, const char *name, char *why, size_t size);
/* Close f (opened by batch_open); -1 with `why` on a write error. */
int batch_close(FILE *f, const char *name, char *why, size_t size);
/* A temporary path in the batch for NAME, written by someone else (a chart:
 * plot.c writes it, itself atomically); renamed onto DIR/NAME by
 * batch_commit with the other files, removed by batch_abort. The path keeps
 * NAME's extension and is owned by the batch, valid until the next batch call.
 * NULL with `why`. */
const char *batch_reserve(file_batch *b, const char *name, char *why, size_t size);
/* "DIR/NAME" into buf. */
const char *batch_path(const file_batch *b, const char *name, char *buf, size_t size);
/* Rename every temporary file onto its name; on failure, or for abort, remove them. */
int batch_commit(file_batch *b, char *why, size_t size);
void batch_abort(file_batch *b);
/* Write j (borrowed) as the batch's file NAME; 0 or -1 with `why`. */
int batch_json(file_batch *b, const char *name, const json_t *j, char *why, size_t size);
/* Commit the batch when st == 0, else abort it; frees b. On failure says why
 * on stderr (naming `output`). Returns CLI_OK or CLI_FAILURE. */
int batch_finish(file_batch *b, int st, const char *output, char *why, size_t size);

/* A file of a fixed set: its name and what writes it (0, or -1 on failure). */
typedef struct batch_file {
    const char *name;
    int (*write)(FILE *f, void *user);
} batch_file;
/* The n files added to a begun batch (not committed). 0 or -1 with `why`. */
int batch_add_files(file_batch *b, const batch_file *files, size_t n, void *user, char *why,
                    size_t size);
/* Remove the batch's last file (opened or reserved) and its temporary file. */
void batch_drop_last(file_batch *b);
/* The n files into DIR, all or none (batch_begin .. batch_commit). 0 or -1
 * with `why`. */
int batch_write_files(const char *dir, int parents, const batch_file *files, size_t n, void *user,
                      char *why, size_t size);

#endif
