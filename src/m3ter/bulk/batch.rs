//! Splitting measurements into ingest requests: at most 1000 measurements and strictly fewer
//! than 512,000 bytes each, measured on the exact bytes that will be sent (so the limit holds
//! for long string values too, where counting measurements alone would not).

use super::{BulkError, Result};
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
#[cfg(test)]
pub fn split(measurements: &[Measurement]) -> Result<Vec<Batch>> {
    split_with(measurements, BATCH_MAX_MEASUREMENTS, BATCH_MAX_BYTES)
}

#[cfg(test)]
pub fn split_with(
    measurements: &[Measurement],
    max_count: usize,
    max_bytes: usize,
) -> Result<Vec<Batch>> {
    let mut b = Batcher::with_limits(max_count, max_bytes);
    let mut out = Vec::new();
    for (i, m) in measurements.iter().enumerate() {
        out.extend(b.push(i + 1, m)?);
    }
    out.extend(b.finish());
    Ok(out)
}

/// Builds request bodies one measurement at a time, handing out each batch as soon as the next
/// measurement would not fit: memory holds one batch, whatever the input's size.
pub struct Batcher {
    max_count: usize,
    max_bytes: usize,
    body: Vec<u8>,
    count: usize,
    one: Vec<u8>,
}

impl Default for Batcher {
    fn default() -> Self {
        Self::with_limits(BATCH_MAX_MEASUREMENTS, BATCH_MAX_BYTES)
    }
}

impl Batcher {
    pub fn with_limits(max_count: usize, max_bytes: usize) -> Self {
        Batcher {
            max_count,
            max_bytes,
            body: PREFIX.to_vec(),
            count: 0,
            one: Vec::new(),
        }
    }

    /// Adds measurement number `n` (1-based, for the message when it alone is too large);
    /// returns the previous batch when this one starts a new one.
    pub fn push(&mut self, n: usize, m: &Measurement) -> Result<Option<Batch>> {
        self.one.clear();
        serde_json::to_writer(&mut self.one, m)?;
        let alone = PREFIX.len() + SUFFIX.len() + self.one.len();
        if alone >= self.max_bytes {
            return Err(BulkError::Input(format!(
                "measurement {n} (uid {}) alone is {alone} bytes: an ingest request must be under {}",
                m.uid.as_deref().unwrap_or("-"),
                self.max_bytes
            )));
        }
        let size = self.body.len() + SUFFIX.len() + self.one.len() + 1;
        let full = self.count > 0 && (self.count >= self.max_count || size >= self.max_bytes);
        let done = if full { self.take() } else { None };
        if self.count > 0 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(&self.one);
        self.count += 1;
        Ok(done)
    }

    /// The last, partly filled batch.
    pub fn finish(&mut self) -> Option<Batch> {
        self.take()
    }

    fn take(&mut self) -> Option<Batch> {
        if self.count == 0 {
            return None;
        }
        let mut body = std::mem::replace(&mut self.body, PREFIX.to_vec());
        body.extend_from_slice(SUFFIX);
        let count = std::mem::take(&mut self.count);
        Some(Batch { count, body })
    }
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
