/* cmd_gravity_elasticities.c - `tradewar gravity elasticities`: trade
 * elasticities from tariffs (placeholder until written). */
#include "gravity.h"

int cmd_gravity_elasticities(int argc, char **argv, int first, cli_ctx ctx)
{
    (void)argc;
    (void)argv;
    (void)first;
    (void)ctx;
    return cli_usage_error("gravity", "elasticities: not yet available");
}
