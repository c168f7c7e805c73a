#include "commands.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include <pickverify/device_profile.hpp>
#include <pickverify/evidence.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/journal_audit.hpp>
#include <pickverify/journal_export.hpp>
#include <pickverify/scale.hpp>
#include <pickverify/sha256.hpp>
#include <pickverify/station.hpp>

#include "demo_data.hpp"
#include "evidence_pack.hpp"
#include "hands_free_input.hpp"
#include "image_check_provider.hpp"
#include "importer.hpp"
#include "secret_input.hpp"
#include "station_controller.hpp"
#include "station_heartbeat.hpp"
#include "station_scanners.hpp"
#include "terminal.hpp"

namespace pickverify::app {

Result<void> seed_demo_data(Store& store, std::ostream& out)
{
  Catalog catalog;
  PV_TRY_ASSIGN(auto items, import_catalog(demo_catalog_json(), FileFormat::json, "demo/catalog.json", catalog));
  PV_TRY_ASSIGN(auto orders, import_orders(demo_orders_json(), FileFormat::json, "demo/orders.json", catalog));
  PV_TRY(store.save_catalog(catalog));
  PV_TRY(store.save_orders(orders));
  out << fmt::format("Loaded the demo catalog ({} items and kits) and {} demo orders. "
                     "Import your own with `pickverify import catalog|orders FILE`.\n",
                     items, orders.size());
  return {};
}

Result<void> prepare_data_dir(const Context& context, bool announce_new)
{
  std::error_code ec;
  const bool is_new = !std::filesystem::exists(context.data_dir / "pickverify.db", ec);
  std::filesystem::create_directories(context.data_dir, ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("data folder {}: {}", context.data_dir.string(), ec.message()));
  }
  // With PostgreSQL the warehouse is in the database; the folder holds keys and evidence only.
  if (is_new && announce_new && context.config.store.empty()) {
    // A mistyped --data-dir would otherwise look like an empty warehouse.
    *context.err << fmt::format("pickverify: new, empty data folder {} (no database was there); if you meant an "
                                "existing one, check --data-dir or PICKVERIFY_DATA_DIR\n",
                                terminal_safe(context.data_dir.string()));
  }
  return {};
}

Result<std::unique_ptr<Store>> open_store(const Context& context, bool seed_demo, bool announce_new)
{
  const bool postgres = !context.config.store.empty();
  // The data folder holds keys and evidence files with either store.
  PV_TRY(prepare_data_dir(context, announce_new));
  PV_TRY_ASSIGN(auto store, postgres ? open_postgres_store(context.config.store)
                                     : open_sqlite_store(context.data_dir / "pickverify.db"));
  if (seed_demo) {
    PV_TRY_ASSIGN(auto catalog, store->load_catalog());
    PV_TRY_ASSIGN(auto orders, store->list_orders());
    if (catalog.items().empty() && orders.empty()) {
      if (auto seeded = seed_demo_data(*store, *context.out); !seeded) {
        return tl::unexpected(seeded.error().with_context("demo data"));
      }
    }
  }
  return store;
}

