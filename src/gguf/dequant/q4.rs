//! Q4_0 and Q4_1: blocks of 32 four-bit values. Byte j holds element j in its
//! low nibble and element j+16 in its high nibble.
//! Q4_0 (18 bytes: f16 d, 16 qs): y = (q − 8)·d.
//! Q4_1 (20 bytes: f16 d, f16 m, 16 qs): y = q·d + m.

const QK: usize = 32;

pub(super) fn q4_0(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(18).zip(out.chunks_exact_mut(QK)) {
        let d = super::f16_at(blk);
        let qs = &blk[2..18];
        for j in 0..QK / 2 {
            y[j] = d * f32::from((qs[j] & 0x0F) as i8 - 8);
            y[j + QK / 2] = d * f32::from((qs[j] >> 4) as i8 - 8);
        }
    }
}

pub(super) fn q4_1(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(20).zip(out.chunks_exact_mut(QK)) {
        let d = super::f16_at(blk);
        let m = super::f16_at(&blk[2..]);
        let qs = &blk[4..20];
        for j in 0..QK / 2 {
            y[j] = d * f32::from(qs[j] & 0x0F) + m;
            y[j + QK / 2] = d * f32::from(qs[j] >> 4) + m;
        }
    }
}
