//! `sipscope-gen [--format client|server|capture] [--presence-heavy] SIZE[K|M|G] [SEED] > out`: write a realistic
//! Skype for Business trace of SIZE bytes for benchmarks — a client log (UccApiLog, the default; with
//! `--presence-heavy` the dense presence case), a Front End's CLS / OCSLogger text trace, or a pcap capture.
//! Deterministic: the same arguments give the same bytes. What was written is summed up on stderr.

use sipscope_gen::{Config, Format};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: sipscope-gen [--format client|server|capture] [--presence-heavy] SIZE[K|M|G] [SEED] > out
  client    Skype for Business client log (.uccapilog), the default
  server    Front End CLS / OCSLogger SIPStack text trace (.log)
  capture   pcap of SIP over TCP and UDP (.pcap)
  --presence-heavy   client log of the dense presence case (1,200 contacts, small BENOTIFYs, short conversations)
SIZE is a byte count (K, M, G: KiB, MiB, GiB); the output stops after the event that passes it. SEED defaults to 1.";

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

fn parse_args(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                let v = it.next().ok_or("--format needs a value")?;
                cfg.format = Format::parse(v).ok_or_else(|| format!("unknown format `{v}`"))?;
            }
            "--presence-heavy" => cfg.presence_heavy = true,
            "-h" | "--help" => return Err(String::new()),
            _ => match a.strip_prefix("--format=") {
                Some(v) => {
                    cfg.format = Format::parse(v).ok_or_else(|| format!("unknown format `{v}`"))?
                }
                None if a.starts_with('-') => return Err(format!("unknown option `{a}`")),
                None => positional.push(a),
            },
        }
    }
    let size = positional.first().ok_or("SIZE is missing")?;
    cfg.target_bytes = parse_size(size).ok_or_else(|| format!("bad SIZE `{size}`"))?;
    if let Some(seed) = positional.get(1) {
        cfg.seed = seed.parse().map_err(|_| format!("bad SEED `{seed}`"))?;
    }
    if positional.len() > 2 {
        return Err("too many arguments".into());
    }
    if cfg.presence_heavy && cfg.format != Format::Client {
        return Err("--presence-heavy is for the client format".into());
    }
    Ok(cfg)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(&args) {
        Ok(cfg) => cfg,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("sipscope-gen: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match sipscope_gen::generate(&cfg, &mut out).and_then(|s| out.flush().map(|_| s)) {
        Ok(stats) => {
            let mut line = format!(
                "sipscope-gen: {} bytes, {} SIP messages, {} conversations",
                stats.bytes, stats.messages, stats.conversations
            );
            if cfg.format == Format::Capture {
                line.push_str(&format!(", {} frames", stats.frames));
            } else {
                line.push_str(&format!(", {} noise lines", stats.noise_lines));
            }
            eprintln!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sipscope-gen: {e}");
            ExitCode::from(1)
        }
    }
}
