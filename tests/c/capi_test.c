/* The C API from C: every function of stguard.h, the whole conformance
 * corpus, and the misuse the boundary must survive (NULL pointers, empty and
 * short buffers, freed and foreign handles, bad enum values).
 *
 * Built with -std=c99 -Wall -Wextra -pedantic -Werror and run in the release
 * and asan presets. Usage: capi_test CORPUS_DIR TMP_DIR
 * Every corpus file must give, through each C entry (path, descriptor,
 * buffer, prefix, stream, reader), the code corpus/MANIFEST.tsv lists: the
 * verdict the C++ corpus test checks, so C and C++ agree file by file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stguard/stguard.h"

static int g_checks = 0;
static int g_failures = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    ++g_checks;                                                                  \
    if (!(cond)) {                                                               \
      ++g_failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
    }                                                                            \
  } while (0)

#define CHECK_STATUS(call, expected)                                                           \
  do {                                                                                         \
    stg_status got_ = (call);                                                                  \
    ++g_checks;                                                                                \
    if (got_ != (expected)) {                                                                  \
      ++g_failures;                                                                            \
      fprintf(stderr, "%s:%d: %s gave %d, expected %d\n", __FILE__, __LINE__, #call, (int)got_, \
              (int)(expected));                                                                \
    }                                                                                          \
  } while (0)

static const char* g_corpus = NULL;
static const char* g_tmp = NULL;

/* The whole file; NULL (and *size 0) when it cannot be read. */
static unsigned char* read_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  unsigned char* data = NULL;
  long length;
  *size = 0;
  if (file == NULL) return NULL;
  if (fseek(file, 0, SEEK_END) != 0 || (length = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fclose(file);
    return NULL;
  }
  data = (unsigned char*)malloc((size_t)length + 1); /* +1: never malloc(0) */
  if (data != NULL && fread(data, 1, (size_t)length, file) == (size_t)length) {
    *size = (size_t)length;
  } else {
    free(data);
    data = NULL;
  }
  fclose(file);
  return data;
}

static const char* code_name(stg_status status) {
  const char* name = "?";
  if (stg_error_code_name((int32_t)status, &name) != STG_OK) return "(not a stguard code)";
  return name;
}

/* ---- one corpus file through every C entry ------------------------------- */

/* Every tensor read in each reader mode must equal the file's own bytes. */
static void check_reader(const char* path, const stg_options* options, const unsigned char* file, size_t file_size) {
  static const stg_reader_mode modes[] = {STG_READER_MAPPED, STG_READER_SNAPSHOT, STG_READER_PREAD};
  size_t m;
  for (m = 0; m < sizeof modes / sizeof modes[0]; ++m) {
    stg_reader* reader = NULL;
    stg_header* header = NULL;
    stg_reader_mode mode = STG_READER_MAPPED;
    uint64_t data_offset = 0, expected_size = 0;
    size_t count = 0, i;
    CHECK_STATUS(stg_reader_open(options, path, modes[m], &reader, NULL), STG_OK);
    if (reader == NULL) continue;
    CHECK_STATUS(stg_reader_mode_of(reader, &mode), STG_OK);
    CHECK(mode == modes[m]);
    CHECK_STATUS(stg_reader_header(reader, &header), STG_OK);
    CHECK_STATUS(stg_header_data_offset(header, &data_offset), STG_OK);
    CHECK_STATUS(stg_header_file_size(header, &expected_size), STG_OK);
    CHECK(expected_size == file_size);
    CHECK_STATUS(stg_header_tensor_count(header, &count), STG_OK);
    for (i = 0; i < count; ++i) {
      uint64_t begin = 0, end = 0, size = 0;
      unsigned char* copy;
      const void* bytes = NULL;
      size_t bytes_size = 0;
      CHECK_STATUS(stg_header_tensor_offsets(header, i, &begin, &end), STG_OK);
      CHECK_STATUS(stg_reader_tensor_size(reader, i, &size), STG_OK);
      CHECK(size == end - begin);
      copy = (unsigned char*)malloc((size_t)size + 1);
      if (copy == NULL) continue;
      CHECK_STATUS(stg_reader_copy_tensor(reader, i, copy, (size_t)size, NULL), STG_OK);
      CHECK(memcmp(copy, file + data_offset + begin, (size_t)size) == 0);
      if (modes[m] == STG_READER_PREAD) {
        CHECK_STATUS(stg_reader_tensor_bytes(reader, i, &bytes, &bytes_size, NULL), STG_INVALID_ARGUMENT);
      } else {
        CHECK_STATUS(stg_reader_tensor_bytes(reader, i, &bytes, &bytes_size, NULL), STG_OK);
        CHECK(bytes_size == size && (size == 0 || memcmp(bytes, copy, (size_t)size) == 0));
      }
      /* The whole tensor as a slice with no ranges: the same bytes. */
      CHECK_STATUS(stg_reader_slice_size(reader, i, NULL, 0, &size, NULL), STG_OK);
      CHECK(size == end - begin);
      CHECK_STATUS(stg_reader_slice_copy(reader, i, NULL, 0, copy, (size_t)size, NULL), STG_OK);
      CHECK(memcmp(copy, file + data_offset + begin, (size_t)size) == 0);
      free(copy);
    }
    CHECK_STATUS(stg_header_free(header), STG_OK);
    CHECK_STATUS(stg_reader_free(reader), STG_OK);
  }
}

