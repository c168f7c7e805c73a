#include "config.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <utility>

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

// Table-driven reading. Each TOML table the file may hold is a list of its keys, each with the function
// that reads its value into the configuration; an unknown key is an error naming its dotted path and line.
struct Place {
  const std::string& file; // for "file:line"
  std::string key;         // the value's dotted key: "camera.width"
};

std::string dotted(std::string_view prefix, std::string_view key)
{
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

Result<void> invalid(const Place& at, const toml::node& node, std::string_view what)
{
  return make_error(ErrorType::invalid_input, fmt::format("{}: {} {}", where(at.file, node), at.key, what));
}

template <typename T> struct Key {
  std::string_view name;
  std::function<Result<void>(const toml::node& value, const Place& at, T& target)> read;
};
template <typename T> using Keys = std::vector<Key<T>>;

template <typename T> Result<void> read_keys(const toml::table& table, const Place& at, const Keys<T>& keys, T& target)
{
  for (const auto& [key, value] : table) {
    const auto known =
        std::find_if(keys.begin(), keys.end(), [&key = key](const Key<T>& k) { return k.name == key.str(); });
    const Place inner{at.file, dotted(at.key, key.str())};
    if (known == keys.end()) {
      return make_error(ErrorType::invalid_input, fmt::format("{}: unknown key {}", where(at.file, value), inner.key));
    }
    PV_TRY(known->read(value, inner, target));
  }
  return {};
}

template <typename T> Result<void> read_table(const toml::node& node, const Place& at, const Keys<T>& keys, T& target)
{
  const auto* table = node.as_table();
  if (!table) {
    return invalid(at, node, "must be a table");
  }
  return read_keys(*table, at, keys, target);
}

// [[name]]: an array of tables, each handed to `each` with its node (for the line of its errors).
Result<void> each_table(const toml::node& node, const Place& at,
                        const std::function<Result<void>(const toml::table&, const toml::node&)>& each)
{
  const auto* list = node.as_array();
  if (!list) {
    return invalid(at, node, fmt::format("must be an array of tables ([[{}]])", at.key));
  }
  for (const auto& element : *list) {
    const auto* table = element.as_table();
    if (!table) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: each [[{}]] must be a table", where(at.file, element), at.key));
    }
    PV_TRY(each(*table, element));
  }
  return {};
}

template <typename M> struct number_of_member {
  using type = M;
};
template <typename M> struct number_of_member<std::optional<M>> {
  using type = M;
};

template <typename T, typename M> Key<T> text_key(std::string_view name, M T::*member, bool may_be_empty = true)
{
  return {name, [member, may_be_empty](const toml::node& value, const Place& at, T& target) -> Result<void> {
            PV_TRY_ASSIGN(auto text, string_of(value, at.file, at.key));
            if (!may_be_empty && text.empty()) {
              return invalid(at, value, "is empty");
            }
            target.*member = text;
            return {};
          }};
}

template <typename T, typename M>
Key<T> number_key(std::string_view name, M T::*member, std::int64_t min, std::int64_t max)
{
  return {name, [member, min, max](const toml::node& value, const Place& at, T& target) -> Result<void> {
            PV_TRY_ASSIGN(auto number, integer_of(value, at.file, at.key, min, max));
            target.*member = static_cast<typename number_of_member<M>::type>(number);
            return {};
          }};
}

template <typename T> Key<T> flag_key(std::string_view name, bool T::*member)
{
  return {name, [member](const toml::node& value, const Place& at, T& target) -> Result<void> {
            PV_TRY_ASSIGN(auto flag, boolean_of(value, at.file, at.key));
            target.*member = flag;
            return {};
          }};
}

