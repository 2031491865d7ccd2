#include "services/verifier/store/verifier_migrations.h"

#include <vector>

#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

// Migration 1: named, versioned, content-addressed policies (PgPolicyStore).
const char kSchemaV1[] = R"sql(
-- Policy contents, content-addressed: one row per distinct SHA-256, however
-- many names and versions use it; removed with its last reference.
CREATE TABLE policy_contents (
  sha256 bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
  -- candor.v1.PolicyKind of the version that first stored it (informational:
  -- policies.kind is authoritative; equal bytes may serve both kinds).
  kind smallint NOT NULL CHECK (kind IN (1, 2)),
  content bytea NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Named, versioned policies. Versions of a name are 1, 2, 3, …; DeletePolicy
-- removes every row of a name in one transaction.
CREATE TABLE policies (
  name text COLLATE "C" NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,128}$'),
  version integer NOT NULL CHECK (version >= 1),
  -- candor.v1.PolicyKind: 1 RUNTIME, 2 BOOT; fixed at creation.
  kind smallint NOT NULL CHECK (kind IN (1, 2)),
  sha256 bytea NOT NULL REFERENCES policy_contents (sha256),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);
CREATE INDEX policies_sha256 ON policies (sha256);
CREATE INDEX policies_kind_name ON policies (kind, name);
)sql";

// Migration 2: agents, leases, replicas and the event stream (PgAgentStore).
const char kSchemaV2[] = R"sql(
-- Agents (agent_store.h AgentRecord). `config` is the candor.v1.Agent
-- serialized (configuration and status, owner_replica_id cleared); the
-- columns beside it are copies kept for filters and indexes.
CREATE TABLE agents (
  agent_id text COLLATE "C" PRIMARY KEY CHECK (agent_id <> ''),
  -- candor.v1.OperationalState.
  state smallint NOT NULL CHECK (state BETWEEN 0 AND 5),
  -- Bumped by every admin write; cycles commit only at the generation they
  -- started from.
  generation bigint NOT NULL CHECK (generation >= 1),
  config bytea NOT NULL,
  -- candor.v1.AgentIdentity serialized; never changes.
  identity bytea NOT NULL,
  -- candor.internal.v1.AgentAttestationState serialized.
  attest_state bytea NOT NULL,
  -- The V share sealed by the service (never plaintext); empty = none.
  sealed_v_share bytea NOT NULL,
  runtime_policy text COLLATE "C" NOT NULL,
  runtime_policy_version integer NOT NULL CHECK (runtime_policy_version >= 0),
  boot_policy text COLLATE "C" NOT NULL,
  boot_policy_version integer NOT NULL CHECK (boot_policy_version >= 0),
  -- The lease: NULL / -infinity when nobody holds it. A lease whose expiry
  -- is past (server time) may be claimed by any replica.
  owner_replica text,
  lease_expires_at timestamptz NOT NULL DEFAULT '-infinity',
  added_at timestamptz NOT NULL,
  CHECK ((owner_replica IS NULL) = (lease_expires_at = '-infinity'))
);
CREATE INDEX agents_state ON agents (state, agent_id);
CREATE INDEX agents_runtime_policy ON agents (runtime_policy,
  runtime_policy_version) WHERE runtime_policy <> '';
CREATE INDEX agents_boot_policy ON agents (boot_policy, boot_policy_version)
  WHERE boot_policy <> '';
CREATE INDEX agents_owner ON agents (owner_replica)
  WHERE owner_replica IS NOT NULL;
CREATE INDEX agents_lease_expires_at ON agents (lease_expires_at);
-- Verifier replicas and their heartbeats.
CREATE TABLE replicas (
  replica_id text COLLATE "C" PRIMARY KEY CHECK (replica_id <> ''),
  address text NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
-- The fleet's event stream. Positions are assigned under a transaction-
-- scoped advisory lock held until commit, so position order is commit order.
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  agent_id text COLLATE "C" NOT NULL,
  -- candor.v1.EventKind.
  kind smallint NOT NULL,
  -- candor.v1.AttestationEvent serialized, without its cursor.
  event bytea NOT NULL,
  -- candor.internal.v1.CycleEvidence serialized; NULL = none kept.
  evidence bytea
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_agent ON events (agent_id, position);
-- The highest position ever trimmed (0 = none): resuming below it is
-- OUT_OF_RANGE.
CREATE TABLE events_trimmed (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  through bigint NOT NULL CHECK (through >= 0)
);
INSERT INTO events_trimmed (id, through) VALUES (true, 0);
)sql";

}  // namespace

const std::vector<pg::Migration>& VerifierMigrations() {
  static const auto* const m = new std::vector<pg::Migration>{
      {1, "create_policies", kSchemaV1},
      {2, "create_agents_replicas_events", kSchemaV2},
  };
  return *m;
}

absl::Status ApplyVerifierMigrations(pg::PgPool& pool) {
  ABSL_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool.Acquire());
  return pg::ApplyMigrations(*conn, "verifier", VerifierMigrations()).status();
}

}  // namespace candor::verifier
