//! Every integration test in one binary (one link instead of one per
//! file), one module per file, named after the room of `src/` it tests:
//! `cargo test --test it parse_formats::` runs one file's tests. The MLX
//! operation tests (`mlx_ops`) stay a binary of their own: they read MLX's
//! process-wide memory counters, which other tests' models would move.

mod chat_support;
mod cli_support;
mod plugin_support;

mod bench_cli;
mod chat_errors;
mod chat_fixtures;
mod compare_cli;
mod exit_policy;
mod fuzz;
mod gguf_dequant;
mod gguf_import;
mod gguf_provision;
mod gguf_reader;
mod gguf_real_model;
mod hardening;
mod import_bfcl;
mod layering;
mod model_batch;
mod model_load;
mod parity;
mod parse_corpus;
mod parse_field;
mod parse_formats;
mod parse_hardening;
mod parse_profiles;
mod parse_schemas;
mod plugin_cli;
mod plugin_load;
mod process_exit;
mod real_model;
mod report_formats;
mod run_backend;
mod run_limits;
mod run_replay;
mod run_resume;
mod run_shipped_packs;
mod score_failures;
mod score_matching;
mod score_metrics;
mod score_query;
mod suite_load;
mod suite_query_tools;
mod suite_schema;
