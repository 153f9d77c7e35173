// Package stguard is a thin Go binding of stguard's C API (stguard/stguard.h)
// through cgo, just enough to prove the C ABI from Go: validation with error
// details, the validated header, and tensor bytes through a reader.
//
// The library is found through the environment (tests/CMakeLists.txt sets
// it): CGO_LDFLAGS="-L<dir of libstguard.so> -Wl,-rpath,<dir>".
package stguard

/*
#cgo CFLAGS: -I${SRCDIR}/../../lib/include -std=c99 -Wall -Werror
#cgo LDFLAGS: -lstguard
#include <stdlib.h>
#include "stguard/stguard.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Status is a stguard status: 0 or a stable error code number.
type Status int32

const (
	OK              Status = C.STG_OK
	InvalidArgument Status = C.STG_INVALID_ARGUMENT
)

// Name is the code's stable name ("DATA_TRUNCATED"; "OK" for 0).
func (s Status) Name() string {
	var name *C.char
	if C.stg_error_code_name(C.int32_t(s), &name) != C.STG_OK {
		return fmt.Sprintf("UNKNOWN_%d", int32(s))
	}
	return C.GoString(name)
}

// Error is a rejection with its details, copied out of a stg_error.
type Error struct {
	Code    Status
	Message string
	Offset  uint64 // NoOffset when none applies
	Tensor  string
}

// NoOffset is STG_NO_OFFSET.
const NoOffset = ^uint64(0)

func (e *Error) Error() string { return e.Code.Name() + ": " + e.Message }

// Profile chooses strict or compat validation.
type Profile int

const (
	Strict Profile = C.STG_PROFILE_STRICT
	Compat Profile = C.STG_PROFILE_COMPAT
)

// Mode is a reader's data source.
type Mode int

const (
	Mapped   Mode = C.STG_READER_MAPPED
	Snapshot Mode = C.STG_READER_SNAPSHOT
	Pread    Mode = C.STG_READER_PREAD
)

// call runs f with a fresh stg_error and turns a failure into *Error.
func call(f func(err *C.stg_error) C.stg_status) error {
	var record *C.stg_error
	if status := C.stg_error_new(&record); status != C.STG_OK {
		return &Error{Code: Status(status), Message: "stg_error_new failed", Offset: NoOffset}
	}
	defer C.stg_error_free(record)
	status := f(record)
	if status == C.STG_OK {
		return nil
	}
	out := &Error{Code: Status(status), Offset: NoOffset}
	var text *C.char
	var length C.size_t
	if C.stg_error_message(record, &text, &length) == C.STG_OK {
		out.Message = C.GoStringN(text, C.int(length))
	}
	if C.stg_error_tensor(record, &text, &length) == C.STG_OK {
		out.Tensor = C.GoStringN(text, C.int(length))
	}
	var offset C.uint64_t
	if C.stg_error_offset(record, &offset) == C.STG_OK {
		out.Offset = uint64(offset)
	}
	return out
}

// withOptions runs f with a stg_options of the profile.
func withOptions(profile Profile, f func(options *C.stg_options) error) error {
	var options *C.stg_options
	if status := C.stg_options_new(C.stg_profile(profile), &options); status != C.STG_OK {
		return &Error{Code: Status(status), Offset: NoOffset}
	}
	defer C.stg_options_free(options)
	return f(options)
}

// Tensor is one entry of a validated header.
type Tensor struct {
	Name       string
	Dtype      string
	Shape      []uint64
	Begin, End uint64 // data_offsets, relative to the data region
}

// Header is the validated header, copied into Go values.
type Header struct {
	DataOffset uint64
	FileSize   uint64
	Tensors    []Tensor
	Metadata   map[string]string
}

func copyHeader(handle *C.stg_header) (*Header, error) {
	defer C.stg_header_free(handle)
	out := &Header{Metadata: map[string]string{}}
	var value C.uint64_t
	if C.stg_header_data_offset(handle, &value) != C.STG_OK {
		return nil, fmt.Errorf("stg_header_data_offset failed")
	}
	out.DataOffset = uint64(value)
	if C.stg_header_file_size(handle, &value) != C.STG_OK {
		return nil, fmt.Errorf("stg_header_file_size failed")
	}
	out.FileSize = uint64(value)
	var count C.size_t
	if C.stg_header_tensor_count(handle, &count) != C.STG_OK {
		return nil, fmt.Errorf("stg_header_tensor_count failed")
	}
	for i := C.size_t(0); i < count; i++ {
		var name, dtypeName *C.char
		var length, rank C.size_t
		var dtype C.stg_dtype
		var dims *C.uint64_t
		var begin, end C.uint64_t
		if C.stg_header_tensor_name(handle, i, &name, &length) != C.STG_OK ||
			C.stg_header_tensor_dtype(handle, i, &dtype) != C.STG_OK ||
			C.stg_dtype_name(dtype, &dtypeName) != C.STG_OK ||
			C.stg_header_tensor_shape(handle, i, &rank, &dims) != C.STG_OK ||
			C.stg_header_tensor_offsets(handle, i, &begin, &end) != C.STG_OK {
			return nil, fmt.Errorf("reading tensor %d of the header failed", i)
		}
		shape := make([]uint64, int(rank))
		if rank > 0 {
			for d, dim := range unsafe.Slice((*uint64)(unsafe.Pointer(dims)), int(rank)) {
				shape[d] = dim
			}
		}
		out.Tensors = append(out.Tensors, Tensor{
			Name: C.GoStringN(name, C.int(length)), Dtype: C.GoString(dtypeName),
			Shape: shape, Begin: uint64(begin), End: uint64(end),
		})
	}
	if C.stg_header_metadata_count(handle, &count) != C.STG_OK {
		return nil, fmt.Errorf("stg_header_metadata_count failed")
	}
	for i := C.size_t(0); i < count; i++ {
		var key, value *C.char
		var keyLength, valueLength C.size_t
		if C.stg_header_metadata_entry(handle, i, &key, &keyLength, &value, &valueLength) != C.STG_OK {
			return nil, fmt.Errorf("stg_header_metadata_entry %d failed", i)
		}
		out.Metadata[C.GoStringN(key, C.int(keyLength))] = C.GoStringN(value, C.int(valueLength))
	}
	return out, nil
}

// ValidatePath validates the file at path.
func ValidatePath(path string, profile Profile) (*Header, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var handle *C.stg_header
	err := withOptions(profile, func(options *C.stg_options) error {
		return call(func(record *C.stg_error) C.stg_status {
			return C.stg_validate_path(options, cpath, &handle, record)
		})
	})
	if err != nil {
		return nil, err
	}
	return copyHeader(handle)
}

// ValidateBuffer validates a whole file held in memory.
func ValidateBuffer(data []byte, profile Profile) (*Header, error) {
	var handle *C.stg_header
	err := withOptions(profile, func(options *C.stg_options) error {
		return call(func(record *C.stg_error) C.stg_status {
			var first unsafe.Pointer
			if len(data) > 0 {
				first = unsafe.Pointer(&data[0])
			}
			return C.stg_validate_buffer(options, first, C.size_t(len(data)), &handle, record)
		})
	})
	if err != nil {
		return nil, err
	}
	return copyHeader(handle)
}

// Reader gives a validated file's tensor bytes. Close it when done.
type Reader struct {
	handle *C.stg_reader
}

// Open validates the file at path and opens it in mode.
func Open(path string, profile Profile, mode Mode) (*Reader, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	reader := &Reader{}
	err := withOptions(profile, func(options *C.stg_options) error {
		return call(func(record *C.stg_error) C.stg_status {
			return C.stg_reader_open(options, cpath, C.stg_reader_mode(mode), &reader.handle, record)
		})
	})
	if err != nil {
		return nil, err
	}
	return reader, nil
}

// Header is a copy of the reader's validated header.
func (r *Reader) Header() (*Header, error) {
	var handle *C.stg_header
	if status := C.stg_reader_header(r.handle, &handle); status != C.STG_OK {
		return nil, &Error{Code: Status(status), Offset: NoOffset}
	}
	return copyHeader(handle)
}

// Bytes copies tensor index (data order) into Go memory.
func (r *Reader) Bytes(index int) ([]byte, error) {
	var size C.uint64_t
	if status := C.stg_reader_tensor_size(r.handle, C.size_t(index), &size); status != C.STG_OK {
		return nil, &Error{Code: Status(status), Offset: NoOffset}
	}
	out := make([]byte, int(size))
	err := call(func(record *C.stg_error) C.stg_status {
		var first unsafe.Pointer
		if len(out) > 0 {
			first = unsafe.Pointer(&out[0])
		}
		return C.stg_reader_copy_tensor(r.handle, C.size_t(index), first, C.size_t(len(out)), record)
	})
	return out, err
}

// Close frees the reader; a second Close reports the handle as not live.
func (r *Reader) Close() error {
	if status := C.stg_reader_free(r.handle); status != C.STG_OK {
		return &Error{Code: Status(status), Offset: NoOffset}
	}
	return nil
}
