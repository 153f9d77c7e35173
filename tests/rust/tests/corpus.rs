//! The C API from Rust: every corpus file's verdict through the C boundary
//! equals corpus/MANIFEST.tsv (what st-validate and the C++ tests give);
//! accepted files are read through each reader mode and must equal the
//! file's own bytes; freed handles are refused.
use std::path::PathBuf;

use stguard_capi::{code_name, ffi, validate_buffer, validate_path, version, Mode, Profile, Reader};

fn corpus_dir() -> PathBuf {
    match std::env::var_os("STGUARD_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus"),
    }
}

/// (file, strict verdict, compat verdict) for every corpus file.
fn manifest() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("corpus/MANIFEST.tsv");
    let rows: Vec<_> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() >= 3).then(|| (fields[0].to_owned(), fields[1].to_owned(), fields[2].to_owned()))
        })
        .collect();
    assert!(rows.len() > 100, "MANIFEST.tsv lists only {} files", rows.len());
    rows
}

fn verdict<T>(result: &Result<T, stguard_capi::Error>) -> String {
    match result {
        Ok(_) => "OK".to_owned(),
        Err(error) => error.name(),
    }
}

#[test]
fn corpus_verdicts_and_tensor_bytes() {
    let mut accepted = 0;
    for (file, strict, compat) in manifest() {
        let path = corpus_dir().join(&file);
        let data = std::fs::read(&path).expect("a corpus file");
        for (profile, expected) in [(Profile::Strict, &strict), (Profile::Compat, &compat)] {
            let by_path = validate_path(&path, profile);
            assert_eq!(&verdict(&by_path), expected, "{file} ({profile:?}) by path");
            assert_eq!(&verdict(&validate_buffer(&data, profile)), expected, "{file} ({profile:?}) from memory");
            let header = match by_path {
                Ok(header) => header,
                Err(_) => {
                    assert_eq!(&verdict(&Reader::open(&path, profile, Mode::Mapped)), expected, "{file}: reader");
                    continue;
                }
            };
            accepted += 1;
            for mode in [Mode::Mapped, Mode::Snapshot, Mode::Pread] {
                let reader = Reader::open(&path, profile, mode).expect("an accepted file opens");
                assert_eq!(reader.header(), header, "{file}: the reader's header");
                for (index, tensor) in header.tensors.iter().enumerate() {
                    let start = (header.data_offset + tensor.begin) as usize;
                    let expected_bytes = &data[start..(header.data_offset + tensor.end) as usize];
                    assert_eq!(reader.copy(index).expect("copy"), expected_bytes, "{file}: copy {index}");
                    match mode {
                        Mode::Pread => assert_eq!(
                            reader.bytes(index).map(|_| ()).unwrap_err().code,
                            ffi::STG_INVALID_ARGUMENT,
                            "{file}: pread mode lends no bytes"
                        ),
                        _ => assert_eq!(reader.bytes(index).expect("bytes"), expected_bytes, "{file}: bytes {index}"),
                    }
                    // The first index of the leading dimension: its share of the bytes.
                    if let Some(&rows) = tensor.shape.first() {
                        if rows > 0 {
                            match reader.slice(index, &[(0, 1)]) {
                                Ok(row) => assert_eq!(row, &expected_bytes[..expected_bytes.len() / rows as usize]),
                                Err(error) => assert_eq!(error.name(), "SLICE_NOT_BYTE_ALIGNED", "{file}: {error}"),
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(accepted > 0, "no corpus file was accepted");
}

#[test]
fn error_details_cross_the_boundary() {
    let trailing = [2u8, 0, 0, 0, 0, 0, 0, 0, b'{', b'}', b'x'];
    let error = validate_buffer(&trailing, Profile::Strict).unwrap_err();
    assert_eq!(error.name(), "TRAILING_BYTES");
    assert_eq!(error.code, 507);
    assert_eq!(error.offset, Some(10));
    assert!(!error.message.is_empty());
    assert_eq!(validate_buffer(&[], Profile::Strict).unwrap_err().name(), "FILE_TOO_SMALL");
    assert_eq!(code_name(0), "OK");
    let (text, abi) = version();
    assert!(text.contains('.'));
    assert_eq!(abi, 0);
}

#[test]
fn freed_reader_handles_are_refused() {
    let path = corpus_dir().join("y_single_f32.safetensors");
    let reader = Reader::open(&path, Profile::Strict, Mode::Mapped).expect("a valid corpus file");
    let raw = reader.raw();
    drop(reader); // frees the handle
    let mut size = 0u64;
    // SAFETY: the handle is a number the library checks; nothing is dereferenced.
    unsafe {
        assert_eq!(ffi::stg_reader_free(raw), ffi::STG_INVALID_ARGUMENT);
        assert_eq!(ffi::stg_reader_tensor_size(raw, 0, &mut size), ffi::STG_INVALID_ARGUMENT);
    }
}
