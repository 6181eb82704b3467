/* io_any.c - load whatever a directory holds, detected by the files present. */
#include "io_csv.h"

#include <stdio.h>

static int has_file(const char *dir, const char *file)
{
    char path[4096];
    if (tw_path_join(path, sizeof path, dir, file, NULL) != TW_OK)
        return 0;
    return tw_file_exists(path); /* never opened here: a FIFO would block */
}

tw_status tw_load_any(const char *dir, tw_model **out, tw_error *err)
{
    if (!dir || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_load_any: no directory or output");
    *out = NULL;
    if (has_file(dir, "manifest.yaml"))
        return tw_load_dataset(dir, out, err);
    if (has_file(dir, "xbilat1993.txt") || has_file(dir, "balanced/xbilat1993.txt"))
        return tw_load_cp1993(dir, out, err);
    if (has_file(dir, "TradeFlow2017.csv"))
        return tw_load_uschina(dir, out, err);
    if (has_file(dir, "trade_ijs.csv"))
        return tw_load_ossa(dir, 1, out, err);
    return tw_fail(err, TW_ERR_IO,
                   "%s: no data set found: looked for manifest.yaml (tradewar data set), "
                   "xbilat1993.txt or balanced/xbilat1993.txt (cp1993), TradeFlow2017.csv "
                   "(us-china-2017) and trade_ijs.csv (ossa2007)",
                   dir);
}
