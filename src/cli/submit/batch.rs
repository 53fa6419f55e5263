//! Splitting measurements into ingest requests: at most 1000 measurements and strictly fewer
//! than 512,000 bytes each, measured on the exact bytes that will be sent (so the limit holds
//! for long string values too, where counting measurements alone would not).

use crate::cli::exit::usage;
use crate::m3ter::rules::{BATCH_MAX_BYTES, BATCH_MAX_MEASUREMENTS};
use crate::m3ter::Measurement;

const PREFIX: &[u8] = b"{\"measurements\":[";
const SUFFIX: &[u8] = b"]}";

/// One request body, ready to send (and to journal) byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub count: usize,
    pub body: Vec<u8>,
}

/// Greedy split in input order.
pub fn split(measurements: &[Measurement]) -> anyhow::Result<Vec<Batch>> {
    split_with(measurements, BATCH_MAX_MEASUREMENTS, BATCH_MAX_BYTES)
}

pub fn split_with(
    measurements: &[Measurement],
    max_count: usize,
    max_bytes: usize,
) -> anyhow::Result<Vec<Batch>> {
    let mut batches = Vec::new();
    let mut current: Vec<Vec<u8>> = Vec::new();
    let mut size = PREFIX.len() + SUFFIX.len();
    for (i, m) in measurements.iter().enumerate() {
        let one = serde_json::to_vec(m)?;
        let alone = PREFIX.len() + SUFFIX.len() + one.len();
        if alone >= max_bytes {
            return Err(usage(format!(
                "measurement {} (uid {}) alone is {alone} bytes: an ingest request must be under {max_bytes}",
                i + 1,
                m.uid.as_deref().unwrap_or("-")
            )));
        }
        let added = one.len() + usize::from(!current.is_empty());
        if !current.is_empty() && (current.len() >= max_count || size + added >= max_bytes) {
            batches.push(assemble(std::mem::take(&mut current)));
            size = PREFIX.len() + SUFFIX.len();
        }
        size += one.len() + usize::from(!current.is_empty());
        current.push(one);
    }
    if !current.is_empty() {
        batches.push(assemble(current));
    }
    Ok(batches)
}

fn assemble(parts: Vec<Vec<u8>>) -> Batch {
    let count = parts.len();
    let mut body = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + count + 19);
    body.extend_from_slice(PREFIX);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(p);
    }
    body.extend_from_slice(SUFFIX);
    Batch { count, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::MeasurementBatch;

    fn m(i: usize, pad: usize) -> Measurement {
        let mut m = Measurement {
            uid: Some(format!("u{i}")),
            meter: "api".into(),
            account: "A".into(),
            ts: "2026-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        m.metadata = Some([("note".to_string(), "x".repeat(pad))].into());
        m
    }

    #[test]
    fn bodies_match_serde_and_respect_both_limits() {
        let ms: Vec<_> = (0..2500).map(|i| m(i, 10)).collect();
        let b = split(&ms).unwrap();
        assert_eq!(
            b.iter().map(|b| b.count).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        let back: MeasurementBatch = serde_json::from_slice(&b[2].body).unwrap();
        assert_eq!(back.measurements, ms[2000..]);
        let body = serde_json::to_vec(&MeasurementBatch {
            measurements: ms[2000..].to_vec(),
        })
        .unwrap();
        assert_eq!(b[2].body, body, "same bytes as Client::submit would send");

        let big: Vec<_> = (0..400).map(|i| m(i, 2000)).collect();
        let b = split(&big).unwrap();
        assert!(b.len() > 1);
        assert!(b.iter().all(|b| b.body.len() < BATCH_MAX_BYTES));
        assert_eq!(b.iter().map(|b| b.count).sum::<usize>(), 400);
    }

    #[test]
    fn exact_byte_boundary() {
        let ms: Vec<_> = (0..10).map(|i| m(i, 5)).collect();
        let one = serde_json::to_vec(&ms[0]).unwrap().len();
        // Room for exactly two: 19 + 2·one + 1 bytes must be < max.
        let max = 19 + 2 * one + 2;
        let b = split_with(&ms, 1000, max).unwrap();
        assert!(
            b.iter().all(|b| b.body.len() < max && b.count == 2),
            "{:?}",
            b.iter().map(|b| b.count).collect::<Vec<_>>()
        );
    }
}
