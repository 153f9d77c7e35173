#!/usr/bin/env python3
"""Generates stguard's conformance corpus from the rules of docs/format.md and docs/profiles.md.

Each case is a file named y_* (both profiles accept), n_* (both reject) or
i_* (profile-dependent), plus one MANIFEST.tsv row: file, strict verdict,
compat verdict, where a verdict is OK or the expected error code name
(docs/errors.md). tests/corpus_test.cpp walks the folder and checks every
row, and that every file has one. The files are committed; rerun this script
only to change the corpus (it rewrites every y_/n_/i_ file it knows).
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []  # (name, bytes, strict, compat)

BITS = {"BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8,
        "F8_E4M3": 8, "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16,
        "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64,
        "I64": 64, "U64": 64}
ORDER = list(BITS)


def frame(header, data=b"", length=None):
    hb = header.encode("utf-8") if isinstance(header, str) else header
    n = len(hb) if length is None else length
    return struct.pack("<Q", n) + hb + data


def pad8(header):
    """Pads a header string with spaces to a multiple of 8 (reference writer)."""
    hb = header.encode("utf-8")
    return hb + b" " * ((8 - len(hb) % 8) % 8)


def pattern(size):
    return bytes((i * 37 + 11) % 256 for i in range(size))


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def case(name, data, strict, compat=None):
    compat = strict if compat is None else compat
    prefix = name[:2]
    both_ok = strict == "OK" and compat == "OK"
    both_bad = strict != "OK" and compat != "OK"
    expected = "y_" if both_ok else "n_" if both_bad else "i_"
    if prefix != expected:
        sys.exit(f"{name}: prefix {prefix} does not match verdicts {strict}/{compat}")
    CASES.append((name + ".safetensors", data, strict, compat))


def valid(name, header_obj, data_size, raw_header=None):
    header = raw_header if raw_header is not None else compact(header_obj)
    case(name, frame(pad8(header), pattern(data_size)), "OK")


# ---------------------------------------------------------------- accepted
valid("y_empty_object", {}, 0)
case("y_empty_object_unpadded", frame("{}"), "OK")
valid("y_single_f32", {"w": t("F32", [2, 3], 0, 24)}, 24)
valid("y_scalar", {"s": t("F64", [], 0, 8)}, 8)
valid("y_metadata", {"__metadata__": {"format": "pt", "note": "line one\nline two\ttab"},
                     "w": t("U8", [4], 0, 4)}, 4)
valid("y_metadata_empty_object", {"__metadata__": {}, "w": t("U8", [1], 0, 1)}, 1)
valid("y_metadata_empty_key_and_value", {"__metadata__": {"": ""}}, 0)
valid("y_metadata_only", {"__metadata__": {"a": "b"}}, 0)
valid("y_zero_size_tensor", {"a": t("F32", [1], 0, 4), "z": t("F32", [0, 3], 4, 4),
                             "b": t("F32", [1], 4, 8)}, 8)
valid("y_zero_size_several_same_offset", {"z1": t("U8", [0], 0, 0), "z2": t("F64", [5, 0], 0, 0),
                                         "z3": t("BF16", [0], 0, 0), "a": t("U8", [2], 0, 2)}, 2)
valid("y_only_zero_size", {"z": t("F32", [0], 0, 0)}, 0)
valid("y_unicode_names", {"caf\u00e9.w": t("U8", [1], 0, 1), "\u65e5\u672c": t("U8", [1], 1, 2),
                          "\U0001F600": t("U8", [1], 2, 3)}, 3)
valid("y_json_order_not_offset_order", {"b": t("U8", [2], 2, 4), "a": t("U8", [2], 0, 2)}, 4)
valid("y_misaligned_f32", {"a": t("U8", [1], 0, 1), "b": t("F32", [1], 1, 5)}, 5)
valid("y_f4_even_count", {"q": t("F4", [2, 3], 0, 3)}, 3)
valid("y_f6_multiple_of_four", {"q": t("F6_E2M3", [4], 0, 3), "r": t("F6_E3M2", [8], 3, 9)}, 9)
valid("y_rank_64", {"r": t("U8", [1] * 64, 0, 1)}, 1)
valid("y_dims_at_max_safe_integer", {"z": t("U8", [9007199254740991, 0], 0, 0)}, 0)
valid("y_tensor_named_like_metadata", {"__METADATA__": t("U8", [1], 0, 1)}, 1)
valid("y_name_with_slash_and_dots", {"../model/w": t("U8", [1], 0, 1)}, 1)
valid("y_escaped_name", None, 1, raw_header='{"\\u0074\\u00e9":' + compact(t("U8", [1], 0, 1)) + '}')
valid("y_escaped_dtype", None, 4, raw_header='{"w":{"dtype":"F\\u00332","shape":[1],"data_offsets":[0,4]}}')
valid("y_escaped_metadata_key", None, 1,
      raw_header='{"__metad\\u0061ta__":{"k":"v"},"w":' + compact(t("U8", [1], 0, 1)) + '}')
valid("y_surrogate_pair_escape", None, 1, raw_header='{"\\ud83d\\ude00":' + compact(t("U8", [1], 0, 1)) + '}')
valid("y_whitespace_between_tokens", None, 2,
      raw_header='{\n  "w" : {\t"dtype" : "U8",\r\n "shape" : [ 2 ] , "data_offsets" : [ 0 , 2 ] }\n}')
valid("y_fields_in_any_order", None, 2, raw_header='{"w":{"data_offsets":[0,2],"shape":[2],"dtype":"I8"}}')
case("y_header_not_multiple_of_8", frame(compact({"w": t("U8", [3], 0, 3)}), pattern(3)), "OK")
valid("y_large_padding", None, 1, raw_header=compact({"w": t("U8", [1], 0, 1)}) + " " * 4000)

all_dtypes = {}
offset = 0
for dtype in sorted(ORDER, key=lambda d: -ORDER.index(d)):
    count = 8 if BITS[dtype] < 8 else 3
    size = count * BITS[dtype] // 8
    all_dtypes["t_" + dtype.lower()] = t(dtype, [count], offset, offset + size)
    offset += size
valid("y_all_22_dtypes", all_dtypes, offset)

# ---------------------------------------------------------------- framing
case("n_empty_file", b"", "FILE_TOO_SMALL")
case("n_seven_bytes", b"\x02\x00\x00\x00\x00\x00\x00", "FILE_TOO_SMALL")
case("n_header_length_above_format_max", frame("{}", length=100_000_001), "HEADER_TOO_LARGE")
case("n_header_length_u64_max", frame("{}", length=2**64 - 1), "HEADER_TOO_LARGE")
case("n_header_length_pk_magic", b"PK\x03\x04\x14\x00\x00\x00" + b"{}", "HEADER_TOO_LARGE")
case("n_header_past_eof", frame("{}", length=3), "HEADER_PAST_EOF")
case("n_header_length_only", struct.pack("<Q", 2), "HEADER_PAST_EOF")

# Files that are not safetensors at all, told apart from the first bytes once
# the length prefix (8 text bytes read as a number) has failed.
INDEX = ('{\n  "metadata": {\n    "total_size": 16\n  },\n  "weight_map": {\n'
         '    "a": "model-00001-of-00002.safetensors",\n    "b": "model-00002-of-00002.safetensors"\n  }\n}\n')
case("n_not_safetensors_shard_index", INDEX.encode(), "NOT_SAFETENSORS_SHARD_INDEX")
case("n_not_safetensors_lfs_pointer",
     b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"4d7a" * 16 + b"\nsize 4942214420\n",
     "NOT_SAFETENSORS_LFS_POINTER")
case("n_not_safetensors_html", b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n",
     "NOT_SAFETENSORS_HTML")
case("n_not_safetensors_html_bom_blanks", b"\xef\xbb\xbf\r\n  <HTML><body>Access denied</body></HTML>",
     "NOT_SAFETENSORS_HTML")
case("n_json_then_control_byte", pad8('{"w":' + compact(t("U8", [1], 0, 1)) + "}") + b"\x07",
     "HEADER_TOO_LARGE")  # a byte other than text in the first 512: no guess
case("n_not_safetensors_json", pad8('{"w":' + compact(t("U8", [1], 0, 1)) + "}"), "NOT_SAFETENSORS_JSON")
case("n_not_safetensors_text", b"# Model card\n\nThis model was trained on ...\n", "NOT_SAFETENSORS_TEXT")
# 510 ASCII bytes then a 3-byte character cut by the 512-byte window: still text.
case("n_not_safetensors_text_window_cuts_utf8", b"a" * 510 + "\u20ac".encode() + b"\n", "NOT_SAFETENSORS_TEXT")

# ---------------------------------------------------------------- encoding
case("n_invalid_utf8_in_name", frame(b'{"\xff":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "INVALID_UTF8")
case("n_overlong_utf8_slash", frame(b'{"\xc0\xaf":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "INVALID_UTF8")
case("n_utf8_encoded_surrogate", frame(b'{"\xed\xa0\x80":' + compact(t("U8", [1], 0, 1)).encode() + b"}",
                                      b"\0"), "INVALID_UTF8")
case("n_utf8_above_u10ffff", frame(b'{"\xf4\x90\x80\x80":' + compact(t("U8", [1], 0, 1)).encode() + b"}",
                                  b"\0"), "INVALID_UTF8")
case("n_utf8_truncated_sequence", frame(b'{"\xe6\x97":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "INVALID_UTF8")
case("n_invalid_utf8_in_padding", frame(b"{}   \xff  "), "INVALID_UTF8")
case("i_leading_space", frame(b" {}     "), "HEADER_NOT_OBJECT_START", "OK")
case("i_leading_newline", frame(b"\n" + compact({"w": t("U8", [1], 0, 1)}).encode(), b"\0"),
     "HEADER_NOT_OBJECT_START", "OK")
case("i_padding_newline", frame(b"{}\n\n\n\n\n\n"), "PADDING_NOT_SPACES", "OK")
case("i_padding_tab", frame(compact({"w": t("U8", [1], 0, 1)}).encode() + b"\t", b"\0"), "PADDING_NOT_SPACES", "OK")
case("i_padding_carriage_return", frame(b"{}  \r   "), "PADDING_NOT_SPACES", "OK")
case("n_padding_nul", frame(b"{}\0\0\0\0\0\0"), "JSON_TRAILING_CONTENT")
case("n_nul_then_garbage", frame(b'{"a":' + compact(t("U8", [1], 0, 1)).encode() + b'}\0{"b":1}', b"\0"),
     "JSON_TRAILING_CONTENT")
case("n_bom", frame(b"\xef\xbb\xbf{}"), "JSON_SYNTAX")

# ---------------------------------------------------------------- syntax
case("n_empty_header", frame(b""), "JSON_UNEXPECTED_END")
case("n_only_spaces", frame(b"        "), "HEADER_NOT_OBJECT_START", "JSON_UNEXPECTED_END")
case("n_unterminated_object", frame(b'{"w":{"dtype":"U8"'), "JSON_UNEXPECTED_END")
case("n_unterminated_string", frame(b'{"w'), "JSON_UNEXPECTED_END")
case("n_trailing_comma_object", frame(b'{"w":' + compact(t("U8", [1], 0, 1)).encode() + b",}", b"\0"),
     "JSON_SYNTAX")
case("n_trailing_comma_array", frame(b'{"w":{"dtype":"U8","shape":[1,],"data_offsets":[0,1]}}', b"\0"),
     "JSON_SYNTAX")
case("n_comment", frame(b'{/* c */"w":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"), "JSON_SYNTAX")
case("n_single_quotes", frame(b"{'w':1}"), "JSON_SYNTAX")
case("n_unquoted_key", frame(b"{w:1}"), "JSON_SYNTAX")
case("n_nan_in_shape", frame(b'{"w":{"dtype":"U8","shape":[NaN],"data_offsets":[0,1]}}', b"\0"), "JSON_SYNTAX")
case("n_infinity_in_shape", frame(b'{"w":{"dtype":"U8","shape":[Infinity],"data_offsets":[0,1]}}', b"\0"),
     "JSON_SYNTAX")
case("n_leading_zero_integer", frame(b'{"w":{"dtype":"U8","shape":[01],"data_offsets":[0,1]}}', b"\0"),
     "JSON_SYNTAX")
case("n_plus_sign_integer", frame(b'{"w":{"dtype":"U8","shape":[+1],"data_offsets":[0,1]}}', b"\0"),
     "JSON_SYNTAX")
case("n_hex_integer", frame(b'{"w":{"dtype":"U8","shape":[0x1],"data_offsets":[0,1]}}', b"\0"), "JSON_SYNTAX")
case("n_raw_newline_in_string", frame(b'{"w\n":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_raw_tab_in_string", frame(b'{"__metadata__":{"k":"a\tb"}}'), "JSON_INVALID_STRING")
case("n_lone_high_surrogate", frame(b'{"\\ud800":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_lone_low_surrogate", frame(b'{"\\udc00":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_reversed_surrogates", frame(b'{"\\ude00\\ud83d":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_invalid_escape", frame(b'{"\\x41":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_short_unicode_escape", frame(b'{"\\u00":' + compact(t("U8", [1], 0, 1)).encode() + b"}", b"\0"),
     "JSON_INVALID_STRING")
case("n_two_top_level_objects", frame(b"{}{}"), "JSON_TRAILING_CONTENT")
case("n_garbage_after_object", frame(b"{} x"), "JSON_TRAILING_CONTENT")
case("n_fraction_without_digits", frame(b'{"w":{"dtype":"U8","shape":[1.],"data_offsets":[0,1]}}', b"\0"),
     "JSON_INVALID_NUMBER")
case("n_exponent_without_digits", frame(b'{"w":{"dtype":"U8","shape":[1e],"data_offsets":[0,1]}}', b"\0"),
     "JSON_INVALID_NUMBER")

# ---------------------------------------------------------------- schema
case("n_root_array", frame(b"[]"), "ROOT_NOT_OBJECT")
case("n_root_string", frame(b'"w"'), "ROOT_NOT_OBJECT")
case("n_root_number", frame(b"1"), "ROOT_NOT_OBJECT")
case("n_root_null", frame(b"null"), "ROOT_NOT_OBJECT")
case("n_metadata_array", frame(b'{"__metadata__":[]}'), "METADATA_NOT_OBJECT")
case("n_metadata_string", frame(b'{"__metadata__":"x"}'), "METADATA_NOT_OBJECT")
case("i_metadata_null", frame(pad8(compact({"__metadata__": None, "w": t("U8", [1], 0, 1)})), b"\0"),
     "METADATA_NULL", "OK")
case("n_metadata_value_number", frame(b'{"__metadata__":{"k":1}}'), "METADATA_VALUE_NOT_STRING")
case("n_metadata_value_null", frame(b'{"__metadata__":{"k":null}}'), "METADATA_VALUE_NOT_STRING")
case("n_metadata_value_object", frame(b'{"__metadata__":{"k":{}}}'), "METADATA_VALUE_NOT_STRING")
case("n_metadata_twice", frame(b'{"__metadata__":{},"__metadata__":{}}'), "DUPLICATE_METADATA_BLOCK")
case("n_metadata_twice_escaped", frame(b'{"__metadata__":{},"__metad\\u0061ta__":{}}'), "DUPLICATE_METADATA_BLOCK")
case("n_metadata_twice_null", frame(b'{"__metadata__":null,"__metadata__":{}}'),
     "METADATA_NULL", "DUPLICATE_METADATA_BLOCK")
case("i_duplicate_tensor_last_wins",
     frame(b'{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
           pattern(4)), "DUPLICATE_TENSOR_NAME", "OK")
case("i_duplicate_tensor_after_unescaping",
     frame(b'{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"\\u0077":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}',
           pattern(4)), "DUPLICATE_TENSOR_NAME", "OK")
case("i_duplicate_tensor_first_has_bad_layout",
     frame(b'{"w":{"dtype":"U8","shape":[9],"data_offsets":[5,14]},"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
           pattern(2)), "DUPLICATE_TENSOR_NAME", "OK")
case("i_duplicate_after_other_tensors",
     frame(pad8('{"z":' + compact(t("F32", [1], 0, 4)) + ',"y":' + compact(t("U8", [2], 4, 6)) +
                ',"w":' + compact(t("U8", [9], 0, 9)) + ',"w":' + compact(t("U8", [3], 6, 9)) + "}"), pattern(9)),
     "DUPLICATE_TENSOR_NAME", "OK")
case("i_duplicate_three_times_interleaved",
     frame(pad8('{"a":' + compact(t("U8", [1], 0, 1)) + ',"w":' + compact(t("U8", [7], 0, 7)) +
                ',"b":' + compact(t("I8", [2], 1, 3)) + ',"w":' + compact(t("U8", [5], 0, 5)) +
                ',"c":' + compact(t("BOOL", [1], 3, 4)) + ',"w":' + compact(t("U16", [1], 4, 6)) + "}"), pattern(6)),
     "DUPLICATE_TENSOR_NAME", "OK")
case("n_duplicate_tensor_last_has_bad_layout",
     frame(b'{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"w":{"dtype":"U8","shape":[3],"data_offsets":[0,2]}}',
           pattern(2)), "DUPLICATE_TENSOR_NAME", "SIZE_MISMATCH")
case("n_duplicate_tensor_first_has_bad_dtype",
     frame(b'{"w":{"dtype":"X","shape":[2],"data_offsets":[0,2]},"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
           pattern(2)), "UNKNOWN_DTYPE")
case("i_duplicate_metadata_key", frame(pad8('{"__metadata__":{"k":"a","k":"b"}}')), "DUPLICATE_METADATA_KEY", "OK")
case("i_duplicate_metadata_key_escaped", frame(pad8('{"__metadata__":{"k":"a","\\u006b":"b"}}')),
     "DUPLICATE_METADATA_KEY", "OK")
case("n_duplicate_dtype_field", frame(b'{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0"),
     "DUPLICATE_TENSOR_FIELD")
case("n_duplicate_shape_field_escaped",
     frame(b'{"w":{"dtype":"U8","shape":[1],"sh\\u0061pe":[1],"data_offsets":[0,1]}}', b"\0"),
     "DUPLICATE_TENSOR_FIELD")
case("i_unknown_field", frame(pad8('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"note":"x"}}'), b"\0"),
     "UNKNOWN_TENSOR_FIELD", "OK")
case("i_decoy_offsets_field",
     frame(pad8('{"w":{"dtype":"U8","shape":[1],"offsets":[0,99],"data_offsets":[0,1]}}'), b"\0"),
     "UNKNOWN_TENSOR_FIELD", "OK")
case("i_unknown_field_nested_values",
     frame(pad8('{"w":{"x":{"a":[1,-2.5e3,true,null,{"b":"c"}]},"dtype":"U8","shape":[1],"data_offsets":[0,1],"y":[]}}'),
           b"\0"), "UNKNOWN_TENSOR_FIELD", "OK")
case("n_unknown_field_with_bad_string",
     frame(b'{"w":{"x":"\\ud800","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0"),
     "UNKNOWN_TENSOR_FIELD", "JSON_INVALID_STRING")
# Numbers in an unknown field: the reference converts them (serde_json) and
# refuses the file when that overflows ("number out of range"); compat refuses
# exactly those (JSON_INVALID_NUMBER) and skips the others, whatever RapidJSON
# would have made of them (docs/format.md#reference-quirks). Each verdict was
# measured with safetensors 0.8.0; scripts/check-reference.py measures it again.
DBL_MAX_DIGITS = str(2 ** 1024 - 2 ** 971)  # DBL_MAX written out, 309 digits


def unknown_field_number(name, number, compat):
    header = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":' + number + '}}'
    case(name, frame(pad8(header), b"\0"), "UNKNOWN_TENSOR_FIELD", compat)


for name, number in [
        ("n_unknown_field_number_1e400", "1e400"),
        ("n_unknown_field_number_100e307", "100e307"),
        ("n_unknown_field_number_10e308", "10e308"),
        ("n_unknown_field_number_1_8e308", "1.8e308"),
        # serde_json is not correctly rounding at the top: this rounds to DBL_MAX, yet is refused
        ("n_unknown_field_number_1_7976931348623158e308", "1.7976931348623158e308"),
        ("n_unknown_field_number_1_7976931348623159e308", "1.7976931348623159e308"),
        ("n_unknown_field_number_minus_1e309", "-1e309"),
        ("n_unknown_field_number_exponent_2_31", "1e2147483648"),
        ("n_unknown_field_integer_400_digits", "7" * 400),
        ("n_unknown_field_integer_dbl_max", DBL_MAX_DIGITS)]:
    unknown_field_number(name, number, "JSON_INVALID_NUMBER")
for name, number in [
        ("i_unknown_field_number_dbl_max", "1.7976931348623157e308"),
        ("i_unknown_field_number_1e_minus_400", "1e-400"),
        ("i_unknown_field_number_4_9e_minus_324", "4.9e-324"),
        ("i_unknown_field_number_2_4e_minus_324", "2.4e-324"),
        ("i_unknown_field_number_1e_minus_2000", "1e-2000"),
        ("i_unknown_field_zero_with_exponent_400", "0e400"),
        ("i_unknown_field_zero_fraction_with_exponent_999", "0.0e999"),
        ("i_unknown_field_zero_with_exponent_beyond_2_31", "0e99999999999999999999"),
        ("i_unknown_field_number_exponent_minus_beyond_2_31", "1e-99999999999999999999"),
        ("i_unknown_field_integer_400_digits_exponent_minus_600", "7" * 400 + "e-600"),
        ("i_unknown_field_integer_1e308_written_out", "1" + "0" * 308),
        ("i_unknown_field_integer_u64_max", "18446744073709551615"),
        ("i_unknown_field_integer_2_64", "18446744073709551616"),
        ("i_unknown_field_integer_i64_min", "-9223372036854775808"),
        ("i_unknown_field_integer_below_i64_min", "-9223372036854775809"),
        ("i_unknown_field_number_long_fraction", "1." + "0" * 500 + "1")]:
    unknown_field_number(name, number, "OK")
# The same rule holds wherever a number stands; a shape then refuses what survives it.
case("n_shape_element_zero_with_exponent_400",
     frame(b'{"w":{"dtype":"U8","shape":[0e400],"data_offsets":[0,0]}}'), "NOT_AN_INTEGER")
case("n_shape_element_100e307",
     frame(b'{"w":{"dtype":"U8","shape":[100e307],"data_offsets":[0,0]}}'), "JSON_INVALID_NUMBER")
case("n_tensor_is_string", frame(b'{"w":"U8"}'), "TENSOR_NOT_OBJECT")
case("n_tensor_is_null", frame(b'{"w":null}'), "TENSOR_NOT_OBJECT")
case("n_tensor_array_form", frame(b'{"w":["U8",[1],[0,1]]}', b"\0"), "TENSOR_NOT_OBJECT")
case("n_dtype_map_form", frame(b'{"w":{"dtype":{"U8":null},"shape":[1],"data_offsets":[0,1]}}', b"\0"),
     "DTYPE_NOT_STRING")
case("n_dtype_number", frame(b'{"w":{"dtype":4,"shape":[1],"data_offsets":[0,1]}}', b"\0"), "DTYPE_NOT_STRING")
case("n_missing_dtype", frame(b'{"w":{"shape":[1],"data_offsets":[0,1]}}', b"\0"), "MISSING_TENSOR_FIELD")
case("n_missing_shape", frame(b'{"w":{"dtype":"U8","data_offsets":[0,1]}}', b"\0"), "MISSING_TENSOR_FIELD")
case("n_missing_data_offsets", frame(b'{"w":{"dtype":"U8","shape":[1]}}', b"\0"), "MISSING_TENSOR_FIELD")
case("n_empty_tensor_object", frame(b'{"w":{}}'), "MISSING_TENSOR_FIELD")
case("n_unknown_dtype", frame(b'{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', pattern(16)),
     "UNKNOWN_DTYPE")
case("n_dtype_lowercase", frame(b'{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}', pattern(4)),
     "UNKNOWN_DTYPE")
case("n_dtype_trailing_space", frame(b'{"w":{"dtype":"F32 ","shape":[1],"data_offsets":[0,4]}}', pattern(4)),
     "UNKNOWN_DTYPE")
case("n_dtype_with_nul", frame(b'{"w":{"dtype":"F32\\u0000","shape":[1],"data_offsets":[0,4]}}', pattern(4)),
     "UNKNOWN_DTYPE")
case("n_shape_not_array", frame(b'{"w":{"dtype":"U8","shape":1,"data_offsets":[0,1]}}', b"\0"), "SHAPE_NOT_ARRAY")
case("n_shape_object", frame(b'{"w":{"dtype":"U8","shape":{},"data_offsets":[0,1]}}', b"\0"), "SHAPE_NOT_ARRAY")
for label, text in [("negative", "-1"), ("negative_zero", "-0"), ("fraction", "1.0"), ("exponent", "1e0"),
                    ("string", '"1"'), ("true", "true"), ("null", "null"), ("nested_array", "[1]"),
                    ("object", "{}")]:
    case("n_shape_element_" + label, frame('{"w":{"dtype":"U8","shape":[' + text + '],"data_offsets":[0,1]}}', b"\0"),
         "NOT_AN_INTEGER")
case("n_offset_negative", frame(b'{"w":{"dtype":"U8","shape":[1],"data_offsets":[-0,1]}}', b"\0"), "NOT_AN_INTEGER")
case("n_offset_float", frame(b'{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}}', b"\0"), "NOT_AN_INTEGER")
case("n_offsets_one_entry", frame(b'{"w":{"dtype":"U8","shape":[0],"data_offsets":[0]}}'), "OFFSETS_NOT_PAIR")
case("n_offsets_three_entries", frame(b'{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,1]}}', b"\0"),
     "OFFSETS_NOT_PAIR")
case("n_offsets_empty", frame(b'{"w":{"dtype":"U8","shape":[0],"data_offsets":[]}}'), "OFFSETS_NOT_PAIR")
case("n_offsets_not_array", frame(b'{"w":{"dtype":"U8","shape":[1],"data_offsets":"0,1"}}', b"\0"),
     "OFFSETS_NOT_PAIR")
case("n_integer_above_u64", frame(b'{"w":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}}', b"\0"),
     "INTEGER_OVERFLOW")
case("n_integer_far_above_u64", frame(b'{"w":{"dtype":"U8","shape":[' + b"9" * 40 + b'],"data_offsets":[0,1]}}', b"\0"),
     "INTEGER_OVERFLOW")
# Names compat accepts and strict refuses, each as the only tensor's
# raw JSON key text (escapes as written in the file).
for label, raw_name in [("empty_tensor_name", ""), ("name_with_escaped_nul", "w\\u0000x"),
                        ("name_with_escaped_newline", "w\\nx"), ("name_with_escape_sequence", "\\u001b[31mred"),
                        ("name_with_del", "w\x7f"), ("name_with_c1_control", "w\u0085")]:
    case("i_" + label, frame(pad8('{"' + raw_name + '":' + compact(t("U8", [1], 0, 1)) + "}"), b"\0"),
         "INVALID_TENSOR_NAME", "OK")
case("i_metadata_key_with_control", frame(pad8('{"__metadata__":{"k\\u0007":"v"}}')), "INVALID_METADATA_KEY", "OK")
case("i_metadata_value_with_nul", frame(pad8('{"__metadata__":{"k":"a\\u0000b"}}')), "INVALID_METADATA_VALUE", "OK")
case("y_metadata_value_with_escaped_newline_and_tab", frame(pad8('{"__metadata__":{"k":"a\\nb\\tc"}}')), "OK")

# ---------------------------------------------------------------- layout
case("n_offsets_end_before_begin", frame(b'{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', pattern(4)),
     "INVALID_OFFSETS")
valid_gap = '{"a":' + compact(t("U8", [2], 0, 2)) + ',"b":' + compact(t("U8", [2], 3, 5)) + "}"
case("n_gap_between_tensors", frame(pad8(valid_gap), pattern(5)), "NON_CONTIGUOUS")
case("n_first_tensor_not_at_zero", frame(pad8('{"a":' + compact(t("U8", [2], 1, 3)) + "}"), pattern(3)),
     "NON_CONTIGUOUS")
case("n_overlapping_tensors", frame(pad8('{"a":' + compact(t("U8", [4], 0, 4)) + ',"b":' + compact(t("U8", [4], 2, 6)) + "}"),
                                    pattern(6)), "NON_CONTIGUOUS")
case("n_same_range_twice", frame(pad8('{"a":' + compact(t("U8", [4], 0, 4)) + ',"b":' + compact(t("I8", [4], 0, 4)) + "}"),
                                 pattern(4)), "NON_CONTIGUOUS")
case("n_zero_size_inside_other", frame(pad8('{"a":' + compact(t("U8", [4], 0, 4)) + ',"z":' + compact(t("U8", [0], 2, 2)) + "}"),
                                       pattern(4)), "NON_CONTIGUOUS")
case("n_shape_overflow", frame(b'{"w":{"dtype":"U8","shape":[9007199254740991,9007199254740991],"data_offsets":[0,1]}}',
                               b"\0"), "SHAPE_OVERFLOW")
case("n_bits_overflow", frame(b'{"w":{"dtype":"F32","shape":[4503599627370496,2048],"data_offsets":[0,1]}}', b"\0"),
     "SHAPE_OVERFLOW")
case("i_shape_fold_reaches_zero_first",
     frame(pad8('{"w":{"dtype":"U8","shape":[0,18446744073709551615,2],"data_offsets":[0,0]}}')),
     "LIMIT_INTEGER", "OK")
case("n_shape_fold_overflows_before_zero",
     frame(pad8('{"w":{"dtype":"U8","shape":[18446744073709551615,2,0],"data_offsets":[0,0]}}')),
     "LIMIT_INTEGER", "SHAPE_OVERFLOW")
case("i_integer_above_2_53", frame(pad8('{"w":{"dtype":"U8","shape":[9007199254740992,0],"data_offsets":[0,0]}}')),
     "LIMIT_INTEGER", "OK")
case("n_f4_odd_count", frame(pad8('{"q":' + compact(t("F4", [3], 0, 2)) + "}"), pattern(2)), "SUBBYTE_MISALIGNED")
case("n_f6_count_not_multiple_of_four", frame(pad8('{"q":' + compact(t("F6_E2M3", [2], 0, 2)) + "}"), pattern(2)),
     "SUBBYTE_MISALIGNED")
case("n_size_mismatch", frame(pad8('{"w":' + compact(t("F32", [2], 0, 4)) + "}"), pattern(4)), "SIZE_MISMATCH")
case("n_size_mismatch_scalar", frame(pad8('{"w":' + compact(t("F32", [], 0, 0)) + "}")), "SIZE_MISMATCH")
case("n_data_truncated", frame(pad8('{"w":' + compact(t("F32", [4], 0, 16)) + "}"), pattern(15)), "DATA_TRUNCATED")
case("n_data_missing_entirely", frame(pad8('{"w":' + compact(t("F32", [4], 0, 16)) + "}")), "DATA_TRUNCATED")
case("n_trailing_bytes", frame(pad8('{"w":' + compact(t("U8", [4], 0, 4)) + "}"), pattern(5)), "TRAILING_BYTES")
case("n_trailing_zip_polyglot", frame(pad8("{}"), b"PK\x05\x06" + b"\0" * 18), "TRAILING_BYTES")

# ---------------------------------------------------------------- limits
case("i_rank_65", frame(pad8('{"r":' + compact(t("U8", [1] * 65, 0, 1)) + "}"), b"\0"), "LIMIT_RANK", "OK")
case("i_name_4097_bytes", frame(pad8('{"' + "n" * 4097 + '":' + compact(t("U8", [1], 0, 1)) + "}"), b"\0"),
     "LIMIT_NAME_BYTES", "OK")
case("y_name_4096_bytes", frame(pad8('{"' + "n" * 4096 + '":' + compact(t("U8", [1], 0, 1)) + "}"), b"\0"), "OK")
deep_127 = "[" * 124 + "]" * 124   # 1 (root) + 1 (tensor) + 1 (x value) + 124 = 127 levels
case("i_depth_127_in_unknown_field",
     frame(pad8('{"w":{"x":[' + deep_127 + '],"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'), b"\0"),
     "UNKNOWN_TENSOR_FIELD", "OK")
deep_128 = "[" * 125 + "]" * 125
case("n_depth_128_in_unknown_field",
     frame(pad8('{"w":{"x":[' + deep_128 + '],"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'), b"\0"),
     "UNKNOWN_TENSOR_FIELD", "LIMIT_DEPTH")
case("n_deep_array_at_top", frame("{" + '"a":' * 1 + "[" * 5000 + "]" * 5000 + "}"), "TENSOR_NOT_OBJECT", "TENSOR_NOT_OBJECT")


def main():
    for entry in os.listdir(HERE):
        if entry[:2] in ("y_", "n_", "i_") and entry.endswith(".safetensors"):
            os.remove(os.path.join(HERE, entry))
    names = set()
    rows = ["# file\tstrict\tcompat  (OK or the expected error code; see docs/errors.md)"]
    for name, data, strict, compat in CASES:
        if name in names:
            sys.exit("duplicate case " + name)
        names.add(name)
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(data)
        rows.append(f"{name}\t{strict}\t{compat}")
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w") as out:
        out.write("\n".join(rows) + "\n")
    print(f"wrote {len(CASES)} files")


if __name__ == "__main__":
    main()
