//! A GGUF model ready to import: its architecture, its config, and its
//! tensors as (mlx-lm name, shape, f32 data), produced one at a time so
//! memory stays bounded by the largest tensor.

use super::config::HyperParams;
use super::error::{GgufError, Result};
use super::ggml_type::GgmlType;
use super::names::{self, Arch, Unpermute};
use super::reader::{GgufFile, TensorInfo};
use std::path::Path;

/// One tensor in MLX checkpoint form.
#[derive(Debug, Clone, PartialEq)]
pub struct MlxTensor {
    /// mlx-lm checkpoint name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    pub name: String,
    /// Row-major shape (outermost first), as safetensors / MLX store it.
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
    /// Where it came from (for progress and errors).
    pub gguf_name: String,
    pub gguf_type: GgmlType,
}

/// An opened GGUF whose architecture, tensor names and tensor types have all
/// been checked, so a conversion fails before it writes anything.
#[derive(Debug)]
pub struct GgufModel {
    file: GgufFile,
    arch: Arch,
    config: HyperParams,
}

impl GgufModel {
    pub fn open(path: impl AsRef<Path>) -> Result<GgufModel> {
        Self::from_file(GgufFile::open(path)?)
    }

    pub fn from_file(file: GgufFile) -> Result<GgufModel> {
        let name = file.architecture()?;
        let arch = Arch::from_gguf(name).ok_or_else(|| GgufError::UnsupportedArchitecture {
            path: file.path().into(),
            arch: name.into(),
            supported: Arch::supported_list(),
        })?;
        for t in &file.tensors {
            if names::map(arch, &t.name).is_none() {
                return Err(file.tensor_err(
                    t,
                    &format!(
                        "is not a tensor of a {} model as mlx-lm defines it (no checkpoint name \
                         for it); the file may be a variant this importer does not know",
                        arch.gguf_name()
                    ),
                ));
            }
            if !t.ggml_type.is_supported() {
                return Err(GgufError::UnsupportedTensorType {
                    path: file.path().into(),
                    tensor: t.name.clone(),
                    type_name: t.ggml_type.name,
                    supported: GgmlType::supported_names(),
                });
            }
        }
        let config = HyperParams::from_gguf(&file, arch)?;
        Ok(GgufModel { file, arch, config })
    }

    pub fn file(&self) -> &GgufFile {
        &self.file
    }

    pub fn arch(&self) -> Arch {
        self.arch
    }

    pub fn config(&self) -> &HyperParams {
        &self.config
    }

    /// How many tensors [`Self::tensors`] yields.
    pub fn tensor_count(&self) -> usize {
        self.file.tensors.len()
    }

    /// Every tensor, dequantized and renamed, in file order, one at a time.
    pub fn tensors(&self) -> impl Iterator<Item = Result<MlxTensor>> + '_ {
        self.file.tensors.iter().map(|t| self.convert(t))
    }

    /// One tensor by its GGUF name.
    pub fn tensor(&self, gguf_name: &str) -> Result<MlxTensor> {
        let t = self
            .file
            .tensor(gguf_name)
            .ok_or_else(|| GgufError::Tensor {
                path: self.file.path().into(),
                tensor: gguf_name.into(),
                what: "is not in the file".into(),
            })?;
        self.convert(t)
    }

    fn convert(&self, t: &TensorInfo) -> Result<MlxTensor> {
        let mapped = names::map(self.arch, &t.name)
            .ok_or_else(|| self.file.tensor_err(t, "has no mlx-lm name"))?;
        let shape = t
            .shape()
            .into_iter()
            .map(usize::try_from)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| self.file.tensor_err(t, "is larger than memory"))?;
        let mut data = self.file.dequantize(t)?;
        if let Some(which) = mapped.unpermute {
            let heads = match which {
                Unpermute::QueryHeads => self.config.num_attention_heads,
                Unpermute::KeyValueHeads => self.config.num_key_value_heads,
            };
            data = names::unpermute_rows(&data, shape[0], heads as usize).map_err(|e| {
                self.file
                    .tensor_err(t, &format!("cannot undo the Q/K permutation: {e}"))
            })?;
        }
        Ok(MlxTensor {
            name: mapped.name,
            shape,
            data,
            gguf_name: t.name.clone(),
            gguf_type: t.ggml_type,
        })
    }
}
