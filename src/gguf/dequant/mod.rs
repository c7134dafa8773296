//! ggml block dequantization: raw tensor bytes → f32, exactly as ggml's
//! reference `dequantize_row_*` functions compute it (same operation order,
//! so results are bit-identical to gguf-py's numpy dequantizers).
//! One file per block family.

mod float;
mod k_quants;
mod q4;
mod q5;
mod q8_0;

use super::ggml_type::GgmlType;

/// Why a buffer could not be dequantized.
#[derive(Debug, thiserror::Error)]
pub enum DequantError {
    #[error("{0} cannot be dequantized (supported: {supported})", supported = GgmlType::supported_names())]
    Unsupported(GgmlType),
    #[error("{ty} data is {bytes} bytes for {elems} elements; expected {expected} bytes")]
    Size {
        ty: GgmlType,
        bytes: usize,
        elems: usize,
        expected: u64,
    },
}

/// Dequantizes `data` (whole blocks of `ty`) into `out`, whose length is the
/// element count.
pub fn dequantize(ty: GgmlType, data: &[u8], out: &mut [f32]) -> Result<(), DequantError> {
    let expected = ty.bytes_for(out.len() as u64);
    if expected != Some(data.len() as u64) {
        return Err(DequantError::Size {
            ty,
            bytes: data.len(),
            elems: out.len(),
            expected: expected.unwrap_or(0),
        });
    }
    match ty {
        GgmlType::F32 => float::f32(data, out),
        GgmlType::F16 => float::f16(data, out),
        GgmlType::BF16 => float::bf16(data, out),
        GgmlType::Q8_0 => q8_0::q8_0(data, out),
        GgmlType::Q4_0 => q4::q4_0(data, out),
        GgmlType::Q4_1 => q4::q4_1(data, out),
        GgmlType::Q5_0 => q5::q5_0(data, out),
        GgmlType::Q5_1 => q5::q5_1(data, out),
        GgmlType::Q4_K => k_quants::q4_k(data, out),
        GgmlType::Q5_K => k_quants::q5_k(data, out),
        GgmlType::Q6_K => k_quants::q6_k(data, out),
        other => return Err(DequantError::Unsupported(other)),
    }
    Ok(())
}

/// An f16 stored little-endian at `b[0..2]`, widened exactly.
#[inline]
fn f16_at(b: &[u8]) -> f32 {
    half::f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32()
}