namespace {

int fail(const Context& context, const Error& error)
{
  *context.err << "pickverify: " << terminal_safe(error.message) << "\n";
  return error.type == ErrorType::invalid_input ? 2 : 1;
}

std::vector<std::string> words_of(const std::string& line, std::size_t max_words)
{
  // Splits into at most max_words words; the last keeps the rest of the line (a free-text note).
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (pos < line.size() && words.size() + 1 < max_words) {
    while (pos < line.size() && line[pos] == ' ')
      ++pos;
    if (pos >= line.size())
      break;
    const auto end = line.find(' ', pos);
    words.push_back(line.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end == std::string::npos ? line.size() : end;
  }
  while (pos < line.size() && line[pos] == ' ')
    ++pos;
  if (pos < line.size()) {
    words.push_back(line.substr(pos));
  }
  return words;
}

// The configured operator signs in with their PIN when they are a registered user (true); an id
// that is not a user is journaled as typed (false). A wrong PIN stops the run and is journaled.
Result<bool> sign_in_operator(const Context& context, std::istream& in, UserStore& users, Station& station)
{
  PV_TRY_ASSIGN(auto user, users.find_user(context.config.operator_id));
  if (!user) {
    return false;
  }
  PV_TRY_ASSIGN(auto secret,
                read_secret(in, *context.out, fmt::format("PIN for {}: ", terminal_safe(context.config.operator_id))));
  auto who = users.authenticate(context.config.operator_id, secret);
  if (!who) {
    (void)station.record_refusal("sign_in", context.config.operator_id, who.error().message);
    return make_error(ErrorType::conflict, who.error().message);
  }
  if (!role_may(who->role, Permission::pack)) {
    (void)station.record_refusal("sign_in", who->id, "a " + std::string(to_string(who->role)) + " does not pack");
    return make_error(
        ErrorType::conflict,
        fmt::format("{} is a {}: only pickers, supervisors and admins work a station", who->id, to_string(who->role)));
  }
  return true;
}

// Asks for the supervisor's PIN and checks it and the role; a refusal is journaled and shown.
template <typename Show>
bool check_supervisor(const Context& context, std::istream& in, UserStore& users, Station& station, Show& show,
                      const std::string& id, const std::string& action, Permission permission)
{
  auto secret = read_secret(in, *context.out, fmt::format("PIN for {}: ", terminal_safe(id)));
  if (!secret) {
    show(station.record_refusal(action, id, secret.error().message));
    return false;
  }
  auto who = users.authenticate(id, *secret);
  if (!who) {
    show(station.record_refusal(action, id, who.error().message));
    return false;
  }
  if (!role_may(who->role, permission)) {
    show(station.record_refusal(action, id,
                                fmt::format("{} is a {}: a supervisor must do this", who->id, to_string(who->role))));
    return false;
  }
  return true;
}

constexpr const char* k_run_help = R"(Scan (or type) an order barcode to start, then scan each item.
Commands:
  pack                               ask to release the pack (refused while anything is wrong or missing)
  photo                              run the image check (high-value orders)
  packed                             the released box is closed
  status                             what is verified, missing and open
  clear ALERT REASON [NOTE]          picker clears an alert the policy allows (e.g. item set aside)
  supervisor ID clear ALERT REASON [NOTE]     supervisor clears an alert (asks for the PIN)
  supervisor ID override ALERT REASON [NOTE]  supervisor counts the scanned item anyway (asks for the PIN)
  supervisor ID takeover ORDER [NOTE]         move an order open at another station here (asks for the PIN)
  abandon REASON                     give up this order at this station
  type CODE                          enter a code by hand (policy decides where that counts)
  weigh GRAMS                        put a box of this weight on the virtual scale (--scale virtual)
  help, quit
)";

constexpr auto k_stable_weight_wait = std::chrono::milliseconds(3000);

Result<std::unique_ptr<Scale>> open_scale(const std::string& spec, const ScaleOptions& options,
                                          VirtualScale*& virtual_scale)
{
  if (spec == "virtual") {
    auto scale = start_virtual_scale(options);
    virtual_scale = scale.get();
    return std::unique_ptr<Scale>(std::move(scale));
  }
  if (spec.rfind("mt-sics:", 0) == 0) {
    std::string tty = spec.substr(8);
    int baud = 9600;
    if (auto at = tty.find('@'); at != std::string::npos) {
      baud = std::atoi(tty.c_str() + at + 1);
      tty.erase(at);
    }
    return open_mt_sics_scale(tty, baud, options);
  }
  if (spec.rfind("usb:", 0) == 0) {
    if (const auto id = parse_usb_id(std::string_view(spec).substr(4))) {
      return start_hid_pos_scale(id->vendor, id->product, options);
    }
  }
  // A profile from devices/scales/: NAME for a USB scale, NAME:TTY for a serial one.
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  PV_TRY_ASSIGN(auto profiles, load_scale_profiles());
  std::string names;
  for (const auto& profile : profiles) {
    names += fmt::format("{}{}", names.empty() ? "" : ", ", profile.name);
    if (profile.name != name) {
      continue;
    }
    if (profile.protocol == ScaleProtocol::hid_pos) {
      if (colon != std::string::npos) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("scale '{}': {} is a USB scale, give its name alone", spec, profile.name));
      }
      return start_hid_pos_scale(profile.usb.vendor, profile.usb.product, options);
    }
    if (colon == std::string::npos || colon + 1 == spec.size()) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("scale '{}': {} is a serial scale, give its line ({}:/dev/ttyUSB0)", spec,
                                    profile.name, profile.name));
    }
    return open_mt_sics_scale(spec.substr(colon + 1), profile.baud, options);
  }
  return make_error(ErrorType::invalid_input,
                    fmt::format("scale '{}' is not virtual, mt-sics:TTY[@BAUD], usb:VID:PID (e.g. usb:0922:8003) or "
                                "a scale profile (devices/scales/: {})",
                                spec, names.empty() ? "none" : names));
}