// A string naming one of `choices`; otherwise "<key> must be <expected>".
template <typename T, typename E>
Key<T> choice_key(std::string_view name, E T::*member, std::vector<std::pair<std::string_view, E>> choices,
                  std::string_view expected)
{
  return {name,
          [member, choices = std::move(choices), expected](const toml::node& value, const Place& at,
                                                           T& target) -> Result<void> {
            PV_TRY_ASSIGN(auto text, string_of(value, at.file, at.key));
            for (const auto& [choice, meaning] : choices) {
              if (text == choice) {
                target.*member = meaning;
                return {};
              }
            }
            return invalid(at, value, fmt::format("must be {}", expected));
          }};
}

template <typename T, typename S> Key<T> section_key(std::string_view name, S T::*member, const Keys<S>& keys)
{
  return {name, [member, &keys](const toml::node& value, const Place& at, T& target) {
            return read_table(value, at, keys, target.*member);
          }};
}

// [[policy.weighing.packaging]]: name, codes, weight_g, and optionally its own tolerance_g and
// tolerance_permille. Names and codes are unique.
const Keys<Packaging>& packaging_keys()
{
  static const Keys<Packaging> keys{
      text_key("name", &Packaging::name),
      {"codes",
       [](const toml::node& value, const Place& at, Packaging& packaging) -> Result<void> {
         const auto* list = value.as_array();
         if (!list || list->empty()) {
           return invalid(at, value, "must be a list of the codes the picker scans for it");
         }
         for (const auto& element : *list) {
           PV_TRY_ASSIGN(auto code, string_of(element, at.file, at.key));
           if (code.empty()) {
             return invalid(at, element, "holds an empty code");
           }
           packaging.codes.push_back(code);
         }
         return {};
       }},
      number_key("weight_g", &Packaging::weight_g, 0, 100'000),
      number_key("tolerance_g", &Packaging::tolerance_g, 0, 100'000),
      number_key("tolerance_permille", &Packaging::tolerance_permille, 0, 500),
  };
  return keys;
}

Result<void> add_packaging(const toml::table& table, const toml::node& node, const Place& at, WeighingPolicy& weighing)
{
  Packaging packaging;
  PV_TRY(read_keys(table, at, packaging_keys(), packaging));
  if (packaging.name.empty() || packaging.codes.empty() || !table.contains("weight_g")) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: [[{}]] needs name, codes and weight_g", where(at.file, node), at.key));
  }
  for (const auto& other : weighing.packagings) {
    if (other.name == packaging.name) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}: packaging '{}' is defined twice", where(at.file, node), packaging.name));
    }
    for (const auto& code : packaging.codes) {
      if (std::find(other.codes.begin(), other.codes.end(), code) != other.codes.end()) {
        return make_error(ErrorType::invalid_input, fmt::format("{}: code '{}' already names packaging '{}'",
                                                                where(at.file, node), code, other.name));
      }
    }
  }
  weighing.packagings.push_back(std::move(packaging));
  return {};
}

