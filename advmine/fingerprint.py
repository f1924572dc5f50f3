"""A content fingerprint of a DatasetDict: the same rows in the same order give the same hash, however the
Arrow data was chunked or cached (datasets' own `_fingerprint` tracks the transformation history instead, which
differs between a resumed and an uninterrupted build)."""
from __future__ import annotations

import hashlib

import pyarrow as pa
from datasets import DatasetDict


def content_fingerprint(data: DatasetDict) -> str:
    h = hashlib.sha256()
    for split in sorted(data):
        table = data[split].with_format("arrow")[:].combine_chunks()  # honours select/filter indices
        table = table.replace_schema_metadata(None)  # row content only, not how it was stored
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        h.update(split.encode())
        h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()[:16]
