# The packages of Candor, for Bazel instances other than the main one: they
# must not use //..., which would walk into the main instance's bazel-<dir>
# convenience symlink. Keep in sync with the top-level layout.
CANDOR_PATTERNS=(//bazel/... //cli/... //lib/... //protos/... //services/... //tests/... //tools/...)
