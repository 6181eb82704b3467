/* io_yaml.c - checks of YAML text before it is loaded (io_yaml.h).
 * libyaml has no nesting limit, and its scanner slows down with depth
 * (tens of seconds for a manifest nested thousands of levels deep); the
 * event scan below stops at the first collection beyond the limit. */
#include "io_yaml.h"

#include <yaml.h>

tw_status tw_yaml_precheck(const char *name, const char *text, size_t len, tw_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    tw_status st = TW_OK;
    int depth = 0, documents = 0, done = 0;
    while (!done && st == TW_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break; /* the loader reports syntax errors with its context */
        size_t line = ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > TW_LIMIT_YAML_DEPTH)
                st = tw_fail(err, TW_ERR_DATA,
                             "%s:%zu: YAML nested more than %d levels deep "
                             "(TW_LIMIT_YAML_DEPTH)",
                             name, line, TW_LIMIT_YAML_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: more than one YAML document", name, line);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return st;
}