// A pack station in this terminal: `start` sets it up (store, key, sign-in, scanners, controller, scale,
// hands-free camera) and prints the banner; `loop` reads commands until quit or end of input. Members are
// torn down in reverse order: the device threads stop before the station and the store they feed.
class TerminalStation {
public:
  static Result<std::unique_ptr<TerminalStation>> start(const Context& context, std::istream& in, bool interactive)
  {
    std::unique_ptr<TerminalStation> run(new TerminalStation(context, in, interactive));
    PV_TRY(run->open());
    PV_TRY(run->start_devices());
    return run;
  }

  // The exit status: 1 when a scan could not be journaled, else 0.
  int loop()
  {
    std::string line;
    while (true) {
      m_terminal.prompt(m_station->session() ? std::string(to_string(m_station->session()->state())) : "idle");
      if (!std::getline(m_in, line)) {
        break;
      }
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (!line.empty() && !handle(line)) {
        break;
      }
    }
    const auto* session = m_station->session();
    if (session && session->state() != SessionState::packed && session->state() != SessionState::abandoned) {
      m_out << fmt::format("Order {} is still open ({}); its scans are in the journal.\n", session->order().id,
                           to_string(session->state()));
    }
    return m_journal_failures > 0 ? 1 : 0;
  }

private:
  TerminalStation(const Context& context, std::istream& in, bool interactive)
      : m_context(context), m_in(in), m_out(*context.out), m_terminal(*context.out, interactive),
        m_interactive(interactive)
  {
  }

  // The store, the station's registration, key and operator; then the banner.
  Result<void> open()
  {
    PV_TRY_ASSIGN(m_store, open_store(m_context, true));
    PV_TRY_ASSIGN(auto catalog, m_store->load_catalog());
    // One process per station id: a second `run` with the same id stops here, naming the first.
    PV_TRY(m_store->register_station(m_context.config.station_id));
    m_heartbeat.emplace(*m_store, m_context.config.station_id);
    // Signed checkpoints with the station's key, kept outside the database (created on first start).
    PV_TRY_ASSIGN(m_key, StationKey::load_or_create(station_key_path(m_context)));
    m_store->set_checkpoint_signer(&*m_key, m_context.config.station_id, CheckpointPolicy{});
    PV_TRY_ASSIGN(m_users, open_users(m_context));
    m_station =
        std::make_unique<Station>(m_context.config.station_id, *m_store, std::move(catalog), m_context.config.policy);
    m_station->set_operator(m_context.config.operator_id);
    PV_TRY_ASSIGN(const bool signed_in, sign_in_operator(m_context, m_in, *m_users, *m_station));
    m_image_check = make_image_check_provider(m_context);

    m_out << fmt::format("pickverify {} — station {}, operator {}{}, data {}\n", PICKVERIFY_VERSION,
                         terminal_safe(m_context.config.station_id), terminal_safe(m_context.config.operator_id),
                         signed_in ? " (signed in)" : " (not a registered user)",
                         terminal_safe(m_context.data_dir.string()));
    m_out << (m_context.config.source_file.empty()
                  ? std::string("configuration: defaults\n")
                  : fmt::format("configuration: {}\n", m_context.config.source_file.string()));
    m_out << m_image_check.description << "\n";
    m_out << fmt::format("journal signing key {} ({})\n", m_key->key_id(),
                         terminal_safe(station_key_path(m_context).string()));
    if (m_interactive) {
      m_out << k_run_help;
    }
    return {};
  }

  // Scanners, controller, scale and hands-free camera, each announced as it starts.
  Result<void> start_devices()
  {
    auto show = [this](const Result<StationReply>& reply) { this->show(reply); };
    PV_TRY_ASSIGN(m_scanners, StationScanners::start(m_context, *m_station, show));
    announce(m_scanners);
    PV_TRY_ASSIGN(m_controller, StationController::start(m_context, *m_station, show, [this](const std::string& line) {
                    std::lock_guard lock(m_screen);
                    m_out << line << "\n";
                  }));
    announce(m_controller);
    // The check-weighing scale: --scale virtual | mt-sics:TTY[@BAUD] | usb:VID:PID | a profile's name.
    if (!m_context.scale.empty()) {
      ScaleOptions scale_options;
      scale_options.on_state = [this](ScaleState, const std::string& message) {
        std::lock_guard lock(m_screen);
        m_out << "[scale] " << message << "\n";
      };
      PV_TRY_ASSIGN(m_scale, open_scale(m_context.scale, scale_options, m_virtual_scale));
      announce(m_scale);
      Scale* reader = m_scale.get();
      m_station->set_scale([reader] { return reader->wait_stable(k_stable_weight_wait); });
    }
    PV_TRY_ASSIGN(m_hands_free, HandsFreeInput::start(m_context, *m_station, show));
    announce(m_hands_free);
    return {};
  }

  template <typename Device> void announce(const std::unique_ptr<Device>& device)
  {
    if (device) {
      m_out << device->describe() << "\n";
    }
  }

