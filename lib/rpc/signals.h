// File: lib/rpc/signals.h
//
// Graceful stop for daemons: BlockTerminationSignals() at the top of main()
// (before any thread starts, so every thread inherits the mask), then, once
// the server runs, WaitForTerminationSignal() blocks the main thread in
// sigwait() until SIGINT or SIGTERM arrives, and main shuts the server down.
#ifndef CANDOR_LIB_RPC_SIGNALS_H_
#define CANDOR_LIB_RPC_SIGNALS_H_

namespace candor::rpc {

void BlockTerminationSignals();

// Returns the signal number received (SIGINT or SIGTERM).
int WaitForTerminationSignal();

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_SIGNALS_H_
