//! The tensors of a model folder: `model.safetensors` or shards listed in
//! `model.safetensors.index.json`. Lookups name the file and key on failure.

use super::Error;
use mlx_rs::Array;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Weights {
    dir: PathBuf,
    tensors: HashMap<String, (Array, PathBuf)>,
}

impl Weights {
    pub fn load(dir: &Path) -> Result<Weights, Error> {
        let mut files = Vec::new();
        let index = dir.join("model.safetensors.index.json");
        if index.is_file() {
            let text = std::fs::read_to_string(&index).map_err(|e| Error::Io {
                path: index.clone(),
                source: e,
            })?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Config {
                path: index.clone(),
                msg: format!("not valid JSON: {e}"),
            })?;
            let map = v
                .get("weight_map")
                .and_then(|m| m.as_object())
                .ok_or_else(|| Error::Config {
                    path: index.clone(),
                    msg: "missing \"weight_map\" object".into(),
                })?;
            let mut names: Vec<&str> = map.values().filter_map(|f| f.as_str()).collect();
            names.sort();
            names.dedup();
            files.extend(names.into_iter().map(|n| dir.join(n)));
        } else {
            files = list_safetensors(dir)?;
        }
        if files.is_empty() {
            return Err(Error::Config {
                path: dir.to_path_buf(),
                msg: "no *.safetensors weights in the model folder".into(),
            });
        }
        let mut tensors = HashMap::new();
        for file in files {
            check_safetensors_header(&file)?;
            // On the default device's stream, as Python's `mx.load`: mlx-rs
            // would load on the CPU stream, and on CUDA the weights then sat
            // in host-side unified memory, migrated page by page on their
            // first use — the first prefill ran 1.5x (experts) to 5x (dense
            // projections) slower per kernel than mlx-lm's (BENCHMARKS.md).
            let stream = mlx_rs::Stream::new();
            let arrays = mlx_rs::with_stream(&stream, || Array::load_safetensors(&file));
            let arrays = arrays.map_err(|e| Error::Weights {
                path: file.clone(),
                msg: format!("cannot read safetensors: {e}"),
            })?;
            // MLX loads lazily; evaluate now, as mlx-lm's `load` does, so
            // load time is the real read and memory after load is the weights.
            mlx_rs::transforms::eval(arrays.values()).map_err(|e| Error::Weights {
                path: file.clone(),
                msg: format!("cannot read tensor data: {e}"),
            })?;
            for (k, v) in arrays {
                tensors.insert(k, (v, file.clone()));
            }
        }
        Ok(Weights {
            dir: dir.to_path_buf(),
            tensors,
        })
    }

    pub fn contains(&self, key: &str) -> bool {
        self.tensors.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.tensors.keys()
    }

    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// Takes a tensor out, checking its shape when `shape` is given
    /// (`-1` matches any extent; used for packed quantized dims).
    pub fn take(&mut self, key: &str, shape: Option<&[i32]>) -> Result<Array, Error> {
        let (a, file) = self
            .tensors
            .remove(key)
            .ok_or_else(|| Error::MissingTensor {
                dir: self.dir.clone(),
                key: key.to_string(),
            })?;
        if let Some(want) = shape {
            let got = a.shape();
            let ok = got.len() == want.len() && got.iter().zip(want).all(|(g, w)| *w < 0 || g == w);
            if !ok {
                return Err(Error::Weights {
                    path: file,
                    msg: format!("tensor \"{key}\" has shape {got:?}, expected {want:?}"),
                });
            }
        }
        Ok(a)
    }

    /// The safetensors file that holds `key` (for error messages).
    pub fn file_of(&self, key: &str) -> PathBuf {
        self.tensors
            .get(key)
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| self.dir.clone())
    }

    pub fn take_opt(&mut self, key: &str) -> Option<Array> {
        self.tensors.remove(key).map(|(a, _)| a)
    }

    /// Tensors nobody claimed: a sign of a config/weights mismatch.
    pub fn leftover(&self) -> Vec<String> {
        let mut v: Vec<String> = self.tensors.keys().cloned().collect();
        v.sort();
        v
    }
}

/// The `*.safetensors` files of `dir`, sorted.
pub fn list_safetensors(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .collect();
    found.sort();
    Ok(found)
}

/// A safetensors file's JSON header and the length of its data section,
/// read without loading any tensor.
pub fn read_header(path: &Path) -> Result<(serde_json::Value, u64), Error> {
    use std::io::Read;
    let bad = |msg: String| Error::Weights {
        path: path.to_path_buf(),
        msg,
    };
    let io = |e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let file_len = f.metadata().map_err(io)?.len();
    let mut len8 = [0u8; 8];
    f.read_exact(&mut len8).map_err(|_| {
        bad(format!(
            "truncated: {file_len} bytes, no safetensors header"
        ))
    })?;
    let hlen = u64::from_le_bytes(len8);
    if hlen > 100_000_000 || 8 + hlen > file_len {
        return Err(bad(format!(
            "corrupt or truncated: header length {hlen} but file is {file_len} bytes"
        )));
    }
    let mut header = vec![0u8; hlen as usize];
    f.read_exact(&mut header)
        .map_err(|e| bad(format!("reading header: {e}")))?;
    let v = serde_json::from_slice(&header)
        .map_err(|e| bad(format!("header is not valid JSON: {e}")))?;
    Ok((v, file_len - 8 - hlen))
}

/// MLX aborts the process on some malformed files; check the header frame
/// (8-byte length + JSON, data offsets within the file) ourselves first so a
/// truncated download is a clear error, not a crash.
fn check_safetensors_header(path: &Path) -> Result<(), Error> {
    let (v, data_len) = read_header(path)?;
    let bad = |msg: String| Error::Weights {
        path: path.to_path_buf(),
        msg,
    };
    if let Some(obj) = v.as_object() {
        for (name, t) in obj {
            if name == "__metadata__" {
                continue;
            }
            let end = t
                .get("data_offsets")
                .and_then(|o| o.get(1))
                .and_then(|e| e.as_u64())
                .ok_or_else(|| bad(format!("tensor \"{name}\" has no data_offsets")))?;
            if end > data_len {
                return Err(bad(format!(
                    "truncated: tensor \"{name}\" ends at byte {end} of the data section, which has only {data_len} bytes"
                )));
            }
        }
    }
    Ok(())
}
