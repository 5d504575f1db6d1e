//! Response times at a glance: per method, how long final responses took (a histogram over fixed buckets,
//! median, 90th percentile, slowest); and the transactions slowest first, each with the messages to select.

use crate::base::time::format_ms;
use crate::store::Analysis;
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// Upper bounds (exclusive, ms) of the histogram's buckets; the last bucket holds the rest.
pub const BUCKETS_MS: [i64; 9] = [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/// Transactions listed slowest first, at most.
pub const SLOWEST: usize = 200;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ResponseTimes {
    /// Upper bounds of the histogram buckets in ms (the last bucket is "at least the last bound").
    #[cfg_attr(test, ts(type = "number[]"))]
    pub buckets_ms: Vec<i64>,
    /// Each bucket for people: `< 10 ms`, `10 ms – 50 ms`, …, `≥ 10.0 s`.
    pub bucket_labels: Vec<String>,
    /// Per method, most transactions first.
    pub methods: Vec<MethodTimes>,
    /// The slowest transactions (at most [`SLOWEST`]), slowest first.
    pub slowest: Vec<TransactionTime>,
    /// Transactions with a response time in all.
    pub timed: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct MethodTimes {
    pub method: String,
    pub count: usize,
    /// Transactions per bucket of [`ResponseTimes::buckets_ms`] (one more entry than bounds).
    pub histogram: Vec<u32>,
    #[cfg_attr(test, ts(type = "number"))]
    pub median_ms: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub p90_ms: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub max_ms: i64,
    /// Median, 90th percentile and slowest for people (`143 ms`, `2.8 s`).
    pub median: String,
    pub p90: String,
    pub max: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TransactionTime {
    pub transaction: u32,
    pub method: String,
    pub cseq: u32,
    #[cfg_attr(test, ts(type = "number"))]
    pub ms: i64,
    /// `ms` for people, as the ladder says it (`12.1 s`).
    pub time: String,
    pub final_status: Option<u16>,
    /// The request's message (to select), or the first response's when the request is not in the log.
    pub message: u32,
    pub conversation: Option<u32>,
}

/// The bucket of `ms` in [`BUCKETS_MS`].
pub fn bucket(ms: i64) -> usize {
    BUCKETS_MS.partition_point(|&b| b <= ms)
}

/// The value at quantile `q` of sorted `v` (nearest rank).
fn quantile(v: &[i64], q: f64) -> i64 {
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

impl Analysis {
    /// Response times per method and the slowest transactions.
    pub fn response_times(&self) -> ResponseTimes {
        let mut by_method: Vec<(String, Vec<i64>)> = Vec::new();
        let mut all: Vec<TransactionTime> = Vec::new();
        for t in &self.flow.transactions {
            let Some(ms) = t.response_ms else { continue };
            let Some(message) = t.request.or(t.responses.first().copied()) else {
                continue;
            };
            match by_method.iter_mut().find(|(m, _)| *m == t.method) {
                Some((_, v)) => v.push(ms),
                None => by_method.push((t.method.clone(), vec![ms])),
            }
            all.push(TransactionTime {
                transaction: t.id,
                method: t.method.clone(),
                cseq: t.cseq,
                ms,
                time: format_ms(ms),
                final_status: t.final_status,
                message,
                conversation: self
                    .flow
                    .links
                    .get(message as usize)
                    .and_then(|l| l.conversation),
            });
        }
        let timed = all.len();
        // Slowest first; equal times in log order.
        all.sort_by(|a, b| b.ms.cmp(&a.ms).then(a.message.cmp(&b.message)));
        all.truncate(SLOWEST);
        let mut methods: Vec<MethodTimes> = by_method
            .into_iter()
            .map(|(method, mut v)| {
                v.sort_unstable();
                let mut histogram = vec![0u32; BUCKETS_MS.len() + 1];
                for &ms in &v {
                    histogram[bucket(ms)] += 1;
                }
                let (median_ms, p90_ms) = (quantile(&v, 0.5), quantile(&v, 0.9));
                let max_ms = *v.last().expect("a method listed has a time");
                MethodTimes {
                    count: v.len(),
                    histogram,
                    median_ms,
                    p90_ms,
                    max_ms,
                    median: format_ms(median_ms),
                    p90: format_ms(p90_ms),
                    max: format_ms(max_ms),
                    method,
                }
            })
            .collect();
        methods.sort_by(|a, b| b.count.cmp(&a.count).then(a.method.cmp(&b.method)));
        let n = BUCKETS_MS.len();
        let bucket_labels = (0..=n)
            .map(|i| match i {
                0 => format!("< {}", format_ms(BUCKETS_MS[0])),
                i if i == n => format!("≥ {}", format_ms(BUCKETS_MS[n - 1])),
                i => format!(
                    "{} – {}",
                    format_ms(BUCKETS_MS[i - 1]),
                    format_ms(BUCKETS_MS[i])
                ),
            })
            .collect();
        ResponseTimes {
            buckets_ms: BUCKETS_MS.to_vec(),
            bucket_labels,
            methods,
            slowest: all,
            timed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_quantiles() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(9), 0);
        assert_eq!(bucket(10), 1);
        assert_eq!(bucket(999), 5);
        assert_eq!(bucket(1_000), 6);
        assert_eq!(bucket(60_000), 9);
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(quantile(&v, 0.5), 5);
        assert_eq!(quantile(&v, 0.9), 9);
        assert_eq!(quantile(&[7], 0.9), 7);
    }

    #[test]
    fn the_sample_slowest_first() {
        let a = Analysis::of_files([(
            "sample.uccapilog",
            include_bytes!("../../www/sample/sample.uccapilog").as_slice(),
        )]);
        let r = a.response_times();
        let timed: Vec<i64> = a
            .flow
            .transactions
            .iter()
            .filter_map(|t| t.response_ms)
            .collect();
        assert_eq!(r.timed, timed.len());
        assert!(r.timed > 5);
        // Slowest first: the INVITE answered 480 after 12.1 s.
        assert!(r.slowest.windows(2).all(|w| w[0].ms >= w[1].ms));
        assert_eq!(r.slowest[0].method, "INVITE");
        assert_eq!(r.slowest[0].final_status, Some(480));
        assert_eq!(r.slowest[0].ms, *timed.iter().max().unwrap());
        assert_eq!(r.slowest[0].time, "12.1 s");
        assert_eq!(r.bucket_labels.first().unwrap(), "< 10 ms");
        assert_eq!(r.bucket_labels.len(), BUCKETS_MS.len() + 1);
        // Every timed transaction is in one method's histogram.
        let total: u32 = r.methods.iter().flat_map(|m| m.histogram.iter()).sum();
        assert_eq!(total as usize, r.timed);
        let reg = r.methods.iter().find(|m| m.method == "REGISTER").unwrap();
        assert_eq!(reg.count, 4);
        assert!(reg.median_ms <= reg.p90_ms && reg.p90_ms <= reg.max_ms);
        // The message to select is the request, in the ladder.
        let first = &r.slowest[0];
        assert_eq!(a.messages[first.message as usize].brief.status, None);
    }
}
