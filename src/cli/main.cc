// pith's entry point: parse the command line, run one subcommand, map failures to exit codes.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <exception>

#include "cli/command.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/huge_pages.h"

namespace pith::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> k_commands = {
      {"attach", "Attach a file to an image in a registry as an OCI 1.1 referrer", setup_attach},
      {"build", "Build the distroless image of a program: its ELF closure and base files",
       setup_build},
      {"copy", "Copy an image between transports (oci, oci-archive, docker-archive, dir)",
       setup_copy},
      {"compare", "Several images side by side: size, packages, files, shells, user",
       setup_compare},
      {"fleet", "Inventory whole registries with many workers sharing one PostgreSQL database",
       setup_fleet},
      {"inspect", "Measure an image: size, layers, files, packages, waste, attack surface",
       setup_inspect},
      {"lint", "Will this image start and do its job? Run-time, attack-surface, hygiene rules",
       setup_lint},
      {"login", "Store credentials for a registry (checked first) in auth.json", setup_login},
      {"logout", "Remove a registry's credentials from auth.json", setup_logout},
      {"ls", "List an image's files (layers squashed, or one layer) like tar -tv", setup_ls},
      {"referrers", "List the referrers (SBOMs, signatures) of an image in a registry",
       setup_referrers},
      {"report", "One self-contained HTML page: sizes, file-system treemap, layers, packages, lint",
       setup_report},
      {"sbom", "The image's SBOM: SPDX 2.3 or CycloneDX 1.6 JSON, licences, files, dependencies",
       setup_sbom},
      {"slim", "Make an existing image distroless: what its command needs, proven statically",
       setup_slim},
  };
  return k_commands;
}

void note(const char* kind, const std::string& message) {
  std::fprintf(stderr, "pith: %s: %s\n", kind, escape_text(message).c_str());
}

int report(const Error& error) {
  bool colour = ::isatty(STDERR_FILENO) != 0;
  std::fprintf(stderr, "pith: %serror:%s %s\n", colour ? "\033[1;31m" : "", colour ? "\033[0m" : "",
               escape_text(error.message).c_str());
  return k_exit_error;
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "pith inspcet" -> "did you mean 'inspect'?"
int unknown_command(const std::string& name) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& c : commands()) {
    size_t d = edit_distance(name, c.name);
    if (d < best_distance) {
      best_distance = d;
      best = c.name;
    }
  }
  std::string msg = "unknown command '" + name + "'";
  if (!best.empty()) msg += "; did you mean '" + best + "'?";
  return report(Error{msg + " (see pith --help)"});
}

int run(int argc, char** argv) {
  CLI::App app{"pith: distroless container images, built and measured"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pith 0.1.0");
  // Only the command named gets its options: setting up all fourteen (~500 options) was a
  // third of every pith process's own start-up. `pith --help` lists them by summary.
  const char* named = argc >= 2 && argv[1][0] != '-' ? argv[1] : nullptr;
  if (named) {
    bool known = false;
    for (const auto& c : commands()) known = known || named == std::string(c.name);
    if (!known) return unknown_command(named);
  }
  std::vector<std::pair<CLI::App*, Runner>> subs;
  for (const auto& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    if (named && named == std::string(c.name)) subs.emplace_back(sub, c.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(Error{e.what()});
  }
  for (auto& [sub, runner] : subs)
    if (sub->parsed()) return runner();
  return report(Error{"no command given (see pith --help)"});
}

}  // namespace
}  // namespace pith::cli

int main(int argc, char** argv) {
  // Memory freed stays with the process for its next allocation, instead of going back to the
  // kernel at each free of a large block (glibc's default above 128 KiB): a page touched for
  // the first time costs a fault and a zeroing, ~10 us each on a VM, and a small build
  // allocates and frees its megabyte buffers again and again (2,700 faults, a third of its
  // time). 32 MiB is glibc's largest mmap threshold; the peak is what it would have been.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // The main thread's allocations on huge pages (util/huge_pages.h): 30 MiB of heap made at
  // once, in address space only (a page is memory once touched): a build's main thread reads
  // and parses a few megabytes of package databases.
  pith::prepare_heap_in_huge_pages(30 << 20);
  pith::install_cleanup_on_signals();
  pith::set_cleanup_reporter(
      [](const std::string& message) { pith::cli::note("warning", message); });
  try {
    return pith::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // Exceptions are bugs or resource exhaustion (bad_alloc), never expected input errors.
    return pith::cli::report(pith::Error{std::string("internal error: ") + e.what()});
  }
}
