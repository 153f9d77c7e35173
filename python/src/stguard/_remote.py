"""Remote validation: a verdict for a file behind an http:// or https:// URL,
from at most two range requests (docs/remote.md). Present when the extension
was built with libcurl (``stguard.validate_url`` is then defined)."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

from . import _stguard
from ._errors import Error, StguardError, exception_for
from ._validate import ValidationResult, _limits_dict, result_from_header

AVAILABLE = hasattr(_stguard, "validate_url")


class RemoteError(StguardError, OSError):
    """The remote file could not be fetched as asked: a NETWORK_* code
    (``.code``, e.g. "NETWORK_HTTP_STATUS"; ``.error.number``, e.g. 1104)."""


def validate_url(
    url: str,
    profile: str = "strict",
    headers: Optional[Sequence[str]] = None,
    timeout: Optional[float] = None,
    *,
    limits: Optional[Dict[str, int]] = None,
    connect_timeout: Optional[float] = None,
    token_env: Optional[str] = None,
    ca_file: Optional[str] = None,
    max_redirects: Optional[int] = None,
    max_bytes: Optional[int] = None,
    read_ahead: Optional[int] = None,
) -> ValidationResult:
    """Validates the safetensors file at ``url`` as ``stguard.validate`` would
    validate it on disk (the same result for the same bytes).

    ``headers`` are extra request headers ("Name: value"), sent to the URL's
    origin only; ``token_env`` names an environment variable whose token is
    sent as "Authorization: Bearer ..." (origin only). ``timeout`` bounds the
    whole operation in seconds (default 60), ``connect_timeout`` each connection
    (default 10). An invalid file is a result with ``valid == False``; a fetch
    failure raises ``RemoteError`` (an ``OSError``); a URL that is not http(s)
    or an unusable header raises ``UsageError``.
    """
    if not AVAILABLE:
        raise NotImplementedError("this stguard was built without libcurl: no remote validation")
    if isinstance(headers, str):
        raise TypeError("headers must be a sequence of 'Name: value' strings, not one string")
    error_fields, header = _stguard.validate_url(
        url, profile, _limits_dict(limits) if limits else None, list(headers or ()), timeout, connect_timeout,
        token_env or "", ca_file or "", max_redirects, max_bytes, read_ahead)
    if header is not None:
        return result_from_header(header)
    error = Error._from_tuple(error_fields)
    if error.error_class == "network":
        raise RemoteError(error)
    if error.error_class in ("usage", "io", "internal"):
        raise exception_for(error_fields)
    return ValidationResult(valid=False, profile=profile, error=error)


__all__ = ["RemoteError", "validate_url"]
