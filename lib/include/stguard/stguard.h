/* stguard.h: the stable C interface of stguard (libstguard.so.0).
 *
 * C99, usable from C++ (extern "C"). It wraps the C++ library: the same
 * validation core, the same verdicts and the same stable error codes
 * (docs/errors.md); docs/c-api.md is the guide with examples.
 *
 * Conventions, true of every function below:
 *   - Every function returns a stg_status: STG_OK (0) or the number of a
 *     stguard error code. Nothing is returned any other way than through
 *     out-parameters, which are written only on STG_OK unless said otherwise.
 *   - No exception, signal or abort crosses this boundary: out of memory is
 *     STG_OUT_OF_MEMORY, an unexpected failure STG_INTERNAL_ERROR.
 *   - Bad arguments are STG_INVALID_ARGUMENT: a NULL pointer where one is
 *     required, a NULL buffer with a non-zero size, an enum value that does not
 *     exist, an index past the end, a caller buffer of the wrong size, and a
 *     handle that is not live (never created, already freed, or of another
 *     kind). Handles are not addresses of memory: they are numbers the library
 *     never reuses, so a double free or a use after free is detected and
 *     reported, never undefined behaviour. Passing NULL to a _free function is
 *     STG_OK (as free(NULL)).
 *   - `stg_error* err` (last parameter, may be NULL) receives the details of
 *     a failure (code, name, class, message, byte offset, tensor name); it is
 *     cleared on success. Create one with stg_error_new and reuse it.
 *   - Byte strings (tensor names, metadata) are passed and returned as a
 *     pointer plus a length: names may hold any UTF-8, even U+0000 in compat.
 *     Returned strings are also NUL-terminated for convenience.
 *   - Borrowed pointers returned by the library stay valid until the handle
 *     they came from is freed (stated per function).
 *
 * Thread safety: the free-standing functions (version, names, validation
 * of a path, descriptor or buffer) may be called from any number of threads
 * at once. A stg_header, stg_reader or a const stg_options may be used from
 * many threads at once (they are immutable, except stg_options_set_*). A
 * stg_stream, stg_writer and stg_error belong to one thread at a time. Freeing
 * a handle while another thread uses it is safe for the handle (the object
 * lives until calls in flight end) but ends every borrowed pointer it gave.
 */
#ifndef STGUARD_STGUARD_H
#define STGUARD_STGUARD_H

#include <stddef.h>
#include <stdint.h>

#if defined(STG_BUILDING_LIBRARY) && defined(__GNUC__)
#define STG_API __attribute__((visibility("default")))
#else
#define STG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes; stg_abi_version gives the library's. A
 * program built with ABI N runs with any libstguard.so.N. */
#define STG_ABI_VERSION 0

/* Status codes: 0 or a stguard error code (the numbers and names of
 * docs/errors.md; the hundreds digit is the class). A library newer than this
 * header may return codes not listed here: use stg_error_code_name. */
