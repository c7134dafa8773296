//! Making model folders — the tooling around the runtime, apart from it:
//! [`default`] imports the default real model into the cache, [`synth`]
//! writes random-weight folders of any architecture, [`quantize`] is the
//! GGUF importer's MLX re-quantizing sink. Errors are the runtime's
//! ([`crate::model::Error`]): these write what `model` loads.

pub mod default;
pub mod quantize;
pub mod synth;
