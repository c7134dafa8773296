//! Per-layer key/value cache. Cheap to clone (MLX arrays are reference
//! counted), so a shared prompt prefix can be computed once and copied into
//! each query's cache; `trim` drops trailing positions.
//!
//! A batch's cache (batched generation) holds each row's own positions
//! ([B, H, T, D], left-aligned by padding columns no query sees) beside a
//! prompt prefix every row shares ([1, H, P, D]), which is never copied
//! per row: B rows cost one prefix, not B.

use super::Error;
use mlx_rs::{ops, Array};

#[derive(Clone, Default)]
pub struct LayerCache {
    kv: Option<(Array, Array)>,
    /// The shared prefix's keys and values (batch 1), batches only.
    shared: Option<(Array, Array)>,
}

#[derive(Clone)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    /// Number of positions cached (in a batch: the rows' own columns, the
    /// shared prefix not counted).
    pub offset: i32,
}

impl KvCache {
    pub fn new(n_layers: usize) -> KvCache {
        KvCache {
            layers: vec![LayerCache::default(); n_layers],
            offset: 0,
        }
    }

    /// Keeps the first `len` positions.
    pub fn trim(&mut self, len: i32) -> Result<(), Error> {
        if len >= self.offset {
            return Ok(());
        }
        let idx = Array::from_iter(0..len, &[len]);
        self.map(|a| Ok(a.take_axis(&idx, 2)?))?;
        self.offset = len;
        Ok(())
    }

    /// An empty batch cache whose rows all see `prefix` (a batch-1 cache)
    /// before their own positions.
    pub fn over_prefix(prefix: &KvCache) -> KvCache {
        KvCache {
            layers: prefix
                .layers
                .iter()
                .map(|l| LayerCache {
                    kv: None,
                    shared: l.kv.clone(),
                })
                .collect(),
            offset: 0,
        }
    }

    /// Keeps the batch rows `rows` (indices, in the order given).
    pub fn keep_rows(&mut self, rows: &[i32]) -> Result<(), Error> {
        let idx = Array::from_slice(rows, &[rows.len() as i32]);
        self.map(|a| Ok(a.take_axis(&idx, 0)?))
    }

    /// Drops the first `n` own columns (padding no row sees any more).
    pub fn drop_front(&mut self, n: i32) -> Result<(), Error> {
        if n <= 0 {
            return Ok(());
        }
        let idx = Array::from_iter(n..self.offset, &[self.offset - n]);
        self.map(|a| Ok(a.take_axis(&idx, 2)?))?;
        self.offset -= n;
        Ok(())
    }

    /// Puts `n` padding columns (zeros) before the own columns.
    pub fn pad_front(&mut self, n: i32) -> Result<(), Error> {
        if n <= 0 {
            return Ok(());
        }
        self.map(|a| {
            let mut s = a.shape().to_vec();
            s[2] = n;
            Ok(ops::concatenate(
                &[ops::zeros_dtype(&s, a.dtype())?, a.clone()],
                2,
            )?)
        })?;
        self.offset += n;
        Ok(())
    }

    /// Appends the rows of `other`, a cache over the same prefix with as
    /// many own columns.
    pub fn append_rows(&mut self, other: &KvCache) -> Result<(), Error> {
        if other.offset != self.offset || other.layers.len() != self.layers.len() {
            return Err(Error::Other(format!(
                "joining batch caches of {} and {} positions",
                self.offset, other.offset
            )));
        }
        for (l, o) in self.layers.iter_mut().zip(&other.layers) {
            if let (Some((k, v)), Some((ok, ov))) = (&l.kv, &o.kv) {
                l.kv = Some((
                    ops::concatenate(&[k, ok], 0)?,
                    ops::concatenate(&[v, ov], 0)?,
                ));
            }
        }
        Ok(())
    }

    /// Applies `f` to every layer's own keys and values.
    fn map(&mut self, f: impl Fn(&Array) -> Result<Array, Error>) -> Result<(), Error> {
        for l in &mut self.layers {
            if let Some((k, v)) = &l.kv {
                l.kv = Some((f(k)?, f(v)?));
            }
        }
        Ok(())
    }
}

impl LayerCache {
    /// Appends keys/values [B, H, L, D] and returns everything cached.
    pub fn update(&mut self, k: Array, v: Array) -> Result<(Array, Array), Error> {
        let (k, v) = match self.kv.take() {
            None => (k, v),
            Some((pk, pv)) => (
                ops::concatenate(&[pk, k], 2)?,
                ops::concatenate(&[pv, v], 2)?,
            ),
        };
        self.kv = Some((k.clone(), v.clone()));
        Ok((k, v))
    }

    /// The batch's shared prefix keys and values ([1, H, P, D]), if any.
    pub fn shared(&self) -> Option<&(Array, Array)> {
        self.shared.as_ref()
    }
}
