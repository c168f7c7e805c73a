#include <catch2/catch.hpp>

#include <pickverify/http_scan_source.hpp>

using namespace pickverify;

TEST_CASE("HttpScanSource::submit turns a terminal's scan into a ScanEvent for the station", "[http]")
{
  std::vector<ScanEvent> delivered;
  HttpScanSource source([&](const ScanEvent& event) { delivered.push_back(event); });
  auto event = source.submit(HttpScanRequest{"bench-7",
                                             "0109506000001906\x1d"
                                             "10LOT42",
                                             "]C1", "tc52-014"});
  REQUIRE(event);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].raw == "0109506000001906\x1d"
                            "10LOT42");
  CHECK(delivered[0].aim == std::optional<std::string>("]C1"));
  CHECK(delivered[0].source == "http:tc52-014");
  CHECK(delivered[0].source_kind == SourceKind::http);
  CHECK(delivered[0].station == "bench-7");
  CHECK(delivered[0].monotonic == event->monotonic);
}

TEST_CASE("HttpScanSource::submit refuses requests it cannot attribute or that are too large", "[http]")
{
  int delivered = 0;
  HttpScanSource source([&](const ScanEvent&) { ++delivered; }, 16);
  auto message = [&](HttpScanRequest request) {
    auto result = source.submit(request);
    REQUIRE_FALSE(result);
    CHECK(result.error().type == ErrorType::invalid_input);
    return result.error().message;
  };
  CHECK(message({"", "1", std::nullopt, "t"}) == "http scan: station id missing or not [A-Za-z0-9._-]{1,64}");
  CHECK(message({"bench 1", "1", std::nullopt, "t"}) == "http scan: station id missing or not [A-Za-z0-9._-]{1,64}");
  CHECK(message({"b", "1", std::nullopt, ""}) == "http scan: terminal id missing or not [A-Za-z0-9._-]{1,64}");
  CHECK(message({"b", "", std::nullopt, "t"}) == "http scan: empty data");
  CHECK(message({"b", std::string(17, '1'), std::nullopt, "t"}) == "http scan: 17 bytes of data, at most 16");
  CHECK(message({"b", "1", "C1", "t"}) == "http scan: AIM id \"C1\" is not ']' and two characters");
  CHECK(delivered == 0);
}
