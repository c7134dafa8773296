//! What happens to each dequantized tensor on its way into the MLX folder.
//! [`Unquantized`] stores it as f32/f16/bf16; the MLX side plugs in its own
//! sink to re-quantize to MLX affine bits (weight + scales + biases).

use super::import::MlxTensor;
use serde_json::{Map, Value};

pub use safetensors::Dtype;

/// One tensor as it goes into a safetensors shard.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTensor {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Little-endian element bytes, row-major.
    pub data: Vec<u8>,
}

pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

pub trait TensorSink {
    /// The tensors stored for `tensor` (one, or e.g. weight/scales/biases).
    fn convert(&mut self, tensor: MlxTensor) -> Result<Vec<StoredTensor>, SinkError>;

    /// config.json's `torch_dtype` for the unquantized parameters.
    fn torch_dtype(&self) -> &'static str;

    /// Keys merged into config.json after the last tensor (e.g. `quantization`).
    fn config_extras(&self) -> Map<String, Value> {
        Map::new()
    }

    /// Called after each tensor is stored, for a progress bar.
    fn progress(&mut self, _done: usize, _total: usize, _tensor: &str) {}
}

/// Floating-point storage types for unquantized tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatType {
    F32,
    F16,
    BF16,
}

/// Stores every tensor unquantized, rounded to nearest-even for f16/bf16.
#[derive(Debug, Clone, Copy)]
pub struct Unquantized(pub FloatType);

/// `values` as little-endian bytes of `ty`.
pub fn encode(values: &[f32], ty: FloatType) -> Vec<u8> {
    match ty {
        FloatType::F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        FloatType::F16 => values
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect(),
        FloatType::BF16 => values
            .iter()
            .flat_map(|&v| half::bf16::from_f32(v).to_le_bytes())
            .collect(),
    }
}

/// A `--dtype` that names no [`FloatType`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--dtype {0}: expected f32, f16 or bf16")]
pub struct UnknownFloatType(pub String);

impl std::str::FromStr for FloatType {
    type Err = UnknownFloatType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(FloatType::F32),
            "f16" => Ok(FloatType::F16),
            "bf16" => Ok(FloatType::BF16),
            other => Err(UnknownFloatType(other.to_string())),
        }
    }
}

impl FloatType {
    /// `f32`, `f16` or `bf16` (the CLI's `--dtype`).
    pub fn parse(s: &str) -> Result<FloatType, UnknownFloatType> {
        s.parse()
    }

    pub fn dtype(self) -> Dtype {
        match self {
            FloatType::F32 => Dtype::F32,
            FloatType::F16 => Dtype::F16,
            FloatType::BF16 => Dtype::BF16,
        }
    }

    pub fn torch_name(self) -> &'static str {
        match self {
            FloatType::F32 => "float32",
            FloatType::F16 => "float16",
            FloatType::BF16 => "bfloat16",
        }
    }
}

impl TensorSink for Unquantized {
    fn convert(&mut self, t: MlxTensor) -> Result<Vec<StoredTensor>, SinkError> {
        Ok(vec![StoredTensor {
            data: encode(&t.data, self.0),
            name: t.name,
            dtype: self.0.dtype(),
            shape: t.shape,
        }])
    }

    fn torch_dtype(&self) -> &'static str {
        self.0.torch_name()
    }
}

/// Wraps a sink with a progress bar on stderr (hidden when stderr is not a
/// terminal): GGUF import of a real model takes minutes.
pub struct WithProgress<'a> {
    pub inner: &'a mut dyn TensorSink,
    pub bar: indicatif::ProgressBar,
}

impl<'a> WithProgress<'a> {
    pub fn new(inner: &'a mut dyn TensorSink) -> Self {
        use std::io::IsTerminal;
        let bar = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} tensors {elapsed_precise} {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        WithProgress { inner, bar }
    }
}

impl TensorSink for WithProgress<'_> {
    fn convert(&mut self, tensor: MlxTensor) -> Result<Vec<StoredTensor>, SinkError> {
        self.inner.convert(tensor)
    }
    fn torch_dtype(&self) -> &'static str {
        self.inner.torch_dtype()
    }
    fn config_extras(&self) -> Map<String, Value> {
        self.inner.config_extras()
    }
    fn progress(&mut self, done: usize, total: usize, tensor: &str) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
        self.bar.set_message(tensor.to_string());
        if done == total {
            self.bar.finish_and_clear();
        }
        self.inner.progress(done, total, tensor);
    }
}
