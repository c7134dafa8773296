//! Reading a GGUF file: header, metadata key/values, tensor infos, alignment
//! and data offsets. The header is streamed through a buffer; tensor data is
//! read one tensor at a time with positioned reads, never the whole file.
//! Every size and offset is checked against the file's length before it is
//! used, so a truncated or corrupt file is an error, not a panic or an
//! allocation the size of a bogus count.

use super::dequant;
use super::error::{GgufError, Result};
use super::ggml_type::GgmlType;
use super::value::{Value, ValueType};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const MAGIC: &[u8; 4] = b"GGUF";
/// Alignment of the data section when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// ggml's GGML_MAX_DIMS.
pub const MAX_DIMS: u32 = 4;
/// Nested arrays deeper than this are refused (no real file nests at all).
const MAX_ARRAY_DEPTH: u32 = 4;
/// Array elements in all the metadata together. Each becomes a ~32-byte
/// value in memory, so a file of one huge byte array would cost 31 bytes
/// per file byte (1.6 GB for 50 MB) before anything rejects it. Real models
/// carry about 1.3 million (a 262k vocabulary: tokens, scores, types,
/// merges); this is three times that.
pub const MAX_METADATA_ELEMENTS: u64 = 4 << 20;

/// Where one tensor lives and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// ggml order: `dims[0]` is the contiguous (innermost) axis.
    pub dims: Vec<u64>,
    pub ggml_type: GgmlType,
    /// Offset from the start of the data section.
    pub offset: u64,
    pub n_elements: u64,
    pub n_bytes: u64,
}

impl TensorInfo {
    /// Row-major shape as numpy / safetensors / MLX write it (`dims` reversed).
    pub fn shape(&self) -> Vec<u64> {
        self.dims.iter().rev().copied().collect()
    }
}

/// An open GGUF file: its parsed header, with tensor data read on demand.
#[derive(Debug)]
pub struct GgufFile {
    path: PathBuf,
    file: Mutex<File>,
    file_len: u64,
    pub version: u32,
    pub alignment: u64,
    /// Absolute offset of the data section.
    pub data_offset: u64,
    metadata: Vec<(String, Value)>,
    index: HashMap<String, usize>,
    pub tensors: Vec<TensorInfo>,
    tensor_index: HashMap<String, usize>,
}

