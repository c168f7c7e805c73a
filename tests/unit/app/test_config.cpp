// parse_config / load_config: the TOML configuration, strict — an unknown key or a value out of
// range is an error naming the file and line; defaults hold for every key left out.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "config.hpp"
#include "importer.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::app;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

Config must_parse(const std::string& text)
{
  auto config = parse_config(text, "station.toml");
  INFO((config ? std::string() : config.error().message));
  REQUIRE(config.has_value());
  return *config;
}

std::string error_of(const std::string& text)
{
  auto config = parse_config(text, "station.toml");
  if (config) {
    FAIL("parse_config accepted:\n" << text);
  }
  CHECK(config.error().type == ErrorType::invalid_input);
  return config.error().message;
}

using test::ScopedEnv;

} // namespace

TEST_CASE("parse_config of an empty file gives the documented defaults", "[config]")
{
  const Config config = must_parse("");
  CHECK_FALSE(config.data_dir.has_value());
  CHECK(config.station_id == "station-1");
  CHECK(config.operator_id == "picker");
  CHECK(config.policy.high_value_threshold_minor == 20000);
  CHECK(config.policy.bounce_window == std::chrono::milliseconds(300));
  CHECK(config.policy.alert_on == std::set<Verdict>{Verdict::wrong_variant, Verdict::wrong_item, Verdict::over_quantity,
                                                    Verdict::unknown_code, Verdict::serial_packed});
  CHECK(config.policy.picker_may_clear == std::set<Verdict>{Verdict::duplicate, Verdict::unknown_code});
  CHECK(config.policy.manual_entry == ManualEntry::low_value_only);
  CHECK(config.camera.source.empty());
  CHECK(config.camera.width == 1920);
  CHECK(config.camera.height == 1080);
  CHECK(config.camera.fps == 30);
  CHECK(config.camera.calibration.empty());
  CHECK(config.source_file == "station.toml");
}

TEST_CASE("parse_config reads every key", "[config]")
{
  const Config config = must_parse(R"(
data_dir = "/srv/pickverify"

[station]
id = "bench-12"
operator = "picker-jo"

[policy]
high_value_threshold = "150.50"
bounce_window_ms = 0
alert_on = ["wrong_variant", "wrong_item", "over_quantity", "unknown_code", "malformed"]
picker_may_clear = []
manual_entry = "never"

[camera]
source = "folder:/srv/photos"
width = 1280
height = 720
fps = 15
calibration = "calibration/bench-12.yaml"
)");
  REQUIRE(config.data_dir.has_value());
  CHECK(*config.data_dir == "/srv/pickverify");
  CHECK(config.station_id == "bench-12");
  CHECK(config.operator_id == "picker-jo");
  CHECK(config.policy.high_value_threshold_minor == 15050);
  CHECK(config.policy.bounce_window == std::chrono::milliseconds(0));
  CHECK(config.policy.alert_on.count(Verdict::malformed) == 1);
  CHECK(config.policy.alert_on.size() == 5);
  CHECK(config.policy.picker_may_clear.empty());
  CHECK(config.policy.manual_entry == ManualEntry::never);
  CHECK(config.camera.source == "folder:/srv/photos");
  CHECK(config.camera.width == 1280);
  CHECK(config.camera.height == 720);
  CHECK(config.camera.fps == 15);
  CHECK(config.camera.calibration == "calibration/bench-12.yaml");

  CHECK(must_parse("[policy]\nmanual_entry = \"always\"\n").policy.manual_entry == ManualEntry::always);
  CHECK(must_parse("[policy]\nmanual_entry = \"low_value_only\"\n").policy.manual_entry == ManualEntry::low_value_only);
  // Dotted keys and inline tables are the same TOML.
  CHECK(must_parse("station.id = \"bench-3\"\n").station_id == "bench-3");
  CHECK(must_parse("camera = { fps = 60 }\n").camera.fps == 60);
}

TEST_CASE("load_config loads the committed example docs/pickverify.example.toml", "[config][docs]")
{
  const std::filesystem::path example =
      std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "docs" / "pickverify.example.toml";
  auto config = load_config(example);
  INFO((config ? std::string() : config.error().message));
  REQUIRE(config.has_value());
  CHECK(config->source_file == example);
  CHECK(config->data_dir == std::filesystem::path("/var/lib/pickverify"));
  CHECK(config->station_id == "bench-7");
  CHECK(config->operator_id == "picker-ana");
  // The example states the defaults of the policy, so it must agree with them.
  const Policy defaults;
  CHECK(config->policy.high_value_threshold_minor == defaults.high_value_threshold_minor);
  CHECK(config->policy.bounce_window == defaults.bounce_window);
  CHECK(config->policy.alert_on == defaults.alert_on);
  CHECK(config->policy.picker_may_clear == defaults.picker_may_clear);
  CHECK(config->policy.manual_entry == defaults.manual_entry);
  CHECK(config->camera.source == "v4l2:/dev/video0");
  CHECK(config->camera.width == 1920);
  CHECK(config->camera.height == 1080);
  CHECK(config->camera.fps == 30);
}

