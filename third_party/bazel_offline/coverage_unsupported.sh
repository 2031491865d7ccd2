#!/bin/sh
echo "coverage is not available offline (see bazel/README.md)" >&2
exit 1
