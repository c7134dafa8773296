/*
 * punie_eval_plugin.h — the C ABI of punie-eval query-pack plugins.
 *
 * A plugin is a shared library (.so / .dylib / .dll) that hands punie-eval a
 * query pack as JSON, optionally with extra tool schemas, and optionally
 * judges each query's verdict with a rule a JSON expectation cannot express.
 * punie-eval loads a plugin only when the user names it (--plugin PATH or
 * --plugin-dir DIR); see docs/plugins.md.
 *
 * ABI version 1. punie-eval refuses a plugin whose
 * punie_plugin_abi_version() differs from the version it was built for.
 *
 * Strings are NUL-terminated UTF-8. No function may unwind (throw, panic,
 * longjmp) across this boundary: report failures in-band, as
 * {"error": "what went wrong"} (see below).
 *
 * Required symbols:
 *   punie_plugin_abi_version, punie_plugin_manifest, punie_plugin_pack,
 *   punie_plugin_free
 * Optional symbol:
 *   punie_plugin_check
 */
#ifndef PUNIE_EVAL_PLUGIN_H
#define PUNIE_EVAL_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PUNIE_PLUGIN_ABI_VERSION 1u

#if defined(_WIN32)
#define PUNIE_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PUNIE_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Returns PUNIE_PLUGIN_ABI_VERSION (the version the plugin was written for).
 * Called first; nothing else is called on a mismatch. */
PUNIE_PLUGIN_EXPORT uint32_t punie_plugin_abi_version(void);

/* Returns the manifest, a JSON object owned by the plugin and valid for as
 * long as the library is loaded (punie-eval never frees it):
 *   {"id": "git", "version": "1.0.0", "description": "…"}
 * `id` is the pack id the plugin's pack must carry. */
PUNIE_PLUGIN_EXPORT const char *punie_plugin_manifest(void);

/* Returns the pack as a newly allocated JSON string, released by
 * punie_plugin_free. The format is the query-pack format of
 * docs/query-packs.md in JSON ({"pack": {…}, "query": [{…}, …]}), plus an
 * optional top-level "tools" array of tool schemas (JSON Schema 2020-12
 * objects with "x-tool-name", as in schemas/tools/*.json) that are added to
 * the pack's toolset. On failure return {"error": "why"} instead. */
PUNIE_PLUGIN_EXPORT char *punie_plugin_pack(void);

/* Releases a string returned by punie_plugin_pack or punie_plugin_check. */
PUNIE_PLUGIN_EXPORT void punie_plugin_free(char *s);

/* Optional: a custom check, called after scoring for every query of the
 * plugin's pack that produced a completion. `query_id` is the query's id,
 * `verdict_json` the verdict (kind, calls with name/arguments/valid, notes;
 * see src/parse/verdict.rs). Returns a newly allocated JSON string released
 * by punie_plugin_free:
 *   {"pass": true|false, "message": "why"}   -- a failed check fails the query
 *   {"pass": true, "message": "", "skip": true} -- no rule for this query
 *   {"error": "why"}                          -- the check itself failed
 * NULL is treated as an error. */
PUNIE_PLUGIN_EXPORT char *punie_plugin_check(const char *query_id, const char *verdict_json);

#ifdef __cplusplus
}
#endif

#endif /* PUNIE_EVAL_PLUGIN_H */
