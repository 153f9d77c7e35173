"""atheris fuzz target for the Python binding's entry points.

Every input goes through validate (both profiles, bytes and chunks),
validate_prefix, StreamValidator, the reader (every tensor, a slice of
each), audit, and the manifest parser (a manifest to verify against is
untrusted input too). The only exceptions allowed are the documented ones for an
invalid file or an impossible request; anything else, or a crash of the
process, is a bug. Seeds beyond the corpus (a manifest) are in
python/fuzz/seeds/; finds go to python/fuzz/regressions/ (both replayed by
python/tests/test_fuzz_replay.py on every test run).

    python python/fuzz/fuzz_binding.py -max_total_time=20 CORPUS_DIR...
"""
from __future__ import annotations

import sys

if __name__ == "__main__":  # fuzzing: Python-level coverage of the package only
    import atheris

    with atheris.instrument_imports(include=["stguard"]):
        import stguard
        import stguard.numpy
else:  # replayed by python/tests/test_fuzz_replay.py
    import stguard
    import stguard.numpy

EXPECTED = (stguard.InvalidFileError, stguard.UnrepresentableShapeError)


def _read_everything(data: bytes, profile: str) -> None:
    try:
        opened = stguard.safe_open._from_reader(stguard._stguard.Reader.from_bytes(data, profile, None))
    except stguard.InvalidFileError:
        return
    for name in opened.keys():
        try:
            array = opened.get_tensor(name)
        except stguard.UnrepresentableShapeError:
            continue
        view = opened.get_slice(name)
        shape = view.get_shape()
        if shape and shape[0] > 0:
            try:
                part = view[shape[0] // 2:]
            except stguard.SliceError:  # a sub-byte selection that is not byte-aligned
                continue
            assert part.nbytes <= array.nbytes
    assert opened.metadata() == stguard.validate(data, profile=profile).metadata


def one_input(data: bytes) -> None:
    strict = stguard.validate(data)
    compat = stguard.validate(data, profile="compat")
    if strict.valid:
        assert compat.valid and compat.tensors == strict.tensors, "strict accepted what compat refused"
    for result, profile in ((strict, "strict"), (compat, "compat")):
        stream = stguard.StreamValidator(profile)
        for at in range(0, len(data), 13):
            stream.feed(data[at:at + 13])
        assert stream.finish() == result, "chunked validation differs"
        assert stguard.validate_prefix(data, len(data), profile=profile) == result, "prefix validation differs"
        _read_everything(data, profile)
    report = stguard.audit(data, values=True, digests=True)
    assert (report.verdict == "invalid") == (not compat.valid), "audit and compat disagree"
    if report.manifest is not None:
        assert stguard.Manifest.from_json(report.manifest.to_json()) == report.manifest, "manifest round trip"
    _parse_manifest(data)


def _parse_manifest(data: bytes) -> None:
    try:
        manifest = stguard.Manifest.from_json(data)
    except stguard.UsageError:  # not a manifest: the parser says why
        return
    assert stguard.Manifest.from_json(manifest.to_json()) == manifest, "manifest round trip"


def main() -> None:
    def test_one_input(data: bytes) -> None:
        try:
            one_input(data)
        except EXPECTED:
            pass

    # The C++ core is fuzzed with coverage by its own libFuzzer targets (fuzz/).
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