  // Scanners answer from their own threads: one reply on the screen at a time.
  bool show(const Result<StationReply>& reply)
  {
    std::lock_guard lock(m_screen);
    if (reply) {
      m_terminal.show(*reply);
    } else {
      m_terminal.show_error(reply.error().message);
    }
    return reply.has_value();
  }

  // One line typed or scanned at the prompt; false: quit.
  bool handle(const std::string& line)
  {
    const auto words = words_of(line, 2);
    const std::string& command = words[0];
    if (command == "quit" || command == "exit") {
      return false;
    }
    if (command == "help") {
      m_out << k_run_help;
    } else if (command == "status") {
      m_terminal.show_status(*m_station);
    } else if (command == "weigh") {
      weigh(words);
    } else if (command == "pack") {
      show(m_station->request_pack());
    } else if (command == "packed") {
      show(m_station->mark_packed());
    } else if (command == "photo") {
      photo();
    } else if (command == "abandon") {
      show(m_station->abandon(words.size() > 1 ? words[1] : std::string{}));
    } else if (command == "supervisor" && words_of(line, 4).size() >= 3 && words_of(line, 4)[2] == "takeover") {
      take_over(line);
    } else if (command == "clear" || command == "supervisor") {
      resolve_alert(line, command == "supervisor");
    } else {
      scan(line, words);
    }
    return true;
  }

  void weigh(const std::vector<std::string>& words)
  {
    if (!m_virtual_scale) {
      m_terminal.show_error("weigh needs the virtual scale: run --scale virtual");
      return;
    }
    auto weight = words.size() > 1 ? parse_weight(words[1], "g") : make_error(ErrorType::invalid_input, "usage");
    if (!weight || weight->mantissa < 0) {
      m_terminal.show_error("usage: weigh GRAMS (e.g. weigh 1240)");
      return;
    }
    m_virtual_scale->put(*weight);
    m_out << "[scale] stable " << weight->grams_text() << "\n";
  }

  // Scanners keep feeding the station from their own threads while the photo is taken.
  void photo()
  {
    auto pending = m_station->begin_image_check();
    if (!pending) {
      m_terminal.show_error(pending.error().message);
      return;
    }
    auto result = m_image_check.run(pending->request);
    if (!result) {
      m_terminal.show_error(result.error().message);
      return;
    }
    show(m_station->apply_image_check(*result, pending->session_id));
  }

  bool supervisor_ok(const std::string& id, const std::string& action, Permission permission)
  {
    auto show_reply = [this](const Result<StationReply>& reply) { return show(reply); };
    return check_supervisor(m_context, m_in, *m_users, *m_station, show_reply, id, action, permission);
  }

  // supervisor ID takeover ORDER [NOTE]
  void take_over(const std::string& line)
  {
    const auto args = words_of(line, 5);
    if (args.size() < 4) {
      m_terminal.show_error("usage: supervisor ID takeover ORDER [NOTE]");
      return;
    }
    if (supervisor_ok(args[1], "takeover", Permission::take_over)) {
      show(m_station->take_over(args[3], args[1], args.size() > 4 ? args[4] : std::string{}));
    }
  }

  // clear ALERT REASON [NOTE] | supervisor ID clear|override ALERT REASON [NOTE]
  void resolve_alert(const std::string& line, bool supervisor)
  {
    const auto args = words_of(line, supervisor ? 6 : 4);
    const std::size_t base = supervisor ? 2 : 0;
    if (args.size() < base + 3 || (supervisor && args[2] != "clear" && args[2] != "override")) {
      m_terminal.show_error(supervisor ? "usage: supervisor ID clear|override ALERT REASON [NOTE] | "
                                         "supervisor ID takeover ORDER [NOTE]"
                                       : "usage: clear ALERT REASON [NOTE]");
      return;
    }
    if (supervisor && !supervisor_ok(args[1], args[2],
                                     args[2] == "override" ? Permission::override_alert : Permission::clear_alert)) {
      return;
    }
    AlertResolution resolution;
    resolution.role = supervisor ? Role::supervisor : Role::picker;
    resolution.operator_id = supervisor ? args[1] : m_context.config.operator_id;
    resolution.override_mismatch = supervisor && args[2] == "override";
    resolution.reason_code = args[base + 2];
    resolution.note = args.size() > base + 3 ? args[base + 3] : std::string{};
    const std::string& alert_text = args[base + 1];
    char* end = nullptr;
    const long alert_id = std::strtol(alert_text.c_str(), &end, 10);
    if (end == alert_text.c_str() || *end != '\0' || alert_id < 1 || alert_id > 1'000'000) {
      m_terminal.show_error(fmt::format("'{}' is not an alert number", alert_text));
      return;
    }
    show(m_station->resolve_alert(static_cast<std::int32_t>(alert_id), resolution));
  }

