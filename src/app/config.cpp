#include "config.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <pickverify/controller.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/store.hpp>

#include "importer.hpp"

namespace pickverify::app {

namespace {

std::string where(const std::string& name, const toml::node& node)
{
  return fmt::format("{}:{}", name, node.source().begin.line);
}

Result<Verdict> verdict_from(std::string_view text)
{
  std::string known;
  for (auto verdict : k_all_verdicts) {
    if (to_string(verdict) == text) {
      return verdict;
    }
    if (verdict != Verdict::accepted) {
      known += fmt::format("{}{}", known.empty() ? "" : ", ", to_string(verdict));
    }
  }
  return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a verdict ({})", text, known));
}

Result<std::set<Verdict>> verdict_set(const toml::node& node, const std::string& name, std::string_view key)
{
  const auto* array = node.as_array();
  if (!array) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: {} must be a list of verdict names", where(name, node), key));
  }
  std::set<Verdict> verdicts;
  for (const auto& element : *array) {
    const auto* text = element.as_string();
    if (!text) {
      return make_error(ErrorType::invalid_input, fmt::format("{}: {} must hold strings", where(name, element), key));
    }
    auto verdict = verdict_from(text->get());
    if (!verdict) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: {}: {}", where(name, element), key, verdict.error().message));
    }
    verdicts.insert(*verdict);
  }
  return verdicts;
}

Result<std::string> string_of(const toml::node& node, const std::string& name, std::string_view key)
{
  if (const auto* text = node.as_string()) {
    return text->get();
  }
  return make_error(ErrorType::invalid_input, fmt::format("{}: {} must be a string", where(name, node), key));
}

Result<bool> boolean_of(const toml::node& node, const std::string& name, std::string_view key)
{
  if (const auto* value = node.as_boolean()) {
    return value->get();
  }
  return make_error(ErrorType::invalid_input, fmt::format("{}: {} must be true or false", where(name, node), key));
}

Result<std::int64_t> integer_of(const toml::node& node, const std::string& name, std::string_view key, std::int64_t min,
                                std::int64_t max)
{
  const auto* value = node.as_integer();
  if (!value || value->get() < min || value->get() > max) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: {} must be a whole number from {} to {}", where(name, node), key, min, max));
  }
  return value->get();
}

