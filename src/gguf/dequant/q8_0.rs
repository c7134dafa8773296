//! Q8_0: blocks of 32 × i8 with one f16 scale (34 bytes). y = q·d.

const QK: usize = 32;
const BYTES: usize = 34;

pub(super) fn q8_0(data: &[u8], out: &mut [f32]) {
    for (blk, y) in data.chunks_exact(BYTES).zip(out.chunks_exact_mut(QK)) {
        let d = super::f16_at(blk);
        for (o, &q) in y.iter_mut().zip(&blk[2..]) {
            *o = f32::from(q as i8) * d;
        }
    }
}
