#!/usr/bin/python3
"""Generate the TEEU object-format test vectors in tests/vectors/object/.

This is an independent implementation of the object format, written from
docs/OBJECT-FORMAT.md alone and without looking at TEEU's C sources. The C
implementation is checked against the vectors it produces, so a place where the
spec can be read two ways shows up as a disagreement instead of being baked
into both sides. Output is deterministic (fixed keys, ids and plaintexts), and
every vector is re-opened with this file's reader to check its expected outcome.

Run: /usr/bin/python3 tests/vectors/gen_object_vectors.py
"""

import json
import math
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import constant_time, hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

MAGIC = b"\x89TEEU\r\n\x1a"
FORMAT_VERSION = 1
ALGORITHM = 1
NOT_RECORDED = 0xFFFFFFFFFFFFFFFF
OWNER_BYTES = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_CHUNK, MAX_CHUNK = 16, 16 * 1024 * 1024
CHUNK_HEADER = 32
TAG = 16

OUT_DIR = Path(__file__).resolve().parent / "object"


class ObjectError(Exception):
    """A reader failure; `name` is the spec's error name (TEEU_ERR_<name>)."""

    def __init__(self, name, detail):
        super().__init__(f"{name}: {detail}")
        self.name = name


# ---------------------------------------------------------------- primitives

def hmac_sha256(key, data):
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


def sha256(data):
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def hkdf_expand(prk, info):
    return HKDFExpand(algorithm=hashes.SHA256(), length=32, info=info).derive(prk)


def key_schedule(key, object_id):
    """Return (commitment, header_mac_key, chunk_key) as in 'Key schedule'."""
    prk = hmac_sha256(b"TEEU object v1", key)  # HKDF-Extract(salt, IKM = K)
    return (hkdf_expand(prk, b"TEEU object v1 key commitment"),
            hkdf_expand(prk, b"TEEU object v1 header mac"),
            hkdf_expand(prk, b"TEEU object v1 chunk key" + object_id))


def chunk_header(object_id, index, final, size):
    return object_id + struct.pack(">QB3xI", index, 1 if final else 0, size)


def chunk_nonce(header):
    # index (8 bytes) || 00 00 00 || flags (1 byte)
    return header[16:24] + b"\x00\x00\x00" + header[24:25]


# ---------------------------------------------------------------- writer

def seal_with_size_field(key, object_id, kind, content_type, chunk_size, owner,
                         plaintext, size_field):
    """Seal with an explicit plaintext_size field (normally len or NOT_RECORDED)."""
    owner = owner.encode("ascii")
    assert len(key) == 32 and len(object_id) == 16
    assert 1 <= len(owner) <= 64 and set(owner) <= OWNER_BYTES
    assert MIN_CHUNK <= chunk_size <= MAX_CHUNK
    commitment, mac_key, chunk_key = key_schedule(key, object_id)

    header = (MAGIC
              + struct.pack(">HHI", FORMAT_VERSION, ALGORITHM, 113 + len(owner))
              + object_id
              + struct.pack(">BBHIQB", kind, content_type, 0, chunk_size,
                            size_field, len(owner))
              + owner + commitment)
    header += hmac_sha256(mac_key, header)  # header bytes 0 .. 80 + owner_size
    header_hash = sha256(header)

    n = max(1, math.ceil(len(plaintext) / chunk_size))
    out = [header]
    for i in range(n):
        piece = plaintext[i * chunk_size:(i + 1) * chunk_size]
        ch = chunk_header(object_id, i, i == n - 1, len(piece))
        out.append(ch + AESGCM(chunk_key).encrypt(chunk_nonce(ch), piece, header_hash + ch))
    return b"".join(out)


def seal(key, object_id, kind, content_type, chunk_size, owner, plaintext, record_size):
    size_field = len(plaintext) if record_size else NOT_RECORDED
    return seal_with_size_field(key, object_id, kind, content_type, chunk_size,
                                owner, plaintext, size_field)


# ---------------------------------------------------------------- reader

