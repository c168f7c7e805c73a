// The commands of `pickverify`. Each returns the process exit code and writes only to the streams
// it is given, so tests run them in-process.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/store.hpp>

#include "config.hpp"

namespace pickverify::app {

struct Context {
  Config config;
  std::filesystem::path data_dir;
  std::string scale; // run --scale: "" none, "virtual", "mt-sics:TTY[@BAUD]", "usb:VID:PID"
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

// Opens <data_dir>/pickverify.db, creating the folder; loads the demo catalog and orders into an
// empty database when seed_demo is set.
Result<std::unique_ptr<Store>> open_store(const Context& context, bool seed_demo);
Result<void> seed_demo_data(Store& store, std::ostream& out);

int cmd_run(const Context& context, std::istream& in, bool interactive);
int cmd_demo(const Context& context);

enum class ImportKind { catalog, orders };
int cmd_import(const Context& context, ImportKind kind, const std::filesystem::path& file, const std::string& format);

int cmd_audit_verify(const Context& context);
struct ExportOptions {
  std::string format = "jsonl";
  std::string from;
  std::string to;
  std::string order;
  std::string station;
  std::string output; // "" or "-" = standard output
};
int cmd_audit_export(const Context& context, const ExportOptions& options);

int cmd_orders_list(const Context& context);

// "2025-11-26", "2025-11-26T10:15:00Z", "2025-11-26T10:15:00.250Z" or epoch milliseconds → UTC ms.
Result<std::int64_t> parse_time_arg(const std::string& text);

} // namespace pickverify::app
