/*
 * sweep_store.c - a sweep's output directory: run.json (the run's identity,
 * written when new and compared when present, so that a rerun resumes only
 * the same sweep) beside the library's record file, records.twr
 * (tw_sweep_open_store), which is keyed by the same identity's text.
 */
#include "sweep.h"
#include "outdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t k = 0; k < len; k++) {
        h ^= b[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int fail(char *why, size_t size, const char *what, const char *path)
{
    snprintf(why, size, "%s %s: %s", what, path, strerror(errno));
    return -1;
}

/* The first key whose value differs, for the message. */
static void describe_difference(json_t *there, json_t *here, char *buf, size_t size)
{
    const char *key;
    json_t *v;
    json_object_foreach(here, key, v)
    {
        json_t *w = json_object_get(there, key);
        if (w && json_equal(v, w))
            continue;
        char *a = w ? json_dumps(w, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)
                    : NULL;
        char *b = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);
        snprintf(buf, size, "%s: %.120s there, %.120s here", key, a ? a : "(missing)", b ? b : "?");
        free(a);
        free(b);
        return;
    }
    snprintf(buf, size, "a key present there is missing here");
}

/* run.json: written when new (atomically), compared when present. */
/* A store's file that exists must be a regular file: a FIFO or a device in
 * its place would block or never end (issue 14). */
static int irregular(const char *path, char *why, size_t size)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(why, size, "%s is not a regular file", path);
        return 1;
    }
    return 0;
}

static int check_identity(const char *dir, json_t *identity, char *why, size_t size)
{
    char path[4200], tmp[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    if (irregular(path, why, size))
        return -1;
    json_error_t jerr;
    json_t *old = json_load_file(path, 0, &jerr);
    if (old) {
        json_t *id = json_object_get(old, "identity");
        int same = id && json_equal(id, identity);
        if (!same) {
            char diff[400];
            describe_difference(id ? id : old, identity, diff, sizeof diff);
            snprintf(why, size,
                     "%s holds another sweep (%s): rerun the command that made it, or "
                     "use another --output",
                     dir, diff);
        }
        json_decref(old);
        return same ? 0 : -2;
    }
    if (access(path, F_OK) == 0) {
        snprintf(why, size, "%s: %d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return -2;
    }
    json_t *doc = json_pack("{s:s, s:O}", "tradewar", TW_VERSION_STRING, "identity", identity);
    snprintf(tmp, sizeof tmp, "%s/.run.json.tmp", dir);
    int st = doc && json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) == 0 ? 0
                                                                                            : -1;
    json_decref(doc);
    if (st != 0 || rename(tmp, path) != 0)
        return fail(why, size, "cannot write", path);
    return 0;
}

int sweep_open_output(tw_sweep *sw, const char *dir, json_t *identity)
{
    char why[9000];
    struct stat sb;
    int rc = batch_make_parents(dir, why, sizeof why);
    if (rc == 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
        rc = fail(why, sizeof why, "cannot create directory", dir);
    if (rc == 0 && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        snprintf(why, sizeof why, "%s is not a directory", dir);
        rc = -1;
    }
    if (rc == 0)
        rc = check_identity(dir, identity, why, sizeof why);
    if (rc != 0) {
        cli_error("%s", why);
        return rc == -2 ? CLI_USAGE : CLI_FAILURE;
    }
    char *text = json_dumps(identity, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!text) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    tw_error err = {0};
    tw_status st = tw_sweep_open_store(sw, dir, text, &err);
    free(text);
    if (st == TW_OK)
        return CLI_OK;
    cli_error("%s", err.message);
    return st == TW_ERR_DATA ? CLI_USAGE : CLI_FAILURE;
}
