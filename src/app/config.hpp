// The configuration file (TOML, docs/CONFIGURATION.md), parsed strictly: an unknown key or a value
// out of range is an error naming the file and line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/error.hpp>
#include <pickverify/policy.hpp>
#include <pickverify/scanner_manager.hpp>

namespace pickverify::app {

// The [camera] table. Locations keep their prefixes ("folder:", "v4l2:" ...) until a camera is made
// from them (camera_location.hpp maps them onto pickverify::CameraConfig).
struct CameraSection {
  std::string source; // "" = none; "folder:PATH", "file:PATH", "v4l2:/dev/video0", "url:rtsp://…"
  int width = 1920;
  int height = 1080;
  int fps = 30;
  std::string calibration;       // calibration file; "" = calibration/<station>.yaml, else uncalibrated
  std::string hands_free_source; // a camera over the bench read like a scanner; "" = none
};

// The pack gate, stack light and buzzer ([controller], firmware-host/PROTOCOL.md).
struct ControllerConfig {
  std::string kind = "none"; // "none", "virtual" (the firmware model in-process) or "usb"
  bool required = true;      // while it is offline nothing is released (fail closed)
  int watchdog_timeout_ms = 1500;
  std::string serial; // "" = the first controller found
};

struct WebhookConfig {
  std::string name;
  std::string url;
  std::string secret;                // inline (tests); prefer secret_file
  std::filesystem::path secret_file; // read by `serve` when it starts (0600, outside the config)
  std::vector<std::string> events;
};

struct Config {
  std::optional<std::filesystem::path> data_dir;
  // Where catalog, orders and journal live: "" = <data_dir>/pickverify.db (SQLite); a
  // "postgresql://…" connection URI = that PostgreSQL database, shared by many stations.
  std::string store;
  std::string station_id = "station-1";
  std::string operator_id = "picker";
  Policy policy;
  CameraSection camera;
  // Which USB/serial scanners feed this station ([[station.scanners]]): by profile name, bus path,
  // serial number, or any recognised scanner. `station` is left empty: the running station is theirs.
  std::vector<StationAssignment> scanners; // empty: keyboard-wedge input on stdin only
  ControllerConfig controller;
  // [[webhook]]: where `serve` sends pack.released and alert.opened (docs/SERVICE.md, "Webhooks").
  std::vector<WebhookConfig> webhooks;
  std::filesystem::path source_file; // where it came from, for logs; empty = defaults
  // The station's Ed25519 journal-signing key (0600); empty: <data_dir>/keys/<station id>.key.
  std::optional<std::filesystem::path> key_file;
};

Result<Config> load_config(const std::filesystem::path& path);
Result<Config> parse_config(std::string_view text, const std::string& name);

// PICKVERIFY_DATA_DIR, else $XDG_DATA_HOME/pickverify, else ~/.local/share/pickverify.
std::filesystem::path default_data_dir();

} // namespace pickverify::app