impl GgufFile {
    pub fn open(path: impl AsRef<Path>) -> Result<GgufFile> {
        let path = path.as_ref().to_path_buf();
        let io = |source| GgufError::Io {
            path: path.clone(),
            source,
        };
        let file = File::open(&path).map_err(io)?;
        let file_len = file.metadata().map_err(io)?.len();
        let mut cur = Cursor {
            r: BufReader::with_capacity(1 << 16, file.try_clone().map_err(io)?),
            pos: 0,
            len: file_len,
            path: &path,
            elements: 0,
        };

        let magic: [u8; 4] = cur.array("the magic \"GGUF\"")?;
        if &magic != MAGIC {
            return Err(GgufError::BadMagic {
                path: path.clone(),
                found: magic,
            });
        }
        let version = cur.u32("the version")?;
        if version != 2 && version != 3 {
            let hint = if version.swap_bytes() == 2 || version.swap_bytes() == 3 {
                " (this is a big-endian GGUF; convert it to little-endian)"
            } else if version == 1 {
                " (version 1 predates 64-bit counts; re-convert the model with a current llama.cpp)"
            } else {
                ""
            };
            return Err(GgufError::BadVersion {
                path: path.clone(),
                version,
                hint,
            });
        }
        let n_tensors = cur.u64("the tensor count")?;
        let n_kv = cur.u64("the metadata key/value count")?;

        let mut metadata = Vec::with_capacity(cur.bounded(n_kv, 12));
        let mut index = HashMap::new();
        for i in 0..n_kv {
            let at = cur.pos;
            let key = cur.string(&format!("the key of metadata entry {i}"))?;
            let what = format!("metadata key '{key}'");
            let tag = cur.u32(&format!("the value type of {what}"))?;
            let ty = ValueType::from_id(tag).ok_or_else(|| GgufError::Malformed {
                path: path.clone(),
                offset: cur.pos - 4,
                what: format!("{what} has value type {tag}; valid types are 0-12"),
            })?;
            let value = cur.value(ty, &what, 0)?;
            if index.insert(key.clone(), metadata.len()).is_some() {
                return Err(GgufError::Malformed {
                    path: path.clone(),
                    offset: at,
                    what: format!("{what} appears twice"),
                });
            }
            metadata.push((key, value));
        }

        let alignment = match index.get("general.alignment").map(|&i| &metadata[i].1) {
            None => DEFAULT_ALIGNMENT,
            Some(Value::U32(a)) if a.is_power_of_two() => u64::from(*a),
            Some(other) => {
                return Err(GgufError::WrongKeyType {
                    path: path.clone(),
                    key: "general.alignment".into(),
                    expected: "a u32 power of two",
                    found: other.describe(),
                })
            }
        };

        let mut tensors = Vec::with_capacity(cur.bounded(n_tensors, 24));
        let mut tensor_index = HashMap::new();
        for i in 0..n_tensors {
            let at = cur.pos;
            let name = cur.string(&format!("the name of tensor {i}"))?;
            let what = format!("tensor '{name}'");
            let n_dims = cur.u32(&format!("the dimension count of {what}"))?;
            if n_dims == 0 || n_dims > MAX_DIMS {
                return Err(GgufError::Tensor {
                    path: path.clone(),
                    tensor: name,
                    what: format!(
                        "has {n_dims} dimensions at offset {}; expected 1..={MAX_DIMS}",
                        cur.pos - 4
                    ),
                });
            }
            let mut dims = Vec::with_capacity(n_dims as usize);
            for d in 0..n_dims {
                dims.push(cur.u64(&format!("dimension {d} of {what}"))?);
            }
            let type_id = cur.u32(&format!("the type of {what}"))?;
            let offset = cur.u64(&format!("the data offset of {what}"))?;
            let ggml_type =
                GgmlType::from_id(type_id).ok_or_else(|| GgufError::UnknownTensorType {
                    path: path.clone(),
                    tensor: name.clone(),
                    type_id,
                })?;
            let bad = |what: String| GgufError::Tensor {
                path: path.clone(),
                tensor: name.clone(),
                what,
            };
            let n_elements = dims
                .iter()
                .try_fold(1u64, |acc, &d| acc.checked_mul(d))
                .ok_or_else(|| bad(format!("dimensions {dims:?} overflow an element count")))?;
            if dims[0] % ggml_type.block_elems != 0 {
                return Err(bad(format!(
                    "is {ggml_type} with rows of {} elements; {ggml_type} rows must be whole \
                     blocks of {}",
                    dims[0], ggml_type.block_elems
                )));
            }
            let n_bytes = ggml_type
                .bytes_for(n_elements)
                .ok_or_else(|| bad(format!("size of {dims:?} {ggml_type} overflows")))?;
            if offset % alignment != 0 {
                return Err(bad(format!(
                    "data offset {offset} is not a multiple of the alignment {alignment}"
                )));
            }
            if tensor_index.insert(name.clone(), tensors.len()).is_some() {
                return Err(GgufError::Malformed {
                    path: path.clone(),
                    offset: at,
                    what: format!("{what} appears twice in the tensor table"),
                });
            }
            tensors.push(TensorInfo {
                name,
                dims,
                ggml_type,
                offset,
                n_elements,
                n_bytes,
            });
        }

        let data_offset =
            cur.pos
                .checked_next_multiple_of(alignment)
                .ok_or_else(|| GgufError::Malformed {
                    path: path.clone(),
                    offset: cur.pos,
                    what: "the data section offset overflows".into(),
                })?;
        for t in &tensors {
            let end = data_offset
                .checked_add(t.offset)
                .and_then(|s| s.checked_add(t.n_bytes));
            match end {
                Some(end) if end <= file_len => {}
                _ => {
                    let start = data_offset.saturating_add(t.offset);
                    return Err(GgufError::Truncated {
                        path: path.clone(),
                        offset: start,
                        what: format!(
                            "the data of tensor '{}' ({} {:?})",
                            t.name, t.ggml_type, t.dims
                        ),
                        need: t.n_bytes,
                        have: file_len.saturating_sub(start),
                    });
                }
            }
        }
        drop(cur);

        Ok(GgufFile {
            path,
            file: Mutex::new(file),
            file_len,
            version,
            alignment,
            data_offset,
            metadata,
            index,
            tensors,
            tensor_index,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Metadata in file order.
    pub fn metadata(&self) -> &[(String, Value)] {
        &self.metadata
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.index.get(key).map(|&i| &self.metadata[i].1)
    }

    fn missing(&self, key: &str, why: &'static str) -> GgufError {
        GgufError::MissingKey {
            path: self.path.clone(),
            key: key.into(),
            why,
        }
    }

    fn wrong(&self, key: &str, expected: &'static str, found: &Value) -> GgufError {
        GgufError::WrongKeyType {
            path: self.path.clone(),
            key: key.into(),
            expected,
            found: found.describe(),
        }
    }

    /// A string key; `why` says what needs it (for the error).
    pub fn str(&self, key: &str, why: &'static str) -> Result<&str> {
        let v = self.get(key).ok_or_else(|| self.missing(key, why))?;
        v.as_str().ok_or_else(|| self.wrong(key, "a string", v))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&str>> {
        self.get(key)
            .map(|v| v.as_str().ok_or_else(|| self.wrong(key, "a string", v)))
            .transpose()
    }

    pub fn u64(&self, key: &str, why: &'static str) -> Result<u64> {
        self.opt_u64(key)?.ok_or_else(|| self.missing(key, why))
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| self.wrong(key, "a non-negative integer", v))
            })
            .transpose()
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>> {
        self.get(key)
            .map(|v| v.as_f64().ok_or_else(|| self.wrong(key, "a number", v)))
            .transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        self.get(key)
            .map(|v| v.as_bool().ok_or_else(|| self.wrong(key, "a bool", v)))
            .transpose()
    }

    /// An array key; `None` when absent.
    pub fn opt_array(&self, key: &str) -> Result<Option<&[Value]>> {
        self.get(key)
            .map(|v| v.as_array().ok_or_else(|| self.wrong(key, "an array", v)))
            .transpose()
    }

    /// `general.architecture`.
    pub fn architecture(&self) -> Result<&str> {
        self.str(
            "general.architecture",
            "every GGUF model names its architecture",
        )
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensor_index.get(name).map(|&i| &self.tensors[i])
    }

    /// The raw bytes of one tensor (bounds were checked at open).
    pub fn read_raw(&self, t: &TensorInfo) -> Result<Vec<u8>> {
        let io = |source| GgufError::Io {
            path: self.path.clone(),
            source,
        };
        let start = self.data_offset + t.offset;
        let len =
            usize::try_from(t.n_bytes).map_err(|_| self.tensor_err(t, "is larger than memory"))?;
        let mut buf = vec![0u8; len];
        // A poisoned lock only means another reader panicked mid-read; the
        // File itself is still usable because every read seeks first.
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.seek(SeekFrom::Start(start)).map_err(io)?;
        f.read_exact(&mut buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                // The file shrank after we opened it.
                GgufError::Truncated {
                    path: self.path.clone(),
                    offset: start,
                    what: format!("the data of tensor '{}'", t.name),
                    need: t.n_bytes,
                    have: 0,
                }
            } else {
                io(e)
            }
        })?;
        Ok(buf)
    }

