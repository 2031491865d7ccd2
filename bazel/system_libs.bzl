"""A repository rule that turns pkg-config modules into cc_library targets.

Each entry of `modules` becomes `@<name>//:<key>`: a cc_library with the module's
link flags (deduplicated, order kept) and its -D defines. Headers are not declared:
/usr/include is a built-in include directory of the autoconfigured gcc toolchain,
so code includes them as <tss2/tss2_esys.h>, <pqxx/pqxx>, ... Runs offline.
"""

def _dedupe(flags):
    seen = {}
    out = []
    for f in flags:
        if f and f not in seen:
            seen[f] = True
            out.append(f)
    return out

def _pkg_config(rctx, what, mods):
    res = rctx.execute(["pkg-config", what] + mods)
    if res.return_code != 0:
        fail("pkg-config %s %s failed (install the -dev package; scripts/setup does): %s" %
             (what, " ".join(mods), res.stderr))
    return res.stdout.strip().split(" ")

def _impl(rctx):
    lines = ['package(default_visibility = ["//visibility:public"])', ""]
    for name, mods in sorted(rctx.attr.modules.items()):
        # Extra libraries go first: they depend on the pkg-config ones.
        libs = _dedupe(rctx.attr.extra_libs.get(name, []) + _pkg_config(rctx, "--libs", mods))
        cflags = _pkg_config(rctx, "--cflags", mods)
        defines = _dedupe([f[2:] for f in cflags if f.startswith("-D")])
        lines.append("cc_library(")
        lines.append("    name = %r," % name)
        lines.append("    defines = %r," % defines)
        lines.append("    linkopts = %r," % libs)
        lines.append(")")
        lines.append("")
    rctx.file("BUILD.bazel", "\n".join(lines))
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)

pkg_config_repository = repository_rule(
    implementation = _impl,
    attrs = {
        "modules": attr.string_list_dict(mandatory = True),
        "extra_libs": attr.string_list_dict(),
    },
    local = True,
    environ = ["PKG_CONFIG_PATH"],
)
