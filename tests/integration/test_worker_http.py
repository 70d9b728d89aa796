#!/usr/bin/python3
"""test_worker_http.py - the worker's HTTP API against malformed and hostile requests.

Run by test_worker.sh against its live cluster: WORK holds alice's and bob's
keys and configs, W_PORT is the worker. Requests are built and signed here,
independently of libteeu (PROTOCOL.md "Authentication": RSA-PSS, SHA-256,
salt 32, over the eight-line message), so the server's checks are tested
against a second implementation. Every case states the status it expects;
afterwards the worker must still answer. Exit status 1 on any mismatch.
"""
import base64, hashlib, http.client, json, os, secrets, subprocess, sys, time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

WORK, PORT, TEEU = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FAILS = 0


def key(party):
    with open(f"{WORK}/{party}.key", "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


KEYS = {"alice": key("alice"), "bob": key("bob")}


def headers_for(party, method, target, signed_body, ts=None, nonce=None, sign_as=None):
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or secrets.token_hex(16)
    msg = "TEEU-REQUEST-V1\nparty\n%s\n%s\n%s\n%s\n%d\n%s\n" % (
        party, method, target, hashlib.sha256(signed_body).hexdigest(), ts, nonce)
    sig = KEYS[sign_as or party].sign(
        msg.encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256())
    return {"TEEU-Party": party, "TEEU-Timestamp": str(ts), "TEEU-Nonce": nonce,
            "TEEU-Signature": base64.b64encode(sig).decode()}


def send(method, target, body=b"", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    c.request(method, target, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def expect(what, want, got):
    global FAILS
    status, data = got
    msg = ""
    try:
        msg = json.loads(data)["error"]["message"]
    except Exception:
        pass
    if status == want:
        print(f"ok: {what}: {status} {msg[:90]}")
    else:
        FAILS += 1
        print(f"FAIL: {what}: want {want}, got {status} {data[:200]!r}")


def signed(party, method, target, body=b"", signed_body=None, **kw):
    h = headers_for(party, method, target, body if signed_body is None else signed_body, **kw)
    if body:
        h["Content-Type"] = "application/json"
    return send(method, target, body, h)


# A fresh object sealed offline by alice, and its header.
with open(f"{WORK}/http-in.txt", "w") as f:
    f.write("hello\n" * 1000)
subprocess.run([TEEU, "seal", "--owner", "alice", "--data-key-out", f"{WORK}/http.dk", "--force",
                f"{WORK}/http-in.txt", f"{WORK}/http.teeu"], check=True)
obj = open(f"{WORK}/http.teeu", "rb").read()
# OBJECT-FORMAT.md: the id is at offset 16; the header is 113 + len(owner) bytes.
oid = obj[16:32].hex()
hlen = 113 + len("alice")
hdr = obj[:hlen]
tgt = f"/v1/objects/{oid}"

expect("health, unsigned", 200, send("GET", "/v1/health"))
expect("upload without signature headers", 401, send("PUT", tgt, obj))
expect("upload of bytes that are no object", 400,
       send("PUT", tgt, b"not an object at all" * 10, headers_for("alice", "PUT", tgt, b"x")))
expect("upload signed over the wrong header", 401,
       send("PUT", tgt, obj, headers_for("alice", "PUT", tgt, hdr + b"x")))
expect("upload signed by bob's key as alice", 401,
       send("PUT", tgt, obj, headers_for("alice", "PUT", tgt, hdr, sign_as="bob")))
expect("upload by bob of alice's object", 403, send("PUT", tgt, obj, headers_for("bob", "PUT", tgt, hdr)))
other = "/v1/objects/" + "0" * 32
expect("upload under another id than the header's", 400,
       send("PUT", other, obj, headers_for("alice", "PUT", other, hdr)))
stale = headers_for("alice", "PUT", tgt, hdr, ts=int(time.time()) - 3600)
expect("upload with a timestamp an hour old", 401, send("PUT", tgt, obj, stale))
h = headers_for("alice", "PUT", tgt, hdr)
expect("upload by its owner", 201, send("PUT", tgt, obj, h))
expect("the same signed upload replayed", 401, send("PUT", tgt, obj, h))
expect("a second upload of the id", 409, send("PUT", tgt, obj, headers_for("alice", "PUT", tgt, hdr)))
expect("download it back", 200, signed("bob", "GET", tgt))
got = signed("bob", "GET", tgt)[1]
if got != obj:
    FAILS += 1
    print("FAIL: the downloaded bytes are not the uploaded ones")
expect("download of an unknown id", 404, signed("alice", "GET", "/v1/objects/" + "f" * 32))
expect("object id that is not hex", 400, signed("alice", "GET", "/v1/objects/" + "g" * 32))
expect("upper-case object id", 400, signed("alice", "GET", "/v1/objects/" + "A" * 32))
expect("percent-encoded path", 400, send("GET", "/v1/objects/%2e%2e%2fetc"))
expect("dot segments", 400, signed("alice", "GET", "/v1/objects/../../etc"))
expect("unknown party", 401, send("GET", tgt, b"", {"TEEU-Party": "mallory", "TEEU-Timestamp":
                                                     str(int(time.time())), "TEEU-Nonce": "00" * 16,
                                                     "TEEU-Signature": "AAAA"}))
expect("a session signer", 401, send("GET", tgt, b"", {"TEEU-Session": "0" * 32}))

task = {"function": "builtin:mean", "inputs": [oid], "recipients": ["alice"]}
tt = "/v1/tasks"
expect("task: body not JSON", 400, signed("alice", "POST", tt, b"{not json"))
expect("task: body a JSON array", 400, signed("alice", "POST", tt, b"[]"))
expect("task: unknown field", 400, signed("alice", "POST", tt, json.dumps(dict(task, x=1)).encode()))
expect("task: inputs not a list", 400, signed("alice", "POST", tt, json.dumps(dict(task, inputs=oid)).encode()))
expect("task: input not stored here", 404,
       signed("alice", "POST", tt, json.dumps(dict(task, inputs=["e" * 32])).encode()))
expect("task: unknown function", 400,
       signed("alice", "POST", tt, json.dumps(dict(task, function="builtin:nope")).encode()))
expect("task: axis that is not an integer", 400,
       signed("alice", "POST", tt, json.dumps(dict(task, params={"axis": "one"})).encode()))
expect("task: unknown parameter", 400,
       signed("alice", "POST", tt, json.dumps(dict(task, params={"axes": "1"})).encode()))
expect("task: a param that is not a string", 400,
       signed("alice", "POST", tt, json.dumps(dict(task, params={"axis": 1})).encode()))
expect("task: bad recipient name", 400,
       signed("alice", "POST", tt, json.dumps(dict(task, recipients=["a b"])).encode()))
expect("task: bad id", 400, signed("alice", "POST", tt, json.dumps(dict(task, id="xyz")).encode()))
big = json.dumps(dict(task, pad="x" * (1 << 20))).encode()
expect("task: body over 1 MiB", 413, signed("alice", "POST", tt, big))
expect("task: body changed after signing", 401,
       send("POST", tt, json.dumps(task).encode(), headers_for("alice", "POST", tt, b"{}")))
tid = secrets.token_hex(16)
expect("task: accepted (it will fail: the object is not registered)", 202,
       signed("alice", "POST", tt, json.dumps(dict(task, id=tid)).encode()))
expect("task: the same id again", 409, signed("alice", "POST", tt, json.dumps(dict(task, id=tid)).encode()))
expect("task status with a long poll", 200, signed("alice", "GET", f"{tt}/{tid}?wait=5000&until=end"))
st = json.loads(signed("alice", "GET", f"{tt}/{tid}")[1])
if st.get("status") != "failed" or st.get("outputs"):
    FAILS += 1
    print(f"FAIL: a task over an unregistered object should fail without outputs: {st}")
else:
    print(f"ok: the task failed cleanly: {st['error']['message'][:100]}")
expect("task status: bad wait", 400, signed("alice", "GET", f"{tt}/{tid}?wait=abc"))
expect("task status: wait too long", 400, signed("alice", "GET", f"{tt}/{tid}?wait=99999"))
expect("task status: unknown task", 404, signed("alice", "GET", f"{tt}/{'c' * 32}"))
expect("wrong method", 405, signed("alice", "DELETE", tt))
expect("unknown endpoint", 404, signed("alice", "GET", "/v1/nothing"))
expect("health after all that", 200, send("GET", "/v1/health"))
print(f"test_worker_http: {FAILS} failure(s)")
sys.exit(1 if FAILS else 0)
