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

#include <pickverify/calibration.hpp>
#include <pickverify/camera.hpp>
#include <pickverify/controller.hpp>
#include <pickverify/device_profile.hpp>

namespace pickverify::app {

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

  auto* run = app.add_subcommand("run", "a pack station in this terminal: scan an order, scan its items, pack");
  std::string run_controller;
  run->add_option("--controller", run_controller,
                  "the gate, light and buzzer: none, virtual (shown in this terminal), usb (the station "
                  "controller), relay (gate lock on a USB HID relay board), delcom (light on a Delcom indicator) "
                  "or relay+delcom (overrides [controller] kind)")
      ->check(CLI::IsMember({"none", "virtual", "usb", "relay", "delcom", "relay+delcom"}));
  std::string run_scale;
  run->add_option("--scale", run_scale,
                  "the check-weighing scale: virtual (weigh GRAMS at the prompt), mt-sics:/dev/ttyUSB0[@9600], "
                  "usb:VID:PID (HID POS), or a profile from devices/scales/: NAME (a USB scale, e.g. dymo-m25) or "
                  "NAME:TTY (a serial one, e.g. mt-sics-9600:/dev/ttyUSB0); with [policy.weighing] "
                  "required = true every pack is weighed");
  auto* serve = app.add_subcommand("serve", "the station(s) in a browser and the HTTP API (docs/SERVICE.md)");
  ServeOptions serve_options;
  serve->add_option("--listen", serve_options.listen, "HOST:PORT to listen on (loopback unless you say otherwise)")
      ->capture_default_str();
  serve->add_option("--stations", serve_options.stations, "station ids to run (default: the configured station)")
      ->delimiter(',');

