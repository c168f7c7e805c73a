#include "cli.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "calibrate_command.hpp"
#include "commands.hpp"
#include "controller_command.hpp"
#include "decode_command.hpp"
#include "devices_command.hpp"
#include "image_check_provider.hpp"
#include "loadgen_command.hpp"
#include "serve.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>
#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>

namespace pickverify::app {

namespace {

// What a command needs when it runs: the context built from the global options, the input and whether
// it is a terminal.
struct Invocation {
  const Context& context;
  std::istream& in;
  bool interactive;
};
using Runner = std::function<int(const Invocation&)>;

// The command line: each command registers its subcommand and options, and says what runs when it was
// given. The first registered command whose subcommand was parsed runs (so a sub-subcommand registers
// before its parent's own runner).
class Commands {
public:
  explicit Commands(CLI::App& app) : m_app(app) {}

  CLI::App& app() { return m_app; }

  // Options that live as long as the parse and the run; `T` must be default-constructible.
  template <typename T> T& keep()
  {
    auto kept = std::make_shared<T>();
    m_kept.push_back(kept);
    return *kept;
  }

  void on(CLI::App* command, Runner run) { m_runners.push_back({command, std::move(run)}); }

  std::optional<int> run(const Invocation& invocation) const
  {
    for (const auto& [command, runner] : m_runners) {
      if (*command) {
        return runner(invocation);
      }
    }
    return std::nullopt;
  }

private:
  CLI::App& m_app;
  std::vector<std::shared_ptr<void>> m_kept;
  std::vector<std::pair<CLI::App*, Runner>> m_runners;
};

// Ctrl-C and SIGTERM end a watch loop.
std::atomic<bool> g_stop_watching{false};

std::atomic<bool>& stop_on_signal()
{
  std::signal(SIGINT, [](int) { g_stop_watching = true; });
  std::signal(SIGTERM, [](int) { g_stop_watching = true; });
  return g_stop_watching;
}

int print_error(const Invocation& invocation, const Error& error, int status)
{
  *invocation.context.err << "pickverify: " << error.message << "\n";
  return status;
}

void add_run(Commands& commands)
{
  auto* run = commands.app().add_subcommand("run", "a pack station in this terminal: scan an order, scan its items, "
                                                   "pack");
  auto& controller = commands.keep<std::string>();
  run->add_option("--controller", controller,
                  "the gate, light and buzzer: none, virtual (shown in this terminal), usb (the station "
                  "controller), relay (gate lock on a USB HID relay board), delcom (light on a Delcom indicator) "
                  "or relay+delcom (overrides [controller] kind)")
      ->check(CLI::IsMember({"none", "virtual", "usb", "relay", "delcom", "relay+delcom"}));
  auto& scale = commands.keep<std::string>();
  run->add_option("--scale", scale,
                  "the check-weighing scale: virtual (weigh GRAMS at the prompt), mt-sics:/dev/ttyUSB0[@9600], "
                  "usb:VID:PID (HID POS), or a profile from devices/scales/: NAME (a USB scale, e.g. dymo-m25) or "
                  "NAME:TTY (a serial one, e.g. mt-sics-9600:/dev/ttyUSB0); with [policy.weighing] "
                  "required = true every pack is weighed");
  commands.on(run, [&controller, &scale](const Invocation& invocation) {
    Context context = invocation.context;
    context.scale = scale;
    if (!controller.empty()) {
      context.config.controller.kind = controller;
    }
    return cmd_run(context, invocation.in, invocation.interactive);
  });
}

void add_serve(Commands& commands)
{
  auto* serve = commands.app().add_subcommand("serve", "the station(s) in a browser and the HTTP API "
                                                       "(docs/SERVICE.md)");
  auto& options = commands.keep<ServeOptions>();
  serve->add_option("--listen", options.listen, "HOST:PORT to listen on (loopback unless you say otherwise)")
      ->capture_default_str();
  serve->add_option("--stations", options.stations, "station ids to run (default: the configured station)")
      ->delimiter(',');
  commands.on(serve, [&options](const Invocation& invocation) { return cmd_serve(invocation.context, options); });
}

void add_token(Commands& commands)
{
  auto* token = commands.app().add_subcommand("token", "API tokens for a WMS or handheld terminals");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "make a token, print it once, store only its hash");
  struct Options {
    std::string name, role, station;
  };
  auto& options = commands.keep<Options>();
  create->add_option("--name", options.name, "what uses it, e.g. handheld-3")->required();
  create->add_option("--role", options.role, "picker, supervisor, qa or wms")->required();
  create->add_option("--station", options.station, "only this station (picker tokens)");
  commands.on(create, [&options](const Invocation& invocation) {
    return cmd_token_create(invocation.context, options.name, options.role, options.station);
  });
}

void add_demo_and_loadgen(Commands& commands)
{
  auto* demo =
      commands.app().add_subcommand("demo", "replay the ORD-2025-00145 incident on the demo data and check every step");
  commands.on(demo, [](const Invocation& invocation) { return cmd_demo(invocation.context); });

  auto& options = commands.keep<LoadgenOptions>();
  auto* loadgen = commands.app().add_subcommand("loadgen", "simulated stations through the real station code and the "
                                                           "configured store: scan-to-verdict p50/p99, throughput, "
                                                           "errors");
  loadgen->add_option("--stations", options.stations, "simulated stations (default 10)");
  loadgen->add_option("--rate", options.rate, "scans per second per station (default 2, at most 6)");
  loadgen->add_option("--duration", options.duration_s, "seconds (default 10)");
  loadgen->add_option("--connections", options.connections,
                      "store connections the stations share (default: one per station, as station processes have)");
  commands.on(loadgen, [&options](const Invocation& invocation) { return cmd_loadgen(invocation.context, options); });
}

void add_import(Commands& commands)
{
  auto* import = commands.app().add_subcommand("import", "import a catalog or orders file (CSV or JSON): all of it or "
                                                         "nothing");
  import->require_subcommand(1);
  struct Options {
    std::string file, format;
  };
  auto& options = commands.keep<Options>();
  auto* catalog = import->add_subcommand("catalog", "items (GTINs, style, attributes) and kits");
  auto* orders = import->add_subcommand("orders", "orders with their lines");
  for (auto [sub, kind] : {std::pair{catalog, ImportKind::catalog}, std::pair{orders, ImportKind::orders}}) {
    sub->add_option("FILE", options.file, "the file (.csv or .json; see docs/FORMATS.md)")->required();
    sub->add_option("--format", options.format, "csv or json (default: from the extension)")
        ->check(CLI::IsMember({"csv", "json"}));
    commands.on(sub, [&options, kind = kind](const Invocation& invocation) {
      return cmd_import(invocation.context, kind, options.file, options.format);
    });
  }
}

void add_audit(Commands& commands)
{
  auto* audit = commands.app().add_subcommand("audit", "the verification journal: verify its hash chain, export it");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify",
      "check the hash chain, signed checkpoints, anchors, guard triggers and evidence files (read-only); exit 0 "
      "when all hold, 3 naming each problem");
  auto& verify_options = commands.keep<AuditVerifyOptions>();
  verify->add_option("--anchor", verify_options.anchors,
                     "an anchor file from `audit anchor`, kept elsewhere: its seq and hash must be in the journal");
  verify->add_option("--public-key", verify_options.public_keys,
                     "a station's public key file (<key>.pub): checkpoints must be signed by these keys");
  commands.on(verify, [&verify_options](const Invocation& invocation) {
    return cmd_audit_verify(invocation.context, verify_options);
  });

