//! GGUF files written by our writer with known values read back exactly, and
//! every kind of broken file is an error naming the file, the place and what
//! was expected.

use punie_eval::gguf::{GgmlType, GgufError, GgufFile, GgufWriter, Value, ValueType};
use std::path::Path;

fn q8_0_block(d: f32, qs: [i8; 32]) -> Vec<u8> {
    let mut b = half::f16::from_f32(d).to_le_bytes().to_vec();
    b.extend(qs.iter().map(|&q| q as u8));
    b
}

/// A small file with one tensor per interesting case and metadata of every type.
fn sample() -> GgufWriter {
    let mut qs = [0i8; 32];
    for (i, q) in qs.iter_mut().enumerate() {
        *q = i as i8 - 16;
    }
    let mut q8 = q8_0_block(0.5, qs);
    q8.extend(q8_0_block(-2.0, [127; 32]));
    GgufWriter::new()
        .kv_str("general.architecture", "qwen2")
        .kv("test.u8", Value::U8(200))
        .kv("test.i8", Value::I8(-5))
        .kv("test.u16", Value::U16(60000))
        .kv("test.i16", Value::I16(-30000))
        .kv_u32("test.u32", 4_000_000_000)
        .kv("test.i32", Value::I32(-2_000_000_000))
        .kv_f32("test.f32", 1.5)
        .kv("test.bool", Value::Bool(true))
        .kv("test.u64", Value::U64(u64::MAX))
        .kv("test.i64", Value::I64(i64::MIN))
        .kv("test.f64", Value::F64(-0.1))
        .kv_strings("test.strings", &["a", "ünïcödé", ""])
        .kv("test.empty", Value::Array(ValueType::U32, vec![]))
        .kv(
            "test.nested",
            Value::Array(
                ValueType::Array,
                vec![Value::Array(
                    ValueType::I32,
                    vec![Value::I32(1), Value::I32(-1)],
                )],
            ),
        )
        .tensor_f32(
            "f32",
            &[3, 2],
            &[1.0, -2.0, 3.5, f32::MIN_POSITIVE, -0.0, 1e30],
        )
        .unwrap()
        .tensor_f16("f16", &[4], &[1.0, -0.5, 65504.0, 0.000061035156])
        .unwrap()
        .tensor_bf16("bf16", &[2], &[3.0e38, -1.0])
        .unwrap()
        .tensor("q8", &[32, 2], GgmlType::Q8_0, q8)
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn written_file_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let w = sample();
    let path = dir.path().join("ok.gguf");
    w.write(&path).unwrap();
    let f = GgufFile::open(&path).unwrap();
    assert_eq!(f.version, 3);
    assert_eq!(f.alignment, 32);
    assert_eq!(f.data_offset % 32, 0);
    assert_eq!(f.architecture().unwrap(), "qwen2");
    assert_eq!(f.get("test.u8"), Some(&Value::U8(200)));
    assert_eq!(f.get("test.i8"), Some(&Value::I8(-5)));
    assert_eq!(f.get("test.u16"), Some(&Value::U16(60000)));
    assert_eq!(f.get("test.i16"), Some(&Value::I16(-30000)));
    assert_eq!(f.opt_u64("test.u32").unwrap(), Some(4_000_000_000));
    assert_eq!(f.get("test.i32"), Some(&Value::I32(-2_000_000_000)));
    assert_eq!(f.opt_f64("test.f32").unwrap(), Some(1.5));
    assert_eq!(f.opt_bool("test.bool").unwrap(), Some(true));
    assert_eq!(f.opt_u64("test.u64").unwrap(), Some(u64::MAX));
    assert_eq!(f.get("test.i64"), Some(&Value::I64(i64::MIN)));
    assert_eq!(f.get("test.f64"), Some(&Value::F64(-0.1)));
    let strings = f.opt_array("test.strings").unwrap().unwrap();
    let strings: Vec<_> = strings.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(strings, ["a", "ünïcödé", ""]);
    assert_eq!(
        f.get("test.empty"),
        Some(&Value::Array(ValueType::U32, vec![]))
    );
    assert_eq!(f.metadata().len(), 15);
    assert_eq!(f.metadata()[1].0, "test.u8", "metadata keeps file order");

    let names: Vec<_> = f.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["f32", "f16", "bf16", "q8"]);
    let t = f.tensor("f32").unwrap();
    assert_eq!((t.dims.clone(), t.shape()), (vec![3, 2], vec![2, 3]));
    let got = f.dequantize(t).unwrap();
    let want = [1.0, -2.0, 3.5, f32::MIN_POSITIVE, -0.0, 1e30];
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|v: &f32| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(
        f.dequantize(f.tensor("f16").unwrap()).unwrap(),
        [1.0, -0.5, 65504.0, 0.000061035156]
    );
    // bf16 keeps 8 mantissa bits: 3.0e38 rounds to the nearest bf16.
    let bf = f.dequantize(f.tensor("bf16").unwrap()).unwrap();
    assert_eq!(bf, [half::bf16::from_f32(3.0e38).to_f32(), -1.0]);
    let q8 = f.dequantize(f.tensor("q8").unwrap()).unwrap();
    let want: Vec<f32> = (0..32)
        .map(|i| (i as f32 - 16.0) * 0.5)
        .chain(std::iter::repeat_n(-254.0, 32))
        .collect();
    assert_eq!(q8, want);
    // The writer's bytes are what the reader saw: rewriting gives the same file.
    assert_eq!(std::fs::read(&path).unwrap(), w.to_bytes());
}