  // Anything else is a scan from this keyboard; `type CODE` is a code entered by hand.
  void scan(const std::string& line, const std::vector<std::string>& words)
  {
    ScanEvent scan;
    scan.raw = line;
    scan.source = "stdin";
    scan.source_kind = SourceKind::keyboard;
    if (words[0] == "type" && words.size() > 1) {
      scan.raw = words[1];
      scan.source = "manual";
      scan.source_kind = SourceKind::manual;
    }
    scan.station = m_context.config.station_id;
    stamp_now(scan);
    auto reply = m_station->handle_scan(scan);
    show(reply);
    // A refusal (unknown order, order already packed) is an answer; a store failure is not.
    if (!reply && (reply.error().type == ErrorType::io || reply.error().type == ErrorType::corrupt ||
                   reply.error().type == ErrorType::internal)) {
      ++m_journal_failures;
    }
  }

  const Context& m_context;
  std::istream& m_in;
  std::ostream& m_out;
  std::unique_ptr<Store> m_store;
  std::optional<StationHeartbeat> m_heartbeat;
  std::optional<StationKey> m_key;
  std::unique_ptr<UserStore> m_users;
  std::unique_ptr<Station> m_station;
  Terminal m_terminal;
  bool m_interactive;
  ImageCheckProvider m_image_check;
  std::mutex m_screen;
  std::unique_ptr<StationScanners> m_scanners;
  std::unique_ptr<StationController> m_controller;
  std::unique_ptr<Scale> m_scale;
  VirtualScale* m_virtual_scale = nullptr;
  std::unique_ptr<HandsFreeInput> m_hands_free;
  int m_journal_failures = 0;
};

} // namespace

int cmd_run(const Context& context, std::istream& in, bool interactive)
{
  auto run = TerminalStation::start(context, in, interactive);
  if (!run) {
    return fail(context, run.error());
  }
  return (*run)->loop();
}

int cmd_import(const Context& context, ImportKind kind, const std::filesystem::path& file,
               const std::string& format_name)
{
  auto& out = *context.out;
  Result<FileFormat> format = format_name == "csv"    ? Result<FileFormat>(FileFormat::csv)
                              : format_name == "json" ? Result<FileFormat>(FileFormat::json)
                                                      : format_of(file);
  if (!format) {
    return fail(context, format.error());
  }
  auto text = read_text_file(file);
  if (!text) {
    return fail(context, text.error());
  }
  auto store = open_store(context, false);
  if (!store) {
    return fail(context, store.error());
  }
  auto catalog = (*store)->load_catalog();
  if (!catalog) {
    return fail(context, catalog.error());
  }
  const std::string name = file.filename().string();
  if (kind == ImportKind::catalog) {
    Catalog& updated = *catalog; // the file's entries replace stored ones of the same SKU
    auto stored_orders = (*store)->list_orders();
    if (!stored_orders) {
      return fail(context, stored_orders.error());
    }
    std::vector<Order> open_orders;
    for (auto& order : *stored_orders) {
      auto pack = (*store)->find_pack(order.id);
      if (!pack) {
        return fail(context, pack.error());
      }
      if (!*pack) {
        open_orders.push_back(std::move(order));
      }
    }
    auto count = import_catalog(*text, *format, name, updated, open_orders);
    if (!count) {
      return fail(context, count.error());
    }
    if (auto saved = (*store)->save_catalog(updated); !saved) {
      return fail(context, saved.error());
    }
    out << fmt::format("{}: imported {} catalog entries; the catalog now holds {} items and {} kits\n", name, *count,
                       updated.items().size(), updated.kits().size());
    return 0;
  }
  auto orders = import_orders(*text, *format, name, *catalog);
  if (!orders) {
    return fail(context, orders.error());
  }
  if (auto saved = (*store)->save_orders(*orders); !saved) {
    return fail(context, saved.error());
  }
  std::size_t lines = 0;
  for (const auto& order : *orders) {
    lines += order.lines.size();
  }
  out << fmt::format("{}: imported {} orders with {} lines\n", name, orders->size(), lines);
  return 0;
}

std::filesystem::path station_key_path(const Context& context)
{
  return station_key_path(context, context.config.station_id);
}

std::filesystem::path station_key_path(const Context& context, const std::string& station)
{
  return context.config.key_file ? *context.config.key_file : context.data_dir / "keys" / (station + ".key");
}

