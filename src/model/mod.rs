//! The in-process MLX model runtime: load an MLX model folder as mlx-lm
//! writes it and run it exactly as mlx-lm would.
//!
//! Files read like mlx-lm's model files: [`config`] (config.json),
//! [`weights`] (safetensors), [`quantized`] (the dense-or-quantized weight
//! of [`linear`], [`embedding`] and [`moe`]), [`attention`], [`mlp`],
//! [`decoder`], [`cache`], [`generate`]. What differs per architecture is
//! asked of [`crate::arch`]; the tooling that writes model folders is in
//! [`crate::provision`].

pub mod attention;
pub mod batch;
pub mod cache;
pub mod config;
pub mod decoder;
pub mod embedding;
pub mod generate;
pub mod info;
pub mod linear;
pub mod memory;
pub mod mlp;
pub mod moe;
pub mod quantized;
pub mod weights;

use cache::KvCache;
use config::ModelConfig;
use decoder::Decoder;
use mlx_rs::Array;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {msg}")]
    Config { path: PathBuf, msg: String },
    #[error("{path}: {msg}")]
    Weights { path: PathBuf, msg: String },
    #[error(
        "{dir}: missing tensor \"{key}\" (is config.json from the same model as the weights?)"
    )]
    MissingTensor { dir: PathBuf, key: String },
    #[error("MLX: {0}")]
    Mlx(String),
    #[error("{0}")]
    Other(String),
}

impl From<mlx_rs::error::Exception> for Error {
    fn from(e: mlx_rs::error::Exception) -> Self {
        Error::Mlx(mlx_message(&e.to_string()))
    }
}

impl Error {
    /// An MLX failure inside `module` (`model.layers.3.mlp`) names it.
    pub fn in_module(self, module: &str) -> Self {
        match self {
            Error::Mlx(m) => Error::Mlx(format!("{module}: {m}")),
            e => e,
        }
    }

    /// An MLX failure while `doing` something with the model in `dir`
    /// names the folder, its config.json and the fix; other errors pass.
    pub fn in_model(self, dir: &Path, doing: &str) -> Self {
        match self {
            Error::Mlx(m) => Error::Other(format!(
                "{}: MLX failed {doing}: {m}; fix: check that {} describes these weights \
                 (`punie-eval model info {}`) and that the machine has the memory",
                dir.display(),
                dir.join("config.json").display(),
                dir.display()
            )),
            e => e,
        }
    }
}

/// MLX's message without the C++ source location it appends (" at
/// /path/to/ops.cpp:123"), which says nothing to a user.
pub fn mlx_message(raw: &str) -> String {
    let mut msg = raw.trim();
    if let Some(at) = msg.rfind(" at ") {
        let tail = &msg[at + 4..];
        let located = tail.rsplit_once(':').is_some_and(|(file, line)| {
            line.trim().chars().all(|c| c.is_ascii_digit())
                && [".cpp", ".h", ".hpp", ".cc", ".c"]
                    .iter()
                    .any(|ext| file.ends_with(ext))
        });
        if located {
            msg = msg[..at].trim_end();
        }
    }
    msg.to_string()
}

pub struct Model {
    pub dir: PathBuf,
    pub config: ModelConfig,
    decoder: Decoder,
}

impl Model {
    /// Loads config.json and the safetensors weights of `dir`. Checks every
    /// tensor's shape against the config and that none is left unclaimed.
    pub fn load(dir: &Path) -> Result<Model, Error> {
        let config = ModelConfig::load(dir)?;
        memory::preflight(dir).map_err(Error::Other)?;
        let mut w = weights::Weights::load(dir)?;
        let decoder = Decoder::load(&mut w, &config).map_err(|e| match e {
            Error::MissingTensor { key, .. } => Error::MissingTensor {
                dir: dir.to_path_buf(),
                key,
            },
            e => e.in_model(dir, "loading the weights"),
        })?;
        let leftover: Vec<String> = w
            .leftover()
            .into_iter()
            .filter(|k| !config.arch.ignores_tensor(k))
            .collect();
        if !leftover.is_empty() {
            return Err(Error::Weights {
                path: dir.to_path_buf(),
                msg: format!(
                    "{} tensors not used by a {} model with this config.json (first: {}): \
                     config and weights disagree",
                    leftover.len(),
                    config.arch.model_type(),
                    leftover[0]
                ),
            });
        }
        Ok(Model {
            dir: dir.to_path_buf(),
            config,
            decoder,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.config.vocab_size as usize
    }

    pub fn new_cache(&self) -> KvCache {
        KvCache::new(self.decoder.n_layers())
    }

    /// Runs `tokens` (batch 1) through the model, extending `cache`;
    /// returns lazy logits [1, L, vocab].
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Array, Error> {
        let ids = Array::from_slice(tokens, &[1, tokens.len() as i32]);
        self.decoder.forward(&ids, cache)
    }

    /// Runs `tokens` and returns lazy logits of the last position only
    /// [1, 1, vocab]: what generation needs.
    pub fn forward_last(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Array, Error> {
        let ids = Array::from_slice(tokens, &[1, tokens.len() as i32]);
        self.decoder.forward_last(&ids, cache)
    }

    /// Logits of the last position of left-padded rows decoded together
    /// ([B, 1, vocab]); see [`batch`].
    pub fn forward_rows(
        &self,
        ids: &Array,
        cache: &mut KvCache,
        rows: &attention::Rows,
    ) -> Result<Array, Error> {
        self.decoder.forward_rows(ids, cache, rows)
    }

    /// Like [`Model::forward_last`] for ids already on the device ([1, L]).
    pub fn decoder_forward(&self, ids: &Array, cache: &mut KvCache) -> Result<Array, Error> {
        self.decoder.forward_last(ids, cache)
    }

    /// Logits for every position of `tokens` from a fresh cache, flattened
    /// [L × vocab] as f32 (for parity checks and scoring).
    pub fn forward_logits(&self, tokens: &[u32]) -> Result<Vec<f32>, Error> {
        let mut cache = self.new_cache();
        let logits = self.forward(tokens, &mut cache)?.as_type::<f32>()?;
        logits.eval()?;
        Ok(logits
            .try_as_slice::<f32>()
            .map_err(|e| Error::Mlx(format!("{e:?}")))?
            .to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlx_messages_lose_the_cpp_location_and_gain_the_model() {
        let raw = "[reshape] Cannot reshape array of size 6 into shape (4). at /build/mlx-c/mlx/c/ops.cpp:2345";
        assert_eq!(
            mlx_message(raw),
            "[reshape] Cannot reshape array of size 6 into shape (4)."
        );
        // Only a source location is cut: " at " in the message stays.
        let plain = "[quantize] bits must be one of 2, 3, 4, 5, 6, 8 at most";
        assert_eq!(mlx_message(plain), plain);
        let e = Error::Mlx(mlx_message(raw))
            .in_module("model.layers.3.mlp")
            .in_model(Path::new("/m"), "loading the weights");
        let shown = e.to_string();
        assert!(
            shown.starts_with("/m: MLX failed loading the weights: model.layers.3.mlp: [reshape]"),
            "{shown}"
        );
        assert!(shown.contains("/m/config.json"), "{shown}");
        assert!(!shown.contains("ops.cpp"), "{shown}");
        // Other errors pass through unchanged.
        let other = Error::Other("x".into()).in_model(Path::new("/m"), "generating");
        assert_eq!(other.to_string(), "x");
    }
}