typedef enum stg_status {
  STG_OK = 0,
  /* framing */
  STG_FILE_TOO_SMALL = 101,
  STG_HEADER_TOO_LARGE = 102,
  STG_HEADER_PAST_EOF = 103,
  STG_NOT_SAFETENSORS_SHARD_INDEX = 104,
  STG_NOT_SAFETENSORS_LFS_POINTER = 105,
  STG_NOT_SAFETENSORS_HTML = 106,
  STG_NOT_SAFETENSORS_JSON = 107,
  STG_NOT_SAFETENSORS_TEXT = 108,
  /* encoding */
  STG_INVALID_UTF8 = 201,
  STG_HEADER_NOT_OBJECT_START = 202,
  STG_PADDING_NOT_SPACES = 203,
  /* syntax */
  STG_JSON_SYNTAX = 301,
  STG_JSON_UNEXPECTED_END = 302,
  STG_JSON_TRAILING_CONTENT = 303,
  STG_JSON_INVALID_STRING = 304,
  STG_JSON_INVALID_NUMBER = 305,
  /* schema */
  STG_ROOT_NOT_OBJECT = 401,
  STG_METADATA_NOT_OBJECT = 402,
  STG_METADATA_NULL = 403,
  STG_METADATA_VALUE_NOT_STRING = 404,
  STG_DUPLICATE_METADATA_BLOCK = 405,
  STG_DUPLICATE_TENSOR_NAME = 406,
  STG_DUPLICATE_METADATA_KEY = 407,
  STG_DUPLICATE_TENSOR_FIELD = 408,
  STG_UNKNOWN_TENSOR_FIELD = 409,
  STG_TENSOR_NOT_OBJECT = 410,
  STG_MISSING_TENSOR_FIELD = 411,
  STG_UNKNOWN_DTYPE = 412,
  STG_DTYPE_NOT_STRING = 413,
  STG_SHAPE_NOT_ARRAY = 414,
  STG_OFFSETS_NOT_PAIR = 415,
  STG_NOT_AN_INTEGER = 416,
  STG_INTEGER_OVERFLOW = 417,
  STG_INVALID_TENSOR_NAME = 418,
  STG_INVALID_METADATA_KEY = 419,
  STG_INVALID_METADATA_VALUE = 420,
  /* layout */
  STG_INVALID_OFFSETS = 501,
  STG_NON_CONTIGUOUS = 502,
  STG_SHAPE_OVERFLOW = 503,
  STG_SUBBYTE_MISALIGNED = 504,
  STG_SIZE_MISMATCH = 505,
  STG_DATA_TRUNCATED = 506,
  STG_TRAILING_BYTES = 507,
  /* limit */
  STG_LIMIT_HEADER_BYTES = 601,
  STG_LIMIT_TENSOR_COUNT = 602,
  STG_LIMIT_RANK = 603,
  STG_LIMIT_NAME_BYTES = 604,
  STG_LIMIT_INTEGER = 605,
  STG_LIMIT_DEPTH = 606,
  /* io */
  STG_IO_OPEN_FAILED = 701,
  STG_IO_READ_FAILED = 702,
  STG_IO_NOT_REGULAR_FILE = 703,
  STG_IO_MAP_FAILED = 704,
  STG_IO_WRITE_FAILED = 705,
  STG_IO_FILE_CHANGED = 706,
  /* usage */
  STG_TENSOR_NOT_FOUND = 801,
  STG_DTYPE_MISMATCH = 802,
  STG_SLICE_TOO_MANY_INDICES = 803,
  STG_SLICE_STOP_BEFORE_START = 804,
  STG_SLICE_OUT_OF_RANGE = 805,
  STG_SLICE_NOT_BYTE_ALIGNED = 806,
  STG_SLICE_SYNTAX = 807,
  STG_INVALID_ARGUMENT = 808,
  STG_CONVERSION_INEXACT = 809,
  /* write */
  STG_ALIASED_TENSORS = 901,
  STG_PRODUCER_FAILED = 902,
  STG_STREAM_OUT_OF_ORDER = 903,
  STG_STREAM_WRONG_BYTE_COUNT = 904,
  STG_DATA_LENGTH_MISMATCH = 905,
  /* index */
  STG_INDEX_INVALID_JSON = 1001,
  STG_INDEX_BAD_SHARD_NAME = 1002,
  STG_INDEX_TENSOR_MISSING = 1003,
  STG_INDEX_TENSOR_UNLISTED = 1004,
  STG_INDEX_TENSOR_ELSEWHERE = 1005,
  STG_INDEX_TOTAL_SIZE_MISMATCH = 1006,
  STG_INDEX_TOO_MANY_SHARDS = 1007,
  STG_INDEX_SHARD_INVALID = 1008,
  /* network (remote files, stguard::remote; not returned by the C API itself) */
  STG_NETWORK_DNS = 1101,
  STG_NETWORK_CONNECT = 1102,
  STG_NETWORK_TLS = 1103,
  STG_NETWORK_HTTP_STATUS = 1104,
  STG_NETWORK_RANGE_NOT_HONOURED = 1105,
  STG_NETWORK_OBJECT_CHANGED = 1106,
  STG_NETWORK_TOO_MANY_REDIRECTS = 1107,
  STG_NETWORK_TIMEOUT = 1108,
  STG_NETWORK_BODY_TOO_LARGE = 1109,
  STG_NETWORK_ENCODING_REFUSED = 1110,
  STG_NETWORK_REDIRECT_REFUSED = 1111,
  STG_NETWORK_PROTOCOL = 1112,
  /* internal */
  STG_OUT_OF_MEMORY = 9901,
  STG_INTERNAL_ERROR = 9999,
  STG_STATUS_FORCE_INT32_ = 0x7fffffff /* not a status: keeps the enum 32 bits wide */
} stg_status;

