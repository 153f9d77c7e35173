//! reference-rs: times the reference reader, the `safetensors` crate's
//! `SafeTensors::read_metadata`, on corpus files, and prints one JSON
//! document that bench/summarize.py puts beside stguard's own numbers.
//!
//!   reference-rs [--reps N] [--warmup-ms MS] [--rep-ms MS] FILE...
//!
//! Each file is held in memory the way stguard's header benchmark holds it:
//! the header bytes resident, the data region a zero-filled allocation of
//! the file's size that is never touched (`read_metadata` wants the whole
//! file's length but reads only the header, and the corpus data regions are
//! sparse holes anyway). One timed call parses the header and frees what it
//! returned, as one iteration of `header/strict` does.
//!
//! Per file: a warm-up of `--warmup-ms` picks how many calls make one
//! repetition of at least `--rep-ms`; then `--reps` repetitions are timed,
//! wall clock and thread CPU time, and the median and minimum per call are
//! reported. CPU time moves less than wall time when other processes share
//! the machine, so the summary shows both.

use std::fs::File;
use std::io::Read;
use std::time::{Duration, Instant};

use safetensors::SafeTensors;
use serde_json::{json, Value};

struct Options {
    reps: usize,
    warmup: Duration,
    rep_time: Duration,
    files: Vec<String>,
}

fn usage() -> ! {
    eprintln!("usage: reference-rs [--reps N] [--warmup-ms MS] [--rep-ms MS] FILE...");
    std::process::exit(2);
}

fn parse_number(value: Option<String>) -> u64 {
    value
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| usage())
}

fn parse_options() -> Options {
    let mut options = Options {
        reps: 5,
        warmup: Duration::from_millis(200),
        rep_time: Duration::from_millis(200),
        files: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reps" => options.reps = parse_number(args.next()).max(1) as usize,
            "--warmup-ms" => options.warmup = Duration::from_millis(parse_number(args.next())),
            "--rep-ms" => options.rep_time = Duration::from_millis(parse_number(args.next())),
            "-h" | "--help" => usage(),
            _ if arg.starts_with('-') => usage(),
            _ => options.files.push(arg),
        }
    }
    if options.files.is_empty() {
        usage();
    }
    options
}

fn die(message: String) -> ! {
    eprintln!("reference-rs: {message}");
    std::process::exit(1);
}

/// Nanoseconds of CPU time this thread has used.
fn thread_cpu_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid pointer given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        die("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed".to_string());
    }
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// The file's length in a zeroed buffer, with the 8-byte prefix and the
/// header read into its front. Returns the buffer and the header length.
fn load(path: &str) -> (Vec<u8>, usize) {
    let mut file = File::open(path).unwrap_or_else(|e| die(format!("open {path}: {e}")));
    let length = file
        .metadata()
        .unwrap_or_else(|e| die(format!("stat {path}: {e}")))
        .len() as usize;
    if length < 8 {
        die(format!("{path}: shorter than the 8-byte header length"));
    }
    let mut buffer = vec![0u8; length];
    file.read_exact(&mut buffer[..8])
        .unwrap_or_else(|e| die(format!("read {path}: {e}")));
    let header = u64::from_le_bytes(buffer[..8].try_into().unwrap()) as usize;
    if header > length - 8 {
        die(format!("{path}: header length {header} beyond the file"));
    }
    file.read_exact(&mut buffer[8..8 + header])
        .unwrap_or_else(|e| die(format!("read {path}: {e}")));
    (buffer, header)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// The crate's version, from the Cargo.lock this program was built with.
fn crate_version() -> String {
    let lock = include_str!("../Cargo.lock");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"safetensors\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return version.trim_matches('"').to_string();
            }
        }
    }
    "?".to_string()
}

fn measure(path: &str, options: &Options) -> Value {
    let (buffer, header_bytes) = load(path);
    let (_, metadata) = SafeTensors::read_metadata(&buffer)
        .unwrap_or_else(|e| die(format!("{path}: the reference rejects the file: {e:?}")));
    let tensors = metadata.tensors().len();
    // The reference writer's header is serde_json's rendering of this
    // Metadata, padded with spaces to a multiple of 8: identical bytes mean
    // the corpus file is laid out exactly as the reference would write it.
    let rendered = serde_json::to_string(&metadata).unwrap_or_else(|e| die(format!("{path}: {e}")));
    let header = &buffer[8..8 + header_bytes];
    let unpadded = header.len() - header.iter().rev().take_while(|&&b| b == b' ').count();
    let reference_layout = rendered.as_bytes() == &header[..unpadded];
    drop(metadata);

    let call = || {
        let result = SafeTensors::read_metadata(std::hint::black_box(&buffer));
        std::hint::black_box(result.is_ok());
    };
    let started = Instant::now();
    let mut warmup_calls: u64 = 0;
    while warmup_calls == 0 || started.elapsed() < options.warmup {
        call();
        warmup_calls += 1;
    }
    let per_call = started.elapsed().as_secs_f64() / warmup_calls as f64;
    let calls = ((options.rep_time.as_secs_f64() / per_call).ceil() as u64).max(1);

    let mut wall = Vec::with_capacity(options.reps);
    let mut cpu = Vec::with_capacity(options.reps);
    for _ in 0..options.reps {
        let cpu_start = thread_cpu_ns();
        let wall_start = Instant::now();
        for _ in 0..calls {
            call();
        }
        wall.push(wall_start.elapsed().as_nanos() as f64 / calls as f64);
        cpu.push((thread_cpu_ns() - cpu_start) as f64 / calls as f64);
    }
    let min_wall = wall.iter().cloned().fold(f64::INFINITY, f64::min);
    let min_cpu = cpu.iter().cloned().fold(f64::INFINITY, f64::min);
    let median_wall = median(&mut wall);
    let median_cpu = median(&mut cpu);
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    json!({
        "file": name.unwrap_or_else(|| path.to_string()),
        "file_bytes": buffer.len(),
        "header_bytes": header_bytes,
        "tensors": tensors,
        "reference_layout": reference_layout,
        "reps": options.reps,
        "calls_per_rep": calls,
        "median_ns": median_wall,
        "min_ns": min_wall,
        "cpu_median_ns": median_cpu,
        "cpu_min_ns": min_cpu,
        "median_ns_per_tensor": median_wall / tensors.max(1) as f64,
        "min_ns_per_tensor": min_wall / tensors.max(1) as f64,
        "wall_ns": wall,
        "cpu_ns": cpu,
    })
}

fn main() {
    let options = parse_options();
    let results: Vec<Value> = options
        .files
        .iter()
        .map(|path| measure(path, &options))
        .collect();
    let report = json!({
        "reader": "safetensors crate (Rust)",
        "call": "SafeTensors::read_metadata(whole file in memory), result dropped",
        "version": crate_version(),
        "results": results,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