#[test]
fn custom_alignment_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let w = GgufWriter::new()
        .alignment(64)
        .tensor_f32("a", &[3], &[1.0, 2.0, 3.0])
        .unwrap()
        .tensor_f32("b", &[1], &[4.0])
        .unwrap();
    let path = write(dir.path(), "a.gguf", &w.to_bytes());
    let f = GgufFile::open(&path).unwrap();
    assert_eq!(f.alignment, 64);
    assert_eq!(f.data_offset % 64, 0);
    assert_eq!(f.tensor("b").unwrap().offset, 64);
    assert_eq!(f.dequantize(f.tensor("b").unwrap()).unwrap(), [4.0]);
}

fn open_err(path: &Path) -> (GgufError, String) {
    let e = GgufFile::open(path).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "names the file: {msg}"
    );
    (e, msg)
}

#[test]
fn truncated_files_name_the_offset_and_what_was_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let full = sample().to_bytes();
    let whole = GgufFile::open(write(dir.path(), "whole.gguf", &full)).unwrap();
    let q8 = whole.tensor("q8").unwrap();
    let q8_end = (whole.data_offset + q8.offset + q8.n_bytes) as usize;
    // Cut inside the header, the metadata, the tensor table and the data.
    for cut in [2, 10, 30, 200, whole.data_offset as usize - 8, q8_end - 1] {
        let p = write(dir.path(), &format!("cut{cut}.gguf"), &full[..cut]);
        let (e, msg) = open_err(&p);
        assert!(
            matches!(e, GgufError::Truncated { .. } | GgufError::BadMagic { .. }),
            "{msg}"
        );
        if cut >= 4 {
            assert!(msg.contains("truncated at offset"), "{msg}");
        }
    }
    let p = write(dir.path(), "data.gguf", &full[..q8_end - 1]);
    let (_, msg) = open_err(&p);
    assert!(
        msg.contains("tensor 'q8'"),
        "names the tensor whose data is cut: {msg}"
    );
}

#[test]
fn bad_magic_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = sample().to_bytes();
    bytes[..4].copy_from_slice(b"GGML");
    let (e, msg) = open_err(&write(dir.path(), "magic.gguf", &bytes));
    assert!(matches!(e, GgufError::BadMagic { .. }), "{msg}");
    assert!(msg.contains("expected \"GGUF\""), "{msg}");

    for (v, hint) in [
        (1u32, "version 1"),
        (4, ""),
        (3u32.swap_bytes(), "big-endian"),
    ] {
        let mut bytes = sample().to_bytes();
        bytes[4..8].copy_from_slice(&v.to_le_bytes());
        let (e, msg) = open_err(&write(dir.path(), "version.gguf", &bytes));
        assert!(matches!(e, GgufError::BadVersion { .. }), "{msg}");
        assert!(
            msg.contains("supported: 2, 3") && msg.contains(hint),
            "{msg}"
        );
    }
}