const Keys<WeighingPolicy>& weighing_keys()
{
  using MissingWeight = WeighingPolicy::MissingWeight;
  static const Keys<WeighingPolicy> keys{
      flag_key("required", &WeighingPolicy::required),
      number_key("packaging_g", &WeighingPolicy::packaging_g, 0, 100'000),
      number_key("tolerance_g", &WeighingPolicy::tolerance_g, 0, 100'000),
      number_key("tolerance_permille", &WeighingPolicy::tolerance_permille, 0, 500),
      choice_key("missing_weight", &WeighingPolicy::missing_weight,
                 {{"refuse", MissingWeight::refuse}, {"skip", MissingWeight::skip}}, "refuse or skip"),
      {"packaging",
       [](const toml::node& value, const Place& at, WeighingPolicy& weighing) {
         return each_table(value, at, [&](const toml::table& table, const toml::node& element) {
           return add_packaging(table, element, at, weighing);
         });
       }},
  };
  return keys;
}

// alert_on, picker_may_clear: lists of verdict names.
Key<Policy> verdicts_key(std::string_view name, std::set<Verdict> Policy::*member, bool may_hold_accepted)
{
  return {name, [member, may_hold_accepted](const toml::node& value, const Place& at, Policy& policy) -> Result<void> {
            PV_TRY_ASSIGN(auto set, verdict_set(value, at.file, at.key));
            if (!may_hold_accepted && set.count(Verdict::accepted)) {
              return invalid(at, value, "cannot include accepted");
            }
            policy.*member = set;
            return {};
          }};
}

const Keys<Policy>& policy_keys()
{
  static const Keys<Policy> keys{
      {"high_value_threshold",
       [](const toml::node& value, const Place& at, Policy& policy) -> Result<void> {
         PV_TRY_ASSIGN(auto text, string_of(value, at.file, at.key));
         auto money = parse_money(text, "USD");
         if (!money) {
           return make_error(ErrorType::invalid_input, fmt::format("{}: {}: '{}' is not an amount such as \"200.00\"",
                                                                   where(at.file, value), at.key, text));
         }
         if (money->minor < 0) {
           return invalid(at, value, "must be an amount of zero or more");
         }
         policy.high_value_threshold_minor = money->minor;
         return {};
       }},
      {"bounce_window_ms",
       [](const toml::node& value, const Place& at, Policy& policy) -> Result<void> {
         PV_TRY_ASSIGN(auto ms, integer_of(value, at.file, at.key, 0, 10'000));
         policy.bounce_window = std::chrono::milliseconds(ms);
         return {};
       }},
      verdicts_key("alert_on", &Policy::alert_on, false),
      verdicts_key("picker_may_clear", &Policy::picker_may_clear, true),
      choice_key("manual_entry", &Policy::manual_entry,
                 {{"never", ManualEntry::never},
                  {"low_value_only", ManualEntry::low_value_only},
                  {"always", ManualEntry::always}},
                 "never, low_value_only or always"),
      flag_key("sealed_packs", &Policy::sealed_packs),
      flag_key("gs1_requisite_ais", &Policy::gs1_requisite_ais),
      section_key("weighing", &Policy::weighing, weighing_keys()),
  };
  return keys;
}

const Keys<StationAssignment>& scanner_keys()
{
  static const Keys<StationAssignment> keys{
      {"match",
       [](const toml::node& value, const Place& at, StationAssignment& assignment) -> Result<void> {
         PV_TRY_ASSIGN(auto match, string_of(value, at.file, at.key));
         const auto parsed = parse_assignment_match(match);
         if (!parsed) {
           return invalid(at, value, "must be profile, bus_path, serial_number or any");
         }
         assignment.match = *parsed;
         return {};
       }},
      text_key("value", &StationAssignment::value),
  };
  return keys;
}

// [station] writes into the configuration itself: id, operator, key_file, [[station.scanners]].
const Keys<Config>& station_keys()
{
  static const Keys<Config> keys{
      text_key("id", &Config::station_id, false),
      text_key("operator", &Config::operator_id),
      text_key("key_file", &Config::key_file, false),
      {"scanners",
       [](const toml::node& value, const Place& at, Config& config) {
         return each_table(value, at, [&](const toml::table& table, const toml::node& element) -> Result<void> {
           StationAssignment assignment; // no match key: any recognised scanner
           PV_TRY(read_keys(table, at, scanner_keys(), assignment));
           if (assignment.match != StationAssignment::Match::any && assignment.value.empty()) {
             return make_error(ErrorType::invalid_input,
                               fmt::format("{}: {} with match = \"{}\" needs a value", where(at.file, element), at.key,
                                           to_string(assignment.match)));
           }
           config.scanners.push_back(std::move(assignment));
           return {};
         });
       }},
  };
  return keys;
}

const Keys<CameraSection>& camera_keys()
{
  static const Keys<CameraSection> keys{
      text_key("source", &CameraSection::source),
      text_key("hands_free_source", &CameraSection::hands_free_source),
      text_key("calibration", &CameraSection::calibration),
      number_key("width", &CameraSection::width, 64, 8192),
      number_key("height", &CameraSection::height, 64, 8192),
      number_key("fps", &CameraSection::fps, 1, 240),
  };
  return keys;
}

const Keys<ControllerConfig>& controller_keys()
{
  static const Keys<ControllerConfig> keys{
      {"kind",
       [](const toml::node& value, const Place& at, ControllerConfig& controller) -> Result<void> {
         PV_TRY_ASSIGN(auto kind, string_of(value, at.file, at.key));
         if (kind != "none" && kind != "virtual" && kind != "usb" && !is_commodity_controller_kind(kind)) {
           return invalid(at, value,
                          "must be \"none\", \"virtual\", \"usb\", \"relay\", \"delcom\" or \"relay+delcom\"");
         }
         controller.kind = kind;
         return {};
       }},
      flag_key("required", &ControllerConfig::required),
      number_key("watchdog_timeout_ms", &ControllerConfig::watchdog_timeout_ms, 100, 10000),
      text_key("serial", &ControllerConfig::serial),
  };
  return keys;
}

const Keys<WebhookConfig>& webhook_keys()
{
  static const Keys<WebhookConfig> keys{
      text_key("name", &WebhookConfig::name),
      text_key("url", &WebhookConfig::url),
      text_key("secret", &WebhookConfig::secret),
      text_key("secret_file", &WebhookConfig::secret_file),
      {"events",
       [](const toml::node& value, const Place& at, WebhookConfig& webhook) -> Result<void> {
         const auto* events = value.as_array();
         if (!events) {
           return invalid(at, value, "must be a list of event names");
         }
         for (const auto& event : *events) {
           PV_TRY_ASSIGN(auto name, string_of(event, at.file, at.key));
           webhook.events.push_back(name);
         }
         return {};
       }},
  };
  return keys;
}

Result<void> add_webhook(const toml::table& table, const toml::node& node, const Place& at, Config& config)
{
  WebhookConfig webhook;
  PV_TRY(read_keys(table, at, webhook_keys(), webhook));
  const std::string place = where(at.file, node);
  if (webhook.name.empty() || webhook.url.empty()) {
    return make_error(ErrorType::invalid_input, fmt::format("{}: a [[webhook]] needs name and url", place));
  }
  if (table.contains("secret_file") && !webhook.secret.empty()) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: webhook \"{}\": give secret_file or secret, not both", place, webhook.name));
  }
  if (webhook.secret.empty() && webhook.secret_file.empty()) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("{}: webhook \"{}\" needs secret_file (or secret)", place, webhook.name));
  }
  config.webhooks.push_back(std::move(webhook));
  return {};
}

const Keys<Config>& config_keys()
{
  static const Keys<Config> keys{
      text_key("data_dir", &Config::data_dir),
      {"store",
       [](const toml::node& value, const Place& at, Config& config) -> Result<void> {
         PV_TRY_ASSIGN(auto text, string_of(value, at.file, at.key));
         if (!text.empty() && !is_postgres_location(text)) {
           return invalid(at, value,
                          "must be a PostgreSQL URI (\"postgresql://user@host/db\"); leave it out for the SQLite "
                          "database in the data folder");
         }
         config.store = text;
         return {};
       }},
      {"station", [](const toml::node& value, const Place& at,
                     Config& config) { return read_table(value, at, station_keys(), config); }},
      section_key("policy", &Config::policy, policy_keys()),
      section_key("camera", &Config::camera, camera_keys()),
      section_key("controller", &Config::controller, controller_keys()),
      {"webhook",
       [](const toml::node& value, const Place& at, Config& config) {
         return each_table(value, at, [&](const toml::table& table, const toml::node& element) {
           return add_webhook(table, element, at, config);
         });
       }},
  };
  return keys;
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
  PV_TRY(read_keys(root, Place{name, ""}, config_keys(), config));
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
