#!/usr/bin/env python3
"""fake_vendor_services.py - Intel PCS/PCCS, AMD KDS and Hygon KDS on localhost.

Serves the real sample collateral of tests/vectors in the shape of the real
services' responses, for tests/cli/test_attest_collateral.sh:

  Intel PCS v4 (under /sgx/certification/v4 and /tdx/certification/v4):
    GET .../tcb?fmspc=F      {"tcbInfo":<the signed bytes>,"signature":"<hex>"}
                             header TCB-Info-Issuer-Chain (URL-encoded PEM);
                             404 unless F is the sample's FMSPC
    GET .../qe/identity      {"enclaveIdentity":...,"signature":...}
                             header SGX-Enclave-Identity-Issuer-Chain
    GET /sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der
                             the CRL, DER; header SGX-PCK-CRL-Issuer-Chain
    GET /sgx/certification/v4/rootcacrl   the root CA CRL as hex text (PCCS)
    GET /IntelSGXRootCA.der               the root CA CRL, DER
  AMD KDS:
    GET /vcek/v1/<P>/<hwid>?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..
                             vcek.testcer (DER) when <P> is --snp-product
                             (default Milan) and hwid and SPLs are the
                             sample report's
    GET /vcek/v1/<P>/cert_chain           ask_ark_milan.pem
    GET /vcek/v1/<P>/crl                  the file of --snp-crl (DER), when given;
                             there is no AMD CRL sample: the tests pass a
                             SELF-MADE test CRL (signed by a test key, not
                             AMD's ARK), which the verifier refuses at crl
  Hygon KDS:
    GET /hsk_cek?snumber=<the sample report's chip SN>   hsk_cek.cert

Anything else is 404. --mode malformed answers 200 with garbage to every
request. Each request's path and query is appended to --log. The port
(bound on 127.0.0.1, port 0) is printed on stdout, then the server runs
until killed.
"""
import argparse
import http.server
import json
import os
import sys
import urllib.parse


def load(vectors):
    def rd(p):
        with open(os.path.join(vectors, p), "rb") as f:
            return f.read()

    s = {}
    for tee, name in (("sgx", "dcap/sgx_quote_collateral.json"),
                      ("tdx", "dcap/tdx_quote_collateral.json")):
        c = json.loads(rd(name))
        fmspc = json.loads(c["tcb_info"])["fmspc"].upper()
        s[tee] = {
            "fmspc": fmspc,
            "tcb": ('{"tcbInfo":' + c["tcb_info"] + ',"signature":"'
                    + c["tcb_info_signature"] + '"}').encode(),
            "tcb_chain": urllib.parse.quote(c["tcb_info_issuer_chain"], safe=""),
            "qe": ('{"enclaveIdentity":' + c["qe_identity"] + ',"signature":"'
                   + c["qe_identity_signature"] + '"}').encode(),
            "qe_chain": urllib.parse.quote(c["qe_identity_issuer_chain"], safe=""),
            "pck_crl": bytes.fromhex(c["pck_crl"]),
            "pck_crl_chain": urllib.parse.quote(c["pck_crl_issuer_chain"], safe=""),
            "root_crl": bytes.fromhex(c["root_ca_crl"]),
        }
    # The SGX sample's PCK is issued by the Processor CA, the TDX one's by
    # the Platform CA (their CRLs' issuers say so).
    s["crl_by_ca"] = {"processor": "sgx", "platform": "tdx"}

    report = rd("snp/attestation.bin")
    tcb = report[0x180:0x188]
    s["snp"] = {
        "hwid": report[0x1A0:0x1E0].hex(),
        "query": {"blSPL": str(tcb[0]), "teeSPL": str(tcb[1]),
                  "snpSPL": str(tcb[6]), "ucodeSPL": str(tcb[7])},
        "vcek": rd("snp/vcek.testcer"),
        "chain": rd("snp/ask_ark_milan.pem"),
    }
    csv = rd("csv/report.cert")
    # The chip serial number: after the TEE info (0x150) and the PEK
    # certificate (0x824) in the signer block, NUL-padded, masked with
    # ANONCE (offset 0xBC) as every field of a version 1 report.
    anonce = csv[0xBC:0xC0]
    off = 0x150 + 0x824
    sn = bytes(b ^ anonce[(off + i) % 4] for i, b in enumerate(csv[off:off + 64]))
    sn = sn.rstrip(b"\0").decode()
    s["csv"] = {"sn": sn, "hsk_cek": rd("csv/hsk_cek.cert")}
    return s


class Handler(http.server.BaseHTTPRequestHandler):
    samples = None
    mode = "normal"
    log_path = None
    snp_product = "Milan"
    snp_crl = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(self.log_path, "a") as f:
            f.write(self.path + "\n")
        if self.mode == "malformed":
            return self.send(200, b"\x00garbage{not collateral",
                             [("TCB-Info-Issuer-Chain", "garbage"),
                              ("SGX-Enclave-Identity-Issuer-Chain", "garbage"),
                              ("SGX-PCK-CRL-Issuer-Chain", "garbage")])
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        p = u.path
        s = self.samples
        for tee in ("sgx", "tdx"):
            base = "/%s/certification/v4" % tee
            d = s[tee]
            if p == base + "/tcb" and q.get("fmspc", "").upper() == d["fmspc"]:
                return self.send(200, d["tcb"], [("TCB-Info-Issuer-Chain", d["tcb_chain"])])
            if p == base + "/qe/identity":
                return self.send(200, d["qe"],
                                 [("SGX-Enclave-Identity-Issuer-Chain", d["qe_chain"])])
        if p == "/sgx/certification/v4/pckcrl" and q.get("ca") in s["crl_by_ca"]:
            d = s[s["crl_by_ca"][q["ca"]]]
            return self.send(200, d["pck_crl"],
                             [("SGX-PCK-CRL-Issuer-Chain", d["pck_crl_chain"])])
        if p == "/sgx/certification/v4/rootcacrl":
            return self.send(200, s["sgx"]["root_crl"].hex().encode())
        if p == "/IntelSGXRootCA.der":
            return self.send(200, s["sgx"]["root_crl"])
        n = s["snp"]
        if p == "/vcek/v1/%s/%s" % (self.snp_product, n["hwid"]) and q == n["query"]:
            return self.send(200, n["vcek"])
        if p == "/vcek/v1/%s/cert_chain" % self.snp_product:
            return self.send(200, n["chain"])
        if p == "/vcek/v1/%s/crl" % self.snp_product and self.snp_crl:
            return self.send(200, self.snp_crl)
        if p == "/hsk_cek" and q.get("snumber") == s["csv"]["sn"]:
            return self.send(200, s["csv"]["hsk_cek"])
        return self.send(404, b"not found")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--mode", choices=["normal", "malformed"], default="normal")
    ap.add_argument("--snp-product", default="Milan")
    ap.add_argument("--snp-crl", default="",
                    help="a DER CRL to serve at /vcek/v1/<P>/crl (none: 404)")
    a = ap.parse_args()
    Handler.samples = load(a.vectors)
    Handler.mode = a.mode
    Handler.log_path = a.log
    Handler.snp_product = a.snp_product
    if a.snp_crl:
        with open(a.snp_crl, "rb") as f:
            Handler.snp_crl = f.read()
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    sys.stdout.close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
