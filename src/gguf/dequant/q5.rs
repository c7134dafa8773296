//! Q5_0 and Q5_1: Q4 nibbles plus a fifth bit per element from a 32-bit
//! mask `qh` (bit j for element j).
//! Q5_0 (22 bytes: f16 d, u32 qh, 16 qs): y = (q − 16)·d.
//! Q5_1 (24 bytes: f16 d, f16 m, u32 qh, 16 qs): y = q·d + m.

const QK: usize = 32;

/// The 5-bit values of one block.
#[inline]
fn values(qh: &[u8], qs: &[u8]) -> [u8; QK] {
    let qh = u32::from_le_bytes([qh[0], qh[1], qh[2], qh[3]]);
    let mut q = [0u8; QK];
    for j in 0..QK / 2 {
        let hi0 = ((qh >> j) & 1) as u8;
        let hi1 = ((qh >> (j + QK / 2)) & 1) as u8;
        q[j] = (qs[j] & 0x0F) | (hi0 << 4);
        q[j + QK / 2] = (qs[j] >> 4) | (hi1 << 4);
    }
    q
}

pub(super) fn q5_0(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(22).zip(out.chunks_exact_mut(QK)) {
        let d = super::f16_at(blk);
        let q = values(&blk[2..6], &blk[6..22]);
        for (o, &v) in y.iter_mut().zip(&q) {
            *o = d * f32::from(v as i8 - 16);
        }
    }
}

pub(super) fn q5_1(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(24).zip(out.chunks_exact_mut(QK)) {
        let d = super::f16_at(blk);
        let m = super::f16_at(&blk[2..]);
        let q = values(&blk[4..8], &blk[8..24]);
        for (o, &v) in y.iter_mut().zip(&q) {
            *o = d * f32::from(v) + m;
        }
    }
}
