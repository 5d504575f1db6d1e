//! `cargo bench`: native throughput of the whole pipeline (import, parse, correlate) on generated client logs.
//!
//! Generates presence-heavy UccApiLogs with sipscope-gen (deterministic), feeds them to the analyzer in 4 MiB
//! chunks as the CLI and the page do, and prints MB/s (best of several runs). Set SIPSCOPE_BENCH_MB to change the
//! size (default 100).

use std::time::Instant;

fn main() {
    // `cargo test --benches` runs this with --bench absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let mb: u64 = std::env::var("SIPSCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 2 } else { 100 });
    let mut log = Vec::with_capacity((mb as usize + 1) << 20);
    let stats = sipscope_gen::generate(
        &sipscope_gen::Config {
            target_bytes: mb << 20,
            seed: 1,
            ..Default::default()
        },
        &mut log,
    )
    .expect("generate");
    let runs = if quick { 1 } else { 5 };
    let mut best = f64::MAX;
    let mut messages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut a = sipscope::Analyzer::new();
        let id = a.add_file("bench.uccapilog", log.len() as u64);
        for chunk in log.chunks(4 << 20) {
            a.push(id, chunk);
        }
        a.finish_file(id);
        let analysis = a.finish();
        messages = analysis.messages.len();
        best = best.min(t.elapsed().as_secs_f64());
        drop(analysis);
    }
    assert_eq!(messages as u64, stats.messages);
    let mbs = log.len() as f64 / (1 << 20) as f64 / best;
    println!(
        "pipeline: {:.1} MiB generated client log, {} messages: best of {runs} {:.3} s = {:.0} MiB/s",
        log.len() as f64 / (1 << 20) as f64,
        messages,
        best,
        mbs
    );
}
