"""Hub reachability, decided within seconds, so that an offline run fails fast instead of retrying for ~23 s."""
from __future__ import annotations

import functools
import os
import socket
import threading

from stilts.errors import OfflineError

HUB_HOST = "huggingface.co"
PROBE_TIMEOUT_S = 3.0


def offline_forced() -> bool:
    return any(os.environ.get(v, "").lower() in {"1", "true", "yes"} for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


@functools.lru_cache(maxsize=1)
def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    """One TCP connect to the hub in a daemon thread; DNS that hangs cannot block us past `timeout`."""
    if offline_forced():
        return False
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((HUB_HOST, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout)
    ok = bool(result and result[0])
    if not ok:
        # Make every library below us (datasets, transformers, huggingface_hub) fail at once too.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_DATASETS_OFFLINE"] = "1"
    return ok


def require_hub(what: str, instead: str) -> None:
    """Raise one clear line when the hub is unreachable: `what` names the id, `instead` the alternative."""
    if not hub_reachable():
        raise OfflineError(f"cannot reach the Hugging Face hub for {what} (offline); pass {instead} instead")