  auto* anchor = audit->add_subcommand(
      "anchor", "journal a signed checkpoint of the head now and write it out, to keep elsewhere");
  auto& anchor_output = commands.keep<std::string>();
  anchor->add_option("--output,-o", anchor_output, "write to this file instead of standard output");
  commands.on(anchor, [&anchor_output](const Invocation& invocation) {
    return cmd_audit_anchor(invocation.context, anchor_output);
  });

  auto* exporting = audit->add_subcommand("export", "write journal rows as CSV or JSON Lines");
  auto& export_options = commands.keep<ExportOptions>();
  exporting->add_option("--format", export_options.format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  exporting->add_option("--from", export_options.from,
                        "from this UTC time (2025-11-26 or 2025-11-26T10:00:00Z), inclusive");
  exporting->add_option("--to", export_options.to, "up to this UTC time, exclusive");
  exporting->add_option("--order", export_options.order, "only this order");
  exporting->add_option("--station", export_options.station, "only this station");
  exporting->add_option("--output,-o", export_options.output, "write to this file instead of standard output");
  commands.on(exporting, [&export_options](const Invocation& invocation) {
    return cmd_audit_export(invocation.context, export_options);
  });

  auto* find = audit->add_subcommand("find", "every journal row naming a serial, and the order it was packed in");
  auto& serial = commands.keep<std::string>();
  find->add_option("--serial", serial, "the unit's serial number (AI 21 or its serial label)")->required();
  commands.on(find, [&serial](const Invocation& invocation) { return cmd_audit_find(invocation.context, serial); });
}

void add_evidence(Commands& commands)
{
  auto* evidence = commands.app().add_subcommand(
      "evidence",
      "an order's evidence pack for a dispute (docs/EVIDENCE.md): evidence ORDER -o DIR, evidence verify DIR");
  struct Options {
    std::string order, output, folder;
    std::vector<std::string> keys;
  };
  auto& options = commands.keep<Options>();
  evidence->add_option("ORDER", options.order, "the order id");
  evidence->add_option("--output,-o", options.output, "the pack's folder (new or empty)");
  auto* verify = evidence->add_subcommand(
      "verify", "check a pack without the database; exit 0 when it holds, 3 naming each problem");
  verify->add_option("DIR", options.folder, "the pack's folder")->required();
  verify->add_option("--public-key", options.keys, "the station's public key file (<key>.pub)");
  commands.on(verify, [&options](const Invocation& invocation) {
    return cmd_evidence_verify(invocation.context, options.folder, options.keys);
  });
  commands.on(evidence, [&options](const Invocation& invocation) {
    if (options.order.empty() || options.output.empty()) {
      *invocation.context.err << "pickverify: evidence ORDER -o DIR writes a pack; evidence verify DIR checks one\n";
      return 2;
    }
    return cmd_evidence(invocation.context, options.order, options.output);
  });
}

void add_user_and_orders(Commands& commands)
{
  auto* user = commands.app().add_subcommand("user", "the people who work stations, clear alerts and audit "
                                                     "(docs/USERS.md)");
  user->require_subcommand(1);
  auto& user_command = commands.keep<UserCommand>();
  auto* add = user->add_subcommand("add", "add a user; asks for the PIN or password twice (not echoed)");
  auto* passwd = user->add_subcommand("passwd", "set a new PIN or password; clears a lock-out");
  auto* disable = user->add_subcommand("disable", "the user can no longer sign in");
  auto* enable = user->add_subcommand("enable", "the user can sign in again");
  auto* list = user->add_subcommand("list", "every user with role and state");
  for (auto* sub : {add, passwd, disable, enable}) {
    sub->add_option("ID", user_command.id, "user id (what the person types or scans from a badge)")->required();
    sub->add_option("--as", user_command.as, "the admin who authorises this (asked for their password)");
  }
  add->add_option("--role", user_command.role, "picker, supervisor, qa or admin")
      ->check(CLI::IsMember({"picker", "supervisor", "qa", "admin"}))
      ->capture_default_str();
  add->add_option("--name", user_command.name, "the person's name, for lists and evidence");
  for (auto* sub : {add, passwd, disable, enable, list}) {
    commands.on(sub, [&user_command, sub](const Invocation& invocation) {
      user_command.action = sub->get_name();
      return cmd_user(invocation.context, invocation.in, user_command);
    });
  }

  auto* orders = commands.app().add_subcommand("orders", "the stored orders");
  orders->require_subcommand(1);
  auto* orders_list = orders->add_subcommand("list", "every stored order with its value and lines");
  commands.on(orders_list, [](const Invocation& invocation) { return cmd_orders_list(invocation.context); });
}

int write_udev_rules(const Invocation& invocation, const std::string& profiles_dir, const std::string& output)
{
  auto profiles = load_profiles(profiles_dir);
  if (!profiles) {
    return print_error(invocation, profiles.error(), 2);
  }
  auto outputs = output_udev_devices(std::filesystem::path(profiles_dir) / "outputs");
  if (!outputs) {
    return print_error(invocation, outputs.error(), 2);
  }
  const std::string rules = generate_udev_rules(*profiles, *outputs);
  if (output.empty() || output == "-") {
    *invocation.context.out << rules;
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << rules;
  if (!file.flush()) {
    *invocation.context.err << "pickverify: " << output << ": cannot be written\n";
    return 1;
  }
  *invocation.context.err << fmt::format(
      "wrote {} (install it in /etc/udev/rules.d/ and run udevadm control --reload)\n", output);
  return 0;
}

void add_devices(Commands& commands)
{
  auto* devices = commands.app().add_subcommand("devices", "USB and serial barcode scanners: list, watch, udev rules");
  devices->require_subcommand(1);
  auto& profiles_dir = commands.keep<std::string>();
  profiles_dir = default_profiles_dir().string();
  auto& rules_output = commands.keep<std::string>();
  auto* list = devices->add_subcommand("list", "every attached scanner it recognises (profile, mode, state) "
                                               "and the USB devices it does not");
  auto* watch = devices->add_subcommand("watch", "claim every recognised scanner and print its scans live "
                                                 "(Ctrl-C stops)");
  auto* rules = devices->add_subcommand("udev-rules", "the udev rules that let pickverify use the scanners "
                                                      "without root");
  for (auto* sub : {list, watch, rules}) {
    sub->add_option("--profiles", profiles_dir, "folder of device profiles")->capture_default_str();
  }
  rules->add_option("--output,-o", rules_output, "write to this file instead of standard output");
  commands.on(list, [&profiles_dir](const Invocation& invocation) {
    return devices_list(*invocation.context.out, profiles_dir);
  });
  commands.on(watch, [&profiles_dir](const Invocation& invocation) {
    return devices_watch(*invocation.context.out, profiles_dir, stop_on_signal());
  });
  commands.on(rules, [&profiles_dir, &rules_output](const Invocation& invocation) {
    return write_udev_rules(invocation, profiles_dir, rules_output);
  });
}

void add_controller(Commands& commands)
{
  auto* controller =
      commands.app().add_subcommand("controller", "the station controller (gate lock, light, buzzer): status, set, "
                                                  "watch");
  controller->require_subcommand(1);
  struct Options {
    std::string kind = "usb";
    int watchdog_ms = 1500;
    std::string serial;
    std::vector<std::string> words;
    int hold_ms = 5000;

    ControllerOptions controller() const
    {
      ControllerOptions options;
      options.watchdog_timeout = std::chrono::milliseconds(watchdog_ms);
      options.serial = serial;
      return options;
    }
  };
  auto& options = commands.keep<Options>();
  auto* status = controller->add_subcommand("status", "firmware, serial, inputs, outputs in force");
  auto* set = controller->add_subcommand(
      "set", "set the outputs and hold them, e.g. 'set unlocked green chirp' (then the watchdog locks again)");
  auto* watch = controller->add_subcommand("watch", "print connection changes and input events live (Ctrl-C stops)");
  for (auto* sub : {status, set, watch}) {
    sub->add_option("--kind", options.kind, "usb, virtual, relay, delcom or relay+delcom")
        ->check(CLI::IsMember({"usb", "virtual", "relay", "delcom", "relay+delcom"}))
        ->capture_default_str();
    sub->add_option("--watchdog-ms", options.watchdog_ms, "the device watchdog's timeout")
        ->check(CLI::Range(100, 10000))
        ->capture_default_str();
    sub->add_option("--serial", options.serial, "only the controller with this serial number");
  }
  set->add_option("OUTPUTS", options.words,
                  "locked|unlocked off|red|amber|green steady|blink_slow|blink_fast silent|chirp|error_tone|alarm")
      ->required();
  set->add_option("--hold-ms", options.hold_ms, "how long to hold them")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  commands.on(status, [&options](const Invocation& invocation) {
    return controller_status(*invocation.context.out, options.kind, options.controller());
  });
  commands.on(set, [&options](const Invocation& invocation) {
    auto outputs = parse_outputs(options.words);
    if (!outputs) {
      return print_error(invocation, outputs.error(), 2);
    }
    return controller_set(*invocation.context.out, options.kind, options.controller(), *outputs,
                          std::chrono::milliseconds(options.hold_ms));
  });
  commands.on(watch, [&options](const Invocation& invocation) {
    return controller_watch(*invocation.context.out, options.kind, options.controller(), stop_on_signal());
  });
}

void add_decode(Commands& commands)
{
  auto* decode = commands.app().add_subcommand("decode", "read every barcode in image files (exit 0 when it ran, even "
                                                         "finding nothing)");
  struct Options {
    std::vector<std::string> images;
    bool json = false;
  };
  auto& options = commands.keep<Options>();
  decode->add_option("IMAGE", options.images, "image files (PNG, JPEG, …)")->required();
  decode->add_flag("--json", options.json,
                   "one JSON object per symbol: image, text (GS as \\u001d), format, aim, corners");
  commands.on(decode, [&options](const Invocation& invocation) {
    return run_decode_command(options.images, options.json, *invocation.context.out, *invocation.context.err);
  });
}

void add_calibrate(Commands& commands)
{
  auto* calibrate = commands.app().add_subcommand("calibrate", "calibrate a station's camera from chessboard pictures "
                                                               "(calibration/README.md)");
  struct Options {
    CalibrateOptions calibrate;
    std::string camera, images, output;
    std::vector<int> pack_area;
  };
  auto& options = commands.keep<Options>();
  calibrate
      ->add_option("--station", options.calibrate.station, "station id: writes <data-dir>/calibration/<station>.yaml")
      ->required();
  auto* images_option = calibrate->add_option("--images", options.images, "a folder of chessboard pictures");
  auto* camera_option = calibrate->add_option("--camera", options.camera,
                                              "take pictures from this camera "
                                              "(/dev/video0, a stream URL, a folder)");
  images_option->excludes(camera_option);
  calibrate->add_option("--columns", options.calibrate.board.inner_columns, "inner corners along a row")
      ->check(CLI::Range(2, 50));
  calibrate->add_option("--rows", options.calibrate.board.inner_rows, "inner corners along a column")
      ->check(CLI::Range(2, 50));
  calibrate->add_option("--square-mm", options.calibrate.board.square_mm, "printed square size in mm")
      ->check(CLI::Range(1.0, 500.0));
  calibrate->add_option("--frames", options.calibrate.camera_frames, "pictures to take from a camera")
      ->check(CLI::Range(3, 200));
  calibrate->add_option("--pack-area", options.pack_area, "the pack area in pixels: X Y WIDTH HEIGHT")->expected(4);
  calibrate->add_option("--output-dir", options.output,
                        "where <station>.yaml goes (default: <data-dir>/calibration, which the station reads first)");
  commands.on(calibrate, [&options](const Invocation& invocation) {
    if (options.images.empty() && options.camera.empty()) {
      *invocation.context.err << "pickverify: calibrate needs --images FOLDER or --camera LOCATION\n";
      return 2;
    }
    CalibrateOptions settings = options.calibrate;
    settings.images = options.images;
    if (!options.camera.empty()) {
      settings.camera = camera_config_for(options.camera);
    }
    // The operator's copy goes to the writable data folder, never into the shipped (installed,
    // read-only) calibration folder; the station reads it from there before the shipped one.
    settings.output_dir = options.output.empty() ? operator_calibration_dir(invocation.context.data_dir)
                                                 : std::filesystem::path(options.output);
    settings.read_by_station = options.output.empty();
    if (!options.pack_area.empty()) {
      settings.pack_area =
          PixelRect{options.pack_area[0], options.pack_area[1], options.pack_area[2], options.pack_area[3]};
    }
    return run_calibrate_command(settings, *invocation.context.out, *invocation.context.err);
  });
}

} // namespace

int run_cli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err, bool interactive)
{
  CLI::App app{"pickverify — verifies every item of an order at the pack station and refuses the pack while anything "
               "is wrong or missing.",
               "pickverify"};
  app.set_version_flag("--version", std::string(PICKVERIFY_VERSION));
  app.require_subcommand(1);
  app.fallthrough();

  std::string data_dir;
  std::string config_file;
  std::string station_override;
  std::string operator_override;
  app.add_option(
      "--data-dir", data_dir,
      "folder for pickverify.db and evidence (default: $PICKVERIFY_DATA_DIR, else ~/.local/share/pickverify)");
  app.add_option("--config", config_file, "configuration file (TOML, see docs/CONFIGURATION.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--station", station_override, "station id (overrides the configuration)");
  app.add_option("--operator", operator_override, "operator id (overrides the configuration)");

  Commands commands(app);
  for (auto add : {add_run, add_serve, add_token, add_demo_and_loadgen, add_import, add_audit, add_evidence,
                   add_user_and_orders, add_devices, add_controller, add_decode, add_calibrate}) {
    add(commands);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are answers (0); any usage error, a missing --config file included, is
    // bad input: 2, as README's exit status table says (CLI11's own codes are 100 and up).
    const int code = app.exit(error, out, err);
    return code == 0 ? 0 : 2;
  }

  Context context;
  context.out = &out;
  context.err = &err;
  if (!config_file.empty()) {
    auto config = load_config(config_file);
    if (!config) {
      err << "pickverify: " << config.error().message << "\n";
      return 2;
    }
    context.config = std::move(*config);
  }
  if (!station_override.empty()) {
    context.config.station_id = station_override;
  }
  if (!operator_override.empty()) {
    context.config.operator_id = operator_override;
  }
  context.data_dir = !data_dir.empty()         ? std::filesystem::path(data_dir)
                     : context.config.data_dir ? *context.config.data_dir
                                               : default_data_dir();
  if (auto status = commands.run(Invocation{context, in, interactive})) {
    return *status;
  }
  err << app.help();
  return 2;
}

} // namespace pickverify::app
