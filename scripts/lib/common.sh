# Shell helpers shared by scripts/demo (sourced, not run).
# Everything started is recorded and stopped by candor_stop_all (trap EXIT).

CANDOR_PIDS=()

candor_log() { printf '\033[1m== %s\033[0m\n' "$*"; }
candor_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# True when no socket uses TCP port $1 (listening, or as the local end of a
# connection: a port the kernel gave to an outgoing connection cannot be
# bound either).
candor_port_unused() {
  if command -v ss >/dev/null 2>&1; then
    [[ -z $(ss -Htan "( sport = :$1 )" 2>/dev/null) ]]
  else
    ! (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null
  fi
}

# A loopback port nothing uses and not handed out before by this script (its
# server may not listen yet), from $1 upwards (and $1+1 too when $2 is
# "pair"). Callers pick bases below 32768, outside Linux's ephemeral range.
# Prints the port and records it in $CANDOR_PORTS_FILE.
CANDOR_PORTS_FILE=$(mktemp /tmp/candor-ports.XXXXXX)
candor_port_taken() { grep -qx "$1" "$CANDOR_PORTS_FILE" || ! candor_port_unused "$1"; }
candor_free_port() {
  local p=$1
  while :; do
    if ! candor_port_taken "$p"; then
      if [[ "${2:-}" != pair ]] || ! candor_port_taken $((p+1)); then
        echo "$p" >> "$CANDOR_PORTS_FILE"
        [[ "${2:-}" == pair ]] && echo $((p+1)) >> "$CANDOR_PORTS_FILE"
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
  rm -f "$CANDOR_PORTS_FILE"
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

# A private PostgreSQL 15 cluster in $1 (data, socket, logs) on 127.0.0.1:$2,
# the server a background child of this script; prints nothing. Databases are
# made with candor_pg_createdb.
candor_pg_start() {  # dir port
  local dir=$1 port=$2 bindir=${CANDOR_PG_BINDIR:-/usr/lib/postgresql/15/bin}
  local as=()
  [[ -x "$bindir/initdb" ]] || candor_die "PostgreSQL not found in $bindir (scripts/setup installs postgresql-15)"
  mkdir -p "$dir"
  if [[ $(id -u) == 0 ]]; then
    chown -R postgres:postgres "$dir"
    as=(setpriv --reuid=postgres --regid=postgres --init-groups --)  # execs: no extra process
  fi
  "${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
    --no-sync --locale=C >"$dir/initdb.log" 2>&1 || candor_die "initdb failed; see $dir/initdb.log"
  candor_spawn postgres "$dir/postgres.log" "${as[@]}" "$bindir/postgres" -D "$dir/data" \
    -p "$port" -k "$dir" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off
  candor_wait_port "$port" "${CANDOR_PIDS[-1]%%:*}" postgres
  local i
  for i in $(seq 1 200); do  # accepting TCP is not yet accepting queries
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.05
  done
  candor_die "PostgreSQL did not become ready; see $dir/postgres.log"
}

candor_pg_createdb() {  # port name
  "${CANDOR_PG_BINDIR:-/usr/lib/postgresql/15/bin}/createdb" -h 127.0.0.1 -p "$1" -U postgres "$2"
}

# Polls `cmd...` (bounded, 60 s) until it succeeds.
candor_wait_for() {  # what cmd...
  local what=$1 i; shift
  for i in $(seq 1 600); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  candor_die "timed out waiting for $what"
}
