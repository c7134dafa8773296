//! Every way a GGUF can be wrong, each naming the file, the place in it
//! (offset, key or tensor) and what was expected, so the user knows the fix.

use super::ggml_type::GgmlType;
use safetensors::Dtype;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a GGUF file: bytes 0..4 are {found:?}, expected \"GGUF\"")]
    BadMagic { path: PathBuf, found: [u8; 4] },
    #[error("{path}: GGUF version {version} at offset 4 is not supported; supported: 2, 3{hint}")]
    BadVersion {
        path: PathBuf,
        version: u32,
        hint: &'static str,
    },
    #[error(
        "{path}: truncated at offset {offset}: {what} needs {need} bytes but only {have} remain \
         (the file is incomplete: download or join it again)"
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        what: String,
        need: u64,
        have: u64,
    },
    #[error("{path}: at offset {offset}: {what}")]
    Malformed {
        path: PathBuf,
        offset: u64,
        what: String,
    },
    #[error(
        "{path}: tensor '{tensor}' has ggml type id {type_id}, which no ggml release defines \
         (known ids: 0-3, 6-30, 34, 35, 39-41); the file is corrupt or newer than this reader"
    )]
    UnknownTensorType {
        path: PathBuf,
        tensor: String,
        type_id: u32,
    },
    #[error(
        "{path}: tensor '{tensor}' is {type_name}, which punie-eval cannot dequantize; \
         supported: {supported} (re-quantize the model with llama-quantize to one of these)"
    )]
    UnsupportedTensorType {
        path: PathBuf,
        tensor: String,
        type_name: &'static str,
        supported: String,
    },
    #[error("{path}: tensor '{tensor}': {what}")]
    Tensor {
        path: PathBuf,
        tensor: String,
        what: String,
    },
    #[error("{path}: metadata key '{key}' is missing ({why})")]
    MissingKey {
        path: PathBuf,
        key: String,
        why: &'static str,
    },
    #[error("{path}: metadata key '{key}' is {found}, expected {expected}")]
    WrongKeyType {
        path: PathBuf,
        key: String,
        expected: &'static str,
        found: String,
    },
    #[error(
        "{path}: architecture '{arch}' (key general.architecture) is not supported; \
         supported: {supported}"
    )]
    UnsupportedArchitecture {
        path: PathBuf,
        arch: String,
        supported: String,
    },
    #[error("{path}: tokenizer: {what}")]
    Tokenizer { path: PathBuf, what: String },
    #[error("writing {path}: {what}")]
    Output { path: PathBuf, what: String },
    #[error("writing {path}: {source}")]
    Shards {
        path: PathBuf,
        #[source]
        source: ShardError,
    },
    /// From [`GgufWriter`](super::GgufWriter), before there is a file.
    #[error("tensor '{tensor}': {bytes} bytes do not hold {dims:?} elements of {ty}")]
    TensorBytes {
        tensor: String,
        bytes: usize,
        dims: Vec<u64>,
        ty: GgmlType,
    },
}

/// Why a safetensors shard of the MLX folder could not be written
/// (reported inside [`GgufError::Shards`], which names the folder).
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("tensor '{tensor}': {bytes} bytes do not hold shape {shape:?} of {dtype:?}")]
    TensorBytes {
        tensor: String,
        bytes: usize,
        shape: Vec<usize>,
        dtype: Dtype,
    },
    #[error("tensor '{0}' stored twice")]
    Duplicate(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("safetensors header: {0}")]
    Header(#[source] safetensors::SafeTensorError),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = GgufError> = std::result::Result<T, E>;
