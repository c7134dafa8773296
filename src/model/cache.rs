//! Per-layer key/value cache. Cheap to clone (MLX arrays are reference
//! counted), so a shared prompt prefix can be computed once and copied into
//! each query's cache; `trim` drops trailing positions.

use super::Error;
use mlx_rs::{ops, Array};

#[derive(Clone, Default)]
pub struct LayerCache {
    kv: Option<(Array, Array)>,
}

#[derive(Clone)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    /// Number of positions cached.
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
        for l in &mut self.layers {
            if let Some((k, v)) = &l.kv {
                l.kv = Some((k.take_axis(&idx, 2)?, v.take_axis(&idx, 2)?));
            }
        }
        self.offset = len;
        Ok(())
    }
}

impl KvCache {
    /// One cached row (batch 1) repeated for `rows` rows: a prefix computed
    /// once, shared by a batch.
    pub fn tile(&mut self, rows: i32) -> Result<(), Error> {
        for l in &mut self.layers {
            if let Some((k, v)) = &l.kv {
                let shape = |a: &Array| {
                    let mut s = a.shape().to_vec();
                    s[0] = rows;
                    s
                };
                l.kv = Some((
                    ops::broadcast_to(k, &shape(k))?,
                    ops::broadcast_to(v, &shape(v))?,
                ));
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
}