/* Validation profiles (docs/profiles.md). */
/* Every enum holds a sentinel so that its type is 32 bits wide in C and C++
 * alike; an argument that is none of the listed values is STG_INVALID_ARGUMENT. */
typedef enum stg_profile {
  STG_PROFILE_STRICT = 0,
  STG_PROFILE_COMPAT = 1,
  STG_PROFILE_FORCE_INT32_ = 0x7fffffff
} stg_profile;

/* The configurable limits (docs/profiles.md); STG_UNLIMITED turns one off. */
typedef enum stg_limit {
  STG_LIMIT_MAX_HEADER_BYTES = 1, /* N above this: STG_LIMIT_HEADER_BYTES */
  STG_LIMIT_MAX_TENSORS = 2,      /* STG_LIMIT_TENSOR_COUNT */
  STG_LIMIT_MAX_RANK = 3,         /* STG_LIMIT_RANK */
  STG_LIMIT_MAX_NAME_BYTES = 4,   /* STG_LIMIT_NAME_BYTES */
  STG_LIMIT_MAX_INTEGER = 5,      /* STG_LIMIT_INTEGER */
  STG_LIMIT_MAX_DEPTH = 6,        /* STG_LIMIT_DEPTH */
  STG_LIMIT_FORCE_INT32_ = 0x7fffffff
} stg_limit;
#define STG_UNLIMITED UINT64_MAX

/* The 22 dtypes; the value is the reference writer's sort order. */
typedef enum stg_dtype {
  STG_DTYPE_BOOL = 0, STG_DTYPE_F4 = 1, STG_DTYPE_F6_E2M3 = 2, STG_DTYPE_F6_E3M2 = 3,
  STG_DTYPE_U8 = 4, STG_DTYPE_I8 = 5, STG_DTYPE_F8_E5M2 = 6, STG_DTYPE_F8_E4M3 = 7,
  STG_DTYPE_F8_E8M0 = 8, STG_DTYPE_F8_E4M3FNUZ = 9, STG_DTYPE_F8_E5M2FNUZ = 10,
  STG_DTYPE_I16 = 11, STG_DTYPE_U16 = 12, STG_DTYPE_F16 = 13, STG_DTYPE_BF16 = 14,
  STG_DTYPE_I32 = 15, STG_DTYPE_U32 = 16, STG_DTYPE_F32 = 17, STG_DTYPE_C64 = 18,
  STG_DTYPE_F64 = 19, STG_DTYPE_I64 = 20, STG_DTYPE_U64 = 21,
  STG_DTYPE_FORCE_INT32_ = 0x7fffffff
} stg_dtype;

/* Where a reader's tensor bytes come from (docs/reader.md). */
typedef enum stg_reader_mode {
  STG_READER_MAPPED = 0,   /* read-only private mapping; zero-copy */
  STG_READER_SNAPSHOT = 1, /* whole file copied and validated again; zero-copy */
  STG_READER_PREAD = 2,    /* every access preads; no zero-copy bytes */
  STG_READER_FORCE_INT32_ = 0x7fffffff
} stg_reader_mode;

