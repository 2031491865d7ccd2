#!/bin/bash
# Records the golden TPM vectors in this directory from a freshly provisioned
# swtpm. See README.md. Usage: lib/tpm/testdata/record_golden.sh [OUT_DIR]
# (OUT_DIR defaults to this script's directory). Needs swtpm, swtpm_setup,
# tpm2-tools and openssl; touches nothing outside a temporary directory and
# OUT_DIR.
set -euo pipefail

OUT=$(realpath "${1:-$(dirname "$0")}")
D=$(mktemp -d /tmp/candor-golden.XXXXXX)
SWTPM_PID=
cleanup() {
  if [[ -n "$SWTPM_PID" ]]; then
    kill -TERM "$SWTPM_PID" 2>/dev/null || true
    wait "$SWTPM_PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT

# 1. Provision with a private CA (notes/tpm.md section 1).
mkdir -p "$D/ca" "$D/state" "$D/ekcerts"
cat >"$D/ca/swtpm-localca.conf" <<CONF
statedir=$D/ca
signingkey=$D/ca/signkey.pem
issuercert=$D/ca/issuercert.pem
certserial=$D/ca/certserial
CONF
cat >"$D/ca/swtpm-localca.options" <<CONF
--platform-manufacturer Candor
--platform-version 2.1
--platform-model swtpm
CONF
cat >"$D/ca/swtpm_setup.conf" <<CONF
create_certs_tool=/usr/bin/swtpm_localca
create_certs_tool_config=$D/ca/swtpm-localca.conf
create_certs_tool_options=$D/ca/swtpm-localca.options
active_pcr_banks=sha1,sha256
CONF
swtpm_setup --tpm2 --tpmstate "$D/state" --config "$D/ca/swtpm_setup.conf" \
  --create-ek-cert --create-platform-cert --pcr-banks sha1,sha256 \
  --write-ek-cert-files "$D/ekcerts" --logfile "$D/setup.log"

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
# 3. EKs: marshalled TPM2B_PUBLIC ("tss" format) and the TPM's name.
tpm2_readpublic -c 0x81010001 -f tss -o ek_rsa.pub -n ek_rsa.name >/dev/null
tpm2_readpublic -c 0x81010016 -f tss -o ek_ecc384.pub -n ek_ecc384.name >/dev/null
# EK certificates (DER) from their NV indexes.
tpm2_nvread 0x1c00002 -o ek_rsa_cert.der
tpm2_nvread 0x1c00016 -o ek_ecc384_cert.der
tpm2_flushcontext -t

# 4. AKs under the RSA EK; their public areas, names and SPKI (DER).
tpm2_createak -C 0x81010001 -c ak_rsa.ctx -G rsa -g sha256 -s rsassa \
  -u ak_rsa.pub -f tss -n ak_rsa.name >/dev/null
tpm2_flushcontext -t
tpm2_flushcontext -s
tpm2_createak -C 0x81010001 -c ak_ecc256.ctx -G ecc -g sha256 -s ecdsa \
  -u ak_ecc256.pub -f tss -n ak_ecc256.name >/dev/null
tpm2_flushcontext -t
tpm2_flushcontext -s
for k in ak_rsa ak_ecc256; do
  tpm2_readpublic -c $k.ctx -f der -o $k.spki.der >/dev/null
  tpm2_flushcontext -t
done

# 5. The CA that issued the EK certificates (public certificates only).
mkdir -p swtpm_ca
openssl x509 -in ca/swtpm-localca-rootca-cert.pem -out swtpm_ca/rootca.pem
openssl x509 -in ca/issuercert.pem -out swtpm_ca/issuercert.pem
# Cross-check with the openssl CLI before keeping anything.
for c in ek_rsa_cert ek_ecc384_cert; do
  openssl x509 -inform DER -in $c.der -out $c.pem
  openssl verify -CAfile swtpm_ca/rootca.pem -untrusted swtpm_ca/issuercert.pem $c.pem
done

cp ek_rsa.pub ek_rsa.name ek_ecc384.pub ek_ecc384.name \
  ek_rsa_cert.der ek_ecc384_cert.der \
  ak_rsa.pub ak_rsa.name ak_rsa.spki.der \
  ak_ecc256.pub ak_ecc256.name ak_ecc256.spki.der "$OUT/"
mkdir -p "$OUT/swtpm_ca"
cp swtpm_ca/rootca.pem swtpm_ca/issuercert.pem "$OUT/swtpm_ca/"
echo "recorded into $OUT"
