//! GGUF: reading llama.cpp's model files, dequantizing ggml's block types to
//! f32, and turning a GGUF model into an MLX model folder (mlx-lm tensor
//! names, config.json, tokenizer.json, chat template) one tensor at a time.
//! See docs/gguf.md.
//!
//! - [`reader`]: header, metadata, tensor table; tensor data on demand.
//! - [`dequant`]: ggml blocks → f32, one file per block family.
//! - [`names`]: GGUF tensor names → mlx-lm names (and llama's Q/K un-permute).
//! - [`config`]: config.json / generation_config.json from metadata.
//! - [`tokenizer`]: tokenizer.json / tokenizer_config.json from metadata.
//! - [`import`]: [`GgufModel`], the checked, streaming tensor iterator.
//! - [`sink`], [`shards`], [`folder`]: [`write_mlx_folder`].
//! - [`writer`]: a GGUF writer for tests.

pub mod config;
pub mod dequant;
mod error;
pub mod folder;
mod ggml_type;
pub mod import;
pub mod names;
pub mod reader;
pub mod shards;
pub mod sink;
pub mod tokenizer;
mod value;
pub mod writer;

pub use config::{HyperParams, MoeHyperParams};
pub use error::{GgufError, Result, ShardError};
pub use folder::{write_mlx_folder, write_mlx_folder_with, FolderOptions, FolderSummary};
pub use ggml_type::GgmlType;
pub use import::{GgufModel, MlxTensor};
pub use names::Arch;
pub use reader::{GgufFile, TensorInfo, MAX_METADATA_ELEMENTS};
pub use sink::{FloatType, StoredTensor, TensorSink, Unquantized};
pub use value::{Value, ValueType};
pub use writer::GgufWriter;