/* "No byte offset applies" (stg_error_offset). */
#define STG_NO_OFFSET UINT64_MAX
/* A slice range's stop meaning "to the end of the dimension". */
#define STG_SLICE_TO_END UINT64_MAX

/* One leading-dimension range [start, stop) of a slice. */
typedef struct stg_slice_range {
  uint64_t start;
  uint64_t stop; /* one past the last index kept, or STG_SLICE_TO_END */
} stg_slice_range;

/* Opaque handles. */
typedef struct stg_error stg_error;
typedef struct stg_options stg_options;
typedef struct stg_header stg_header;
typedef struct stg_stream stg_stream;
typedef struct stg_reader stg_reader;
typedef struct stg_writer stg_writer;

/* ---- Version (any thread) ------------------------------------------------ */

/* "MAJOR.MINOR.PATCH", static storage. */
STG_API stg_status stg_version(const char** version);
/* The ABI of the loaded library (STG_ABI_VERSION of the header it was built with). */
STG_API stg_status stg_abi_version(uint32_t* abi);

/* ---- Error details ------------------------------------------------------- */

/* A reusable error record, owned by the caller; one thread at a time. */
STG_API stg_status stg_error_new(stg_error** out);
STG_API stg_status stg_error_free(stg_error* err);
/* The status of the last call that was given `err` (STG_OK after a success). */
STG_API stg_status stg_error_code(const stg_error* err, stg_status* code);
/* One line, safe to print (untrusted bytes escaped). Valid until `err` is
 * next passed to a function or freed. Empty after a success. */
STG_API stg_status stg_error_message(const stg_error* err, const char** message, size_t* length);
/* File offset where the problem was detected, or STG_NO_OFFSET. */
STG_API stg_status stg_error_offset(const stg_error* err, uint64_t* offset);
/* Raw bytes of the tensor name the error concerns (length 0 when none);
 * escape before display. Same lifetime as the message. */
STG_API stg_status stg_error_tensor(const stg_error* err, const char** name, size_t* length);

/* Static names (any thread). For a number that is no stguard code these give
 * STG_INVALID_ARGUMENT and leave the output untouched. STG_OK is "OK". */
STG_API stg_status stg_error_code_name(int32_t code, const char** name);     /* "DATA_TRUNCATED" */
STG_API stg_status stg_error_class_name(int32_t code, const char** name);    /* "layout"; "ok" for 0 */
STG_API stg_status stg_error_class(int32_t code, int32_t* error_class);      /* hundreds: 5; 0 for OK */
/* Reverse lookup: STG_INVALID_ARGUMENT for unknown names. */
STG_API stg_status stg_error_code_from_name(const char* name, int32_t* code);

/* ---- Options: a profile and its limits ------------------------------------ */

/* A profile with its default limits. Functions taking `const stg_options*`
 * accept NULL for the strict defaults. Setters must not race with users. */
STG_API stg_status stg_options_new(stg_profile profile, stg_options** out);
STG_API stg_status stg_options_free(stg_options* options);
/* Switches the profile and resets every limit to that profile's default. */
STG_API stg_status stg_options_set_profile(stg_options* options, stg_profile profile);
STG_API stg_status stg_options_get_profile(const stg_options* options, stg_profile* profile);
STG_API stg_status stg_options_set_limit(stg_options* options, stg_limit limit, uint64_t value);
STG_API stg_status stg_options_get_limit(const stg_options* options, stg_limit limit, uint64_t* value);

/* ---- Validation (any thread) --------------------------------------------- */

/* Each returns STG_OK for an accepted file or the rejection's code. When
 * `header` is not NULL and the file is accepted, *header receives the
 * validated header (free it with stg_header_free); otherwise it is untouched. */
STG_API stg_status stg_validate_path(const stg_options* options, const char* path, stg_header** header,
                                     stg_error* err);