/* The verdict of `path` under `options` through path, fd, buffer, prefix,
 * stream and reader; each must be `expected` (a code name or "OK"). */
static void check_corpus_file(const char* path, const stg_options* options, const char* expected) {
  size_t size = 0, at;
  unsigned char* file = read_file(path, &size);
  stg_status by_path, by_fd, by_buffer, by_prefix, by_stream;
  stg_stream* stream = NULL;
  stg_reader* reader = NULL;
  stg_header* header = NULL;
  int fd;
  CHECK(file != NULL || size == 0);

  by_path = stg_validate_path(options, path, NULL, NULL);
  fd = open(path, O_RDONLY);
  CHECK(fd >= 0);
  by_fd = stg_validate_fd(options, fd, NULL, NULL);
  close(fd);
  by_buffer = stg_validate_buffer(options, file, size, &header, NULL);
  by_prefix = stg_validate_prefix(options, file, size, size, NULL, NULL);
  CHECK_STATUS(stg_stream_new(options, &stream), STG_OK);
  for (at = 0; at < size; at += 7) { /* odd chunks: the prefix splits too */
    CHECK_STATUS(stg_stream_feed(stream, file + at, size - at < 7 ? size - at : 7, NULL), STG_OK);
  }
  by_stream = stg_stream_finish(stream, NULL, NULL);
  CHECK_STATUS(stg_stream_free(stream), STG_OK);

  if (strcmp(code_name(by_path), expected) != 0 || by_fd != by_path || by_buffer != by_path ||
      by_prefix != by_path || by_stream != by_path) {
    ++g_failures;
    fprintf(stderr, "%s: expected %s; path %s, fd %s, buffer %s, prefix %s, stream %s\n", path, expected,
            code_name(by_path), code_name(by_fd), code_name(by_buffer), code_name(by_prefix), code_name(by_stream));
  }
  ++g_checks;

  if (by_buffer == STG_OK) {
    CHECK(header != NULL);
    CHECK_STATUS(stg_header_free(header), STG_OK);
    check_reader(path, options, file, size);
  } else {
    CHECK(header == NULL);
    CHECK(stg_reader_open(options, path, STG_READER_MAPPED, &reader, NULL) == by_buffer);
    CHECK(reader == NULL);
  }
  free(file);
}

static int walk_corpus(void) {
  char manifest_path[4096], line[4096], path[8192];
  FILE* manifest;
  stg_options* compat = NULL;
  int files = 0;
  snprintf(manifest_path, sizeof manifest_path, "%s/MANIFEST.tsv", g_corpus);
  manifest = fopen(manifest_path, "r");
  CHECK(manifest != NULL);
  if (manifest == NULL) return 0;
  CHECK_STATUS(stg_options_new(STG_PROFILE_COMPAT, &compat), STG_OK);
  while (fgets(line, sizeof line, manifest) != NULL) {
    char* name = strtok(line, "\t\r\n");
    char* strict_code = strtok(NULL, "\t\r\n");
    char* compat_code = strtok(NULL, "\t\r\n");
    if (name == NULL || name[0] == '#' || strict_code == NULL || compat_code == NULL) continue;
    snprintf(path, sizeof path, "%s/%s", g_corpus, name);
    check_corpus_file(path, NULL, strict_code); /* NULL options: strict */
    check_corpus_file(path, compat, compat_code);
    ++files;
  }
  fclose(manifest);
  CHECK_STATUS(stg_options_free(compat), STG_OK);
  CHECK(files > 100); /* the corpus has well over a hundred files */
  return files;
}