TEST_CASE("docs/CONFIGURATION.md shows the committed example file as it is", "[config][docs]")
{
  auto read = [](const std::string& relative) {
    auto text = read_text_file(std::filesystem::path(PICKVERIFY_SOURCE_DIR) / relative);
    INFO(relative);
    REQUIRE(text.has_value());
    return *text;
  };
  const std::string doc = read("docs/CONFIGURATION.md");
  const auto fence = doc.find("```toml\n");
  REQUIRE(fence != std::string::npos);
  const auto start = fence + 8;
  const auto end = doc.find("```", start);
  REQUIRE(end != std::string::npos);
  CHECK(doc.substr(start, end - start) == read("docs/pickverify.example.toml"));
}

TEST_CASE("parse_config names file and line of an unknown key", "[config]")
{
  CHECK(error_of("station_id = \"x\"\n") == "station.toml:1: unknown key station_id");
  CHECK(error_of("\n[station]\nid = \"a\"\nname = \"b\"\n") == "station.toml:4: unknown key station.name");
  CHECK(error_of("[policy]\n\n\nhigh_value = \"200.00\"\n") == "station.toml:4: unknown key policy.high_value");
  CHECK(error_of("[camera]\nsource = \"\"\nexposure = 3\n") == "station.toml:3: unknown key camera.exposure");
  CHECK(error_of("[scanner]\nport = 1\n") == "station.toml:1: unknown key scanner");
}

TEST_CASE("parse_config reads store as a PostgreSQL URI and refuses anything else", "[config]")
{
  CHECK(must_parse("").store.empty());
  CHECK(must_parse("store = \"postgresql://pv@db/warehouse?sslmode=require\"\n").store ==
        "postgresql://pv@db/warehouse?sslmode=require");
  CHECK(must_parse("store = \"postgres:///warehouse?host=/run/postgresql\"\n").store ==
        "postgres:///warehouse?host=/run/postgresql");
  CHECK_THAT(error_of("\nstore = \"/var/lib/pickverify/pickverify.db\"\n"),
             StartsWith("station.toml:2: store must be a PostgreSQL URI"));
  CHECK_THAT(error_of("store = \"host=db dbname=x\"\n"), StartsWith("station.toml:1: store must be a PostgreSQL URI"));
}

TEST_CASE("parse_config refuses values out of range and of the wrong type", "[config]")
{
  CHECK(error_of("[policy]\nbounce_window_ms = -1\n") ==
        "station.toml:2: policy.bounce_window_ms must be a whole number from 0 to 10000");
  CHECK(error_of("[policy]\nbounce_window_ms = 10001\n") ==
        "station.toml:2: policy.bounce_window_ms must be a whole number from 0 to 10000");
  CHECK_THAT(error_of("[policy]\nbounce_window_ms = 300.0\n"),
             StartsWith("station.toml:2: policy.bounce_window_ms must be a whole number"));
  CHECK_THAT(error_of("[policy]\nbounce_window_ms = \"300\"\n"), StartsWith("station.toml:2: policy.bounce_window_ms"));
  CHECK(error_of("[camera]\nwidth = 63\n") == "station.toml:2: camera.width must be a whole number from 64 to 8192");
  CHECK(error_of("[camera]\nheight = 8193\n") ==
        "station.toml:2: camera.height must be a whole number from 64 to 8192");
  CHECK(error_of("[camera]\nfps = 0\n") == "station.toml:2: camera.fps must be a whole number from 1 to 240");
  CHECK(error_of("[camera]\nfps = 241\n") == "station.toml:2: camera.fps must be a whole number from 1 to 240");
  CHECK(error_of("[camera]\nsource = 0\n") == "station.toml:2: camera.source must be a string");
  CHECK_THAT(error_of("[policy]\nhigh_value_threshold = \"lots\"\n"),
             StartsWith("station.toml:2: policy.high_value_threshold: 'lots' is not an amount such as \"200.00\""));
  CHECK_THAT(error_of("[policy]\nhigh_value_threshold = \"200.001\"\n"),
             StartsWith("station.toml:2: policy.high_value_threshold"));
  CHECK(error_of("[policy]\nhigh_value_threshold = 200\n") ==
        "station.toml:2: policy.high_value_threshold must be a string");
  CHECK(error_of("[policy]\nmanual_entry = \"sometimes\"\n") ==
        "station.toml:2: policy.manual_entry must be never, low_value_only or always");
  CHECK(error_of("[policy]\nalert_on = [\"wrong_item\", \"accepted\"]\n") ==
        "station.toml:2: policy.alert_on cannot include accepted");
  CHECK_THAT(error_of("[policy]\npicker_may_clear = [\n  \"duplicate\",\n  \"everything\"\n]\n"),
             StartsWith("station.toml:4: policy.picker_may_clear: 'everything' is not a verdict"));
  CHECK(error_of("[policy]\nalert_on = \"wrong_item\"\n") ==
        "station.toml:2: policy.alert_on must be a list of verdict names");
  CHECK(error_of("[policy]\nalert_on = [1]\n") == "station.toml:2: policy.alert_on must hold strings");
  CHECK(error_of("[station]\nid = \"\"\n") == "station.toml:2: station.id is empty");
  CHECK(error_of("station = \"bench\"\n") == "station.toml:1: station must be a table");
  CHECK(error_of("policy = 1\n") == "station.toml:1: policy must be a table");
  CHECK(error_of("data_dir = 5\n") == "station.toml:1: data_dir must be a string");
}