/* A regular file open on `fd` (not closed; its offset is not used). */
STG_API stg_status stg_validate_fd(const stg_options* options, int fd, stg_header** header, stg_error* err);
/* A whole file in memory. `data` may be NULL only when `size` is 0 (an empty
 * file: STG_FILE_TOO_SMALL). The bytes are not kept after the call. */
STG_API stg_status stg_validate_buffer(const stg_options* options, const void* data, size_t size,
                                       stg_header** header, stg_error* err);
/* The first bytes of a file `file_size` bytes long: at least min(8 + N,
 * file_size) bytes (more is fine). Same verdict as the whole file; a prefix
 * too short to decide is STG_IO_READ_FAILED. */
STG_API stg_status stg_validate_prefix(const stg_options* options, const void* prefix, size_t prefix_size,
                                       uint64_t file_size, stg_header** header, stg_error* err);

/* ---- Stream validation (one thread per stream) -------------------------- */

STG_API stg_status stg_stream_new(const stg_options* options, stg_stream** out);
STG_API stg_status stg_stream_free(stg_stream* stream);
/* Feeds the next chunk (`data` may be NULL when `size` is 0). *keep_going
 * (may be NULL) becomes 0 once the verdict is known to be a rejection. */
STG_API stg_status stg_stream_feed(stg_stream* stream, const void* data, size_t size, int* keep_going);
/* The verdict for everything fed so far, taken as the whole file; the stream
 * stays usable (more feeding, another finish). `header` as stg_validate_*. */
STG_API stg_status stg_stream_finish(const stg_stream* stream, stg_header** header, stg_error* err);

/* ---- The validated header (immutable: any threads) ------------------------ */

/* Every pointer a stg_header_* function returns is valid until stg_header_free. */
STG_API stg_status stg_header_free(stg_header* header);
STG_API stg_status stg_header_profile(const stg_header* header, stg_profile* profile);
/* N (the header's length), 8 + N (where the data region starts), and the
 * exact size of the file (8 + N + data size). */
STG_API stg_status stg_header_length(const stg_header* header, uint64_t* length);
STG_API stg_status stg_header_data_offset(const stg_header* header, uint64_t* offset);
STG_API stg_status stg_header_file_size(const stg_header* header, uint64_t* size);
/* Tensors are indexed 0 .. count-1 in data order (by offsets). */
STG_API stg_status stg_header_tensor_count(const stg_header* header, size_t* count);
STG_API stg_status stg_header_tensor_name(const stg_header* header, size_t index, const char** name,
                                          size_t* length);
STG_API stg_status stg_header_tensor_dtype(const stg_header* header, size_t index, stg_dtype* dtype);
/* rank 0 is a scalar (*dims may then be NULL). */
STG_API stg_status stg_header_tensor_shape(const stg_header* header, size_t index, size_t* rank,
                                           const uint64_t** dims);
/* data_offsets: [begin, end) relative to the data region. */
STG_API stg_status stg_header_tensor_offsets(const stg_header* header, size_t index, uint64_t* begin,
                                             uint64_t* end);
/* Index of the tensor called name[0..length); STG_TENSOR_NOT_FOUND if none. */
STG_API stg_status stg_header_find(const stg_header* header, const char* name, size_t length, size_t* index);
/* Metadata entries sorted by key. */
STG_API stg_status stg_header_metadata_count(const stg_header* header, size_t* count);
STG_API stg_status stg_header_metadata_entry(const stg_header* header, size_t index, const char** key,
                                             size_t* key_length, const char** value, size_t* value_length);

/* Dtype facts (any thread): the exact JSON name ("F8_E4M3"), static storage,
 * and the bits per element (4, 6, 8, 16, 32 or 64). */
STG_API stg_status stg_dtype_name(stg_dtype dtype, const char** name);
STG_API stg_status stg_dtype_bits(stg_dtype dtype, uint32_t* bits);

/* ---- Reader (immutable after opening: any threads) ----------------------- */

/* Validates the file, then opens it in `mode`. */
STG_API stg_status stg_reader_open(const stg_options* options, const char* path, stg_reader_mode mode,
                                   stg_reader** out, stg_error* err);
