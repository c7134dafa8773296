//! Streaming safetensors shards. A safetensors header lists every tensor's
//! offsets before the data, so each shard's data is first spooled to a side
//! file and the shard assembled (header + data copy) when it is full: memory
//! holds one tensor, never a shard. Headers are built and validated by the
//! `safetensors` crate's own `Metadata`.

use super::error::ShardError;
use super::sink::StoredTensor;
use safetensors::tensor::{Metadata, TensorInfo};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Shards stay under this size (the Hugging Face / mlx-lm convention).
pub const DEFAULT_MAX_SHARD_BYTES: u64 = 2_000_000_000;

struct OpenShard {
    spool_path: PathBuf,
    spool: BufWriter<File>,
    tensors: Vec<(String, TensorInfo)>,
    bytes: u64,
}

/// Writes tensors into `model.safetensors` or `model-0000i-of-0000N.safetensors`
/// plus `model.safetensors.index.json` in `dir`.
pub struct ShardWriter {
    dir: PathBuf,
    max_bytes: u64,
    open: Option<OpenShard>,
    /// Temp shard files written so far, with the tensor names in each.
    done: Vec<(PathBuf, Vec<String>)>,
    names: HashSet<String>,
    total: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ShardError + '_ {
    move |source| ShardError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl ShardWriter {
    pub fn new(dir: &Path, max_bytes: u64) -> Self {
        ShardWriter {
            dir: dir.to_path_buf(),
            max_bytes: max_bytes.max(1),
            open: None,
            done: Vec::new(),
            names: HashSet::new(),
            total: 0,
        }
    }

    pub fn add(&mut self, t: StoredTensor) -> Result<(), ShardError> {
        let expected = t
            .shape
            .iter()
            .try_fold(t.dtype.bitsize(), |acc, &d| acc.checked_mul(d))
            .map(|bits| bits / 8);
        if expected != Some(t.data.len()) {
            return Err(ShardError::TensorBytes {
                bytes: t.data.len(),
                tensor: t.name,
                shape: t.shape,
                dtype: t.dtype,
            });
        }
        if !self.names.insert(t.name.clone()) {
            return Err(ShardError::Duplicate(t.name));
        }
        let len = t.data.len() as u64;
        if self
            .open
            .as_ref()
            .is_some_and(|s| s.bytes > 0 && s.bytes + len > self.max_bytes)
        {
            self.close_shard()?;
        }
        let shard = match self.open {
            Some(ref mut open) => open,
            None => {
                let spool_path = self.dir.join(format!(".shard-{}.data", self.done.len()));
                let f = File::create(&spool_path).map_err(io_err(&spool_path))?;
                self.open.insert(OpenShard {
                    spool_path,
                    spool: BufWriter::with_capacity(1 << 20, f),
                    tensors: Vec::new(),
                    bytes: 0,
                })
            }
        };
        shard
            .spool
            .write_all(&t.data)
            .map_err(io_err(&shard.spool_path))?;
        let start = shard.bytes as usize;
        shard.tensors.push((
            t.name,
            TensorInfo {
                dtype: t.dtype,
                shape: t.shape,
                data_offsets: (start, start + t.data.len()),
            },
        ));
        shard.bytes += len;
        self.total += len;
        Ok(())
    }

    fn close_shard(&mut self) -> Result<(), ShardError> {
        let Some(shard) = self.open.take() else {
            return Ok(());
        };
        let spool = shard
            .spool
            .into_inner()
            .map_err(|e| io_err(&shard.spool_path)(e.into_error()))?;
        drop(spool);
        let names = shard.tensors.iter().map(|(n, _)| n.clone()).collect();
        let meta = HashMap::from([("format".to_string(), "mlx".to_string())]);
        let header = Metadata::new(Some(meta), shard.tensors).map_err(ShardError::Header)?;
        let mut header = serde_json::to_vec(&header)?;
        // The format pads the header with spaces to 8-byte alignment.
        header.resize(header.len().next_multiple_of(8), b' ');
        let path = self
            .dir
            .join(format!(".shard-{}.safetensors", self.done.len()));
        let mut out = BufWriter::new(File::create(&path).map_err(io_err(&path))?);
        let mut data = File::open(&shard.spool_path).map_err(io_err(&shard.spool_path))?;
        out.write_all(&(header.len() as u64).to_le_bytes())
            .and_then(|_| out.write_all(&header))
            .and_then(|_| std::io::copy(&mut data, &mut out).map(|_| ()))
            .and_then(|_| out.flush())
            .map_err(io_err(&path))?;
        std::fs::remove_file(&shard.spool_path).map_err(io_err(&shard.spool_path))?;
        self.done.push((path, names));
        Ok(())
    }

    /// Closes the last shard, names the shards and writes the index when
    /// there is more than one. Returns the shard file names.
    pub fn finish(mut self) -> Result<Vec<String>, ShardError> {
        self.close_shard()?;
        let n = self.done.len();
        let mut files = Vec::with_capacity(n);
        let mut weight_map = BTreeMap::new();
        for (i, (tmp, names)) in self.done.iter().enumerate() {
            let name = if n == 1 {
                "model.safetensors".to_string()
            } else {
                format!("model-{:05}-of-{n:05}.safetensors", i + 1)
            };
            let dest = self.dir.join(&name);
            std::fs::rename(tmp, &dest).map_err(io_err(&dest))?;
            for t in names {
                weight_map.insert(t.clone(), name.clone());
            }
            files.push(name);
        }
        if n > 1 {
            let index = serde_json::json!({
                "metadata": {"total_size": self.total},
                "weight_map": weight_map,
            });
            let path = self.dir.join("model.safetensors.index.json");
            let text = serde_json::to_string_pretty(&index)?;
            std::fs::write(&path, text + "\n").map_err(io_err(&path))?;
        }
        Ok(files)
    }
}
