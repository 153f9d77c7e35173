//! A small safe Rust layer over stguard's C API, enough to prove the ABI:
//! validation with error details, the validated header, and a reader whose
//! borrowed tensor bytes cannot outlive it (the borrow checker enforces the
//! C header's lifetime rule).
pub mod ffi;

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

/// A stguard rejection: the stable code and its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: i32,
    pub message: String,
    pub offset: Option<u64>,
    pub tensor: Vec<u8>,
}

impl Error {
    fn bare(code: i32) -> Self {
        Error { code, message: String::new(), offset: None, tensor: Vec::new() }
    }
    /// The stable name ("DATA_TRUNCATED").
    pub fn name(&self) -> String {
        code_name(self.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message)
    }
}

/// The name of a status ("OK" for 0).
pub fn code_name(code: i32) -> String {
    let mut name: *const std::os::raw::c_char = ptr::null();
    // SAFETY: the library writes a static NUL-terminated string on success.
    unsafe {
        if ffi::stg_error_code_name(code, &mut name) != ffi::STG_OK {
            return format!("UNKNOWN_{code}");
        }
        CStr::from_ptr(name).to_string_lossy().into_owned()
    }
}

/// The library's version string and ABI number.
pub fn version() -> (String, u32) {
    let mut text: *const std::os::raw::c_char = ptr::null();
    let mut abi = u32::MAX;
    // SAFETY: out-pointers are valid; the version string is static.
    unsafe {
        assert_eq!(ffi::stg_version(&mut text), ffi::STG_OK);
        assert_eq!(ffi::stg_abi_version(&mut abi), ffi::STG_OK);
        (CStr::from_ptr(text).to_string_lossy().into_owned(), abi)
    }
}

unsafe fn bytes_of(data: *const std::os::raw::c_char, length: usize) -> Vec<u8> {
    if length == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(data.cast::<u8>(), length).to_vec()
    }
}

/// Runs `f` with a fresh stg_error; a failure becomes an Error with details.
fn call(f: impl FnOnce(*mut ffi::stg_error) -> ffi::stg_status) -> Result<(), Error> {
    let mut record: *mut ffi::stg_error = ptr::null_mut();
    // SAFETY: the record lives until the stg_error_free below; the pointers
    // read from it are copied before that.
    unsafe {
        let status = ffi::stg_error_new(&mut record);
        if status != ffi::STG_OK {
            return Err(Error::bare(status));
        }
        let status = f(record);
        let result = if status == ffi::STG_OK {
            Ok(())
        } else {
            let mut error = Error::bare(status);
            let (mut text, mut length) = (ptr::null(), 0usize);
            if ffi::stg_error_message(record, &mut text, &mut length) == ffi::STG_OK {
                error.message = String::from_utf8_lossy(&bytes_of(text, length)).into_owned();
            }
            if ffi::stg_error_tensor(record, &mut text, &mut length) == ffi::STG_OK {
                error.tensor = bytes_of(text, length);
            }
            let mut offset = 0u64;
            if ffi::stg_error_offset(record, &mut offset) == ffi::STG_OK && offset != ffi::STG_NO_OFFSET {
                error.offset = Some(offset);
            }
            Err(error)
        };
        assert_eq!(ffi::stg_error_free(record), ffi::STG_OK);
        result
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Strict,
    Compat,
}

/// A stg_options for one call.
struct Options(*mut ffi::stg_options);

impl Options {
    fn new(profile: Profile) -> Result<Self, Error> {
        let value = match profile {
            Profile::Strict => ffi::STG_PROFILE_STRICT,
            Profile::Compat => ffi::STG_PROFILE_COMPAT,
        };
        let mut handle = ptr::null_mut();
        // SAFETY: valid out-pointer.
        let status = unsafe { ffi::stg_options_new(value, &mut handle) };
        if status != ffi::STG_OK {
            return Err(Error::bare(status));
        }
        Ok(Options(handle))
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: the handle is live and freed once.
        unsafe { ffi::stg_options_free(self.0) };
    }
}

/// One tensor of a validated header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: Vec<u8>,
    pub dtype: String,
    pub shape: Vec<u64>,
    pub begin: u64,
    pub end: u64,
}

/// A validated header, copied into Rust values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub data_offset: u64,
    pub tensors: Vec<Tensor>,
}

fn copy_header(handle: *mut ffi::stg_header) -> Header {
    // SAFETY: `handle` is a live stg_header; every pointer it lends is copied
    // before stg_header_free ends it.
    unsafe {
        let mut header = Header { data_offset: 0, tensors: Vec::new() };
        assert_eq!(ffi::stg_header_data_offset(handle, &mut header.data_offset), ffi::STG_OK);
        let mut count = 0usize;
        assert_eq!(ffi::stg_header_tensor_count(handle, &mut count), ffi::STG_OK);
        for index in 0..count {
            let (mut name, mut length) = (ptr::null(), 0usize);
            let mut dtype = 0;
            let mut dtype_name = ptr::null();
            let (mut rank, mut dims) = (0usize, ptr::null());
            let (mut begin, mut end) = (0u64, 0u64);
            assert_eq!(ffi::stg_header_tensor_name(handle, index, &mut name, &mut length), ffi::STG_OK);
            assert_eq!(ffi::stg_header_tensor_dtype(handle, index, &mut dtype), ffi::STG_OK);
            assert_eq!(ffi::stg_dtype_name(dtype, &mut dtype_name), ffi::STG_OK);
            assert_eq!(ffi::stg_header_tensor_shape(handle, index, &mut rank, &mut dims), ffi::STG_OK);
            assert_eq!(ffi::stg_header_tensor_offsets(handle, index, &mut begin, &mut end), ffi::STG_OK);
            let shape = if rank == 0 { Vec::new() } else { std::slice::from_raw_parts(dims, rank).to_vec() };
            header.tensors.push(Tensor {
                name: bytes_of(name, length),
                dtype: CStr::from_ptr(dtype_name).to_string_lossy().into_owned(),
                shape,
                begin,
                end,
            });
        }
        assert_eq!(ffi::stg_header_free(handle), ffi::STG_OK);
        header
    }
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).expect("a path without NUL bytes")
}