/* Same for a regular file open on `fd` (not taken over; pread mode keeps a duplicate). */
STG_API stg_status stg_reader_open_fd(const stg_options* options, int fd, stg_reader_mode mode,
                                      stg_reader** out, stg_error* err);
/* Closing ends every pointer the reader lent. */
STG_API stg_status stg_reader_free(stg_reader* reader);
STG_API stg_status stg_reader_mode_of(const stg_reader* reader, stg_reader_mode* mode);
/* A copy of the reader's validated header (free it; it outlives the reader). */
STG_API stg_status stg_reader_header(const stg_reader* reader, stg_header** header);
/* Tensor `index` is the header's index (data order). */
STG_API stg_status stg_reader_tensor_size(const stg_reader* reader, size_t index, uint64_t* size);
/* Zero-copy: *data points at the tensor's bytes (little-endian, C order),
 * valid until stg_reader_free. STG_INVALID_ARGUMENT in pread mode. */
STG_API stg_status stg_reader_tensor_bytes(const stg_reader* reader, size_t index, const void** data,
                                           size_t* size, stg_error* err);
/* Copies the whole tensor into buffer[0..buffer_size); buffer_size must be
 * exactly the tensor's size (STG_INVALID_ARGUMENT otherwise). Every mode;
 * pread may report STG_IO_FILE_CHANGED. */
STG_API stg_status stg_reader_copy_tensor(const stg_reader* reader, size_t index, void* buffer,
                                          size_t buffer_size, stg_error* err);
/* A slice on the leading dimensions: ranges[i] applies to dimension i, later
 * dimensions are kept whole (count 0 is the whole tensor). Errors as the C++
 * slice planner: STG_SLICE_TOO_MANY_INDICES, STG_SLICE_STOP_BEFORE_START,
 * STG_SLICE_OUT_OF_RANGE, STG_SLICE_NOT_BYTE_ALIGNED. slice_size gives the
 * byte size; slice_copy fills buffer, whose size must equal it. */
STG_API stg_status stg_reader_slice_size(const stg_reader* reader, size_t index, const stg_slice_range* ranges,
                                         size_t count, uint64_t* size, stg_error* err);
STG_API stg_status stg_reader_slice_copy(const stg_reader* reader, size_t index, const stg_slice_range* ranges,
                                         size_t count, void* buffer, size_t buffer_size, stg_error* err);

/* ---- Writer (one thread per writer) --------------------------------------- */

/* Collects tensors and metadata, then writes a file laid out as the
 * reference writer does and checked against the strict profile first. */
STG_API stg_status stg_writer_new(stg_writer** out);
STG_API stg_status stg_writer_free(stg_writer* writer);
/* Copies the tensor's bytes: `data` may be freed after the call. `size` must
 * be exactly shape x dtype (STG_DATA_LENGTH_MISMATCH); `dims` may be NULL
 * when rank is 0. Name errors (STG_INVALID_TENSOR_NAME, ...) come here or at save. */
STG_API stg_status stg_writer_add_tensor(stg_writer* writer, const char* name, size_t name_length,
                                         stg_dtype dtype, const uint64_t* dims, size_t rank, const void* data,
                                         size_t size, stg_error* err);
/* Sets (or replaces) a metadata entry. */
STG_API stg_status stg_writer_set_metadata(stg_writer* writer, const char* key, size_t key_length,
                                           const char* value, size_t value_length, stg_error* err);
/* Replaces `path` atomically: on failure the old file is untouched and no
 * temporary file remains. */
STG_API stg_status stg_writer_save_path(const stg_writer* writer, const char* path, stg_error* err);
/* Streams the file to `fd` at its current offset (file, pipe, socket). */
STG_API stg_status stg_writer_save_fd(const stg_writer* writer, int fd, stg_error* err);

#ifdef __cplusplus
}
#endif

#endif /* STGUARD_STGUARD_H */
