# Shell helpers shared by scripts/demo (sourced, not run).
# Everything started is recorded and stopped by candor_stop_all (trap EXIT).

CANDOR_PIDS=()

candor_log() { printf '\033[1m== %s\033[0m\n' "$*"; }
candor_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A loopback port nothing listens on, from $1 upwards (and $1+1 free too
# when $2 is "pair").
candor_free_port() {
  local p=$1
  while :; do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
      if [[ "${2:-}" != pair ]] || ! (exec 3<>/dev/tcp/127.0.0.1/$((p+1))) 2>/dev/null; then
        echo "$p"; return
      fi
    fi
    p=$((p + 2))
  done
}

# Runs a command in the background with its output in a log file; remembers it.
candor_spawn() {  # name logfile cmd...
  local name=$1 log=$2; shift 2
  "$@" >"$log" 2>&1 &
  CANDOR_PIDS+=("$!:$name")
}

# Waits until a TCP port accepts connections (bounded), or the process died.
candor_wait_port() {  # port pid what
  local port=$1 pid=$2 what=$3 i
  for i in $(seq 1 200); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || candor_die "$what exited during start-up"
    sleep 0.05  # readiness probe: the process gives no other signal
  done
  candor_die "$what did not listen on $port within 10 s"
}

candor_stop_all() {
  local entry pid name
  for (( i=${#CANDOR_PIDS[@]}-1; i>=0; i-- )); do
    entry=${CANDOR_PIDS[$i]}; pid=${entry%%:*}; name=${entry#*:}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      echo "stopped $name (pid $pid)"
    fi
  done
  CANDOR_PIDS=()
}

# Provisions a swtpm state directory with EK certificates from a private CA
# kept in $1/ca (created on first use), banks sha1+sha256 (notes/tpm.md §1).
candor_swtpm_provision() {  # cadir statedir logfile
  local ca=$1 state=$2 log=$3
  mkdir -p "$ca/ca" "$state" "$state.ekcerts"
  cat >"$ca/swtpm-localca.conf" <<CONF
statedir = $ca/ca
signingkey = $ca/ca/signkey.pem
issuercert = $ca/ca/issuercert.pem
certserial = $ca/ca/certserial
CONF
  printf -- '--platform-manufacturer Candor\n--platform-version 2.1\n--platform-model swtpm\n' \
    >"$ca/swtpm-localca.options"
  cat >"$ca/swtpm_setup.conf" <<CONF
create_certs_tool = /usr/bin/swtpm_localca
create_certs_tool_config = $ca/swtpm-localca.conf
create_certs_tool_options = $ca/swtpm-localca.options
CONF
  swtpm_setup --tpm2 --tpmstate "$state" --config "$ca/swtpm_setup.conf" \
    --create-ek-cert --create-platform-cert --pcr-banks sha1,sha256 \
    --write-ek-cert-files "$state.ekcerts" --not-overwrite >"$log" 2>&1 \
    || candor_die "swtpm_setup failed; see $log"
}
