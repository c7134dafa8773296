/*
 * A query-pack plugin in C: two queries on Punie's read_file tool and a
 * custom check (the model must read the file the user named, not another).
 * Build: cc -shared -fPIC -I plugins/include -o libc_example.so c_example.c
 *
 * Compile-time switches used by punie-eval's tests to build deliberately
 * broken plugins from this same source:
 *   -DBROKEN_ABI      reports ABI version 999
 *   -DBROKEN_JSON     hands over a pack that is not JSON
 *   -DBROKEN_NULL     returns NULL instead of a pack
 *   -DBROKEN_NO_FREE  does not export punie_plugin_free
 */
#include <stdlib.h>
#include <string.h>
#include "punie_eval_plugin.h"

static const char PACK[] =
    "{\"pack\": {\"id\": \"c-example\", \"version\": \"1\","
    " \"description\": \"read_file from both sides, written in C\","
    " \"toolset\": \"punie-phase27\"},"
    " \"query\": ["
    "  {\"id\": \"read-config\", \"user\": \"Show me the contents of pyproject.toml.\","
    "   \"expect\": {\"tool\": \"read_file\"}},"
    "  {\"id\": \"explain-toml\", \"user\": \"What is TOML?\", \"expect\": \"direct\"}"
    " ]}";

static char *copy(const char *s) {
    size_t n = strlen(s) + 1;
    char *out = malloc(n);
    if (out) memcpy(out, s, n);
    return out;
}

uint32_t punie_plugin_abi_version(void) {
#ifdef BROKEN_ABI
    return 999u;
#else
    return PUNIE_PLUGIN_ABI_VERSION;
#endif
}

const char *punie_plugin_manifest(void) {
    return "{\"id\": \"c-example\", \"version\": \"1.0.0\","
           " \"description\": \"a query pack plugin written in C\"}";
}

char *punie_plugin_pack(void) {
#if defined(BROKEN_NULL)
    return NULL;
#elif defined(BROKEN_JSON)
    return copy("{\"pack\": {\"id\": \"c-example\",");
#else
    return copy(PACK);
#endif
}

#ifndef BROKEN_NO_FREE
void punie_plugin_free(char *s) { free(s); }
#endif

/* The rule: for read-config, a read_file call must name pyproject.toml.
 * A substring test on the verdict JSON keeps this example free of a JSON
 * library; a real plugin would parse the verdict. */
char *punie_plugin_check(const char *query_id, const char *verdict_json) {
    if (!query_id || !verdict_json) return copy("{\"error\": \"null argument\"}");
    if (strcmp(query_id, "read-config") != 0 || !strstr(verdict_json, "\"read_file\""))
        return copy("{\"pass\": true, \"message\": \"\", \"skip\": true}");
    if (strstr(verdict_json, "pyproject.toml"))
        return copy("{\"pass\": true, \"message\": \"read pyproject.toml\"}");
    return copy("{\"pass\": false, \"message\": \"read_file did not name pyproject.toml\"}");
}
