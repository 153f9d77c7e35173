"""stguard.validate_url against nginx and the hostile server, both on
127.0.0.1, started (and stopped) by this module through
tests/remote/with_servers.sh."""
from __future__ import annotations

import os
import subprocess
import time
from urllib.parse import quote

import pytest

import stguard
from conftest import CORPUS, REPO

pytestmark = pytest.mark.skipif(not hasattr(stguard, "validate_url"), reason="built without libcurl")

SERVERS = REPO / "tests" / "remote" / "with_servers.sh"


@pytest.fixture(scope="module")
def servers():
    """The servers' URLs; they run until the fixture closes the command's stdin."""
    process = subprocess.Popen(
        [str(SERVERS), "sh", "-c", 'echo "$STGUARD_TEST_NGINX $STGUARD_TEST_HOSTILE"; cat >/dev/null'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().split()
        if len(line) != 2:
            pytest.fail("tests/remote/with_servers.sh did not start the servers")
        yield {"nginx": line[0], "hostile": line[1]}
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_corpus_verdicts_match_local_validation(servers):
    checked = 0
    for path in sorted(CORPUS.iterdir()):
        if not path.name.endswith(".safetensors"):
            continue
        for profile in ("strict", "compat"):
            local = stguard.validate(str(path), profile=profile)
            remote = stguard.validate_url(f"{servers['nginx']}/corpus/{quote(path.name)}", profile=profile)
            assert remote.valid == local.valid, path.name
            assert remote.error == local.error, path.name
            assert remote.tensors == local.tensors
            assert remote.file_size == local.file_size
        checked += 1
    assert checked > 100


def test_big_file_and_signature(servers):
    start = time.monotonic()
    result = stguard.validate_url(servers["nginx"] + "/big.safetensors", "strict")
    assert result.valid and result.tensor_count == 183 and result.file_size > 8 << 30
    assert time.monotonic() - start < 2.0
    # The positional form wt22's Dask scan uses, and keyword options.
    assert stguard.validate_url(servers["nginx"] + "/big.safetensors", profile="compat", timeout=10.0).valid


def test_network_failures_raise_remote_error_with_code(servers):
    with pytest.raises(stguard.RemoteError) as raised:
        stguard.validate_url(servers["nginx"] + "/corpus/missing.safetensors")
    assert isinstance(raised.value, OSError)
    assert raised.value.code == "NETWORK_HTTP_STATUS"
    assert raised.value.error.number == 1104
    with pytest.raises(stguard.RemoteError) as raised:
        stguard.validate_url(servers["hostile"] + "/gzip", headers=["X-Api-Key: never-shown"])
    assert raised.value.code == "NETWORK_ENCODING_REFUSED"
    assert "never-shown" not in str(raised.value)
    with pytest.raises(stguard.RemoteError) as raised:
        stguard.validate_url(servers["hostile"] + "/drip", timeout=1.0)
    assert raised.value.code == "NETWORK_TIMEOUT"
    with pytest.raises(stguard.RemoteError) as raised:
        stguard.validate_url(servers["hostile"] + "/redirect-loop", max_redirects=2)
    assert raised.value.code == "NETWORK_TOO_MANY_REDIRECTS"


def test_misuse_is_a_usage_error(servers):
    with pytest.raises(stguard.UsageError):
        stguard.validate_url("ftp://127.0.0.1/x.safetensors")
    with pytest.raises(stguard.UsageError):
        stguard.validate_url(servers["nginx"] + "/big.safetensors", headers=["Bad\r\nHeader: x"])
    with pytest.raises(TypeError):
        stguard.validate_url(servers["nginx"] + "/big.safetensors", headers="X-One: string")
    os.environ.pop("STGUARD_PY_TEST_NO_TOKEN", None)
    with pytest.raises(stguard.UsageError):
        stguard.validate_url(servers["nginx"] + "/big.safetensors", token_env="STGUARD_PY_TEST_NO_TOKEN")
    with pytest.raises(ValueError):
        stguard.validate_url(servers["nginx"] + "/big.safetensors", profile="lenient")
