//! GGUF: reading llama.cpp's model files, dequantizing ggml's block types to
//! f32, and turning a GGUF model into an MLX model folder (mlx-lm tensor
//! names, config.json, tokenizer.json, chat template) one tensor at a time.
//! See docs/gguf.md.

pub mod dequant;
mod error;
mod ggml_type;
pub mod reader;
mod value;
pub mod writer;

pub use error::{GgufError, Result};
pub use ggml_type::GgmlType;
pub use reader::{GgufFile, TensorInfo};
pub use value::{Value, ValueType};
pub use writer::GgufWriter;