def open(key, data):  # noqa: A001 - the name the spec's vocabulary suggests
    """Open an object; checks run in the order of 'Reading an object'."""
    # 1.
    if len(data) < 49 or data[:8] != MAGIC:
        raise ObjectError("MALFORMED", "not a TEEU object")
    # 2.
    version, algorithm, header_size = struct.unpack(">HHI", data[8:16])
    if version != FORMAT_VERSION or algorithm != ALGORITHM:
        raise ObjectError("UNSUPPORTED", f"version {version}, algorithm {algorithm}")
    # 3.
    object_id = data[16:32]
    kind, content_type, reserved, chunk_size, size_field, owner_size = \
        struct.unpack(">BBHIQB", data[32:49])
    if not 1 <= owner_size <= 64:
        raise ObjectError("MALFORMED", "owner_size")
    if header_size != 113 + owner_size:
        raise ObjectError("MALFORMED", "header_size")
    if len(data) < header_size:
        raise ObjectError("MALFORMED", "input ends inside the header")
    if kind not in (1, 2):
        raise ObjectError("MALFORMED", "kind")
    if content_type not in range(5):
        raise ObjectError("MALFORMED", "content_type")
    if reserved != 0:
        raise ObjectError("MALFORMED", "reserved")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise ObjectError("MALFORMED", "chunk_size")
    if not set(data[49:49 + owner_size]) <= OWNER_BYTES:
        raise ObjectError("MALFORMED", "owner")
    # 4. and 5.
    commitment, mac_key, chunk_key = key_schedule(key, object_id)
    if not constant_time.bytes_eq(data[49 + owner_size:81 + owner_size], commitment):
        raise ObjectError("WRONG_KEY", "key commitment differs")
    expected_mac = hmac_sha256(mac_key, data[:81 + owner_size])
    if not constant_time.bytes_eq(data[81 + owner_size:header_size], expected_mac):
        raise ObjectError("HEADER_TAMPERED", "header_mac differs")
    header_hash = sha256(data[:header_size])
    # 6.
    pos, i, total, plaintext = header_size, 0, 0, []
    while True:
        if pos == len(data):                                          # 6.1
            raise ObjectError("TRUNCATED", f"object ends before chunk {i}")
        if len(data) - pos < CHUNK_HEADER:
            raise ObjectError("TRUNCATED", f"inside the header of chunk {i}")
        ch = data[pos:pos + CHUNK_HEADER]
        index, flags, size = struct.unpack(">QB3xI", ch[16:])
        final = flags & 1
        if ch[:16] != object_id:                                      # 6.2
            raise ObjectError("CHUNK_FOREIGN", f"chunk {i} has another object_id")
        if index != i:                                                # 6.3
            raise ObjectError("CHUNK_REORDERED", f"chunk {i} has index {index}")
        if (flags & 0xFE or ch[25:28] != b"\x00\x00\x00" or size > chunk_size  # 6.4
                or (not final and size != chunk_size)
                or (final and size == 0 and index > 0)):
            raise ObjectError("CHUNK_CORRUPT", f"chunk {i} header fields")
        body = data[pos + CHUNK_HEADER:pos + CHUNK_HEADER + size + TAG]
        if len(body) < size + TAG:                                    # 6.5
            raise ObjectError("TRUNCATED", f"inside chunk {i}")
        try:                                                          # 6.6
            plaintext.append(AESGCM(chunk_key).decrypt(chunk_nonce(ch), body,
                                                       header_hash + ch))
        except InvalidTag:
            raise ObjectError("CHUNK_CORRUPT", f"chunk {i} fails authentication") from None
        pos += CHUNK_HEADER + size + TAG
        total += size
        if final:                                                     # 6.7
            if pos != len(data):
                raise ObjectError("TRAILING_DATA", f"{len(data) - pos} bytes after the final chunk")
            if size_field != NOT_RECORDED and size_field != total:
                raise ObjectError("MALFORMED", "plaintext_size differs from the chunks")
            return b"".join(plaintext)
        i += 1


# ---------------------------------------------------------------- vectors

def pattern(start, n, step=1):
    return bytes((start + i * step) % 256 for i in range(n))


K = pattern(0x00, 32)
K_OTHER = pattern(0x40, 32, 3)
ID_EXAMPLE = pattern(0xa0, 16)

