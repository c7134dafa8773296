//! A GGUF writer. Tests use it to make files with known contents (and, by
//! patching its output, broken ones); it writes version 3, little-endian,
//! with the data section and every tensor aligned.

use super::error::GgufError;
use super::ggml_type::GgmlType;
use super::value::{Value, ValueType};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone)]
struct PendingTensor {
    name: String,
    dims: Vec<u64>,
    type_id: u32,
    data: Vec<u8>,
}

/// Collects metadata and tensors, then writes them out in one go.
#[derive(Debug, Clone)]
pub struct GgufWriter {
    version: u32,
    alignment: u64,
    metadata: Vec<(String, Value)>,
    tensors: Vec<PendingTensor>,
}

impl Default for GgufWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl GgufWriter {
    pub fn new() -> Self {
        GgufWriter {
            version: 3,
            alignment: super::reader::DEFAULT_ALIGNMENT,
            metadata: Vec::new(),
            tensors: Vec::new(),
        }
    }

    /// Sets `general.alignment` (a power of two) for the data section.
    pub fn alignment(mut self, alignment: u32) -> Self {
        self.alignment = u64::from(alignment);
        self.metadata.retain(|(k, _)| k != "general.alignment");
        self.metadata
            .push(("general.alignment".into(), Value::U32(alignment)));
        self
    }

    pub fn kv(mut self, key: &str, value: Value) -> Self {
        self.metadata.push((key.to_string(), value));
        self
    }

    pub fn kv_str(self, key: &str, value: &str) -> Self {
        self.kv(key, Value::String(value.to_string()))
    }

    pub fn kv_u32(self, key: &str, value: u32) -> Self {
        self.kv(key, Value::U32(value))
    }

    pub fn kv_f32(self, key: &str, value: f32) -> Self {
        self.kv(key, Value::F32(value))
    }

    pub fn kv_strings<S: AsRef<str>>(self, key: &str, items: &[S]) -> Self {
        let items = items
            .iter()
            .map(|s| Value::String(s.as_ref().to_string()))
            .collect();
        self.kv(key, Value::Array(ValueType::String, items))
    }

    pub fn kv_i32s(self, key: &str, items: &[i32]) -> Self {
        let items = items.iter().map(|&v| Value::I32(v)).collect();
        self.kv(key, Value::Array(ValueType::I32, items))
    }

    /// A tensor from raw block bytes. `dims` are in ggml order (innermost
    /// first). Errors when the byte count does not match the type and dims.
    pub fn tensor(
        mut self,
        name: &str,
        dims: &[u64],
        ty: GgmlType,
        data: Vec<u8>,
    ) -> Result<Self, GgufError> {
        let n = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
        if n.and_then(|n| ty.bytes_for(n)) != Some(data.len() as u64) {
            return Err(GgufError::TensorBytes {
                tensor: name.to_string(),
                bytes: data.len(),
                dims: dims.to_vec(),
                ty,
            });
        }
        self.tensors.push(PendingTensor {
            name: name.into(),
            dims: dims.to_vec(),
            type_id: ty.id,
            data,
        });
        Ok(self)
    }

    /// A tensor with any type id and any bytes, unchecked (for bad-input tests).
    pub fn tensor_unchecked(
        mut self,
        name: &str,
        dims: &[u64],
        type_id: u32,
        data: Vec<u8>,
    ) -> Self {
        self.tensors.push(PendingTensor {
            name: name.into(),
            dims: dims.to_vec(),
            type_id,
            data,
        });
        self
    }

    pub fn tensor_f32(self, name: &str, dims: &[u64], values: &[f32]) -> Result<Self, GgufError> {
        let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(name, dims, GgmlType::F32, data)
    }

    /// Stored as F16 (values are rounded to nearest f16).
    pub fn tensor_f16(self, name: &str, dims: &[u64], values: &[f32]) -> Result<Self, GgufError> {
        let data = values
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        self.tensor(name, dims, GgmlType::F16, data)
    }

    /// Stored as BF16 (values are rounded to nearest bf16).
    pub fn tensor_bf16(self, name: &str, dims: &[u64], values: &[f32]) -> Result<Self, GgufError> {
        let data = values
            .iter()
            .flat_map(|&v| half::bf16::from_f32(v).to_le_bytes())
            .collect();
        self.tensor(name, dims, GgmlType::BF16, data)
    }

    /// The whole file as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(super::reader::MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        out.extend_from_slice(&(self.metadata.len() as u64).to_le_bytes());
        for (k, v) in &self.metadata {
            put_str(&mut out, k);
            out.extend_from_slice(&(v.value_type() as u32).to_le_bytes());
            put_value(&mut out, v);
        }
        let mut offset = 0u64;
        let mut offsets = Vec::with_capacity(self.tensors.len());
        for t in &self.tensors {
            put_str(&mut out, &t.name);
            out.extend_from_slice(&(t.dims.len() as u32).to_le_bytes());
            for d in &t.dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.extend_from_slice(&t.type_id.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            offsets.push(offset);
            offset = (offset + t.data.len() as u64).next_multiple_of(self.alignment);
        }
        pad(&mut out, self.alignment);
        let data_start = out.len() as u64;
        for (t, off) in self.tensors.iter().zip(offsets) {
            out.resize((data_start + off) as usize, 0);
            out.extend_from_slice(&t.data);
        }
        pad(&mut out, self.alignment);
        out
    }

    pub fn write(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let mut f = std::fs::File::create(path)?;
        f.write_all(&self.to_bytes())?;
        f.sync_all()
    }
}

fn pad(out: &mut Vec<u8>, alignment: u64) {
    let len = (out.len() as u64).next_multiple_of(alignment);
    out.resize(len as usize, 0);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::U8(x) => out.push(*x),
        Value::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::F32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Bool(x) => out.push(u8::from(*x)),
        Value::String(s) => put_str(out, s),
        Value::U64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Array(elem, items) => {
            out.extend_from_slice(&(*elem as u32).to_le_bytes());
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                put_value(out, item);
            }
        }
    }
}