namespace {

Result<StationKey> existing_station_key(const Context& context, const std::string& station, std::string_view purpose)
{
  auto key = StationKey::load(station_key_path(context, station));
  if (!key && key.error().type == ErrorType::not_found) {
    return make_error(ErrorType::not_found,
                      fmt::format("station key {} does not exist: {} is signed with the key of station {}, which its "
                                  "first `pickverify run` or `serve` creates; run this where that key is, or name it "
                                  "with key_file in the configuration",
                                  station_key_path(context, station).string(), purpose, station));
  }
  return key;
}

} // namespace

int cmd_audit_verify(const Context& context, const AuditVerifyOptions& options)
{
  AuditOptions audit;
  for (const std::string& file : options.anchors) {
    auto text = read_text_file(file);
    if (!text) {
      return fail(context, text.error());
    }
    auto anchor = Checkpoint::from_json(*text);
    if (!anchor) {
      return fail(context, anchor.error().with_context(file));
    }
    audit.anchors.push_back(std::move(*anchor));
  }
  for (const std::string& file : options.public_keys) {
    auto key = read_public_key_file(file);
    if (!key) {
      return fail(context, key.error());
    }
    audit.trusted_keys.push_back(std::move(*key));
  }
  const std::filesystem::path data_dir = context.data_dir;
  audit.check_evidence = [data_dir](const std::string& hash) -> Result<void> {
    // Content-addressed: <data_dir>/evidence/<first 2 hex>/<hash>.jpg (evidence_path in
    // include/pickverify/evidence.hpp).
    if (!is_sha256_hex(hash)) {
      return make_error(ErrorType::corrupt, fmt::format("evidence hash '{}' in the journal is not a SHA-256", hash));
    }
    const auto path = evidence_path(data_dir, hash);
    auto actual = sha256_file_hex(path);
    if (!actual) {
      return make_error(ErrorType::not_found, fmt::format("evidence {}: missing", path.string()));
    }
    if (*actual != hash) {
      return make_error(ErrorType::corrupt,
                        fmt::format("evidence {}: altered (its SHA-256 is now {})", path.string(), *actual));
    }
    return {};
  };
  // Read-only: an archived or write-protected copy is audited without writing a byte to it.
  // With PostgreSQL, QA reads the central database (open_postgres_store writes nothing but a
  // pending migration).
  auto store = !context.config.store.empty() ? open_postgres_store(context.config.store)
                                             : open_sqlite_store_read_only(context.data_dir / "pickverify.db");
  if (!store) {
    return fail(context, store.error());
  }
  auto report = audit_journal(**store, audit);
  if (!report) {
    return fail(context, report.error());
  }
  auto& out = *context.out;
  auto& err = *context.err;
  const ChainReport& chain = report->chain;
  if (!chain.intact()) {
    err << fmt::format("journal BROKEN at seq {}: {}\n", *chain.first_bad_seq, terminal_safe(chain.problem));
    err << fmt::format("{} events checked before it; do not trust rows from seq {} on\n", chain.event_count,
                       *chain.first_bad_seq);
  } else {
    out << fmt::format("journal intact: {} events, head {}\n", chain.event_count,
                       chain.head_hash.empty() ? std::string(k_genesis_hash) : chain.head_hash);
  }
  std::string keys;
  for (const auto& key : report->keys_seen) {
    keys += (keys.empty() ? "" : ", ") + key;
  }
  out << fmt::format("checkpoints: {} signed{}{}\n", report->checkpoints, keys.empty() ? "" : " by key " + keys,
                     report->checkpoints
                         ? fmt::format(", the last covers seq {} ({} later row(s) not yet signed)",
                                       report->last_checkpoint_seq, chain.event_count - report->last_checkpoint_seq)
                         : "");
  if (!audit.anchors.empty()) {
    out << fmt::format("anchors: {} checked\n", audit.anchors.size());
  }
  out << fmt::format("evidence: {} file(s) present with their hash\n", report->evidence_checked);
  for (const auto& problem : report->problems) {
    err << "PROBLEM: " << terminal_safe(problem) << "\n";
  }
  return report->ok() ? 0 : 3;
}

