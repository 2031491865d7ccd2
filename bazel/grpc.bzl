"""cc_grpc_library: C++ protobuf and gRPC code from the system protoc and grpc_cpp_plugin.

Bazel 4's native proto_library needs @com_google_protobuf, which cannot be fetched
offline, so a genrule runs /usr/bin/protoc directly. The proto root is `protos/`:
files import "candor/v1/common.proto" and C++ includes "candor/v1/agent.grpc.pb.h".
`deps` are other cc_grpc_library targets (full labels). `mock = True` also emits
<name>_mock.grpc.pb.h with gmock stubs (MockFooServiceStub).
"""

PROTO_ROOT = "protos"

def cc_grpc_library(name, srcs, deps = [], grpc = True, mock = False, visibility = None, **kwargs):
    pkg = native.package_name()
    if not pkg.startswith(PROTO_ROOT + "/"):
        fail("cc_grpc_library must be used under %s/" % PROTO_ROOT)
    native.filegroup(
        name = name + "_protos",
        srcs = srcs + [d + "_protos" for d in deps],
        visibility = visibility,
    )
    bases = [s[:-len(".proto")] for s in srcs]
    hdrs = [b + ".pb.h" for b in bases]
    ccs = [b + ".pb.cc" for b in bases]
    cmd = "/usr/bin/protoc -I%s -I/usr/include --cpp_out=$(GENDIR)/%s" % (PROTO_ROOT, PROTO_ROOT)
    if grpc:
        hdrs += [b + ".grpc.pb.h" for b in bases]
        ccs += [b + ".grpc.pb.cc" for b in bases]
        if mock:
            hdrs += [b + "_mock.grpc.pb.h" for b in bases]
        cmd += " --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=%s$(GENDIR)/%s" % (
            "generate_mock_code=true:" if mock else "",
            PROTO_ROOT,
        )
    cmd += " " + " ".join([pkg + "/" + s for s in srcs])
    native.genrule(
        name = name + "_gen",
        srcs = [":" + name + "_protos"],
        outs = hdrs + ccs,
        cmd = cmd,
        message = "protoc " + " ".join(srcs),
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        strip_include_prefix = "/" + PROTO_ROOT,
        deps = deps + ["@system//:protobuf"] + (["@system//:grpc++"] if grpc else []),
        visibility = visibility,
        **kwargs
    )