# name: (description, key, object_id, owner, kind, content_type, chunk_size, recorded, plaintext)
POSITIVE = {
    "single-chunk": ("The worked example of docs/OBJECT-FORMAT.md: one final chunk of 12 bytes.",
                     K, ID_EXAMPLE, "alice", 1, 0, 16, True, b"hello, teeu!"),
    "empty": ("Empty plaintext, size recorded: one final chunk with ciphertext_size 0.",
              K, pattern(0x10, 16), "alice", 1, 0, 16, True, b""),
    "empty-unrecorded": ("Empty plaintext, size not recorded: one final chunk with ciphertext_size 0.",
                         K, pattern(0x20, 16), "alice", 1, 0, 16, False, b""),
    "exact-multiple": ("32 bytes at chunk_size 16: two full chunks, the second one final.",
                       K, pattern(0x30, 16), "alice", 1, 0, 16, True, pattern(0x41, 32)),
    "multi-chunk": ("87 bytes at chunk_size 16: five full chunks and a final chunk of 7 bytes.",
                    K, pattern(0x50, 16), "alice", 1, 0, 16, True, pattern(0x07, 87, 31)),
    "multi-chunk-unrecorded": ("Same plaintext as multi-chunk, plaintext_size not recorded.",
                               K, pattern(0x60, 16), "alice", 1, 0, 16, False, pattern(0x07, 87, 31)),
    "function-sql": ("A function object (kind 2) holding SQL text (content_type 3) owned by bob.",
                     K, pattern(0x70, 16), "bob", 2, 3, 32, True,
                     b"SELECT region, SUM(amount) FROM payments GROUP BY region;\n"),
    "large-chunk": ("3000 bytes at chunk_size 1024 with an owner using every punctuation byte allowed.",
                    K, pattern(0x80, 16), "org.bank-1_a", 1, 0, 1024, True, pattern(0x03, 3000, 7)),
}


def chunk_span(header_size, chunk_size, i):
    """(start, end) of full-size chunk i of an object (chunks before i are full too)."""
    start = header_size + i * (CHUNK_HEADER + chunk_size + TAG)
    return start, start + CHUNK_HEADER + chunk_size + TAG


def flip(obj, offset, mask=0x01):
    b = bytearray(obj)
    b[offset] ^= mask
    return bytes(b)


def negatives(objects):
    """Yield (name, base, description, key, object bytes, expected error)."""
    multi = objects["multi-chunk"]
    hs = 118  # 113 + len("alice")
    c1, c1_end = chunk_span(hs, 16, 1)
    c2, c2_end = chunk_span(hs, 16, 2)
    last = len(multi) - (CHUNK_HEADER + 7 + TAG)

    yield ("neg-wrong-key", "multi-chunk", "Opened with a key other than the one it was sealed with.",
           K_OTHER, multi, "WRONG_KEY")
    yield ("neg-header-owner-edit", "multi-chunk", "The owner's last byte is changed from 'e' to 'f'.",
           K, flip(multi, 49 + 4, 0x03), "HEADER_TAMPERED")
    yield ("neg-header-chunksize-edit", "multi-chunk", "The header's chunk_size is changed from 16 to 32.",
           K, multi[:36] + struct.pack(">I", 32) + multi[40:], "HEADER_TAMPERED")
    yield ("neg-chunk-bitflip", "multi-chunk", "One bit of chunk 1's ciphertext is flipped.",
           K, flip(multi, c1 + CHUNK_HEADER + 5), "CHUNK_CORRUPT")
    yield ("neg-tag-bitflip", "multi-chunk", "One bit of chunk 1's tag is flipped.",
           K, flip(multi, c1_end - 1, 0x80), "CHUNK_CORRUPT")
    yield ("neg-truncated-boundary", "multi-chunk", "The final chunk is dropped, so the object ends at a chunk boundary.",
           K, multi[:last], "TRUNCATED")
    yield ("neg-truncated-mid-chunk", "multi-chunk", "The object is cut in the middle of chunk 2's ciphertext.",
           K, multi[:c2 + CHUNK_HEADER + 8], "TRUNCATED")
    yield ("neg-truncated-header", "multi-chunk", "The object is cut at 100 bytes, inside the 118-byte header.",
           K, multi[:100], "MALFORMED")
    yield ("neg-no-chunks", "multi-chunk", "Only the header is left: the input ends where chunk 0 would start.",
           K, multi[:hs], "TRUNCATED")
    yield ("neg-reordered", "multi-chunk", "Chunks 1 and 2 are swapped.",
           K, multi[:c1] + multi[c2:c2_end] + multi[c1:c1_end] + multi[c2_end:], "CHUNK_REORDERED")
    foreign = seal(K_OTHER, pattern(0xf0, 16), 1, 0, 16, "alice", pattern(0x07, 87, 31), True)
    yield ("neg-foreign-chunk", "multi-chunk", "Chunk 1 is replaced by chunk 1 of an object with another key and id.",
           K, multi[:c1] + foreign[c1:c1_end] + multi[c1_end:], "CHUNK_FOREIGN")
    yield ("neg-trailing", "multi-chunk", "Five bytes are appended after the final chunk.",
           K, multi + b"\x00\x01\x02\x03\x04", "TRAILING_DATA")
    yield ("neg-bad-magic", "multi-chunk", "The first magic byte is 0x88 instead of 0x89.",
           K, flip(multi, 0), "MALFORMED")
    yield ("neg-version", "multi-chunk", "format_version is 2.",
           K, multi[:8] + struct.pack(">H", 2) + multi[10:], "UNSUPPORTED")

    exact = objects["exact-multiple"]
    flags_at = len(exact) - (CHUNK_HEADER + 16 + TAG) + 24
    yield ("neg-final-flag-moved", "exact-multiple",
           "The final flag of the last (full) chunk is cleared, so authentication fails.",
           K, flip(exact, flags_at), "CHUNK_CORRUPT")

    _, key, oid, owner, kind, ctype, csize, _, pt = POSITIVE["multi-chunk"]
    wrong = seal_with_size_field(key, oid, kind, ctype, csize, owner, pt, len(pt) + 1)
    yield ("neg-size-mismatch", "multi-chunk",
           "Validly sealed with a recorded plaintext_size of 88 for 87 bytes of chunks.",
           K, wrong, "MALFORMED")