/// Validates the file at `path`.
pub fn validate_path(path: &Path, profile: Profile) -> Result<Header, Error> {
    let options = Options::new(profile)?;
    let path = c_path(path);
    let mut handle = ptr::null_mut();
    // SAFETY: all pointers are valid for the call.
    call(|err| unsafe { ffi::stg_validate_path(options.0, path.as_ptr(), &mut handle, err) })?;
    Ok(copy_header(handle))
}

/// Validates a whole file held in memory.
pub fn validate_buffer(data: &[u8], profile: Profile) -> Result<Header, Error> {
    let options = Options::new(profile)?;
    let mut handle = ptr::null_mut();
    // SAFETY: `data` is valid for `data.len()` bytes during the call.
    call(|err| unsafe { ffi::stg_validate_buffer(options.0, data.as_ptr().cast(), data.len(), &mut handle, err) })?;
    Ok(copy_header(handle))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Mapped,
    Snapshot,
    Pread,
}

/// A validated, open file. Borrowed bytes live as long as `&self`.
pub struct Reader(*mut ffi::stg_reader);

impl Reader {
    pub fn open(path: &Path, profile: Profile, mode: Mode) -> Result<Reader, Error> {
        let options = Options::new(profile)?;
        let path = c_path(path);
        let mode = match mode {
            Mode::Mapped => ffi::STG_READER_MAPPED,
            Mode::Snapshot => ffi::STG_READER_SNAPSHOT,
            Mode::Pread => ffi::STG_READER_PREAD,
        };
        let mut handle = ptr::null_mut();
        // SAFETY: all pointers are valid for the call.
        call(|err| unsafe { ffi::stg_reader_open(options.0, path.as_ptr(), mode, &mut handle, err) })?;
        Ok(Reader(handle))
    }

    pub fn header(&self) -> Header {
        let mut handle = ptr::null_mut();
        // SAFETY: the reader is live.
        assert_eq!(unsafe { ffi::stg_reader_header(self.0, &mut handle) }, ffi::STG_OK);
        copy_header(handle)
    }

    /// Zero-copy bytes, valid while the reader lives (not in pread mode).
    pub fn bytes(&self, index: usize) -> Result<&[u8], Error> {
        let (mut data, mut size) = (ptr::null(), 0usize);
        // SAFETY: the slice borrows `self`, and the C API keeps the bytes
        // valid until stg_reader_free, which only Drop calls.
        call(|err| unsafe { ffi::stg_reader_tensor_bytes(self.0, index, &mut data, &mut size, err) })?;
        Ok(if size == 0 { &[] } else { unsafe { std::slice::from_raw_parts(data.cast::<u8>(), size) } })
    }

    /// A copy of tensor `index` (every mode).
    pub fn copy(&self, index: usize) -> Result<Vec<u8>, Error> {
        let mut size = 0u64;
        // SAFETY: valid out-pointer; the buffer is exactly `size` bytes.
        let status = unsafe { ffi::stg_reader_tensor_size(self.0, index, &mut size) };
        if status != ffi::STG_OK {
            return Err(Error::bare(status));
        }
        let mut out = vec![0u8; size as usize];
        call(|err| unsafe { ffi::stg_reader_copy_tensor(self.0, index, out.as_mut_ptr().cast(), out.len(), err) })?;
        Ok(out)
    }

    /// The bytes of a slice: `ranges[i]` = [start, stop) on dimension i.
    pub fn slice(&self, index: usize, ranges: &[(u64, u64)]) -> Result<Vec<u8>, Error> {
        let ranges: Vec<ffi::stg_slice_range> =
            ranges.iter().map(|&(start, stop)| ffi::stg_slice_range { start, stop }).collect();
        let mut size = 0u64;
        call(|err| unsafe { ffi::stg_reader_slice_size(self.0, index, ranges.as_ptr(), ranges.len(), &mut size, err) })?;
        let mut out = vec![0u8; size as usize];
        call(|err| unsafe {
            ffi::stg_reader_slice_copy(self.0, index, ranges.as_ptr(), ranges.len(), out.as_mut_ptr().cast(), out.len(), err)
        })?;
        Ok(out)
    }

    /// The raw handle, for tests of the C boundary's misuse handling.
    pub fn raw(&self) -> *mut ffi::stg_reader {
        self.0
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // SAFETY: the handle is live and freed once, here.
        unsafe { ffi::stg_reader_free(self.0) };
    }
}