int cmd_audit_anchor(const Context& context, const std::string& output)
{
  // Signed with the key the station's checkpoints are signed with: a key made up here would sign a
  // checkpoint no station made.
  auto key = existing_station_key(context, context.config.station_id, "an anchor");
  if (!key) {
    return fail(context, key.error());
  }
  auto store = open_store(context, false);
  if (!store) {
    return fail(context, store.error());
  }
  (*store)->set_checkpoint_signer(&*key, context.config.station_id, CheckpointPolicy{});
  auto checkpoint = (*store)->append_checkpoint();
  if (!checkpoint) {
    return fail(context, checkpoint.error());
  }
  const std::string text = checkpoint->to_json() + "\n";
  if (output.empty() || output == "-") {
    *context.out << text;
    return 0;
  }
  const std::string temporary = output + ".partial";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file.flush()) {
      return fail(context, Error{ErrorType::io, fmt::format("{}: cannot be written", output)});
    }
  }
  std::filesystem::rename(temporary, output);
  *context.err << fmt::format("anchor: seq {} hash {} signed by key {}, written to {}; keep it somewhere the "
                              "stations cannot write\n",
                              checkpoint->seq, checkpoint->head_hash, checkpoint->key_id, output);
  return 0;
}

Result<std::int64_t> parse_time_arg(const std::string& text)
{
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() > 8) {
    if (text.size() > 15) {
      return make_error(ErrorType::invalid_input, fmt::format("'{}' is too large for epoch milliseconds", text));
    }
    return std::stoll(text);
  }
  std::tm tm{};
  int millis = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3 ||
      consumed != 10) {
    return make_error(
        ErrorType::invalid_input,
        fmt::format("'{}' is not a time: use 2025-11-26, 2025-11-26T10:15:00Z or epoch milliseconds", text));
  }
  std::string rest = text.substr(10);
  if (!rest.empty()) {
    int used = 0;
    if (std::sscanf(rest.c_str(), "T%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 3) {
      return make_error(ErrorType::invalid_input, fmt::format("'{}': the time of day must be THH:MM:SSZ", text));
    }
    rest = rest.substr(static_cast<std::size_t>(used));
    if (!rest.empty() && rest[0] == '.') {
      std::size_t digits = 1;
      while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])) && digits <= 3) {
        millis = millis * 10 + (rest[digits] - '0');
        ++digits;
      }
      for (std::size_t pad = digits; pad <= 3; ++pad)
        millis *= 10;
      rest = rest.substr(digits);
    }
    if (rest != "Z") {
      return make_error(ErrorType::invalid_input, fmt::format("'{}': times are UTC and end with Z", text));
    }
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a valid date and time", text));
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
}

int cmd_audit_export(const Context& context, const ExportOptions& options)
{
  auto format = parse_export_format(options.format);
  if (!format) {
    return fail(context, format.error());
  }
  JournalFilter filter;
  if (!options.from.empty()) {
    auto from = parse_time_arg(options.from);
    if (!from)
      return fail(context, from.error().with_context("--from"));
    filter.from_utc_ms = *from;
  }
  if (!options.to.empty()) {
    auto to = parse_time_arg(options.to);
    if (!to)
      return fail(context, to.error().with_context("--to"));
    filter.to_utc_ms = *to;
  }
  if (!options.order.empty())
    filter.order_id = options.order;
  if (!options.station.empty())
    filter.station = options.station;
  auto store = open_store(context, false);
  if (!store) {
    return fail(context, store.error());
  }
  std::ofstream file;
  std::ostream* out = context.out;
  const bool to_file = !options.output.empty() && options.output != "-";
  const std::string temporary = options.output + ".partial";
  if (to_file) {
    file.open(temporary, std::ios::binary | std::ios::trunc);
    if (!file) {
      return fail(context, Error{ErrorType::io, fmt::format("{}: cannot be written", options.output)});
    }
    out = &file;
  }
  auto rows = export_journal(**store, filter, *format, *out);
  if (!rows) {
    if (to_file)
      std::filesystem::remove(temporary);
    return fail(context, rows.error());
  }
  if (to_file) {
    file.close();
    if (!file) {
      std::filesystem::remove(temporary);
      return fail(context, Error{ErrorType::io, fmt::format("{}: writing failed", options.output)});
    }
    std::filesystem::rename(temporary, options.output);
    *context.err << fmt::format("exported {} events to {}\n", *rows, options.output);
  }
  return 0;
}

int cmd_audit_find(const Context& context, const std::string& serial)
{
  auto store = open_sqlite_store_read_only(context.data_dir / "pickverify.db");
  if (!store) {
    return fail(context, store.error());
  }
  auto packed = (*store)->find_packed_serials(serial);
  if (!packed) {
    return fail(context, packed.error());
  }
  auto& out = *context.out;
  for (const auto& unit : *packed) {
    out << fmt::format("serial {} (GTIN {}): packed in order {} at station {} on {}, session {}\n",
                       terminal_safe(unit.serial), unit.gtin, terminal_safe(unit.order_id), terminal_safe(unit.station),
                       format_utc_ms(unit.packed_utc_ms), terminal_safe(unit.session_id));
  }
  if (packed->empty()) {
    out << fmt::format("serial {}: not packed in any order\n", terminal_safe(serial));
  }
  JournalFilter filter;
  filter.serial = serial;
  std::size_t rows = 0;
  auto read = (*store)->read_journal(filter, [&](const JournalEntry& entry) {
    out << fmt::format("  seq {} {} station {} order {} operator {} {} {}: {}\n", entry.seq,
                       format_utc_ms(entry.utc_ms), terminal_safe(entry.station), terminal_safe(entry.order_id),
                       terminal_safe(entry.operator_id), entry.type, entry.verdict.empty() ? "-" : entry.verdict,
                       terminal_safe(entry.reason));
    ++rows;
    return true;
  });
  if (!read) {
    return fail(context, read.error());
  }
  out << fmt::format("{} journal row(s) name serial {}\n", rows, terminal_safe(serial));
  return rows == 0 && packed->empty() ? 1 : 0;
}

