"""Compiler options for Candor's own code (not generated code, not system headers)."""

CANDOR_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",  # gRPC service overrides name parameters they do not use
]
