"""Hub reachability, decided within seconds, so that an offline run fails fast instead of retrying for ~23 s.

The probe asks the endpoint the hub libraries will use (`HF_ENDPOINT`, e.g. a mirror; default
https://huggingface.co) one HEAD request through urllib, which honours `HTTPS_PROXY` / `HTTP_PROXY` /
`NO_PROXY` as `requests` and `httpx` do. Any HTTP answer, even an error status, means the hub answers. The
hub's own offline switches (`HF_HUB_OFFLINE`, `HF_DATASETS_OFFLINE`, `TRANSFORMERS_OFFLINE`) skip the probe.
"""
from __future__ import annotations

import functools
import os
import threading
import urllib.error
import urllib.request

from stilts.core.errors import OfflineError

DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_S = 3.0
OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


def _set(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}


def offline_forced() -> bool:
    return any(_set(v) for v in OFFLINE_VARIABLES)


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def probe(url: str, timeout: float) -> bool:
    """One HEAD request to `url` (through the environment's proxies) in a daemon thread: a DNS lookup or a
    proxy that hangs cannot block the caller past `timeout`."""
    result: list[bool] = []

    def ask() -> None:
        try:
            opener = urllib.request.build_opener()   # reads the proxy variables now, not at first use
            with opener.open(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                result.append(True)
        except urllib.error.HTTPError:
            result.append(True)   # the server answered: reachable
        except (OSError, ValueError):
            result.append(False)

    t = threading.Thread(target=ask, daemon=True)
    t.start()
    t.join(timeout)
    return bool(result and result[0])


_why_not = ""


@functools.lru_cache(maxsize=1)
def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    global _why_not
    if offline_forced():
        _why_not = "offline mode is set (" + ", ".join(v for v in OFFLINE_VARIABLES if _set(v)) + ")"
        return False
    ok = probe(endpoint() + "/api/whoami-v2", timeout)
    _why_not = "" if ok else f"no answer from {endpoint()} within {timeout:g} s"
    if not ok:
        # Make every library below us (datasets, transformers, huggingface_hub) fail at once too.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_DATASETS_OFFLINE"] = "1"
    return ok


def require_hub(what: str, instead: str) -> None:
    """Raise one clear line when the hub is unreachable: `what` names the id, `instead` the alternative."""
    if not hub_reachable():
        raise OfflineError(f"cannot reach the Hugging Face hub for {what} ({_why_not}); pass {instead} instead")
