"""Offline: a hub load fails fast with one line naming the id and the alternative. Cache: a reload is served
from the fingerprinted Arrow cache."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from click.testing import CliRunner

import stilts.core.hub as hub
from cli import stilts
from stilts.core.errors import OfflineError, StiltsError
from stilts.core.tasks import load


def test_hub_load_offline_is_one_line_within_seconds():
    t0 = time.monotonic()
    with pytest.raises(OfflineError) as e:
        load("xnli", "test", "sw")
    assert time.monotonic() - t0 < 10
    msg = str(e.value)
    assert "facebook/xnli" in msg and "--data-dir" in msg and "--kit" in msg and "\n" not in msg


def test_hanging_network_is_cut_at_the_probe_timeout(monkeypatch):
    """Without HF_HUB_OFFLINE, a DNS/connect that hangs must not block: the probe gives up after its timeout."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    release = threading.Event()

    def hang(*a, **k):
        release.wait(30)
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", hang)
    hub.hub_reachable.cache_clear()
    try:
        t0 = time.monotonic()
        assert hub.hub_reachable(timeout=1.0) is False
        assert time.monotonic() - t0 < 3
    finally:
        release.set()
        hub.hub_reachable.cache_clear()


def test_cli_offline_error_exit_code():
    result = CliRunner().invoke(stilts, ["show", "mnli", "--split", "train"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Hugging Face hub for dataset nyu-mll/glue")


def test_second_load_comes_from_the_cache(shared_data):
    t0 = time.perf_counter()
    first = load("panx", "dev", "de", data_dir=shared_data)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = load("panx", "dev", "de", data_dir=shared_data)
    warm = time.perf_counter() - t0
    assert second._fingerprint == first._fingerprint
    assert [f["filename"] for f in second.cache_files] == [f["filename"] for f in first.cache_files]
    assert warm < cold


def test_edited_file_is_reread(tmp_path):
    d = tmp_path / "xnli"
    d.mkdir()
    f = d / "dev-sw.tsv"
    f.write_text("Mtu analala.\tMtu anapumzika.\tentailment\n", encoding="utf-8")
    a = load("xnli", "dev", "sw", data_dir=tmp_path)
    f.write_text("Mtu analala.\tMtu anapumzika.\tentailment\nMbwa anakimbia.\tMnyama anasonga.\tneutral\n",
                 encoding="utf-8")
    b = load("xnli", "dev", "sw", data_dir=tmp_path)
    assert (len(a), len(b)) == (1, 2) and a._fingerprint != b._fingerprint


def test_stilts_tasks_table(shared_data):
    result = CliRunner().invoke(stilts, ["tasks", "--data-dir", str(shared_data)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["task", "kind", "role", "benchmark", "metric", "langs", "hub", "data-dir", "kit"]
    rows = {ln.split()[0]: ln for ln in lines[2:]}
    assert len(rows) == 26
    assert "unreachable" in rows["xnli"] and "present" in rows["xnli"]
    assert "absent" in rows["ccg"] and rows["ccg"].split()[-3] == "-"  # no hub copy


class _Recorder:
    """A loopback HTTP server that answers 404 to everything and records the request lines it saw."""

    def __enter__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self):  # noqa: N802
                seen.append(self.requestline)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def online_env(monkeypatch):
    for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HTTP_PROXY",
              "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(v, raising=False)
    hub.hub_reachable.cache_clear()
    yield monkeypatch
    hub.hub_reachable.cache_clear()


def test_probe_asks_the_hf_endpoint_mirror(online_env):
    with _Recorder() as server:
        online_env.setenv("HF_ENDPOINT", server.url + "/")
        assert hub.hub_reachable(timeout=2.0) is True       # a 404 is an answer: the mirror is there
        assert server.seen == ["HEAD /api/whoami-v2 HTTP/1.1"]


def test_probe_goes_through_the_configured_proxy(online_env):
    with _Recorder() as proxy:
        online_env.setenv("HF_ENDPOINT", "http://hub.invalid")
        online_env.setenv("HTTP_PROXY", proxy.url)
        assert hub.hub_reachable(timeout=2.0) is True
        assert proxy.seen == ["HEAD http://hub.invalid/api/whoami-v2 HTTP/1.1"]


def test_hub_offline_variables_skip_the_probe(online_env):
    with _Recorder() as server:
        online_env.setenv("HF_ENDPOINT", server.url)
        online_env.setenv("TRANSFORMERS_OFFLINE", "1")
        t0 = time.monotonic()
        with pytest.raises(StiltsError, match="offline mode is set.*--data-dir"):
            hub.require_hub("dataset facebook/xnli", "--data-dir DIR")
        assert time.monotonic() - t0 < 0.5 and server.seen == []


def test_unanswered_endpoint_is_one_line_within_seconds(online_env):
    import socket as _socket

    with _socket.socket() as s:          # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    online_env.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    t0 = time.monotonic()
    with pytest.raises(StiltsError) as e:
        hub.require_hub("model xlm-roberta-large", "--model e5-small")
    assert time.monotonic() - t0 < 4 and "\n" not in str(e.value)
    assert f"no answer from http://127.0.0.1:{port}" in str(e.value) and "--model e5-small" in str(e.value)