TEST_CASE("parse_config refuses a negative high-value threshold", "[config]")
{
  // A negative threshold would put every order, even $0.00, through the image check without anyone
  // having meant it; the documented range is an amount of zero or more.
  const std::string message = error_of("[policy]\nhigh_value_threshold = \"-1.00\"\n");
  CHECK_THAT(message, StartsWith("station.toml:2: policy.high_value_threshold"));
}

TEST_CASE("parse_config reports TOML syntax errors with the line", "[config]")
{
  CHECK_THAT(error_of("[station]\nid = \"a\"\nid = \"b\"\n"), StartsWith("station.toml:3: "));
  CHECK_THAT(error_of("[policy]\nbounce_window_ms = \n"), StartsWith("station.toml:2: "));
  CHECK_THAT(error_of("\n\n[camera\n"), StartsWith("station.toml:3: "));
}

TEST_CASE("load_config reads a file and names a missing one", "[config]")
{
  test::TempDir dir;
  std::ofstream(dir / "bench.toml") << "[station]\nid = \"bench-9\"\n[camera]\nfps = 999\n";
  auto broken = load_config(dir / "bench.toml");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message ==
        (dir / "bench.toml").string() + ":4: camera.fps must be a whole number from 1 to 240");

  std::ofstream(dir / "good.toml") << "[station]\nid = \"bench-9\"\n";
  auto good = load_config(dir / "good.toml");
  REQUIRE(good.has_value());
  CHECK(good->station_id == "bench-9");

  auto missing = load_config(dir / "nope.toml");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, StartsWith("configuration: "));
  CHECK_THAT(missing.error().message, Contains("nope.toml"));
}

TEST_CASE("default_data_dir: PICKVERIFY_DATA_DIR, else XDG_DATA_HOME, else HOME", "[config]")
{
  ScopedEnv home("HOME", "/home/ana");
  {
    ScopedEnv data("PICKVERIFY_DATA_DIR", "/srv/pv");
    ScopedEnv xdg("XDG_DATA_HOME", "/home/ana/.data");
    CHECK(default_data_dir() == std::filesystem::path("/srv/pv"));
  }
  {
    ScopedEnv data("PICKVERIFY_DATA_DIR", "");
    ScopedEnv xdg("XDG_DATA_HOME", "/home/ana/.data");
    CHECK(default_data_dir() == std::filesystem::path("/home/ana/.data/pickverify"));
  }
  {
    ScopedEnv data("PICKVERIFY_DATA_DIR", nullptr);
    ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    CHECK(default_data_dir() == std::filesystem::path("/home/ana/.local/share/pickverify"));
  }
}

TEST_CASE("parse_config: the controller table - kind, required, watchdog and serial, strictly", "[app][config]")
{
  const auto defaults = must_parse("");
  CHECK(defaults.controller.kind == "none");
  CHECK(defaults.controller.required);
  CHECK(defaults.controller.watchdog_timeout_ms == 1500);

  const auto config = must_parse("[controller]\nkind = \"usb\"\nrequired = false\nwatchdog_timeout_ms = 800\n"
                                 "serial = \"PV-0042\"\n");
  CHECK(config.controller.kind == "usb");
  CHECK_FALSE(config.controller.required);
  CHECK(config.controller.watchdog_timeout_ms == 800);
  CHECK(config.controller.serial == "PV-0042");

  CHECK_THAT(error_of("[controller]\nkind = \"serial\"\n"), Contains("station.toml:2: controller.kind must be"));
  CHECK_THAT(error_of("[controller]\nwatchdog_timeout_ms = 50\n"), Contains("from 100 to 10000"));
  CHECK_THAT(error_of("[controller]\nlight = \"red\"\n"), Contains("unknown key controller.light"));
}