#[test]
fn unknown_and_unsupported_tensor_types() {
    let dir = tempfile::tempdir().unwrap();
    let w = GgufWriter::new().tensor_unchecked("blk.0.weird", &[32], 99, vec![0; 64]);
    let (e, msg) = open_err(&write(dir.path(), "unknown.gguf", &w.to_bytes()));
    assert!(
        matches!(e, GgufError::UnknownTensorType { type_id: 99, .. }),
        "{msg}"
    );
    assert!(msg.contains("'blk.0.weird'"), "{msg}");

    // Q2_K is a real ggml type: the file opens, dequantizing names the type.
    let w = GgufWriter::new()
        .tensor("blk.0.q2k", &[256], GgmlType::Q2_K, vec![0; 84])
        .unwrap();
    let p = write(dir.path(), "q2k.gguf", &w.to_bytes());
    let f = GgufFile::open(&p).unwrap();
    let msg = f.dequantize(&f.tensors[0]).unwrap_err().to_string();
    assert!(msg.contains("'blk.0.q2k' is Q2_K"), "{msg}");
    assert!(msg.contains("supported: F32, F16, BF16, Q8_0"), "{msg}");
}

#[test]
fn corrupt_tables_are_errors_not_panics_or_huge_allocations() {
    let dir = tempfile::tempdir().unwrap();
    // A tensor row that is not whole blocks.
    let w = GgufWriter::new().tensor_unchecked("t", &[31], GgmlType::Q8_0.id, vec![0; 34]);
    let (_, msg) = open_err(&write(dir.path(), "rows.gguf", &w.to_bytes()));
    assert!(msg.contains("whole blocks of 32"), "{msg}");
    // Dimensions whose product overflows u64.
    let w = GgufWriter::new().tensor_unchecked("t", &[u64::MAX, 3], 0, vec![]);
    let (_, msg) = open_err(&write(dir.path(), "ovf.gguf", &w.to_bytes()));
    assert!(msg.contains("overflow"), "{msg}");
    // Five dimensions.
    let w = GgufWriter::new().tensor_unchecked("t", &[1, 1, 1, 1, 1], 0, vec![0; 4]);
    let (_, msg) = open_err(&write(dir.path(), "dims.gguf", &w.to_bytes()));
    assert!(msg.contains("5 dimensions"), "{msg}");

    // A string length and an array length far larger than the file.
    let mut bytes = GgufWriter::new().kv_str("k", "v").to_bytes();
    bytes[24..32].copy_from_slice(&u64::MAX.to_le_bytes()); // the key's length
    let (e, msg) = open_err(&write(dir.path(), "strlen.gguf", &bytes));
    assert!(
        matches!(e, GgufError::Truncated { offset: 32, .. }),
        "{msg}"
    );
    let mut bytes = GgufWriter::new().kv_strings("k", &["a"]).to_bytes();
    let at = 24 + 8 + 1 + 4 + 4; // header, key, value type, element type
    bytes[at..at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let (_, msg) = open_err(&write(dir.path(), "arrlen.gguf", &bytes));
    assert!(
        msg.contains("metadata key 'k'") && msg.contains("array of"),
        "{msg}"
    );
    // A huge tensor count with no table behind it.
    let mut bytes = GgufWriter::new().to_bytes();
    bytes[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let (e, _) = open_err(&write(dir.path(), "count.gguf", &bytes));
    assert!(matches!(e, GgufError::Truncated { .. }));
    // A bad value type tag and a non-UTF-8 key.
    let mut bytes = GgufWriter::new().kv_u32("k", 1).to_bytes();
    bytes[33..37].copy_from_slice(&77u32.to_le_bytes());
    let (_, msg) = open_err(&write(dir.path(), "tag.gguf", &bytes));
    assert!(
        msg.contains("metadata key 'k' has value type 77") && msg.contains("offset 33"),
        "{msg}"
    );
    let mut bytes = GgufWriter::new().kv_u32("k", 1).to_bytes();
    bytes[32] = 0xFF;
    let (_, msg) = open_err(&write(dir.path(), "utf8.gguf", &bytes));
    assert!(msg.contains("not valid UTF-8"), "{msg}");
    // A misaligned tensor offset, and an alignment that is not a power of two.
    let mut bytes = GgufWriter::new()
        .tensor_f32("t", &[1], &[1.0])
        .unwrap()
        .to_bytes();
    let off_at = 24 + 8 + 1 + 4 + 8 + 4;
    bytes[off_at..off_at + 8].copy_from_slice(&4u64.to_le_bytes());
    let (_, msg) = open_err(&write(dir.path(), "align.gguf", &bytes));
    assert!(msg.contains("not a multiple of the alignment 32"), "{msg}");
    let w = GgufWriter::new().kv_u32("general.alignment", 24);
    let (_, msg) = open_err(&write(dir.path(), "align2.gguf", &w.to_bytes()));
    assert!(
        msg.contains("general.alignment") && msg.contains("power of two"),
        "{msg}"
    );
    // Duplicate keys and tensor names.
    let w = GgufWriter::new().kv_u32("k", 1).kv_u32("k", 2);
    let (_, msg) = open_err(&write(dir.path(), "dupk.gguf", &w.to_bytes()));
    assert!(msg.contains("'k' appears twice"), "{msg}");
    let w = GgufWriter::new()
        .tensor_f32("t", &[1], &[1.0])
        .unwrap()
        .tensor_f32("t", &[1], &[2.0])
        .unwrap();
    let (_, msg) = open_err(&write(dir.path(), "dupt.gguf", &w.to_bytes()));
    assert!(msg.contains("'t' appears twice"), "{msg}");
}

#[test]
fn missing_file_and_wrong_key_types_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = open_err(&dir.path().join("nope.gguf"));
    assert!(matches!(e, GgufError::Io { .. }));
    let w = GgufWriter::new().kv_u32("general.architecture", 7);
    let p = write(dir.path(), "arch.gguf", &w.to_bytes());
    let f = GgufFile::open(&p).unwrap();
    let msg = f.architecture().unwrap_err().to_string();
    assert!(
        msg.contains("'general.architecture' is U32(7), expected a string"),
        "{msg}"
    );
    let w = GgufWriter::new();
    let p = write(dir.path(), "noarch.gguf", &w.to_bytes());
    let msg = GgufFile::open(&p)
        .unwrap()
        .architecture()
        .unwrap_err()
        .to_string();
    assert!(msg.contains("'general.architecture' is missing"), "{msg}");
}

/// Issue 15: one metadata array of millions of bytes is refused before it
/// is read into memory (each element would cost ~32 bytes: 31 per file byte).
#[test]
fn huge_metadata_arrays_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let n = punie_eval::gguf::MAX_METADATA_ELEMENTS + 1;
    let mut bytes = GgufWriter::new()
        .kv("k", Value::Array(ValueType::U8, vec![Value::U8(0)]))
        .to_bytes();
    // Make the one-element array an (n)-element one, with the bytes behind it.
    let at = 24 + 8 + 1 + 4 + 4; // header, key, value type, element type
    bytes[at..at + 8].copy_from_slice(&n.to_le_bytes());
    bytes.truncate(at + 8);
    bytes.extend(std::iter::repeat_n(0u8, n as usize));
    let (_, msg) = open_err(&write(dir.path(), "big.gguf", &bytes));
    assert!(msg.contains("metadata key 'k'"), "{msg}");
    assert!(msg.contains("array elements, more than the"), "{msg}");
}
