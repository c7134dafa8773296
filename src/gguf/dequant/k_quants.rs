//! k-quants: super-blocks of 256 elements split into sub-blocks, each with
//! its own quantized scale (ggml's ggml-quants.c `dequantize_row_q*_K`).
//!
//! Q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of packed 6-bit scales and
//!   mins for 8 sub-blocks of 32, 128 bytes of nibbles. y = d·sc·q − dmin·m.
//! Q5_K (176 bytes): as Q4_K plus 32 bytes `qh` giving each value a 5th bit.
//! Q6_K (210 bytes): 128 bytes low nibbles `ql`, 64 bytes 2-bit highs `qh`,
//!   16 i8 scales for sub-blocks of 16, f16 d. y = d·sc·(q − 32).

const QK_K: usize = 256;

/// Scale and min of sub-block `j` (0..8) from the 12 packed bytes
/// (ggml's `get_scale_min_k4`).
#[inline]
fn scale_min(j: usize, s: &[u8]) -> (u8, u8) {
    if j < 4 {
        (s[j] & 63, s[j + 4] & 63)
    } else {
        (
            (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4),
            (s[j + 4] >> 4) | ((s[j] >> 6) << 4),
        )
    }
}

pub(super) fn q4_k(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(144).zip(out.chunks_exact_mut(QK_K)) {
        let d = super::f16_at(blk);
        let dmin = super::f16_at(&blk[2..]);
        let scales = &blk[4..16];
        let qs = &blk[16..144];
        // Each 32-byte chunk of qs holds two sub-blocks: low nibbles, then high.
        for (c, (q, y)) in qs.chunks_exact(32).zip(y.chunks_exact_mut(64)).enumerate() {
            let (sc1, m1) = scale_min(2 * c, scales);
            let (sc2, m2) = scale_min(2 * c + 1, scales);
            let (d1, m1) = (d * f32::from(sc1), dmin * f32::from(m1));
            let (d2, m2) = (d * f32::from(sc2), dmin * f32::from(m2));
            for l in 0..32 {
                y[l] = d1 * f32::from(q[l] & 0x0F) - m1;
                y[l + 32] = d2 * f32::from(q[l] >> 4) - m2;
            }
        }
    }
}

pub(super) fn q5_k(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(176).zip(out.chunks_exact_mut(QK_K)) {
        let d = super::f16_at(blk);
        let dmin = super::f16_at(&blk[2..]);
        let scales = &blk[4..16];
        let qh = &blk[16..48];
        let qs = &blk[48..176];
        for (c, (q, y)) in qs.chunks_exact(32).zip(y.chunks_exact_mut(64)).enumerate() {
            let (sc1, m1) = scale_min(2 * c, scales);
            let (sc2, m2) = scale_min(2 * c + 1, scales);
            let (d1, m1) = (d * f32::from(sc1), dmin * f32::from(m1));
            let (d2, m2) = (d * f32::from(sc2), dmin * f32::from(m2));
            // Sub-block s takes its 5th bits from bit s of each qh byte.
            let (u1, u2) = (1u8 << (2 * c), 1u8 << (2 * c + 1));
            for l in 0..32 {
                let h1 = if qh[l] & u1 != 0 { 16 } else { 0 };
                let h2 = if qh[l] & u2 != 0 { 16 } else { 0 };
                y[l] = d1 * f32::from((q[l] & 0x0F) + h1) - m1;
                y[l + 32] = d2 * f32::from((q[l] >> 4) + h2) - m2;
            }
        }
    }
}

pub(super) fn q6_k(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(210).zip(out.chunks_exact_mut(QK_K)) {
        let d = super::f16_at(&blk[208..]);
        // Two halves of 128 elements: 64 bytes of ql, 32 of qh, 8 scales each.
        for n in 0..2 {
            let ql = &blk[64 * n..64 * n + 64];
            let qh = &blk[128 + 32 * n..128 + 32 * n + 32];
            let sc = &blk[192 + 8 * n..192 + 8 * n + 8];
            let y = &mut y[128 * n..128 * n + 128];
            for l in 0..32 {
                let is = l / 16;
                let q1 = ((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) as i8 - 32;
                let q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
                let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
                let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
                let s = |k: usize| d * f32::from(sc[is + k] as i8);
                y[l] = s(0) * f32::from(q1);
                y[l + 32] = s(2) * f32::from(q2);
                y[l + 64] = s(4) * f32::from(q3);
                y[l + 96] = s(6) * f32::from(q4);
            }
        }
    }
}