// [[policy.weighing.packaging]]: name, codes, weight_g, and optionally its own tolerance_g and
// tolerance_permille. Names and codes are unique.
Result<Packaging> packaging_of(const toml::node& node, const std::string& name, const std::vector<Packaging>& earlier)
{
  const auto* table = node.as_table();
  if (!table) {
    return make_error(
        ErrorType::invalid_input,
        fmt::format("{}: policy.weighing.packaging must be an array of tables ([[policy.weighing.packaging]])",
                    where(name, node)));
  }
  Packaging packaging;
  bool has_weight = false;
  for (const auto& [key, value] : *table) {
    const std::string_view k = key.str();
    if (k == "name") {
      PV_TRY_ASSIGN(auto text, string_of(value, name, "policy.weighing.packaging.name"));
      packaging.name = text;
    } else if (k == "codes") {
      const auto* list = value.as_array();
      if (!list || list->empty()) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: policy.weighing.packaging.codes must be a list of the codes the picker "
                                      "scans for it",
                                      where(name, value)));
      }
      for (const auto& element : *list) {
        PV_TRY_ASSIGN(auto code, string_of(element, name, "policy.weighing.packaging.codes"));
        if (code.empty()) {
          return make_error(
              ErrorType::invalid_input,
              fmt::format("{}: policy.weighing.packaging.codes holds an empty code", where(name, element)));
        }
        packaging.codes.push_back(code);
      }
    } else if (k == "weight_g") {
      PV_TRY_ASSIGN(auto v, integer_of(value, name, "policy.weighing.packaging.weight_g", 0, 100'000));
      packaging.weight_g = v;
      has_weight = true;
    } else if (k == "tolerance_g") {
      PV_TRY_ASSIGN(auto v, integer_of(value, name, "policy.weighing.packaging.tolerance_g", 0, 100'000));
      packaging.tolerance_g = v;
    } else if (k == "tolerance_permille") {
      PV_TRY_ASSIGN(auto v, integer_of(value, name, "policy.weighing.packaging.tolerance_permille", 0, 500));
      packaging.tolerance_permille = static_cast<std::int32_t>(v);
    } else {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: unknown key policy.weighing.packaging.{}", where(name, value), k));
    }
  }
  if (packaging.name.empty() || packaging.codes.empty() || !has_weight) {
    return make_error(
        ErrorType::invalid_input,
        fmt::format("{}: [[policy.weighing.packaging]] needs name, codes and weight_g", where(name, node)));
  }
  for (const auto& other : earlier) {
    if (other.name == packaging.name) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: packaging '{}' is defined twice", where(name, node), packaging.name));
    }
    for (const auto& code : packaging.codes) {
      if (std::find(other.codes.begin(), other.codes.end(), code) != other.codes.end()) {
        return make_error(ErrorType::invalid_input, fmt::format("{}: code '{}' already names packaging '{}'",
                                                                where(name, node), code, other.name));
      }
    }
  }
  return packaging;
}

Result<void> parse_policy(const toml::table& table, const std::string& name, Policy& policy)
{
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "high_value_threshold") {
      PV_TRY_ASSIGN(auto text, string_of(node, name, k));
      auto money = parse_money(text, "USD");
      if (!money) {
        return make_error(
            ErrorType::invalid_input,
            fmt::format("{}: high_value_threshold: '{}' is not an amount such as \"200.00\"", where(name, node), text));
      }
      if (money->minor < 0) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: high_value_threshold must be an amount of zero or more", where(name, node)));
      }
      policy.high_value_threshold_minor = money->minor;
    } else if (k == "bounce_window_ms") {
      PV_TRY_ASSIGN(auto ms, integer_of(node, name, k, 0, 10'000));
      policy.bounce_window = std::chrono::milliseconds(ms);
    } else if (k == "alert_on") {
      PV_TRY_ASSIGN(auto set, verdict_set(node, name, k));
      if (set.count(Verdict::accepted)) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: alert_on cannot include accepted", where(name, node)));
      }
      policy.alert_on = set;
    } else if (k == "picker_may_clear") {
      PV_TRY_ASSIGN(auto set, verdict_set(node, name, k));
      policy.picker_may_clear = set;
    } else if (k == "manual_entry") {
      PV_TRY_ASSIGN(auto text, string_of(node, name, k));
      if (text == "never")
        policy.manual_entry = ManualEntry::never;
      else if (text == "low_value_only")
        policy.manual_entry = ManualEntry::low_value_only;
      else if (text == "always")
        policy.manual_entry = ManualEntry::always;
      else
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: manual_entry must be never, low_value_only or always", where(name, node)));
    } else if (k == "sealed_packs") {
      PV_TRY_ASSIGN(auto allowed, boolean_of(node, name, k));
      policy.sealed_packs = allowed;
    } else if (k == "gs1_requisite_ais") {
      PV_TRY_ASSIGN(auto checked, boolean_of(node, name, k));
      policy.gs1_requisite_ais = checked;
    } else if (k == "weighing") {
      const auto* weighing = node.as_table();
      if (!weighing) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: policy.weighing must be a table", where(name, node)));
      }
      for (const auto& [wkey, wnode] : *weighing) {
        const std::string_view wk = wkey.str();
        if (wk == "required") {
          PV_TRY_ASSIGN(auto required, boolean_of(wnode, name, "policy.weighing.required"));
          policy.weighing.required = required;
        } else if (wk == "packaging_g") {
          PV_TRY_ASSIGN(auto v, integer_of(wnode, name, "policy.weighing.packaging_g", 0, 100'000));
          policy.weighing.packaging_g = v;
        } else if (wk == "tolerance_g") {
          PV_TRY_ASSIGN(auto v, integer_of(wnode, name, "policy.weighing.tolerance_g", 0, 100'000));
          policy.weighing.tolerance_g = v;
        } else if (wk == "tolerance_permille") {
          PV_TRY_ASSIGN(auto v, integer_of(wnode, name, "policy.weighing.tolerance_permille", 0, 500));
          policy.weighing.tolerance_permille = static_cast<std::int32_t>(v);
        } else if (wk == "missing_weight") {
          PV_TRY_ASSIGN(auto text, string_of(wnode, name, "policy.weighing.missing_weight"));
          if (text == "refuse")
            policy.weighing.missing_weight = WeighingPolicy::MissingWeight::refuse;
          else if (text == "skip")
            policy.weighing.missing_weight = WeighingPolicy::MissingWeight::skip;
          else
            return make_error(ErrorType::invalid_input, fmt::format("{}: policy.weighing.missing_weight must be refuse "
                                                                    "or skip",
                                                                    where(name, wnode)));
        } else if (wk == "packaging") {
          const auto* list = wnode.as_array();
          if (!list) {
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: policy.weighing.packaging must be an array of tables "
                                          "([[policy.weighing.packaging]])",
                                          where(name, wnode)));
          }
          for (const auto& element : *list) {
            PV_TRY_ASSIGN(auto packaging, packaging_of(element, name, policy.weighing.packagings));
            policy.weighing.packagings.push_back(std::move(packaging));
          }
        } else {
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: unknown key policy.weighing.{}", where(name, wnode), wk));
        }
      }
    } else {
      return make_error(ErrorType::invalid_input, fmt::format("{}: unknown key policy.{}", where(name, node), k));
    }
  }
  return {};
}

} // namespace