/* ---- the API piece by piece ---------------------------------------------- */

static void test_version_and_names(void) {
  const char* text = NULL;
  uint32_t abi = 99;
  int32_t number = 0, cls = 0;
  CHECK_STATUS(stg_version(&text), STG_OK);
  CHECK(text != NULL && strchr(text, '.') != NULL);
  CHECK_STATUS(stg_abi_version(&abi), STG_OK);
  CHECK(abi == STG_ABI_VERSION);
  CHECK_STATUS(stg_version(NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_abi_version(NULL), STG_INVALID_ARGUMENT);

  CHECK_STATUS(stg_error_code_name(STG_DATA_TRUNCATED, &text), STG_OK);
  CHECK(strcmp(text, "DATA_TRUNCATED") == 0);
  CHECK_STATUS(stg_error_code_name(0, &text), STG_OK);
  CHECK(strcmp(text, "OK") == 0);
  CHECK_STATUS(stg_error_code_name(12345, &text), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_code_name(101, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_class_name(STG_LIMIT_DEPTH, &text), STG_OK);
  CHECK(strcmp(text, "limit") == 0);
  CHECK_STATUS(stg_error_class_name(0, &text), STG_OK);
  CHECK_STATUS(stg_error_class_name(-1, &text), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_class_name(1, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_class(STG_OUT_OF_MEMORY, &cls), STG_OK);
  CHECK(cls == 99);
  CHECK_STATUS(stg_error_class(STG_JSON_SYNTAX, &cls), STG_OK);
  CHECK(cls == 3);
  CHECK_STATUS(stg_error_class(0, &cls), STG_OK);
  CHECK(cls == 0);
  CHECK_STATUS(stg_error_class(7, &cls), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_class(101, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_code_from_name("SIZE_MISMATCH", &number), STG_OK);
  CHECK(number == STG_SIZE_MISMATCH);
  CHECK_STATUS(stg_error_code_from_name("OK", &number), STG_OK);
  CHECK(number == 0);
  CHECK_STATUS(stg_error_code_from_name("size_mismatch", &number), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_code_from_name(NULL, &number), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_code_from_name("OK", NULL), STG_INVALID_ARGUMENT);

  /* Every code the library knows round-trips through its name and has the
   * class its hundreds digit says (tests/capi_header_test.cpp checks that
   * stguard.h lists each of them as STG_<NAME>). */
  {
    int32_t candidate, known = 0;
    for (candidate = 1; candidate <= 9999; ++candidate) {
      int32_t back = 0;
      if (stg_error_code_name(candidate, &text) != STG_OK) continue;
      ++known;
      CHECK_STATUS(stg_error_code_from_name(text, &back), STG_OK);
      CHECK(back == candidate);
      CHECK_STATUS(stg_error_class(candidate, &cls), STG_OK);
      CHECK(cls == candidate / 100);
    }
    CHECK(known >= 73); /* the codes of the first release */
  }

  CHECK_STATUS(stg_dtype_name(STG_DTYPE_F8_E4M3FNUZ, &text), STG_OK);
  CHECK(strcmp(text, "F8_E4M3FNUZ") == 0);
  CHECK_STATUS(stg_dtype_name((stg_dtype)22, &text), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_dtype_name(STG_DTYPE_U8, NULL), STG_INVALID_ARGUMENT);
  {
    uint32_t bits = 0;
    CHECK_STATUS(stg_dtype_bits(STG_DTYPE_F4, &bits), STG_OK);
    CHECK(bits == 4);
    CHECK_STATUS(stg_dtype_bits(STG_DTYPE_C64, &bits), STG_OK);
    CHECK(bits == 64);
    CHECK_STATUS(stg_dtype_bits((stg_dtype)99, &bits), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_dtype_bits(STG_DTYPE_U8, NULL), STG_INVALID_ARGUMENT);
  }
}

static void test_options(void) {
  stg_options* options = NULL;
  stg_profile profile = STG_PROFILE_COMPAT;
  uint64_t value = 0;
  int limit;
  CHECK_STATUS(stg_options_new(STG_PROFILE_STRICT, &options), STG_OK);
  CHECK_STATUS(stg_options_get_profile(options, &profile), STG_OK);
  CHECK(profile == STG_PROFILE_STRICT);
  CHECK_STATUS(stg_options_get_limit(options, STG_LIMIT_MAX_RANK, &value), STG_OK);
  CHECK(value == 64);
  CHECK_STATUS(stg_options_get_limit(options, STG_LIMIT_MAX_DEPTH, &value), STG_OK);
  CHECK(value == 127);
  for (limit = STG_LIMIT_MAX_HEADER_BYTES; limit <= STG_LIMIT_MAX_DEPTH; ++limit) {
    CHECK_STATUS(stg_options_set_limit(options, (stg_limit)limit, 1000u + (uint64_t)limit), STG_OK);
    CHECK_STATUS(stg_options_get_limit(options, (stg_limit)limit, &value), STG_OK);
    CHECK(value == 1000u + (uint64_t)limit);
  }
  CHECK_STATUS(stg_options_set_limit(options, (stg_limit)0, 1), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_get_limit(options, (stg_limit)7, &value), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_get_limit(options, STG_LIMIT_MAX_RANK, NULL), STG_INVALID_ARGUMENT);
  /* Switching profile resets the limits to that profile's defaults. */
  CHECK_STATUS(stg_options_set_profile(options, STG_PROFILE_COMPAT), STG_OK);
  CHECK_STATUS(stg_options_get_profile(options, &profile), STG_OK);
  CHECK(profile == STG_PROFILE_COMPAT);
  CHECK_STATUS(stg_options_get_limit(options, STG_LIMIT_MAX_TENSORS, &value), STG_OK);
  CHECK(value == STG_UNLIMITED);
  CHECK_STATUS(stg_options_set_profile(options, (stg_profile)2), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_get_profile(options, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_new((stg_profile)5, &options), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_new(STG_PROFILE_STRICT, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_free(options), STG_OK);
  /* Freed: every use and a second free are refused. */
  CHECK_STATUS(stg_options_free(options), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_get_profile(options, &profile), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_set_limit(options, STG_LIMIT_MAX_RANK, 1), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_buffer(options, "x", 1, NULL, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_options_free(NULL), STG_OK);
}

/* A small file made by the writer: "a" F32 [2,3] = 0..5, "b" U8 [4], metadata. */
static const float kA[6] = {0, 1, 2, 3, 4, 5};
static const unsigned char kB[4] = {9, 8, 7, 6};

static stg_writer* make_writer(void) {
  stg_writer* writer = NULL;
  const uint64_t a_dims[2] = {2, 3};
  const uint64_t b_dims[1] = {4};
  CHECK_STATUS(stg_writer_new(&writer), STG_OK);
  CHECK_STATUS(stg_writer_add_tensor(writer, "a", 1, STG_DTYPE_F32, a_dims, 2, kA, sizeof kA, NULL), STG_OK);
  CHECK_STATUS(stg_writer_add_tensor(writer, "b", 1, STG_DTYPE_U8, b_dims, 1, kB, sizeof kB, NULL), STG_OK);
  CHECK_STATUS(stg_writer_set_metadata(writer, "format", 6, "pt", 2, NULL), STG_OK);
  return writer;
}

static void test_writer_header_reader(void) {
  char path[4096], fd_path[4096];
  stg_writer* writer = make_writer();
  stg_error* err = NULL;
  stg_header* header = NULL;
  stg_reader* reader = NULL;
  size_t count = 0, index = 99, rank = 0, length = 0, key_length = 0, value_length = 0;
  const uint64_t* dims = NULL;
  const char *name = NULL, *key = NULL, *value = NULL;
  stg_dtype dtype = STG_DTYPE_BOOL;
  stg_profile profile = STG_PROFILE_COMPAT;
  uint64_t begin = 0, end = 0, header_length = 0, data_offset = 0, file_size = 0;
  float row[3];
  int fd;

  CHECK_STATUS(stg_error_new(&err), STG_OK);
  snprintf(path, sizeof path, "%s/capi_written.safetensors", g_tmp);
  snprintf(fd_path, sizeof fd_path, "%s/capi_written_fd.safetensors", g_tmp);
  CHECK_STATUS(stg_writer_save_path(writer, path, err), STG_OK);
  fd = open(fd_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK(fd >= 0);
  CHECK_STATUS(stg_writer_save_fd(writer, fd, err), STG_OK);
  close(fd);
  {
    size_t size_a = 0, size_b = 0;
    unsigned char* first = read_file(path, &size_a);
    unsigned char* second = read_file(fd_path, &size_b);
    CHECK(first != NULL && second != NULL && size_a == size_b && memcmp(first, second, size_a) == 0);
    free(first);
    free(second);
  }

  CHECK_STATUS(stg_validate_path(NULL, path, &header, err), STG_OK);
  CHECK_STATUS(stg_header_profile(header, &profile), STG_OK);
  CHECK(profile == STG_PROFILE_STRICT);
  CHECK_STATUS(stg_header_tensor_count(header, &count), STG_OK);
  CHECK(count == 2);
  /* Data order is the reference layout: F32 (higher dtype order) first. */
  CHECK_STATUS(stg_header_tensor_name(header, 0, &name, &length), STG_OK);
  CHECK(length == 1 && name[0] == 'a' && name[1] == '\0');
  CHECK_STATUS(stg_header_tensor_dtype(header, 0, &dtype), STG_OK);
  CHECK(dtype == STG_DTYPE_F32);
  CHECK_STATUS(stg_header_tensor_shape(header, 0, &rank, &dims), STG_OK);
  CHECK(rank == 2 && dims[0] == 2 && dims[1] == 3);
  CHECK_STATUS(stg_header_tensor_offsets(header, 1, &begin, &end), STG_OK);
  CHECK(begin == 24 && end == 28);
  CHECK_STATUS(stg_header_find(header, "b", 1, &index), STG_OK);
  CHECK(index == 1);
  CHECK_STATUS(stg_header_find(header, "bb", 2, &index), STG_TENSOR_NOT_FOUND);
  CHECK_STATUS(stg_header_find(header, NULL, 0, &index), STG_TENSOR_NOT_FOUND);
  CHECK_STATUS(stg_header_find(header, NULL, 1, &index), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_metadata_count(header, &count), STG_OK);
  CHECK(count == 1);
  CHECK_STATUS(stg_header_metadata_entry(header, 0, &key, &key_length, &value, &value_length), STG_OK);
  CHECK(key_length == 6 && memcmp(key, "format", 6) == 0 && value_length == 2 && strcmp(value, "pt") == 0);
  CHECK_STATUS(stg_header_metadata_entry(header, 1, &key, &key_length, &value, &value_length), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_length(header, &header_length), STG_OK);
  CHECK_STATUS(stg_header_data_offset(header, &data_offset), STG_OK);
  CHECK_STATUS(stg_header_file_size(header, &file_size), STG_OK);
  CHECK(header_length % 8 == 0 && data_offset == 8 + header_length && file_size == data_offset + 28);
  CHECK_STATUS(stg_header_tensor_name(header, 2, &name, &length), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_tensor_dtype(header, 0, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_tensor_shape(header, 0, &rank, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_free(header), STG_OK);
  /* Use after free and double free of a header. */
  CHECK_STATUS(stg_header_tensor_count(header, &count), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_free(header), STG_INVALID_ARGUMENT);

  /* Reader, descriptor form, and slices of "a" (row 1; columns 1..3 of both rows). */
  fd = open(path, O_RDONLY);
  CHECK_STATUS(stg_reader_open_fd(NULL, fd, STG_READER_PREAD, &reader, err), STG_OK);
  close(fd); /* pread mode keeps its own duplicate */
  {
    const stg_slice_range row1[1] = {{1, 2}};
    const stg_slice_range cols[2] = {{0, STG_SLICE_TO_END}, {1, 3}};
    const stg_slice_range backwards[1] = {{2, 1}};
    const stg_slice_range past[1] = {{0, 3}};
    const stg_slice_range too_many[3] = {{0, 1}, {0, 1}, {0, 1}};
    float both[4];
    uint64_t size = 0;
    CHECK_STATUS(stg_reader_slice_size(reader, 0, row1, 1, &size, err), STG_OK);
    CHECK(size == 12);
    CHECK_STATUS(stg_reader_slice_copy(reader, 0, row1, 1, row, sizeof row, err), STG_OK);
    CHECK(row[0] == 3 && row[1] == 4 && row[2] == 5);
    CHECK_STATUS(stg_reader_slice_copy(reader, 0, cols, 2, both, sizeof both, err), STG_OK);
    CHECK(both[0] == 1 && both[1] == 2 && both[2] == 4 && both[3] == 5);
    CHECK_STATUS(stg_reader_slice_copy(reader, 0, row1, 1, both, sizeof both, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_slice_size(reader, 0, backwards, 1, &size, err), STG_SLICE_STOP_BEFORE_START);
    CHECK_STATUS(stg_reader_slice_size(reader, 0, past, 1, &size, err), STG_SLICE_OUT_OF_RANGE);
    CHECK_STATUS(stg_reader_slice_size(reader, 0, too_many, 3, &size, err), STG_SLICE_TOO_MANY_INDICES);
    CHECK_STATUS(stg_reader_slice_size(reader, 0, NULL, 1, &size, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_slice_size(reader, 0, row1, 1, NULL, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_slice_copy(reader, 0, row1, 1, NULL, 12, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_slice_size(reader, 5, row1, 1, &size, err), STG_INVALID_ARGUMENT);
  }
  {
    unsigned char b[4], wrong[5];
    const void* bytes = NULL;
    size_t bytes_size = 0;
    CHECK_STATUS(stg_reader_copy_tensor(reader, 1, b, sizeof b, err), STG_OK);
    CHECK(memcmp(b, kB, 4) == 0);
    /* A caller buffer of another size than the tensor is refused. */
    CHECK_STATUS(stg_reader_copy_tensor(reader, 1, wrong, sizeof wrong, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_copy_tensor(reader, 1, wrong, 3, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_copy_tensor(reader, 1, NULL, 4, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_copy_tensor(reader, 2, b, sizeof b, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_tensor_bytes(reader, 1, &bytes, &bytes_size, err), STG_INVALID_ARGUMENT); /* pread */
    CHECK_STATUS(stg_reader_tensor_bytes(reader, 1, NULL, &bytes_size, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_tensor_size(reader, 1, NULL), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_mode_of(reader, NULL), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_reader_header(reader, NULL), STG_INVALID_ARGUMENT);
  }
  CHECK_STATUS(stg_reader_free(reader), STG_OK);
  /* Use after close and double close of a reader. */
  CHECK_STATUS(stg_reader_copy_tensor(reader, 1, row, 4, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_free(reader), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_open(NULL, path, (stg_reader_mode)3, &reader, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_open(NULL, path, STG_READER_MAPPED, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_open(NULL, NULL, STG_READER_MAPPED, &reader, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_open_fd(NULL, -1, STG_READER_MAPPED, &reader, err), STG_IO_READ_FAILED);

  /* Writer refusals, with details in err. */
  {
    const uint64_t dims[1] = {4};
    const char* message = NULL;
    const char* tensor = NULL;
    size_t message_length = 0, tensor_length = 0;
    stg_status code = STG_OK;
    CHECK_STATUS(stg_writer_add_tensor(writer, "c", 1, STG_DTYPE_U8, dims, 1, kB, 3, err), STG_DATA_LENGTH_MISMATCH);
    CHECK_STATUS(stg_error_code(err, &code), STG_OK);
    CHECK(code == STG_DATA_LENGTH_MISMATCH);
    CHECK_STATUS(stg_error_tensor(err, &tensor, &tensor_length), STG_OK);
    CHECK(tensor_length == 1 && tensor[0] == 'c');
    CHECK_STATUS(stg_error_message(err, &message, &message_length), STG_OK);
    CHECK(message_length > 0 && strlen(message) == message_length);
    CHECK_STATUS(stg_writer_add_tensor(writer, "d", 1, (stg_dtype)40, dims, 1, kB, 4, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_add_tensor(writer, NULL, 1, STG_DTYPE_U8, dims, 1, kB, 4, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_add_tensor(writer, "e", 1, STG_DTYPE_U8, NULL, 1, kB, 4, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_add_tensor(writer, "f", 1, STG_DTYPE_U8, dims, 1, NULL, 4, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_set_metadata(writer, NULL, 2, "x", 1, err), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_save_path(writer, NULL, err), STG_INVALID_ARGUMENT);
    /* The builder's first error is sticky: the save refuses too, and the old file stays. */
    CHECK(stg_writer_save_path(writer, path, err) != STG_OK);
    CHECK_STATUS(stg_validate_path(NULL, path, NULL, err), STG_OK);
    CHECK_STATUS(stg_writer_free(writer), STG_OK);
    CHECK_STATUS(stg_writer_free(writer), STG_INVALID_ARGUMENT);
    CHECK_STATUS(stg_writer_save_fd(writer, 1, err), STG_INVALID_ARGUMENT);

    /* An empty or control-character name; a scalar with NULL dims. */
    CHECK_STATUS(stg_writer_new(&writer), STG_OK);
    CHECK_STATUS(stg_writer_add_tensor(writer, "", 0, STG_DTYPE_U8, NULL, 0, kB, 1, err), STG_INVALID_TENSOR_NAME);
    CHECK_STATUS(stg_writer_free(writer), STG_OK);
    CHECK_STATUS(stg_writer_new(&writer), STG_OK);
    CHECK_STATUS(stg_writer_add_tensor(writer, "s", 1, STG_DTYPE_U8, NULL, 0, kB, 1, err), STG_OK);
    /* A name added twice is refused at once, and the error stays (sticky) for every save. */
    CHECK_STATUS(stg_writer_add_tensor(writer, "s", 1, STG_DTYPE_U8, NULL, 0, kB, 1, err), STG_DUPLICATE_TENSOR_NAME);
    CHECK_STATUS(stg_writer_save_path(writer, path, err), STG_DUPLICATE_TENSOR_NAME);
    CHECK_STATUS(stg_writer_save_fd(writer, -1, err), STG_DUPLICATE_TENSOR_NAME);
    CHECK_STATUS(stg_writer_free(writer), STG_OK);
    /* A bad descriptor, with a valid file to write. */
    writer = make_writer();
    CHECK_STATUS(stg_writer_save_fd(writer, -1, err), STG_IO_WRITE_FAILED);
    CHECK_STATUS(stg_writer_free(writer), STG_OK);
    CHECK_STATUS(stg_writer_new(NULL), STG_INVALID_ARGUMENT);
  }
  CHECK_STATUS(stg_error_free(err), STG_OK);
  unlink(path);
  unlink(fd_path);
}

static void test_error_details_and_misuse(void) {
  /* 8-byte N = 2, then "{}" and a byte too many: trailing bytes at offset 10. */
  static const unsigned char trailing[11] = {2, 0, 0, 0, 0, 0, 0, 0, '{', '}', 'x'};
  static const unsigned char tensor_file[] =
      "\x3c\0\0\0\0\0\0\0{\"t\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}       \x01\x02";
  stg_error* err = NULL;
  stg_header* header = NULL;
  stg_options* options = NULL;
  stg_stream* stream = NULL;
  stg_status code = STG_OK;
  uint64_t offset = 0;
  const char* text = NULL;
  size_t length = 0;
  int keep_going = 1;

  CHECK_STATUS(stg_error_new(&err), STG_OK);
  CHECK_STATUS(stg_validate_buffer(NULL, trailing, sizeof trailing, &header, err), STG_TRAILING_BYTES);
  CHECK(header == NULL);
  CHECK_STATUS(stg_error_code(err, &code), STG_OK);
  CHECK(code == STG_TRAILING_BYTES);
  CHECK_STATUS(stg_error_offset(err, &offset), STG_OK);
  CHECK(offset == 10);
  CHECK_STATUS(stg_error_message(err, &text, &length), STG_OK);
  CHECK(length > 0);
  CHECK_STATUS(stg_error_tensor(err, &text, &length), STG_OK);
  CHECK(length == 0);
  /* A success clears the record. */
  CHECK_STATUS(stg_validate_buffer(NULL, trailing, 10, NULL, err), STG_OK);
  CHECK_STATUS(stg_error_code(err, &code), STG_OK);
  CHECK(code == STG_OK);
  CHECK_STATUS(stg_error_offset(err, &offset), STG_OK);
  CHECK(offset == STG_NO_OFFSET);
  CHECK_STATUS(stg_error_message(err, &text, &length), STG_OK);
  CHECK(length == 0 && text[0] == '\0');
  CHECK_STATUS(stg_error_code(err, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_message(err, NULL, &length), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_offset(err, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_tensor(err, &text, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_new(NULL), STG_INVALID_ARGUMENT);

  /* Zero-length and NULL buffers. */
  CHECK_STATUS(stg_validate_buffer(NULL, NULL, 0, NULL, err), STG_FILE_TOO_SMALL);
  CHECK_STATUS(stg_validate_buffer(NULL, trailing, 0, NULL, err), STG_FILE_TOO_SMALL);
  CHECK_STATUS(stg_validate_buffer(NULL, NULL, 8, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_prefix(NULL, NULL, 0, 0, NULL, err), STG_FILE_TOO_SMALL);
  CHECK_STATUS(stg_validate_prefix(NULL, NULL, 3, 10, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_path(NULL, NULL, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_path(NULL, "/nonexistent/capi.safetensors", NULL, err), STG_IO_OPEN_FAILED);
  CHECK_STATUS(stg_validate_fd(NULL, -1, NULL, err), STG_IO_READ_FAILED);

  /* A prefix shorter than its own header claims cannot be judged... */
  CHECK_STATUS(stg_validate_prefix(NULL, tensor_file, 20, sizeof tensor_file - 1, NULL, err), STG_IO_READ_FAILED);
  /* ...the header alone is enough, and a file size short of the data is not. */
  CHECK_STATUS(stg_validate_prefix(NULL, tensor_file, 68, sizeof tensor_file - 1, &header, err), STG_OK);
  CHECK_STATUS(stg_validate_prefix(NULL, tensor_file, 68, 69, NULL, err), STG_DATA_TRUNCATED);
  CHECK_STATUS(stg_header_free(header), STG_OK);

  /* A limit set through options decides. */
  CHECK_STATUS(stg_options_new(STG_PROFILE_STRICT, &options), STG_OK);
  CHECK_STATUS(stg_options_set_limit(options, STG_LIMIT_MAX_TENSORS, 0), STG_OK);
  CHECK_STATUS(stg_validate_buffer(options, tensor_file, sizeof tensor_file - 1, NULL, err), STG_LIMIT_TENSOR_COUNT);
  CHECK_STATUS(stg_options_free(options), STG_OK);

  /* The stream: a rejection known early says so; finish can be asked twice. */
  CHECK_STATUS(stg_stream_new(NULL, &stream), STG_OK);
  CHECK_STATUS(stg_stream_feed(stream, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, &keep_going), STG_OK);
  CHECK(keep_going == 0);
  CHECK_STATUS(stg_stream_finish(stream, &header, err), STG_HEADER_TOO_LARGE);
  CHECK_STATUS(stg_stream_finish(stream, NULL, err), STG_HEADER_TOO_LARGE);
  CHECK_STATUS(stg_stream_feed(stream, NULL, 0, NULL), STG_OK);
  CHECK_STATUS(stg_stream_feed(stream, NULL, 1, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_free(stream), STG_OK);
  CHECK_STATUS(stg_stream_free(stream), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_feed(stream, "x", 1, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_finish(stream, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_new(NULL, NULL), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_new(NULL, &stream), STG_OK);
  CHECK_STATUS(stg_stream_feed(stream, tensor_file, sizeof tensor_file - 1, &keep_going), STG_OK);
  CHECK(keep_going == 1);
  CHECK_STATUS(stg_stream_finish(stream, &header, err), STG_OK);
  CHECK_STATUS(stg_header_tensor_count(header, &length), STG_OK);
  CHECK(length == 1);

  /* A handle of one kind passed as another, and a made-up handle. */
  CHECK_STATUS(stg_header_tensor_count((const stg_header*)(const void*)stream, &length), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_stream_free((stg_stream*)(void*)header), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_reader_free((stg_reader*)(void*)&length), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_buffer((const stg_options*)(const void*)header, trailing, 10, NULL, NULL),
               STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_buffer(NULL, trailing, 10, NULL, (stg_error*)(void*)header), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_header_free(header), STG_OK);
  CHECK_STATUS(stg_stream_free(stream), STG_OK);

  /* A freed stg_error is refused as such; the call does not run. */
  CHECK_STATUS(stg_error_free(err), STG_OK);
  CHECK_STATUS(stg_error_free(err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_code(err, &code), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_validate_buffer(NULL, trailing, 10, NULL, err), STG_INVALID_ARGUMENT);
  CHECK_STATUS(stg_error_free(NULL), STG_OK);
  CHECK_STATUS(stg_header_free(NULL), STG_OK);
  CHECK_STATUS(stg_stream_free(NULL), STG_OK);
  CHECK_STATUS(stg_reader_free(NULL), STG_OK);
  CHECK_STATUS(stg_writer_free(NULL), STG_OK);
}

int main(int argc, char** argv) {
  int files;
  if (argc != 3) {
    fprintf(stderr, "usage: %s CORPUS_DIR TMP_DIR\n", argv[0]);
    return 2;
  }
  g_corpus = argv[1];
  g_tmp = argv[2];
  if (mkdir(g_tmp, 0700) != 0 && errno != EEXIST) {
    perror(g_tmp);
    return 2;
  }
  test_version_and_names();
  test_options();
  test_writer_header_reader();
  test_error_details_and_misuse();
  files = walk_corpus();
  printf("capi_test: %d corpus files, %d checks, %d failed\n", files, g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
