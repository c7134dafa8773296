//! Re-quantization of imported weights to MLX affine `bits`/`group_size`,
//! as mlx-lm's `nn.quantize` does: every Linear/Embedding weight (2-D, or
//! 3-D stacked experts) whose last dimension is a multiple of the group.
//! Used as the GGUF importer's tensor sink.

use crate::gguf::import::MlxTensor;
use crate::gguf::sink::{encode, Dtype, FloatType, SinkError, StoredTensor, TensorSink};
use mlx_rs::{ops, Array};
use serde_json::{json, Map, Value};

pub struct MlxQuantizer {
    pub bits: i32,
    pub group_size: i32,
    /// Storage type of unquantized tensors, scales and biases.
    pub float: FloatType,
}

impl MlxQuantizer {
    fn quantizable(&self, t: &MlxTensor) -> bool {
        t.name.ends_with(".weight")
            && (t.shape.len() == 2 || t.shape.len() == 3)
            && !t.name.contains("norm")
            && t.shape
                .last()
                .is_some_and(|&d| d % self.group_size as usize == 0)
    }
}

fn to_bytes(a: &Array, ty: FloatType) -> Result<Vec<u8>, SinkError> {
    let a = a.as_type::<f32>()?;
    a.eval()?;
    let v = a.try_as_slice::<f32>().map_err(|e| format!("{e:?}"))?;
    Ok(encode(v, ty))
}

impl TensorSink for MlxQuantizer {
    fn convert(&mut self, t: MlxTensor) -> Result<Vec<StoredTensor>, SinkError> {
        if !self.quantizable(&t) {
            return Ok(vec![StoredTensor {
                data: encode(&t.data, self.float),
                name: t.name,
                dtype: self.float.dtype(),
                shape: t.shape,
            }]);
        }
        let shape: Vec<i32> = t.shape.iter().map(|&d| d as i32).collect();
        let w = Array::from_slice(&t.data, &shape);
        let (q, scales, biases) = ops::quantize(&w, self.group_size, self.bits)?;
        q.eval()?;
        let packed: Vec<u8> = q
            .try_as_slice::<u32>()
            .map_err(|e| format!("{e:?}"))?
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let base = t.name.trim_end_matches(".weight");
        let dims = |a: &Array| a.shape().iter().map(|&d| d as usize).collect::<Vec<_>>();
        Ok(vec![
            StoredTensor {
                name: t.name.clone(),
                dtype: Dtype::U32,
                shape: dims(&q),
                data: packed,
            },
            StoredTensor {
                name: format!("{base}.scales"),
                dtype: self.float.dtype(),
                shape: dims(&scales),
                data: to_bytes(&scales, self.float)?,
            },
            StoredTensor {
                name: format!("{base}.biases"),
                dtype: self.float.dtype(),
                shape: dims(&biases),
                data: to_bytes(&biases, self.float)?,
            },
        ])
    }

    fn torch_dtype(&self) -> &'static str {
        self.float.torch_name()
    }

    fn config_extras(&self) -> Map<String, Value> {
        let q = json!({"group_size": self.group_size, "bits": self.bits, "mode": "affine"});
        let mut m = Map::new();
        m.insert("quantization".into(), q.clone());
        m.insert("quantization_config".into(), q);
        m
    }
}
