//! Confusion matrix: expected behaviour (rows) × observed verdict kind
//! (columns), with malformed calls, promises and missing completions as
//! columns of their own so none of them hides inside "direct".

use super::query::Observed;
use crate::suite::ExpectKind;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confusion {
    counts: [[u64; 5]; 4],
}

fn row(e: ExpectKind) -> usize {
    ExpectKind::ALL.iter().position(|k| *k == e).unwrap_or(0)
}

fn col(o: Observed) -> usize {
    Observed::ALL.iter().position(|k| *k == o).unwrap_or(0)
}

impl Confusion {
    pub fn add(&mut self, expected: ExpectKind, observed: Observed) {
        self.counts[row(expected)][col(observed)] += 1;
    }

    pub fn get(&self, expected: ExpectKind, observed: Observed) -> u64 {
        self.counts[row(expected)][col(observed)]
    }

    pub fn row_total(&self, expected: ExpectKind) -> u64 {
        self.counts[row(expected)].iter().sum()
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }
}

/// Serialized as `{"tool": {"tool_call": 3, "direct": 1, …}, …}`, every cell
/// present, rows and columns in a fixed order.
impl Serialize for Confusion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        for e in ExpectKind::ALL {
            let cells: serde_json::Map<String, serde_json::Value> = Observed::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), self.get(e, *o).into()))
                .collect();
            m.serialize_entry(e.as_str(), &cells)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Confusion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: BTreeMap<ExpectKind, BTreeMap<Observed, u64>> = BTreeMap::deserialize(d)?;
        let mut c = Confusion::default();
        for (e, cols) in raw {
            for (o, n) in cols {
                c.counts[row(e)][col(o)] = n;
            }
        }
        Ok(c)
    }
}