def vector(description, key, oid, owner, kind, ctype, csize, recorded, pt, obj, expect):
    return {
        "description": description,
        "key": key.hex(),
        "object_id": oid.hex(),
        "owner": owner,
        "kind": kind,
        "content_type": ctype,
        "chunk_size": csize,
        "plaintext_size_recorded": recorded,
        "plaintext": pt.hex(),
        "object": obj.hex(),
        "expect": expect,
    }


def check(v):
    """Self-check: re-open the vector and, for positive ones, re-seal it."""
    key, obj = bytes.fromhex(v["key"]), bytes.fromhex(v["object"])
    try:
        got = open(key, obj)
    except ObjectError as e:
        assert e.name == v["expect"], f"{v['description']}: {e}"
        return
    assert v["expect"] == "ok", f"{v['description']}: opened, expected {v['expect']}"
    assert got.hex() == v["plaintext"]
    resealed = seal(key, bytes.fromhex(v["object_id"]), v["kind"], v["content_type"],
                    v["chunk_size"], v["owner"], got, v["plaintext_size_recorded"])
    assert resealed == obj


def main():
    vectors, objects = {}, {}
    for name, (desc, key, oid, owner, kind, ctype, csize, rec, pt) in POSITIVE.items():
        objects[name] = seal(key, oid, kind, ctype, csize, owner, pt, rec)
        vectors[name] = vector(desc, key, oid, owner, kind, ctype, csize, rec, pt,
                               objects[name], "ok")
    assert len(objects["single-chunk"]) == 178  # as stated in the worked example

    for name, base, desc, key, obj, expect in negatives(objects):
        _, _, oid, owner, kind, ctype, csize, rec, pt = POSITIVE[base]
        vectors[name] = vector(desc, key, oid, owner, kind, ctype, csize, rec, pt, obj, expect)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in OUT_DIR.glob("*.json"):  # the directory is wholly generated
        stale.unlink()
    for name, v in sorted(vectors.items()):
        check(v)
        (OUT_DIR / f"{name}.json").write_text(json.dumps(v, indent=2) + "\n")
    print(f"wrote and checked {len(vectors)} vectors in {OUT_DIR}")


if __name__ == "__main__":
    main()