    /// One tensor as f32 in ggml element order (row-major over [`TensorInfo::shape`]).
    pub fn dequantize(&self, t: &TensorInfo) -> Result<Vec<f32>> {
        if !t.ggml_type.is_supported() {
            return Err(GgufError::UnsupportedTensorType {
                path: self.path.clone(),
                tensor: t.name.clone(),
                type_name: t.ggml_type.name,
                supported: GgmlType::supported_names(),
            });
        }
        let raw = self.read_raw(t)?;
        let n = usize::try_from(t.n_elements)
            .map_err(|_| self.tensor_err(t, "is larger than memory"))?;
        let mut out = vec![0f32; n];
        dequant::dequantize(t.ggml_type, &raw, &mut out)
            .map_err(|e| self.tensor_err(t, &e.to_string()))?;
        Ok(out)
    }

    pub(crate) fn tensor_err(&self, t: &TensorInfo, what: &str) -> GgufError {
        GgufError::Tensor {
            path: self.path.clone(),
            tensor: t.name.clone(),
            what: what.to_string(),
        }
    }
}

/// A position-tracking reader over the header that checks every read
/// against the bytes left in the file.
struct Cursor<'p> {
    r: BufReader<File>,
    pos: u64,
    len: u64,
    /// Array elements read so far (bounded by MAX_METADATA_ELEMENTS).
    elements: u64,
    path: &'p Path,
}

