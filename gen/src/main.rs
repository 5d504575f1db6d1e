//! `sipscope-gen SIZE [SEED] > file.uccapilog`: write a realistic Skype for Business client log of SIZE bytes
//! (suffixes K, M, G) for benchmarks. Deterministic: the same SIZE and SEED give the same bytes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1u64 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(size) = args.first().and_then(|s| parse_size(s)) else {
        eprintln!("usage: sipscope-gen SIZE[K|M|G] [SEED] > out.uccapilog");
        return ExitCode::from(2);
    };
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let cfg = sipscope_gen::Config {
        target_bytes: size,
        seed,
        ..Default::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match sipscope_gen::generate(&cfg, &mut out).and_then(|s| out.flush().map(|_| s)) {
        Ok(stats) => {
            eprintln!(
                "sipscope-gen: {} bytes, {} SIP messages, {} noise lines",
                stats.bytes, stats.messages, stats.noise_lines
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sipscope-gen: {e}");
            ExitCode::from(1)
        }
    }
}
