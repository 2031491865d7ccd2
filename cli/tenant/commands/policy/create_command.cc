// `tenant policy create`: a Keylime runtime policy from a directory tree or
// an IMA log (see policy_commands.h).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/tenant/commands/policy/subcommands.h"
#include "lib/ima/hash_algo.h"
#include "lib/policy/runtime/excludes.h"
#include "lib/policy/runtime/policy_builder.h"
#include "lib/policy/runtime/tree_hasher.h"

namespace candor::tenant {
namespace {

struct CreateOptions {
  std::string dir;
  std::string ima_log;
  std::vector<std::string> excludes;
  std::string algo;
  bool cross_filesystems = false;
};

void PrintWarnings(const policy::CreateStats& stats) {
  for (const std::string& w : stats.warnings) {
    std::cerr << "tenant: warning: " << w << "\n";
  }
}

absl::Status RunCreate(const CreateOptions& o, const CommandContext& ctx) {
  absl::StatusOr<policy::ExcludeList> excludes =
      policy::ExcludeList::Create(o.excludes);
  if (!excludes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--exclude: ", excludes.status().message()));
  }
  policy::PolicyBuilder builder;
  builder.SetExcludes(o.excludes);
  policy::CreateStats stats;
  std::string source;
  if (!o.ima_log.empty()) {
    source = o.ima_log;
    absl::StatusOr<std::string> log = ReadInputFile("--ima-log", o.ima_log);
    if (!log.ok()) return log.status();
    absl::Status s = policy::AddImaLog(*log, *excludes, &builder, &stats);
    if (!s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat("--ima-log ", o.ima_log, ": ", s.message()));
    }
  } else {
    source = o.dir;
    policy::TreeOptions t;
    t.root = o.dir;
    t.algo = ima::HashAlgoFromName(o.algo.empty() ? "sha256" : o.algo);
    t.excludes = &*excludes;
    t.cross_filesystems = o.cross_filesystems;
    const bool tty = isatty(STDERR_FILENO) == 1;
    if (tty) {
      t.progress = [](uint64_t files, uint64_t total, uint64_t bytes) {
        std::cerr << absl::StrFormat("\rtenant: hashing %d/%d files, %.1f MiB",
                                     files, total, bytes / 1048576.0)
                  << std::flush;
      };
    }
    absl::Status s = policy::AddDirectoryTree(t, &builder, &stats);
    if (tty) std::cerr << "\r\033[K" << std::flush;
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("--dir ", o.dir, ": ", s.message()));
    }
  }
  PrintWarnings(stats);
  std::cerr << absl::StrFormat(
      "tenant: policy from %s: %d paths, %d keyrings, %d ima-buf names "
      "(%d entries, %d excluded, %d skipped: name not UTF-8, %d unreadable)\n",
      source, builder.paths(), builder.keyrings(), builder.ima_bufs(),
      stats.entries, stats.excluded, stats.skipped_non_utf8, stats.unreadable);
  return ctx.MakeOutput().EmitText(builder.ToJson(absl::Now()));
}

}  // namespace

void RegisterPolicyCreate(CLI::App* group, CommandRegistry& registry) {
  auto o = std::make_shared<CreateOptions>();
  CLI::App* sub = group->add_subcommand(
      "create",
      "Write a Keylime runtime policy (JSON, meta.version 1) for the files "
      "under a directory or the entries of an IMA log. The JSON is the "
      "output whatever -o says; use --out FILE to write it atomically");
  CLI::Option_group* source =
      sub->add_option_group("source", "exactly one of --dir and --ima-log");
  CLI::Option* dir = source->add_option(
      "--dir", o->dir,
      "Hash every regular file under PATH, recorded as the absolute path it "
      "has when PATH is mounted as / (PATH/usr/bin/ls -> /usr/bin/ls); "
      "symlinks are not followed, other filesystems not entered");
  source->add_option(
      "--ima-log", o->ima_log,
      "Take every entry of an ascii_runtime_measurements FILE (boot_aggregate "
      "included; ima-buf keys become keyrings)");
  source->require_option(1);
  sub->add_option("--exclude", o->excludes,
                  "RE2 regex of paths to leave out; also written to the "
                  "policy's excludes (repeatable)");
  sub->add_option("--algo", o->algo,
                  "Digest algorithm for --dir (default sha256)")
      ->check(CLI::IsMember({"sha1", "sha256", "sha384", "sha512"}))
      ->needs(dir);
  sub->add_flag("--cross-filesystems", o->cross_filesystems,
                "With --dir, also enter directories on other filesystems");
  registry.Bind(sub,
                [o](const CommandContext& ctx) { return RunCreate(*o, ctx); });
}

}  // namespace candor::tenant
