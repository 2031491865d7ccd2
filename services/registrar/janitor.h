// File: services/registrar/janitor.h
//
// Runs a housekeeping function (Enrollment::PurgeExpired) on a background
// thread every `interval` until destroyed; the destructor wakes the thread
// and joins it. Errors of the function are logged and do not stop the loop.
// Not copyable; start and destroy it from one thread.
#ifndef CANDOR_SERVICES_REGISTRAR_JANITOR_H_
#define CANDOR_SERVICES_REGISTRAR_JANITOR_H_

#include <spdlog/spdlog.h>

#include <cstddef>
#include <functional>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "lib/log/log.h"

namespace candor::registrar {

class Janitor {
 public:
  Janitor(absl::Duration interval, std::function<absl::StatusOr<size_t>()> fn)
      : thread_([this, interval, fn = std::move(fn)] {
          while (!stop_.WaitForNotificationWithTimeout(interval)) {
            absl::StatusOr<size_t> n = fn();
            if (!n.ok()) {
              spdlog::warn("registrar: purging expired challenges: {}",
                           n.status());
            } else if (*n > 0) {
              spdlog::info("registrar: purged {} expired challenges", *n);
            }
          }
        }) {}
  ~Janitor() {
    stop_.Notify();
    thread_.join();
  }
  Janitor(const Janitor&) = delete;
  Janitor& operator=(const Janitor&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;  // declared last: starts after stop_ exists
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_JANITOR_H_