Result<Config> parse_config(std::string_view text, const std::string& name)
{
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}:{}: {}", name, error.source().begin.line, error.description()));
  }
  Config config;
  for (const auto& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "data_dir") {
      PV_TRY_ASSIGN(auto text_value, string_of(node, name, k));
      config.data_dir = text_value;
    } else if (k == "store") {
      PV_TRY_ASSIGN(auto text_value, string_of(node, name, k));
      if (!text_value.empty() && !is_postgres_location(text_value)) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: store must be a PostgreSQL URI (\"postgresql://user@host/db\"); leave it "
                                      "out for the SQLite database in the data folder",
                                      where(name, node)));
      }
      config.store = text_value;
    } else if (k == "station") {
      const auto* table = node.as_table();
      if (!table)
        return make_error(ErrorType::invalid_input, fmt::format("{}: station must be a table", where(name, node)));
      for (const auto& [station_key, station_node] : *table) {
        if (station_key.str() == "id") {
          PV_TRY_ASSIGN(auto id, string_of(station_node, name, "station.id"));
          if (id.empty())
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: station.id is empty", where(name, station_node)));
          config.station_id = id;
        } else if (station_key.str() == "scanners") {
          const auto* list = station_node.as_array();
          if (!list) {
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: station.scanners must be a list of {{ match, value }} tables",
                                          where(name, station_node)));
          }
          for (const auto& element : *list) {
            const auto* entry = element.as_table();
            if (!entry) {
              return make_error(ErrorType::invalid_input,
                                fmt::format("{}: station.scanners entries must be tables", where(name, element)));
            }
            StationAssignment assignment;
            bool has_match = false;
            for (const auto& [scanner_key, scanner_node] : *entry) {
              if (scanner_key.str() == "match") {
                PV_TRY_ASSIGN(auto match, string_of(scanner_node, name, "station.scanners.match"));
                const auto parsed = parse_assignment_match(match);
                if (!parsed) {
                  return make_error(
                      ErrorType::invalid_input,
                      fmt::format("{}: station.scanners.match must be profile, bus_path, serial_number or any",
                                  where(name, scanner_node)));
                }
                assignment.match = *parsed;
                has_match = true;
              } else if (scanner_key.str() == "value") {
                PV_TRY_ASSIGN(auto value, string_of(scanner_node, name, "station.scanners.value"));
                assignment.value = value;
              } else {
                return make_error(ErrorType::invalid_input, fmt::format("{}: unknown key station.scanners.{}",
                                                                        where(name, scanner_node), scanner_key.str()));
              }
            }
            if (!has_match) {
              assignment.match = StationAssignment::Match::any;
            }
            if (assignment.match != StationAssignment::Match::any && assignment.value.empty()) {
              return make_error(ErrorType::invalid_input,
                                fmt::format("{}: station.scanners with match = \"{}\" needs a value",
                                            where(name, element), to_string(assignment.match)));
            }
            config.scanners.push_back(std::move(assignment));
          }
        } else if (station_key.str() == "operator") {
          PV_TRY_ASSIGN(auto op, string_of(station_node, name, "station.operator"));
          config.operator_id = op;
        } else if (station_key.str() == "key_file") {
          PV_TRY_ASSIGN(auto key_file, string_of(station_node, name, "station.key_file"));
          if (key_file.empty())
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: station.key_file is empty", where(name, station_node)));
          config.key_file = key_file;
        } else {
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: unknown key station.{}", where(name, station_node), station_key.str()));
        }
      }
    } else if (k == "policy") {
      const auto* table = node.as_table();
      if (!table)
        return make_error(ErrorType::invalid_input, fmt::format("{}: policy must be a table", where(name, node)));
      PV_TRY(parse_policy(*table, name, config.policy));
    } else if (k == "camera") {
      const auto* table = node.as_table();
      if (!table)
        return make_error(ErrorType::invalid_input, fmt::format("{}: camera must be a table", where(name, node)));
      for (const auto& [camera_key, camera_node] : *table) {
        const std::string_view ck = camera_key.str();
        if (ck == "source") {
          PV_TRY_ASSIGN(auto source, string_of(camera_node, name, "camera.source"));
          config.camera.source = source;
        } else if (ck == "hands_free_source") {
          PV_TRY_ASSIGN(auto source, string_of(camera_node, name, "camera.hands_free_source"));
          config.camera.hands_free_source = source;
        } else if (ck == "calibration") {
          PV_TRY_ASSIGN(auto file, string_of(camera_node, name, "camera.calibration"));
          config.camera.calibration = file;
        } else if (ck == "width") {
          PV_TRY_ASSIGN(auto v, integer_of(camera_node, name, "camera.width", 64, 8192));
          config.camera.width = static_cast<int>(v);
        } else if (ck == "height") {
          PV_TRY_ASSIGN(auto v, integer_of(camera_node, name, "camera.height", 64, 8192));
          config.camera.height = static_cast<int>(v);
        } else if (ck == "fps") {
          PV_TRY_ASSIGN(auto v, integer_of(camera_node, name, "camera.fps", 1, 240));
          config.camera.fps = static_cast<int>(v);
        } else {
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: unknown key camera.{}", where(name, camera_node), ck));
        }
      }
    } else if (k == "webhook") {
      const auto* list = node.as_array();
      if (!list)
        return make_error(ErrorType::invalid_input,
                          fmt::format("{}: webhook must be an array of tables ([[webhook]])", where(name, node)));
      for (const auto& element : *list) {
        const auto* entry = element.as_table();
        if (!entry)
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: each [[webhook]] must be a table", where(name, element)));
        WebhookConfig webhook;
        std::optional<std::string> secret_file;
        for (const auto& [webhook_key, webhook_node] : *entry) {
          const std::string_view wk = webhook_key.str();
          if (wk == "name" || wk == "url" || wk == "secret" || wk == "secret_file") {
            PV_TRY_ASSIGN(auto value, string_of(webhook_node, name, fmt::format("webhook.{}", wk)));
            (wk == "name"     ? webhook.name
             : wk == "url"    ? webhook.url
             : wk == "secret" ? webhook.secret
                              : secret_file.emplace()) = value;
          } else if (wk == "events") {
            const auto* events = webhook_node.as_array();
            if (!events)
              return make_error(
                  ErrorType::invalid_input,
                  fmt::format("{}: webhook.events must be a list of event names", where(name, webhook_node)));
            for (const auto& event : *events) {
              PV_TRY_ASSIGN(auto value, string_of(event, name, "webhook.events"));
              webhook.events.push_back(value);
            }
          } else {
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: unknown key webhook.{}", where(name, webhook_node), wk));
          }
        }
        if (webhook.name.empty() || webhook.url.empty())
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: a [[webhook]] needs name and url", where(name, element)));
        if (secret_file && !webhook.secret.empty())
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: webhook \"{}\": give secret_file or secret, not both",
                                        where(name, element), webhook.name));
        if (secret_file)
          webhook.secret_file = *secret_file;
        if (webhook.secret.empty() && webhook.secret_file.empty())
          return make_error(ErrorType::invalid_input, fmt::format("{}: webhook \"{}\" needs secret_file (or secret)",
                                                                  where(name, element), webhook.name));
        config.webhooks.push_back(std::move(webhook));
      }
    } else if (k == "controller") {
      const auto* table = node.as_table();
      if (!table)
        return make_error(ErrorType::invalid_input, fmt::format("{}: controller must be a table", where(name, node)));
      for (const auto& [controller_key, controller_node] : *table) {
        const std::string_view ck = controller_key.str();
        if (ck == "kind") {
          PV_TRY_ASSIGN(auto kind, string_of(controller_node, name, "controller.kind"));
          if (kind != "none" && kind != "virtual" && kind != "usb" && !is_commodity_controller_kind(kind))
            return make_error(ErrorType::invalid_input,
                              fmt::format("{}: controller.kind must be \"none\", \"virtual\", \"usb\", \"relay\", "
                                          "\"delcom\" or \"relay+delcom\"",
                                          where(name, controller_node)));
          config.controller.kind = kind;
        } else if (ck == "required") {
          if (!controller_node.is_boolean())
            return make_error(ErrorType::invalid_input, fmt::format("{}: controller.required must be true or false",
                                                                    where(name, controller_node)));
          config.controller.required = *controller_node.value<bool>();
        } else if (ck == "watchdog_timeout_ms") {
          PV_TRY_ASSIGN(auto v, integer_of(controller_node, name, "controller.watchdog_timeout_ms", 100, 10000));
          config.controller.watchdog_timeout_ms = static_cast<int>(v);
        } else if (ck == "serial") {
          PV_TRY_ASSIGN(auto serial, string_of(controller_node, name, "controller.serial"));
          config.controller.serial = serial;
        } else {
          return make_error(ErrorType::invalid_input,
                            fmt::format("{}: unknown key controller.{}", where(name, controller_node), ck));
        }
      }
    } else {
      return make_error(ErrorType::invalid_input, fmt::format("{}: unknown key {}", where(name, node), k));
    }
  }
  config.source_file = name;
  return config;
}

Result<Config> load_config(const std::filesystem::path& path)
{
  PV_TRY_ASSIGN(const auto text, read_text_file(path), "configuration");
  return parse_config(text, path.string());
}

std::filesystem::path default_data_dir()
{
  if (const char* dir = std::getenv("PICKVERIFY_DATA_DIR"); dir && *dir) {
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "pickverify";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".local" / "share" / "pickverify";
  }
  return std::filesystem::current_path() / "pickverify-data";
}

} // namespace pickverify::app
