"""Vectors keyed by content, in an append-only file of checksummed records.

Used twice: every snapshot holds ``vectors.bin`` (all its vectors, so the next ingest reuses them without
embedding again, and ``python -m ingest --check`` compares Chroma's vectors with them bit for bit), and an
ingest appends each embedded batch to a journal, so an ingest killed at any instant loses at most the batch
it was embedding.

A record is ``MAGIC | n (u32) | dim (u32) | n keys of 32 bytes | n x dim float32 (little-endian) | crc32``; the
crc covers everything before it. A torn or corrupt record ends the readable part of a journal; in a snapshot
(whose files are checksummed in its manifest) it is damage.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

MAGIC = b"KJV1"
_HEAD = struct.Struct("<4sII")
_CRC = struct.Struct("<I")
KEY_BYTES = 32


def content_key(embedder: str, text: str) -> bytes:
    """The key of a vector: the embedder's name and the exact text it embedded."""
    return hashlib.sha256(embedder.encode("utf-8") + b"\x00" + text.encode("utf-8")).digest()


def encode_record(keys: list[bytes], vectors: np.ndarray) -> bytes:
    """One record of ``len(keys)`` vectors (rows of ``vectors``)."""
    matrix = np.ascontiguousarray(vectors, dtype="<f4")
    if matrix.ndim != 2 or matrix.shape[0] != len(keys) or any(len(k) != KEY_BYTES for k in keys):
        raise ValueError("one 32-byte key per vector row is required")
    body = _HEAD.pack(MAGIC, matrix.shape[0], matrix.shape[1]) + b"".join(keys) + matrix.tobytes()
    return body + _CRC.pack(zlib.crc32(body))


def append_records(path: Path, keys: list[bytes], vectors: np.ndarray) -> None:
    """Append one record and fsync it (the journal survives a crash right after this returns)."""
    data = encode_record(keys, vectors)
    with open(path, "ab") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_vectors(path: Path, items: Iterable[tuple[bytes, np.ndarray]], dim: int, batch: int = 4096) -> None:
    """Write ``(key, vector)`` pairs as a new file of records (not fsynced here: the snapshot is, as a whole)."""
    with open(path, "wb") as fh:
        keys: list[bytes] = []
        rows: list[np.ndarray] = []
        for key, vec in items:
            keys.append(key)
            rows.append(vec)
            if len(keys) == batch:
                fh.write(encode_record(keys, np.vstack(rows).reshape(len(keys), dim)))
                keys, rows = [], []
        if keys:
            fh.write(encode_record(keys, np.vstack(rows).reshape(len(keys), dim)))


class CorruptVectorFile(ValueError):
    """A vector file has a torn or corrupt record."""


def read_vectors(path: Path, strict: bool = True) -> tuple[dict[bytes, np.ndarray], int]:
    """``({key: float32 vector}, dim)`` of a vector file (``dim`` 0 when empty); see :func:`parse_vectors`."""
    return parse_vectors(Path(path).read_bytes(), Path(path).name, strict)


def parse_vectors(data: bytes, name: str = "vectors", strict: bool = True) -> tuple[dict[bytes, np.ndarray], int]:
    """``({key: float32 vector}, dim)`` of the bytes of a vector file.

    ``strict``: a torn or corrupt record raises :class:`CorruptVectorFile`; otherwise reading stops there
    (a journal cut by a crash keeps its whole records).
    """
    out: dict[bytes, np.ndarray] = {}
    dim = 0
    pos = 0
    while pos < len(data):
        try:
            magic, n, d = _HEAD.unpack_from(data, pos)
            end = pos + _HEAD.size + n * KEY_BYTES + n * d * 4
            if magic != MAGIC or end + _CRC.size > len(data) or (dim and d != dim):
                raise ValueError("bad record header")
            (crc,) = _CRC.unpack_from(data, end)
            if zlib.crc32(data[pos:end]) != crc:
                raise ValueError("checksum mismatch")
        except (struct.error, ValueError) as exc:
            if strict:
                raise CorruptVectorFile(f"{name}: record at byte {pos}: {exc}") from exc
            break
        keys_at = pos + _HEAD.size
        matrix = np.frombuffer(data, dtype="<f4", count=n * d, offset=keys_at + n * KEY_BYTES).reshape(n, d)
        for i in range(n):
            out[data[keys_at + i * KEY_BYTES : keys_at + (i + 1) * KEY_BYTES]] = matrix[i]
        dim = d
        pos = end + _CRC.size
    return out, dim


def vectors_fingerprint(pairs: Iterable[tuple[str, np.ndarray]]) -> str:
    """Hash of ``(chunk id, vector)`` pairs in id order, over the float32 bytes (exact, no rounding)."""
    h = hashlib.sha256()
    for cid, vec in sorted(pairs, key=lambda p: p[0]):
        h.update(cid.encode() + b"\x00" + np.ascontiguousarray(vec, dtype="<f4").tobytes())
    return h.hexdigest()
