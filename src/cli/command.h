// The subcommand table and what every subcommand shares: error reporting and exit codes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "report/model.h"
#include "transport/registry_options.h"
#include "util/result.h"

namespace pith::cli {

// Exit codes (ARCHITECTURE.md): 0 ok, 1 a check failed, 2 usage or input error.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_check_failed = 1;
inline constexpr int k_exit_error = 2;

using Runner = std::function<int()>;

struct Command {
  const char* name;
  const char* summary;
  // Adds the subcommand's options to `app`; returns what runs it once they are parsed.
  Runner (*setup)(CLI::App& app);
};

const std::vector<Command>& commands();

Runner setup_build(CLI::App& app);
Runner setup_copy(CLI::App& app);
Runner setup_ls(CLI::App& app);
Runner setup_inspect(CLI::App& app);
Runner setup_compare(CLI::App& app);
Runner setup_lint(CLI::App& app);
Runner setup_report(CLI::App& app);
Runner setup_login(CLI::App& app);
Runner setup_logout(CLI::App& app);
Runner setup_referrers(CLI::App& app);
Runner setup_attach(CLI::App& app);
Runner setup_sbom(CLI::App& app);
Runner setup_slim(CLI::App& app);
Runner setup_fleet(CLI::App& app);

// Opens, resolves and measures one image (shared by inspect and compare).
Result<report::InspectReport> inspect_image(const std::string& image, const std::string& platform,
                                            const transport::RegistryOptions& registry = {});

// Prints "pith: error: <message>" on stderr (the word "error" in red on a terminal) and
// returns k_exit_error. Messages quote paths, references and keys from images: they are
// escaped (util/escape.h), so the line stays one line and nothing reaches the terminal as a
// control sequence.
int report(const Error& error);
// Prints "pith: <kind>: <message>" on stderr, escaped as report() does ("warning", "gate failed").
void note(const char* kind, const std::string& message);

}  // namespace pith::cli