impl Cursor<'_> {
    fn need(&self, n: u64, what: &str) -> Result<()> {
        let have = self.len.saturating_sub(self.pos);
        if n > have {
            return Err(GgufError::Truncated {
                path: self.path.to_path_buf(),
                offset: self.pos,
                what: what.to_string(),
                need: n,
                have,
            });
        }
        Ok(())
    }

    /// A capacity hint for `count` items of at least `min` bytes each that
    /// the remaining file can actually hold (no allocation from bogus counts).
    fn bounded(&self, count: u64, min: u64) -> usize {
        let fits = self.len.saturating_sub(self.pos) / min.max(1);
        usize::try_from(count.min(fits)).unwrap_or(0)
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>> {
        self.need(n, what)?;
        let mut buf = vec![0u8; n as usize];
        self.r
            .read_exact(&mut buf)
            .map_err(|source| GgufError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.pos += n;
        Ok(buf)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        self.need(N as u64, what)?;
        let mut buf = [0u8; N];
        self.r
            .read_exact(&mut buf)
            .map_err(|source| GgufError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.pos += N as u64;
        Ok(buf)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        self.array(what).map(u64::from_le_bytes)
    }

    fn string(&mut self, what: &str) -> Result<String> {
        let at = self.pos;
        let n = self.u64(&format!("the length of {what}"))?;
        let raw = self.bytes(n, what)?;
        String::from_utf8(raw).map_err(|e| GgufError::Malformed {
            path: self.path.to_path_buf(),
            offset: at + 8 + e.utf8_error().valid_up_to() as u64,
            what: format!("{what} is not valid UTF-8"),
        })
    }

    fn value(&mut self, ty: ValueType, what: &str, depth: u32) -> Result<Value> {
        Ok(match ty {
            ValueType::U8 => Value::U8(u8::from_le_bytes(self.array(what)?)),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.array(what)?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.array(what)?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.array(what)?)),
            ValueType::U32 => Value::U32(self.u32(what)?),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.array(what)?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.array(what)?)),
            ValueType::U64 => Value::U64(self.u64(what)?),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.array(what)?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.array(what)?)),
            ValueType::Bool => {
                let at = self.pos;
                match self.array::<1>(what)?[0] {
                    0 => Value::Bool(false),
                    1 => Value::Bool(true),
                    b => {
                        return Err(GgufError::Malformed {
                            path: self.path.to_path_buf(),
                            offset: at,
                            what: format!("{what}: bool byte is {b}, expected 0 or 1"),
                        })
                    }
                }
            }
            ValueType::String => Value::String(self.string(what)?),
            ValueType::Array => {
                let at = self.pos;
                let tag = self.u32(&format!("the element type of {what}"))?;
                let elem = ValueType::from_id(tag).ok_or_else(|| GgufError::Malformed {
                    path: self.path.to_path_buf(),
                    offset: at,
                    what: format!("{what}: array element type {tag}; valid types are 0-12"),
                })?;
                if elem == ValueType::Array && depth >= MAX_ARRAY_DEPTH {
                    return Err(GgufError::Malformed {
                        path: self.path.to_path_buf(),
                        offset: at,
                        what: format!("{what}: arrays nested deeper than {MAX_ARRAY_DEPTH}"),
                    });
                }
                let n = self.u64(&format!("the length of {what}"))?;
                let min = n.checked_mul(elem.min_bytes());
                if min.is_none_or(|m| m > self.len.saturating_sub(self.pos)) {
                    return Err(GgufError::Truncated {
                        path: self.path.to_path_buf(),
                        offset: self.pos,
                        what: format!("{what} (an array of {n} {elem:?})"),
                        need: min.unwrap_or(u64::MAX),
                        have: self.len.saturating_sub(self.pos),
                    });
                }
                self.elements = self.elements.saturating_add(n);
                if self.elements > MAX_METADATA_ELEMENTS {
                    return Err(GgufError::Malformed {
                        path: self.path.to_path_buf(),
                        offset: at,
                        what: format!(
                            "{what}: an array of {n} {elem:?} brings the metadata to {} array \
                             elements, more than the {MAX_METADATA_ELEMENTS} a model's metadata \
                             holds (not a model file?)",
                            self.elements
                        ),
                    });
                }
                let mut items = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    items.push(self.value(elem, what, depth + 1)?);
                }
                Value::Array(elem, items)
            }
        })
    }
}
