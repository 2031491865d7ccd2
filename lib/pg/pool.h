// File: lib/pg/pool.h
//
// A fixed-size pool of PostgreSQL connections (lib/pg Connection is not
// thread-safe; gRPC's sync server calls the store from many threads). All
// connections are opened by Create, so a service that cannot reach its
// database fails at start. Acquire() blocks until a connection is free, at
// most `timeout`, then answers UNAVAILABLE. A connection that lost its
// server reconnects on its next use (lib/pg).
//
// Thread-safe. The pool must outlive every Lease.
#ifndef CANDOR_LIB_PG_POOL_H_
#define CANDOR_LIB_PG_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/pg/connection.h"

namespace candor::pg {

class PgPool {
 public:
  // Opens `size` (>= 1) connections. UNAVAILABLE (lib/pg's message, without
  // secrets) if the server cannot be reached; INVALID_ARGUMENT for size 0.
  static absl::StatusOr<std::unique_ptr<PgPool>> Create(
      const std::string& conninfo, size_t size);

  // A borrowed connection, returned to the pool on destruction. Move-only.
  class Lease {
   public:
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(o.conn_) {
      o.pool_ = nullptr;
      o.conn_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(conn_);
    }
    Connection* operator->() const { return conn_; }
    Connection& operator*() const { return *conn_; }

   private:
    friend class PgPool;
    Lease(PgPool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    PgPool* pool_;
    Connection* conn_;
  };

  absl::StatusOr<Lease> Acquire(absl::Duration timeout = absl::Seconds(10));

  size_t size() const { return all_.size(); }
  const std::string& description() const { return description_; }

 private:
  PgPool(std::vector<std::unique_ptr<Connection>> all,
         std::string description);
  void Release(Connection* conn);

  const std::vector<std::unique_ptr<Connection>> all_;
  const std::string description_;
  absl::Mutex mu_;
  std::vector<Connection*> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::pg

#endif  // CANDOR_LIB_PG_POOL_H_
