//! Importers: other benchmarks' data as query packs.

pub mod bfcl;
