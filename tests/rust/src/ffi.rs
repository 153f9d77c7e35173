//! The declarations of stguard.h this crate uses, written by hand. Enums are
//! passed as their 32-bit values; handles are opaque pointers.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

pub type stg_status = i32;
pub const STG_OK: stg_status = 0;
pub const STG_INVALID_ARGUMENT: stg_status = 808;
pub const STG_NO_OFFSET: u64 = u64::MAX;

pub const STG_PROFILE_STRICT: i32 = 0;
pub const STG_PROFILE_COMPAT: i32 = 1;
pub const STG_READER_MAPPED: i32 = 0;
pub const STG_READER_SNAPSHOT: i32 = 1;
pub const STG_READER_PREAD: i32 = 2;

// The C handles: Rust never builds one, only passes pointers to them.
macro_rules! opaque_handles {
    ($($name:ident),*) => {
        $(
            #[repr(C)]
            pub struct $name {
                _opaque: [u8; 0],
            }
        )*
    };
}
opaque_handles!(stg_error, stg_options, stg_header, stg_reader);

#[repr(C)]
#[derive(Clone, Copy)]
pub struct stg_slice_range {
    pub start: u64,
    pub stop: u64,
}

extern "C" {
    pub fn stg_version(version: *mut *const c_char) -> stg_status;
    pub fn stg_abi_version(abi: *mut u32) -> stg_status;

    pub fn stg_error_new(out: *mut *mut stg_error) -> stg_status;
    pub fn stg_error_free(err: *mut stg_error) -> stg_status;
    pub fn stg_error_message(err: *const stg_error, message: *mut *const c_char, length: *mut usize) -> stg_status;
    pub fn stg_error_offset(err: *const stg_error, offset: *mut u64) -> stg_status;
    pub fn stg_error_tensor(err: *const stg_error, name: *mut *const c_char, length: *mut usize) -> stg_status;
    pub fn stg_error_code_name(code: i32, name: *mut *const c_char) -> stg_status;

    pub fn stg_options_new(profile: i32, out: *mut *mut stg_options) -> stg_status;
    pub fn stg_options_free(options: *mut stg_options) -> stg_status;

    pub fn stg_validate_path(
        options: *const stg_options,
        path: *const c_char,
        header: *mut *mut stg_header,
        err: *mut stg_error,
    ) -> stg_status;
    pub fn stg_validate_buffer(
        options: *const stg_options,
        data: *const c_void,
        size: usize,
        header: *mut *mut stg_header,
        err: *mut stg_error,
    ) -> stg_status;

    pub fn stg_header_free(header: *mut stg_header) -> stg_status;
    pub fn stg_header_data_offset(header: *const stg_header, offset: *mut u64) -> stg_status;
    pub fn stg_header_tensor_count(header: *const stg_header, count: *mut usize) -> stg_status;
    pub fn stg_header_tensor_name(
        header: *const stg_header,
        index: usize,
        name: *mut *const c_char,
        length: *mut usize,
    ) -> stg_status;
    pub fn stg_header_tensor_dtype(header: *const stg_header, index: usize, dtype: *mut c_int) -> stg_status;
    pub fn stg_header_tensor_shape(
        header: *const stg_header,
        index: usize,
        rank: *mut usize,
        dims: *mut *const u64,
    ) -> stg_status;
    pub fn stg_header_tensor_offsets(header: *const stg_header, index: usize, begin: *mut u64, end: *mut u64)
        -> stg_status;
    pub fn stg_dtype_name(dtype: c_int, name: *mut *const c_char) -> stg_status;

    pub fn stg_reader_open(
        options: *const stg_options,
        path: *const c_char,
        mode: i32,
        out: *mut *mut stg_reader,
        err: *mut stg_error,
    ) -> stg_status;
    pub fn stg_reader_free(reader: *mut stg_reader) -> stg_status;
    pub fn stg_reader_header(reader: *const stg_reader, header: *mut *mut stg_header) -> stg_status;
    pub fn stg_reader_tensor_bytes(
        reader: *const stg_reader,
        index: usize,
        data: *mut *const c_void,
        size: *mut usize,
        err: *mut stg_error,
    ) -> stg_status;
    pub fn stg_reader_copy_tensor(
        reader: *const stg_reader,
        index: usize,
        buffer: *mut c_void,
        buffer_size: usize,
        err: *mut stg_error,
    ) -> stg_status;
    pub fn stg_reader_tensor_size(reader: *const stg_reader, index: usize, size: *mut u64) -> stg_status;
    pub fn stg_reader_slice_size(
        reader: *const stg_reader,
        index: usize,
        ranges: *const stg_slice_range,
        count: usize,
        size: *mut u64,
        err: *mut stg_error,
    ) -> stg_status;
    pub fn stg_reader_slice_copy(
        reader: *const stg_reader,
        index: usize,
        ranges: *const stg_slice_range,
        count: usize,
        buffer: *mut c_void,
        buffer_size: usize,
        err: *mut stg_error,
    ) -> stg_status;
}