int cmd_evidence(const Context& context, const std::string& order_id, const std::string& output)
{
  auto store = open_store(context, false);
  if (!store) {
    return fail(context, store.error());
  }
  // The pack's manifest (and a checkpoint, when none covers the session yet) is signed with the key
  // of the station that ran the order's last session, never with one made up here.
  std::string station = context.config.station_id;
  JournalFilter sessions;
  sessions.order_id = order_id;
  auto read = (*store)->read_journal(sessions, [&](const JournalEntry& entry) {
    if (entry.type == "session_started" || entry.type == "session_resumed") {
      station = entry.station;
    }
    return true;
  });
  if (!read) {
    return fail(context, read.error());
  }
  const auto key_path = station_key_path(context, station);
  auto key = existing_station_key(context, station, "an evidence pack");
  if (!key) {
    return fail(context, key.error());
  }
  EvidencePackOptions options;
  options.order_id = order_id;
  options.output = output;
  options.data_dir = context.data_dir;
  options.key = &*key;
  options.station = station;
  auto written = write_evidence_pack(**store, options);
  if (!written) {
    return fail(context, written.error());
  }
  *context.out << fmt::format("evidence pack for order {} in {}: session {} ({} of its rows, {} journal rows up to "
                              "the checkpoint of seq {}{}), {} photo(s), signed by key {}\n",
                              terminal_safe(order_id), terminal_safe(output), terminal_safe(written->session_id),
                              written->session_rows, written->rows, written->checkpoint_seq,
                              written->checkpoint_added ? ", journaled now" : "", written->photos, written->key_id);
  *context.out << fmt::format("check it anywhere: pickverify evidence verify {} --public-key {}.pub\n",
                              terminal_safe(output), terminal_safe(key_path.string()));
  return 0;
}

int cmd_evidence_verify(const Context& context, const std::string& folder, const std::vector<std::string>& public_keys)
{
  std::vector<std::string> trusted;
  for (const std::string& file : public_keys) {
    auto key = read_public_key_file(file);
    if (!key) {
      return fail(context, key.error());
    }
    trusted.push_back(std::move(*key));
  }
  auto check = verify_evidence_pack(folder, trusted);
  if (!check) {
    return fail(context, check.error());
  }
  auto& out = *context.out;
  for (const auto& problem : check->problems) {
    *context.err << "PROBLEM: " << terminal_safe(problem) << "\n";
  }
  if (!check->ok()) {
    *context.err << fmt::format("evidence pack {} does NOT hold: {} problem(s)\n", terminal_safe(folder),
                                check->problems.size());
    return 3;
  }
  out << fmt::format("evidence pack for order {} holds: {} journal rows hash to the checkpoint of seq {}, {} "
                     "photo(s) and {} file(s) match, signed by key {}{}\n",
                     terminal_safe(check->order_id), check->rows_checked, check->checkpoint_seq, check->photos_checked,
                     check->files_checked, check->key_id,
                     check->key_trusted ? " (a trusted station key)"
                                        : " — not checked against a station key: pass --public-key STATION.pub");
  return 0;
}

int cmd_orders_list(const Context& context)
{
  auto store = open_store(context, false);
  if (!store) {
    return fail(context, store.error());
  }
  auto orders = (*store)->list_orders();
  if (!orders) {
    return fail(context, orders.error());
  }
  for (const auto& order : *orders) {
    std::int32_t units = 0;
    for (const auto& line : order.lines)
      units += line.quantity;
    *context.out << fmt::format("{:<18} {:>10}  {} line(s), {} unit(s){}\n", order.id, format_money(order.value),
                                order.lines.size(), units, order.image_check_flagged ? ", image check" : "");
  }
  if (orders->empty()) {
    *context.out << "no orders: import some with `pickverify import orders FILE`\n";
  }
  return 0;
}

} // namespace pickverify::app