TEST_CASE("parse_config: [[policy.weighing.packaging]] gives each box its weight and tolerance, strictly",
          "[app][config][weighing]")
{
  const auto config = must_parse("[policy.weighing]\nrequired = true\npackaging_g = 100\ntolerance_g = 20\n"
                                 "[[policy.weighing.packaging]]\nname = \"shoe-box\"\ncodes = [\"PKG-SHOE\"]\n"
                                 "weight_g = 180\ntolerance_g = 60\n"
                                 "[[policy.weighing.packaging]]\nname = \"mailer\"\ncodes = [\"PKG-MAIL\", \"M2\"]\n"
                                 "weight_g = 30\ntolerance_permille = 50\n");
  const auto& packagings = config.policy.weighing.packagings;
  REQUIRE(packagings.size() == 2);
  CHECK(packagings[0].name == "shoe-box");
  CHECK(packagings[0].codes == std::vector<std::string>{"PKG-SHOE"});
  CHECK(packagings[0].weight_g == 180);
  CHECK(packagings[0].tolerance_g == 60);
  CHECK_FALSE(packagings[0].tolerance_permille);
  CHECK(packagings[1].codes == std::vector<std::string>{"PKG-MAIL", "M2"});
  CHECK_FALSE(packagings[1].tolerance_g);
  CHECK(packagings[1].tolerance_permille == 50);
  CHECK(config.policy.weighing.packaging_g == 100);

  const std::string head = "[[policy.weighing.packaging]]\n";
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = [\"A\"]\n"), Contains("needs name, codes and weight_g"));
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = []\nweight_g = 5\n"), Contains("codes must be a list"));
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = [\"A\"]\nweight_g = -1\n"),
             Contains("policy.weighing.packaging.weight_g must be a whole number from 0 to 100000"));
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = [\"A\"]\nweight_g = 5\ncolour = \"brown\"\n"),
             Contains("unknown key policy.weighing.packaging.colour"));
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = [\"A\"]\nweight_g = 5\n" + head +
                      "name = \"b\"\ncodes = [\"B\", \"A\"]\nweight_g = 6\n"),
             Contains("code 'A' already names packaging 'a'"));
  CHECK_THAT(error_of(head + "name = \"a\"\ncodes = [\"A\"]\nweight_g = 5\n" + head +
                      "name = \"a\"\ncodes = [\"B\"]\nweight_g = 6\n"),
             Contains("packaging 'a' is defined twice"));
  CHECK_THAT(error_of("[policy.weighing]\npackaging = 3\n"), Contains("must be an array of tables"));
}

TEST_CASE("parse_config checks [[station.scanners]] and [[webhook]] entries as a whole", "[config]")
{
  const auto defaulted = must_parse("[[station.scanners]]\nvalue = \"ignored\"\n");
  REQUIRE(defaulted.scanners.size() == 1);
  CHECK(defaulted.scanners[0].match == StationAssignment::Match::any);
  CHECK(error_of("[[station.scanners]]\nmatch = \"serial_number\"\n") ==
        "station.toml:1: station.scanners with match = \"serial_number\" needs a value");
  CHECK(error_of("[[station.scanners]]\nmatch = \"colour\"\n") ==
        "station.toml:2: station.scanners.match must be profile, bus_path, serial_number or any");
  CHECK(error_of("[[station.scanners]]\nport = 3\n") == "station.toml:2: unknown key station.scanners.port");
  CHECK(error_of("[station]\nscanners = [1]\n") == "station.toml:2: each [[station.scanners]] must be a table");

  const std::string hook = "[[webhook]]\nname = \"erp\"\nurl = \"http://127.0.0.1:9/h\"\n";
  CHECK(must_parse(hook + "secret_file = \"/etc/pickverify/erp.secret\"\n").webhooks.at(0).secret_file ==
        "/etc/pickverify/erp.secret");
  CHECK(error_of(hook) == "station.toml:1: webhook \"erp\" needs secret_file (or secret)");
  CHECK(error_of(hook + "secret = \"s\"\nsecret_file = \"/f\"\n") ==
        "station.toml:1: webhook \"erp\": give secret_file or secret, not both");
  CHECK(error_of(hook + "secret = \"s\"\nevents = \"pack.released\"\n") ==
        "station.toml:5: webhook.events must be a list of event names");
  CHECK(error_of("[[webhook]]\nurl = \"http://x\"\nsecret = \"s\"\n") ==
        "station.toml:1: a [[webhook]] needs name and url");
  CHECK(error_of("webhook = 1\n") == "station.toml:1: webhook must be an array of tables ([[webhook]])");
  CHECK_THAT(error_of("[[policy.weighing.packaging]]\nname = \"a\"\ncodes = [\"\"]\nweight_g = 5\n"),
             Contains("station.toml:3: policy.weighing.packaging.codes holds an empty code"));
}
