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
#include <pickverify/users.hpp>

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
// Creates the data folder; with announce_new, says on the error stream when it holds no database
// yet (a mistyped --data-dir would otherwise look like an empty warehouse).
Result<void> prepare_data_dir(const Context& context, bool announce_new);
// announce_new: say on the error stream when the database did not exist (a mistyped --data-dir).
Result<std::unique_ptr<Store>> open_store(const Context& context, bool seed_demo, bool announce_new = true);
Result<void> seed_demo_data(Store& store, std::ostream& out);

int cmd_run(const Context& context, std::istream& in, bool interactive);
int cmd_demo(const Context& context);

enum class ImportKind { catalog, orders };
int cmd_import(const Context& context, ImportKind kind, const std::filesystem::path& file, const std::string& format);

// audit verify [--anchor FILE]… [--public-key FILE]…: read-only; exit 0 when everything holds, 3
// naming each problem.
struct AuditVerifyOptions {
  std::vector<std::string> anchors;
  std::vector<std::string> public_keys;
};
int cmd_audit_verify(const Context& context, const AuditVerifyOptions& options = {});
// audit anchor [-o FILE]: journals a signed checkpoint of the head now and writes it out.
int cmd_audit_anchor(const Context& context, const std::string& output);
// The station's signing key file: the configured one, else <data_dir>/keys/<station>.key.
// The station's signing key file: key_file from the configuration, else <data_dir>/keys/<station>.key.
std::filesystem::path station_key_path(const Context& context);
std::filesystem::path station_key_path(const Context& context, const std::string& station);
struct ExportOptions {
  std::string format = "jsonl";
  std::string from;
  std::string to;
  std::string order;
  std::string station;
  std::string output; // "" or "-" = standard output
};
int cmd_audit_export(const Context& context, const ExportOptions& options);

// audit find --serial S: every journal row naming the serial and where it was packed (read-only);
// exit 0 when something was found, 1 when nothing was.
int cmd_audit_find(const Context& context, const std::string& serial);

// evidence ORDER -o DIR: the order's evidence pack (docs/EVIDENCE.md); evidence verify DIR
// [--public-key K]…: checks a pack without the database, exit 0 when it holds, 3 naming each problem.
int cmd_evidence(const Context& context, const std::string& order_id, const std::string& output);
int cmd_evidence_verify(const Context& context, const std::string& folder, const std::vector<std::string>& public_keys);

int cmd_orders_list(const Context& context);

// `pickverify user add|passwd|disable|enable|list` (user_commands.cpp).
struct UserCommand {
  std::string action; // add, passwd, disable, enable, list
  std::string id;
  std::string role = "picker";
  std::string name;
  std::string as; // the admin (or, for passwd, the user) who authorises the change
};
int cmd_user(const Context& context, std::istream& in, const UserCommand& command);
Result<std::unique_ptr<UserStore>> open_users(const Context& context);

// "2025-11-26", "2025-11-26T10:15:00Z", "2025-11-26T10:15:00.250Z" or epoch milliseconds → UTC ms.
Result<std::int64_t> parse_time_arg(const std::string& text);

} // namespace pickverify::app