  auto* token = app.add_subcommand("token", "API tokens for a WMS or handheld terminals");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "make a token, print it once, store only its hash");
  std::string token_name;
  std::string token_role;
  std::string token_station;
  token_create->add_option("--name", token_name, "what uses it, e.g. handheld-3")->required();
  token_create->add_option("--role", token_role, "picker, supervisor, qa or wms")->required();
  token_create->add_option("--station", token_station, "only this station (picker tokens)");

  auto* demo = app.add_subcommand("demo", "replay the ORD-2025-00145 incident on the demo data and check every step");

  LoadgenOptions loadgen_options;
  auto* loadgen = app.add_subcommand("loadgen", "simulated stations through the real station code and the configured "
                                                "store: scan-to-verdict p50/p99, throughput, errors");
  loadgen->add_option("--stations", loadgen_options.stations, "simulated stations (default 10)");
  loadgen->add_option("--rate", loadgen_options.rate, "scans per second per station (default 2, at most 6)");
  loadgen->add_option("--duration", loadgen_options.duration_s, "seconds (default 10)");
  loadgen->add_option("--connections", loadgen_options.connections,
                      "store connections the stations share (default: one per station, as station processes have)");

  auto* import = app.add_subcommand("import", "import a catalog or orders file (CSV or JSON): all of it or nothing");
  import->require_subcommand(1);
  std::string import_file;
  std::string import_format;
  auto* import_catalog = import->add_subcommand("catalog", "items (GTINs, style, attributes) and kits");
  auto* import_orders = import->add_subcommand("orders", "orders with their lines");
  for (auto* sub : {import_catalog, import_orders}) {
    sub->add_option("FILE", import_file, "the file (.csv or .json; see docs/FORMATS.md)")->required();
    sub->add_option("--format", import_format, "csv or json (default: from the extension)")
        ->check(CLI::IsMember({"csv", "json"}));
  }

  auto* audit = app.add_subcommand("audit", "the verification journal: verify its hash chain, export it");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "check the hash chain, signed checkpoints, anchors, guard triggers and evidence files (read-only); exit 0 "
      "when all hold, 3 naming each problem");
  AuditVerifyOptions verify_options;
  audit_verify->add_option(
      "--anchor", verify_options.anchors,
      "an anchor file from `audit anchor`, kept elsewhere: its seq and hash must be in the journal");
  audit_verify->add_option("--public-key", verify_options.public_keys,
                           "a station's public key file (<key>.pub): checkpoints must be signed by these keys");
  auto* audit_anchor = audit->add_subcommand(
      "anchor", "journal a signed checkpoint of the head now and write it out, to keep elsewhere");
  std::string anchor_output;
  audit_anchor->add_option("--output,-o", anchor_output, "write to this file instead of standard output");
  auto* audit_export = audit->add_subcommand("export", "write journal rows as CSV or JSON Lines");
  ExportOptions export_options;
  audit_export->add_option("--format", export_options.format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  audit_export->add_option("--from", export_options.from,
                           "from this UTC time (2025-11-26 or 2025-11-26T10:00:00Z), inclusive");
  audit_export->add_option("--to", export_options.to, "up to this UTC time, exclusive");
  audit_export->add_option("--order", export_options.order, "only this order");
  audit_export->add_option("--station", export_options.station, "only this station");
  audit_export->add_option("--output,-o", export_options.output, "write to this file instead of standard output");

  auto* audit_find = audit->add_subcommand("find", "every journal row naming a serial, and the order it was packed in");
  std::string find_serial;
  audit_find->add_option("--serial", find_serial, "the unit's serial number (AI 21 or its serial label)")->required();

  auto* evidence = app.add_subcommand(
      "evidence",
      "an order's evidence pack for a dispute (docs/EVIDENCE.md): evidence ORDER -o DIR, evidence verify DIR");
  std::string evidence_order;
  std::string evidence_output;
  evidence->add_option("ORDER", evidence_order, "the order id");
  evidence->add_option("--output,-o", evidence_output, "the pack's folder (new or empty)");
  auto* evidence_verify = evidence->add_subcommand(
      "verify", "check a pack without the database; exit 0 when it holds, 3 naming each problem");
  std::string evidence_folder;
  std::vector<std::string> evidence_keys;
  evidence_verify->add_option("DIR", evidence_folder, "the pack's folder")->required();
  evidence_verify->add_option("--public-key", evidence_keys, "the station's public key file (<key>.pub)");

  auto* user = app.add_subcommand("user", "the people who work stations, clear alerts and audit (docs/USERS.md)");
  user->require_subcommand(1);
  UserCommand user_command;
  auto* user_add = user->add_subcommand("add", "add a user; asks for the PIN or password twice (not echoed)");
  auto* user_passwd = user->add_subcommand("passwd", "set a new PIN or password; clears a lock-out");
  auto* user_disable = user->add_subcommand("disable", "the user can no longer sign in");
  auto* user_enable = user->add_subcommand("enable", "the user can sign in again");
  auto* user_list = user->add_subcommand("list", "every user with role and state");
  for (auto* sub : {user_add, user_passwd, user_disable, user_enable}) {
    sub->add_option("ID", user_command.id, "user id (what the person types or scans from a badge)")->required();
    sub->add_option("--as", user_command.as, "the admin who authorises this (asked for their password)");
  }
  user_add->add_option("--role", user_command.role, "picker, supervisor, qa or admin")
      ->check(CLI::IsMember({"picker", "supervisor", "qa", "admin"}))
      ->capture_default_str();
  user_add->add_option("--name", user_command.name, "the person's name, for lists and evidence");

  auto* orders = app.add_subcommand("orders", "the stored orders");
  orders->require_subcommand(1);
  auto* orders_list = orders->add_subcommand("list", "every stored order with its value and lines");

  auto* devices = app.add_subcommand("devices", "USB and serial barcode scanners: list, watch, udev rules");
  devices->require_subcommand(1);
  std::string profiles_dir = default_profiles_dir().string();
  std::string rules_output;
  auto* devices_list_cmd =
      devices->add_subcommand("list", "every attached scanner it recognises (profile, mode, state) "
                                      "and the USB devices it does not");
  auto* devices_watch_cmd = devices->add_subcommand("watch", "claim every recognised scanner and print its scans live "
                                                             "(Ctrl-C stops)");
  auto* devices_rules_cmd = devices->add_subcommand("udev-rules", "the udev rules that let pickverify use the scanners "
                                                                  "without root");
  for (auto* sub : {devices_list_cmd, devices_watch_cmd, devices_rules_cmd}) {
    sub->add_option("--profiles", profiles_dir, "folder of device profiles")->capture_default_str();
  }
  devices_rules_cmd->add_option("--output,-o", rules_output, "write to this file instead of standard output");

  auto* controller_cmd =
      app.add_subcommand("controller", "the station controller (gate lock, light, buzzer): status, set, watch");
  controller_cmd->require_subcommand(1);
  std::string controller_kind = "usb";
  int controller_watchdog_ms = 1500;
  std::string controller_serial;
  std::vector<std::string> controller_words;
  int controller_hold_ms = 5000;
  auto* controller_status_cmd = controller_cmd->add_subcommand("status", "firmware, serial, inputs, outputs in force");
  auto* controller_set_cmd = controller_cmd->add_subcommand(
      "set", "set the outputs and hold them, e.g. 'set unlocked green chirp' (then the watchdog locks again)");
  auto* controller_watch_cmd =
      controller_cmd->add_subcommand("watch", "print connection changes and input events live (Ctrl-C stops)");
  for (auto* sub : {controller_status_cmd, controller_set_cmd, controller_watch_cmd}) {
    sub->add_option("--kind", controller_kind, "usb, virtual, relay, delcom or relay+delcom")
        ->check(CLI::IsMember({"usb", "virtual", "relay", "delcom", "relay+delcom"}))
        ->capture_default_str();
    sub->add_option("--watchdog-ms", controller_watchdog_ms, "the device watchdog's timeout")
        ->check(CLI::Range(100, 10000))
        ->capture_default_str();
    sub->add_option("--serial", controller_serial, "only the controller with this serial number");
  }
  controller_set_cmd
      ->add_option("OUTPUTS", controller_words,
                   "locked|unlocked off|red|amber|green steady|blink_slow|blink_fast silent|chirp|error_tone|alarm")
      ->required();
  controller_set_cmd->add_option("--hold-ms", controller_hold_ms, "how long to hold them")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();

  auto* decode =
      app.add_subcommand("decode", "read every barcode in image files (exit 0 when it ran, even finding nothing)");
  std::vector<std::string> decode_images;
  bool decode_json = false;
  decode->add_option("IMAGE", decode_images, "image files (PNG, JPEG, …)")->required();
  decode->add_flag("--json", decode_json,
                   "one JSON object per symbol: image, text (GS as \\u001d), format, aim, corners");

  auto* calibrate = app.add_subcommand("calibrate", "calibrate a station's camera from chessboard pictures "
                                                    "(calibration/README.md)");
  CalibrateOptions calibrate_options;
  std::string calibrate_camera;
  std::string calibrate_images;
  std::string calibrate_output;
  std::vector<int> calibrate_pack_area;
  calibrate->add_option("--station", calibrate_options.station, "station id: writes calibration/<station>.yaml")
      ->required();
  auto* images_option = calibrate->add_option("--images", calibrate_images, "a folder of chessboard pictures");
  auto* camera_option = calibrate->add_option("--camera", calibrate_camera,
                                              "take pictures from this camera "
                                              "(/dev/video0, a stream URL, a folder)");
  images_option->excludes(camera_option);
  calibrate->add_option("--columns", calibrate_options.board.inner_columns, "inner corners along a row")
      ->check(CLI::Range(2, 50));
  calibrate->add_option("--rows", calibrate_options.board.inner_rows, "inner corners along a column")
      ->check(CLI::Range(2, 50));
  calibrate->add_option("--square-mm", calibrate_options.board.square_mm, "printed square size in mm")
      ->check(CLI::Range(1.0, 500.0));
  calibrate->add_option("--frames", calibrate_options.camera_frames, "pictures to take from a camera")
      ->check(CLI::Range(3, 200));
  calibrate->add_option("--pack-area", calibrate_pack_area, "the pack area in pixels: X Y WIDTH HEIGHT")->expected(4);
  calibrate->add_option("--output-dir", calibrate_output,
                        "where <station>.yaml goes (default: the calibration folder)");

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
  if (!station_override.empty())
    context.config.station_id = station_override;
  if (!operator_override.empty())
    context.config.operator_id = operator_override;
  context.data_dir = !data_dir.empty()         ? std::filesystem::path(data_dir)
                     : context.config.data_dir ? *context.config.data_dir
                                               : default_data_dir();

  context.scale = run_scale;
  if (!run_controller.empty())
    context.config.controller.kind = run_controller;
  if (*run)
    return cmd_run(context, in, interactive);
  if (*serve)
    return cmd_serve(context, serve_options);
  if (*token_create)
    return cmd_token_create(context, token_name, token_role, token_station);
  if (*demo)
    return cmd_demo(context);
  if (*loadgen)
    return cmd_loadgen(context, loadgen_options);
  if (*import_catalog)
    return cmd_import(context, ImportKind::catalog, import_file, import_format);
  if (*import_orders)
    return cmd_import(context, ImportKind::orders, import_file, import_format);
  if (*audit_verify)
    return cmd_audit_verify(context, verify_options);
  if (*audit_anchor)
    return cmd_audit_anchor(context, anchor_output);
  if (*audit_export)
    return cmd_audit_export(context, export_options);
  if (*audit_find)
    return cmd_audit_find(context, find_serial);
  if (*evidence_verify)
    return cmd_evidence_verify(context, evidence_folder, evidence_keys);
  if (*evidence) {
    if (evidence_order.empty() || evidence_output.empty()) {
      err << "pickverify: evidence ORDER -o DIR writes a pack; evidence verify DIR checks one\n";
      return 2;
    }
    return cmd_evidence(context, evidence_order, evidence_output);
  }
  if (*orders_list)
    return cmd_orders_list(context);
  for (auto* sub : {user_add, user_passwd, user_disable, user_enable, user_list}) {
    if (*sub) {
      user_command.action = sub->get_name();
      return cmd_user(context, in, user_command);
    }
  }
  if (*devices_list_cmd)
    return devices_list(out, profiles_dir);
  if (*devices_watch_cmd) {
    static std::atomic<bool> stop{false};
    std::signal(SIGINT, [](int) { stop = true; });
    std::signal(SIGTERM, [](int) { stop = true; });
    return devices_watch(out, profiles_dir, stop);
  }
  if (*devices_rules_cmd) {
    auto profiles = load_profiles(profiles_dir);
    if (!profiles) {
      err << "pickverify: " << profiles.error().message << "\n";
      return 2;
    }
    auto outputs = output_udev_devices(std::filesystem::path(profiles_dir) / "outputs");
    if (!outputs) {
      err << "pickverify: " << outputs.error().message << "\n";
      return 2;
    }
    const std::string rules = generate_udev_rules(*profiles, *outputs);
    if (rules_output.empty() || rules_output == "-") {
      out << rules;
      return 0;
    }
    std::ofstream file(rules_output, std::ios::binary | std::ios::trunc);
    file << rules;
    if (!file.flush()) {
      err << "pickverify: " << rules_output << ": cannot be written\n";
      return 1;
    }
    err << fmt::format("wrote {} (install it in /etc/udev/rules.d/ and run udevadm control --reload)\n", rules_output);
    return 0;
  }
  if (*controller_cmd) {
    ControllerOptions options;
    options.watchdog_timeout = std::chrono::milliseconds(controller_watchdog_ms);
    options.serial = controller_serial;
    if (*controller_status_cmd)
      return controller_status(out, controller_kind, options);
    if (*controller_set_cmd) {
      auto outputs = parse_outputs(controller_words);
      if (!outputs) {
        err << "pickverify: " << outputs.error().message << "\n";
        return 2;
      }
      return controller_set(out, controller_kind, options, *outputs, std::chrono::milliseconds(controller_hold_ms));
    }
    static std::atomic<bool> stop_watch{false};
    std::signal(SIGINT, [](int) { stop_watch = true; });
    std::signal(SIGTERM, [](int) { stop_watch = true; });
    return controller_watch(out, controller_kind, options, stop_watch);
  }
  if (*decode)
    return run_decode_command(decode_images, decode_json, out, err);
  if (*calibrate) {
    if (calibrate_images.empty() && calibrate_camera.empty()) {
      err << "pickverify: calibrate needs --images FOLDER or --camera LOCATION\n";
      return 2;
    }
    calibrate_options.images = calibrate_images;
    if (!calibrate_camera.empty()) {
      calibrate_options.camera = camera_config_for(calibrate_camera);
    }
    calibrate_options.output_dir =
        calibrate_output.empty() ? calibration_dir() : std::filesystem::path(calibrate_output);
    if (!calibrate_pack_area.empty()) {
      calibrate_options.pack_area =
          PixelRect{calibrate_pack_area[0], calibrate_pack_area[1], calibrate_pack_area[2], calibrate_pack_area[3]};
    }
    return run_calibrate_command(calibrate_options, out, err);
  }
  err << app.help();
  return 2;
}

} // namespace pickverify::app
