//! `bench`: Punie's metrics done right. Disk size of the model folder
//! (local paths too), load time, memory (MLX active after load and peak
//! during the queries — not weights-only), warm-up (first query), a
//! steady-state series with its spread, and accuracy over the suite with
//! every query counted once (Punie counted one greedy query four times).

#[cfg(feature = "mlx")]
mod procedure;
pub mod provenance;
pub mod stats;
pub mod targets;

pub use crate::results::{BenchMetrics, Timed};
#[cfg(feature = "mlx")]
pub use procedure::{bench, BenchError, BenchRecord, BenchRequest};
