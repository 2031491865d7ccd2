#!/bin/bash
# Records the golden quotes in this directory from a freshly provisioned swtpm
# with tpm2-tools (tpm2_createak, tpm2_pcrextend, tpm2_quote). See README.md.
# Usage: lib/quote/testdata/record_golden.sh [OUT_DIR] (OUT_DIR defaults to
# this script's directory). Needs swtpm, swtpm_setup, swtpm_ioctl, tpm2-tools
# and python3; touches nothing outside a temporary directory and OUT_DIR.
set -euo pipefail

OUT=$(realpath "${1:-$(dirname "$0")}")
D=$(mktemp -d /tmp/candor-quote-golden.XXXXXX)
SWTPM_PID=
cleanup() {
  if [[ -n "$SWTPM_PID" ]]; then
    kill -TERM "$SWTPM_PID" 2>/dev/null || true
    wait "$SWTPM_PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT

NONCE=0123456789abcdef0123456789abcdef01234567   # 20 bytes
SELECTION=sha256:0,1,2,3,10,16+sha1:10,16

# 1. Provision (EKs only: the quotes do not need EK certificates).
mkdir -p "$D/state"
swtpm_setup --tpm2 --tpmstate "$D/state" --createek --pcr-banks sha1,sha256 \
  --logfile "$D/setup.log" >/dev/null

# 2. Start swtpm in the foreground as our child on a free loopback port pair.
free_pair() {
  python3 - <<'PY'
import socket
for p in range(23000, 24000, 2):
    ok = True
    for q in (p, p + 1):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(p)
        break
PY
}
P=$(free_pair)
swtpm socket --tpm2 \
  --server type=tcp,port="$P",bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((P + 1)),bindaddr=127.0.0.1 \
  --tpmstate dir="$D/state" --flags not-need-init,startup-clear \
  --log file="$D/swtpm.log",level=1 &
SWTPM_PID=$!
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$P"
for _ in $(seq 100); do
  tpm2_getcap properties-fixed >/dev/null 2>&1 && break
  sleep 0.05
done
cd "$D"

# swtpm has no resource manager: flush what each tool left loaded.
flush() { tpm2_flushcontext -t; tpm2_flushcontext -s; }

# make_ak NAME ALG HASH SCHEME: an AK under the RSA EK, its TPM2B_PUBLIC and
# its SubjectPublicKeyInfo (PEM).
make_ak() {
  tpm2_createak -C 0x81010001 -c "$1.ctx" -G "$2" -g "$3" -s "$4" \
    -u "$1.ak.pub" -f tss >/dev/null
  flush
  tpm2_readpublic -c "$1.ctx" -f pem -o "$1.ak.pem" >/dev/null
  flush
}
# quote NAME CTX HASH SCHEME: message (TPMS_ATTEST), signature (TPMT_SIGNATURE) and
# PCR values (tpm2-tools "serialized" format) of a quote over $SELECTION.
quote() {
  tpm2_quote -c "$2.ctx" -l "$SELECTION" -q "$NONCE" -g "$3" --scheme "$4" \
    -m "$1.msg" -s "$1.sig" -o "$1.pcrs" >/dev/null
  flush
  # Cross-check before keeping anything. tpm2_checkquote 5.4 verifies RSAPSS
  # with the maximum salt length, but swtpm (libtpms) signs with a salt as
  # long as the digest, so PSS signatures are checked with openssl instead.
  if [[ "$4" == rsapss ]]; then
    tail -c 256 "$1.sig" >"$1.sig.raw"
    openssl dgst -"$3" -binary "$1.msg" >"$1.digest"
    openssl pkeyutl -verify -pubin -inkey "$2.ak.pem" -in "$1.digest" \
      -sigfile "$1.sig.raw" -pkeyopt "digest:$3" \
      -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:auto >/dev/null
  else
    tpm2_checkquote -u "$2.ak.pem" -m "$1.msg" -s "$1.sig" -f "$1.pcrs" \
      -g "$3" -q "$NONCE" >/dev/null
  fi
}

# 3. Known PCR contents: PCR 10 and 16 extended in both banks.
tpm2_pcrextend "10:sha256=$(printf 'a%.0s' {1..64}),sha1=$(printf 'b%.0s' {1..40})"
tpm2_pcrextend "16:sha256=$(printf '1%.0s' {1..64}),sha1=$(printf '2%.0s' {1..40})"

# 4. AKs and one quote each.
make_ak rsassa_sha256 rsa sha256 rsassa
make_ak rsapss_sha256 rsa sha256 rsapss
make_ak ecdsa_p256_sha256 ecc256 sha256 ecdsa
make_ak rsassa_sha384 rsa sha384 rsassa
make_ak ecdsa_p384_sha384 ecc384 sha384 ecdsa
quote rsassa_sha256 rsassa_sha256 sha256 rsassa
quote rsapss_sha256 rsapss_sha256 sha256 rsapss
quote ecdsa_p256_sha256 ecdsa_p256_sha256 sha256 ecdsa
quote rsassa_sha384 rsassa_sha384 sha384 rsassa
quote ecdsa_p384_sha384 ecdsa_p384_sha384 sha384 ecdsa
# A second quote with the first AK: same boot, later clock.
quote rsassa_sha256.later rsassa_sha256 sha256 rsassa

# 5. A TPM reset without an orderly shutdown (swtpm_ioctl -i, then Startup):
# resetCount + 1, restartCount 0, safe 0, PCRs back to zero. Saved contexts
# die with the reset, so a new AK signs this one.
swtpm_ioctl --tcp "127.0.0.1:$((P + 1))" -i
tpm2_startup -c
make_ak after_reset rsa sha256 rsassa
quote after_reset after_reset sha256 rsassa

# 6. Keep the public artefacts, and fuzz seeds for //lib/quote:attest_fuzzer.
for c in rsassa_sha256 rsapss_sha256 ecdsa_p256_sha256 rsassa_sha384 \
  ecdsa_p384_sha384 after_reset; do
  cp "$c.ak.pub" "$c.ak.pem" "$c.msg" "$c.sig" "$c.pcrs" "$OUT/"
done
cp rsassa_sha256.later.msg rsassa_sha256.later.sig rsassa_sha256.later.pcrs "$OUT/"
echo "$NONCE" >"$OUT/nonce.hex"
echo "$SELECTION" >"$OUT/selection.txt"
mkdir -p "$OUT/fuzz"
python3 - "$OUT" "$NONCE" <<'PY'
import os, struct, sys
out, nonce = sys.argv[1], bytes.fromhex(sys.argv[2])
def rd(name):
    with open(os.path.join(out, name), "rb") as f:
        return f.read()
def u16(b):
    return struct.pack(">H", len(b)) + b
# Layout: see attest_fuzzer.cc (first byte = mode).
for c in ["rsassa_sha256", "rsapss_sha256", "ecdsa_p256_sha256",
          "rsassa_sha384", "ecdsa_p384_sha384", "after_reset"]:
    msg, sig, pcrs, ak = (rd(c + ".msg"), rd(c + ".sig"), rd(c + ".pcrs"),
                          rd(c + ".ak.pub"))
    seeds = {
        "attest": b"\x00" + msg,
        "signature": b"\x01" + sig,
        "pcrs": b"\x02" + pcrs,
        "verify": b"\x03" + u16(ak) + u16(msg) + u16(sig) + u16(nonce) + pcrs,
        "signed": b"\x04" + u16(msg) + u16(nonce) + pcrs,
    }
    for kind, data in seeds.items():
        with open(os.path.join(out, "fuzz", f"{kind}_{c}"), "wb") as f:
            f.write(data)
PY
# tpm2-tools creates its files 0640; the recordings are public.
find "$OUT" -maxdepth 2 -type f ! -name '*.sh' -exec chmod 0644 {} +
echo "recorded into $OUT"
