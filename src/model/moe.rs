//! Qwen3-MoE's sparse block: a router picks the top-k experts per token;
//! experts are stacked (`switch_mlp.{gate,up,down}_proj`, [E, out, in]) and
//! run with gather_(q)mm — mlx-lm's `Qwen3MoeSparseMoeBlock` + `SwitchGLU`.

use super::config::ModelConfig;
use super::linear::Linear;
use super::quantized::Weight;
use super::weights::Weights;
use super::Error;
use mlx_rs::ops::indexing::{Ellipsis, TryIndexOp};
use mlx_rs::{ops, Array, Dtype};

/// One stacked expert projection: a [`Weight`] [E, out, in].
struct SwitchLinear(Weight);

impl SwitchLinear {
    fn load(
        w: &mut Weights,
        cfg: &ModelConfig,
        p: &str,
        experts: i32,
        in_dim: i32,
        out_dim: i32,
    ) -> Result<SwitchLinear, Error> {
        let key = format!("{p}.weight");
        let file = w.file_of(&key);
        let weight = Weight::load(w, cfg, p, &[experts, out_dim, in_dim])?;
        if let Weight::Dense(a) = &weight {
            if a.dtype() != Dtype::Float32 && on_cpu() {
                // Caught here rather than as MLX's bare "[GatherMM::eval]
                // Currently only supports float32" at the first token.
                return Err(Error::Weights {
                    path: file,
                    msg: format!(
                        "tensor \"{key}\" holds unquantized experts as {:?}, and MLX's CPU \
                         backend multiplies gathered experts only in float32; fix: quantize \
                         the model (`mlx_lm.convert -q`, `model synth --bits N`), store the \
                         experts as float32, or run on a GPU",
                        a.dtype()
                    ),
                });
            }
        }
        Ok(SwitchLinear(weight))
    }

    /// x [.., 1, in] with expert indices [..] → [.., 1, out]. `sorted`: the
    /// indices are in ascending order (rows grouped by expert).
    fn forward(&self, x: &Array, idx: &Array, sorted: bool) -> Result<Array, Error> {
        self.0.gather_matmul(x, idx, sorted)
    }
}

/// Whether arrays are computed on the CPU (the default device).
fn on_cpu() -> bool {
    mlx_rs::Device::try_default()
        .and_then(|d| d.get_type())
        .is_ok_and(|t| matches!(t, mlx_rs::DeviceType::Cpu))
}

pub struct SparseMoe {
    gate: Linear,
    gate_proj: SwitchLinear,
    up_proj: SwitchLinear,
    down_proj: SwitchLinear,
    top_k: i32,
    num_experts: i32,
    norm_topk_prob: bool,
}

impl SparseMoe {
    pub fn load(w: &mut Weights, cfg: &ModelConfig, p: &str) -> Result<SparseMoe, Error> {
        let (d, f, e) = (cfg.hidden_size, cfg.moe_intermediate_size, cfg.num_experts);
        let s = format!("{p}.switch_mlp");
        Ok(SparseMoe {
            gate: Linear::load(w, cfg, &format!("{p}.gate"), d, e, false)?,
            gate_proj: SwitchLinear::load(w, cfg, &format!("{s}.gate_proj"), e, d, f)?,
            up_proj: SwitchLinear::load(w, cfg, &format!("{s}.up_proj"), e, d, f)?,
            down_proj: SwitchLinear::load(w, cfg, &format!("{s}.down_proj"), e, f, d)?,
            top_k: cfg.num_experts_per_tok,
            num_experts: e,
            norm_topk_prob: cfg.norm_topk_prob,
        })
    }

    /// x [B, L, D] → [B, L, D].
    pub fn forward(&self, x: &Array) -> Result<Array, Error> {
        let gates = ops::softmax_axis(self.gate.forward(x)?, -1, true)?;
        let k = self.top_k;
        // The top k: a slice (a view), not a gather with an index array that
        // would be uploaded to the device for every layer of every token.
        let part = ops::argpartition_axis(&gates, -k, -1)?;
        let inds = part.try_index((Ellipsis, (self.num_experts - k)..))?;
        let mut scores = gates.take_along_axis(&inds, -1)?;
        if self.norm_topk_prob {
            scores = ops::divide(&scores, scores.sum_axis(-1, true)?)?;
        }
        // [B, L, D] → [B, L, 1, 1, D]: one row per (token, chosen expert).
        let xe = x.expand_dims_axes(&[-2, -3])?;
        let y = if inds.size() >= 64 {
            // Prefill: group the (token, expert) rows by expert first, as
            // mlx-lm's SwitchGLU does. Unsorted, gather_qmm gathers a weight
            // matrix per row: 1.5x the peak memory and slower on a
            // 2k-token prompt of Qwen3-30B-A3B (BENCHMARKS.md).
            let shape = inds.shape().to_vec();
            let flat = inds.flatten(None, None)?;
            let order = ops::argsort(&flat)?;
            let inv = ops::argsort(&order)?;
            let rows = ops::floor_divide(&order, Array::from_int(k))?;
            let xs = xe.flatten(0, -3)?.take_axis(&rows, 0)?;
            let idx = flat.take_axis(&order, 0)?;
            let h = self.glu(&xs, &idx, true)?;
            ops::unflatten(h.take_axis(&inv, 0)?, 0, &shape)?
        } else {
            self.glu(&xe, &inds, false)?
        }
        .squeeze_axes(&[-2])?;
        let y = ops::multiply(&y, scores.expand_dims(-1)?)?;
        Ok(y.sum_axis(-2, false)?)
    }

    /// down(silu(gate(x)) * up(x)) with each row's expert.
    fn glu(&self, x: &Array, idx: &Array, sorted: bool) -> Result<Array, Error> {
        let up = self.up_proj.forward(x, idx, sorted)?;
        let gate = self.gate_proj.forward(x, idx, sorted)?;
        let h = super::mlp::swiglu(&gate, &up)?;
        self.down_proj.forward(&h, idx, sorted)
    }
}
