//! Our ggml dequantizers against gguf-py's numpy ones, bit for bit, on random
//! blocks of every supported type (fixtures from scripts/gen_gguf_fixtures.py).

use punie_eval::gguf::dequant::{dequantize, DequantError};
use punie_eval::gguf::GgmlType;
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gguf/dequant")
}

fn read_f32(path: &PathBuf) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[test]
fn every_supported_type_matches_gguf_py_bit_for_bit() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    let mut seen = Vec::new();
    for entry in manifest["types"].as_array().unwrap() {
        let name = entry["type"].as_str().unwrap();
        let ty = GgmlType::from_name(name).unwrap();
        assert_eq!(
            u64::from(ty.id),
            entry["type_id"].as_u64().unwrap(),
            "{name} id"
        );
        let data = std::fs::read(fixtures().join(entry["data"].as_str().unwrap())).unwrap();
        let expected = read_f32(&fixtures().join(entry["expected"].as_str().unwrap()));
        assert_eq!(expected.len() as u64, entry["elements"].as_u64().unwrap());
        let mut got = vec![f32::NAN; expected.len()];
        dequantize(ty, &data, &mut got).unwrap();
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(
                g.to_bits(),
                e.to_bits(),
                "{name} element {i} (block {}): ours {g:e}, gguf-py {e:e}",
                i as u64 / ty.block_elems
            );
        }
        seen.push(ty);
    }
    for ty in GgmlType::SUPPORTED {
        assert!(seen.contains(ty), "no fixture for supported type {ty}");
    }
}

#[test]
fn unsupported_and_missized_inputs_are_errors() {
    let mut out = vec![0f32; 256];
    let err = dequantize(GgmlType::Q2_K, &[0u8; 84], &mut out).unwrap_err();
    assert!(matches!(err, DequantError::Unsupported(t) if t == GgmlType::Q2_K));
    assert!(err.to_string().contains("Q6_K"), "{err}");

    let mut out = vec![0f32; 32];
    let err = dequantize(GgmlType::Q8_0, &[0u8; 33], &mut out).unwrap_err();
    assert!(err.to_string().contains("expected 34 bytes"), "{err}");
    // Element counts that are not whole blocks are refused, not truncated.
    let mut out = vec![0f32; 31];
    assert!(dequantize(GgmlType::Q4_0, &[0u8; 18], &mut out).is_err());
}
