/* status.c - status codes, error messages, small utilities. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_messages[] = {
#define TW_X_MSG(name, msg) msg,
    TW_STATUS_LIST(TW_X_MSG)
#undef TW_X_MSG
};

static const char *const outcome_names[] = {
#define TW_X_KEY(name, key, desc) key,
    TW_OUTCOME_LIST(TW_X_KEY)
#undef TW_X_KEY
};

static const char *const outcome_descriptions[] = {
#define TW_X_DESC(name, key, desc) desc,
    TW_OUTCOME_LIST(TW_X_DESC)
#undef TW_X_DESC
};

const char *tw_outcome_name(tw_outcome o)
{
    if ((int)o < 0 || o >= TW_OUTCOME_COUNT)
        return "unknown";
    return outcome_names[o];
}

const char *tw_outcome_description(tw_outcome o)
{
    if ((int)o < 0 || o >= TW_OUTCOME_COUNT)
        return "unknown outcome";
    return outcome_descriptions[o];
}

tw_outcome tw_outcome_from_name(const char *name)
{
    for (int o = 0; name && o < TW_OUTCOME_COUNT; o++)
        if (strcmp(name, outcome_names[o]) == 0)
            return (tw_outcome)o;
    return TW_OUTCOME_COUNT;
}

const char *tw_version(void) { return TW_VERSION_STRING; }

const char *tw_strerror(tw_status status)
{
    if ((int)status < 0 || status >= TW_STATUS_COUNT)
        return "unknown status";
    return status_messages[status];
}

tw_status tw_fail(tw_error *err, tw_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

double tw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void *tw_calloc(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return calloc(n, size);
}
