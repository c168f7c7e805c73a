#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "keyboard_decoder.hpp"

using namespace pickverify;
using namespace pickverify::scanners;
using namespace std::chrono_literals;

namespace {

using Report = std::vector<std::uint8_t>;
constexpr std::uint8_t k_shift = 0x02, k_ctrl = 0x01, k_alt = 0x04, k_altgr = 0x40;

Report key(std::uint8_t modifiers, std::uint8_t usage)
{
  return {modifiers, 0, usage, 0, 0, 0, 0, 0};
}
const Report k_release = {0, 0, 0, 0, 0, 0, 0, 0};

struct Typist {
  KeyboardDecoder decoder;
  KeyboardDecoder::Clock::time_point now = KeyboardDecoder::Clock::now();
  std::vector<std::string> scans;

  explicit Typist(KeyboardDecoderSettings settings) : decoder(std::move(settings)) {}

  void send(const Report& report)
  {
    now += 1ms;
    REQUIRE(decoder.feed(report, now, scans));
  }
  void tap(std::uint8_t modifiers, std::uint8_t usage)
  {
    send(key(modifiers, usage));
    send(k_release);
  }
  void enter() { tap(0, 0x28); }
};

KeyboardDecoderSettings settings(KeyboardLayout layout, Terminator terminator = Terminator::enter)
{
  KeyboardDecoderSettings s;
  s.layout = layout;
  s.terminator = terminator;
  return s;
}

} // namespace

TEST_CASE("KeyboardDecoder types US digits and letters and ends the scan at Enter", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  for (std::uint8_t usage : {0x26, 0x22, 0x27, 0x23}) // 9 5 0 6
    t.tap(0, usage);
  t.tap(k_shift, 0x04); // A
  t.tap(0, 0x1d);       // z
  CHECK(t.scans.empty());
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "9506Az");
}

TEST_CASE("KeyboardDecoder reads a German scanner's keys through the German layout", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::de));
  t.tap(k_altgr, 0x26); // ]
  t.tap(k_shift, 0x08); // E
  t.tap(0, 0x27);       // 0
  t.tap(0, 0x1c);       // z (US y position)
  t.tap(0, 0x1d);       // y
  t.tap(0, 0x38);       // -
  t.tap(k_shift, 0x24); // /
  t.tap(k_altgr, 0x14); // @
  t.tap(0, 0x2d);       // ß
  t.tap(k_shift, 0x34); // Ä
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "]E0zy-/@\xc3\x9f\xc3\x84");
}

TEST_CASE("KeyboardDecoder reads a French scanner's shifted digits through AZERTY", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::fr));
  t.tap(k_shift, 0x26); // 9
  t.tap(k_shift, 0x22); // 5
  t.tap(0, 0x22);       // ( unshifted
  t.tap(0, 0x14);       // a
  t.tap(0, 0x33);       // m
  t.tap(k_altgr, 0x27); // @
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "95(am@");
}

TEST_CASE("KeyboardDecoder turns Ctrl+right-bracket and Alt+keypad 029 into the GS separator", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  t.tap(0, 0x1e);           // 1
  t.tap(k_ctrl, 0x30);      // Ctrl+] = GS
  t.tap(0, 0x1f);           // 2
  t.send(key(k_alt, 0x62)); // Alt held: keypad 0, 2, 9
  t.send(key(k_alt, 0));
  t.send(key(k_alt, 0x5a));
  t.send(key(k_alt, 0));
  t.send(key(k_alt, 0x61));
  t.send(key(k_alt, 0));
  t.send(k_release); // Alt released: the code is typed
  t.tap(0, 0x20);    // 3
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "1\x1d"
                      "2\x1d"
                      "3");
}

TEST_CASE("KeyboardDecoder counts a held key once and a repeated character twice", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  t.send(key(0, 0x1e));
  t.send(key(0, 0x1e)); // still held: no second 1
  t.send(k_release);
  t.tap(0, 0x1e);
  t.send({0, 0, 0x1e, 0x1f, 0, 0, 0, 0}); // 1 still held? no: released above; both new
  t.send(k_release);
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "1112");
}

TEST_CASE("KeyboardDecoder ends scans at Tab when configured and keeps Enter as data then", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us, Terminator::tab));
  t.tap(0, 0x1e);
  t.enter();
  t.tap(0, 0x1f);
  t.tap(0, 0x2b);
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "1\r2");
}

TEST_CASE("KeyboardDecoder strips the profile's prefix and suffix", "[keyboard]")
{
  auto s = settings(KeyboardLayout::us);
  s.prefix = "*";
  s.suffix = "#";
  Typist t(s);
  t.tap(k_shift, 0x25); // *
  t.tap(0, 0x1e);
  t.tap(k_shift, 0x20); // #
  t.enter();
  t.tap(0, 0x1f); // no prefix this time: kept as is
  t.enter();
  REQUIRE(t.scans.size() == 2);
  CHECK(t.scans[0] == "1");
  CHECK(t.scans[1] == "2");
}

TEST_CASE("KeyboardDecoder ends an unterminated scan after the inter-key timeout", "[keyboard]")
{
  auto s = settings(KeyboardLayout::us, Terminator::none);
  s.inter_key_timeout = 50ms;
  Typist t(s);
  t.tap(0, 0x1e);
  t.tap(0, 0x1f);
  REQUIRE(t.decoder.deadline());
  CHECK_FALSE(t.decoder.expire(t.now + 49ms));
  auto scan = t.decoder.expire(t.now + 50ms);
  REQUIRE(scan);
  CHECK(*scan == "12");
  CHECK_FALSE(t.decoder.deadline());
  // A key after a long pause starts a new scan; the old one was already delivered.
  t.now += 1s;
  t.tap(0, 0x20);
  CHECK(*t.decoder.expire(t.now + 1s) == "3");
}

TEST_CASE("KeyboardDecoder splits two scans separated by a pause even without a terminator in between", "[keyboard]")
{
  auto s = settings(KeyboardLayout::us, Terminator::none);
  s.inter_key_timeout = 50ms;
  Typist t(s);
  t.tap(0, 0x1e);
  t.now += 200ms; // the event loop missed the deadline: the next key still ends the first scan
  t.tap(0, 0x1f);
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "1");
  CHECK(*t.decoder.expire(t.now + 1s) == "2");
}

TEST_CASE("KeyboardDecoder rejects reports that are not boot keyboard reports and stays usable", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  std::vector<std::string> scans;
  auto short_report = t.decoder.feed(Report{0, 0, 0x1e}, t.now, scans);
  REQUIRE_FALSE(short_report);
  CHECK(short_report.error().message == "keyboard report of 3 bytes, a boot keyboard report has 8");
  CHECK_FALSE(t.decoder.feed(Report(64, 0x1e), t.now, scans));
  t.send({0, 0, 1, 1, 1, 1, 1, 1}); // phantom state: ignored
  t.tap(0, 0x1e);
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "1");
}

TEST_CASE("KeyboardDecoder drops a scan longer than its limit with an error", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  for (std::size_t i = 0; i < k_max_keyboard_scan_bytes + 10; ++i)
    t.tap(0, 0x1e);
  std::vector<std::string> scans;
  auto enter = t.decoder.feed(key(0, 0x28), t.now + 1ms, scans);
  REQUIRE_FALSE(enter);
  CHECK(enter.error().message == "scan longer than 4096 bytes dropped");
  CHECK(scans.empty());
  CHECK(t.decoder.pending_bytes() == 0);
  t.send(k_release);
  t.tap(0, 0x1f);
  t.enter();
  REQUIRE(t.scans.size() == 1);
  CHECK(t.scans[0] == "2");
}

TEST_CASE("KeyboardDecoder::reset drops a half-typed scan and says how much", "[keyboard]")
{
  Typist t(settings(KeyboardLayout::us));
  t.tap(0, 0x1e);
  t.tap(0, 0x1f);
  CHECK(t.decoder.reset() == 2);
  t.enter();
  CHECK(t.scans == std::vector<std::string>{""}); // a bare Enter: the manager ignores empty scans
}

TEST_CASE("layout_character knows dead keys and keys without a character", "[keyboard]")
{
  CHECK(is_dead(layout_character(KeyboardLayout::de, 0x35, false, false))); // ^
  CHECK(layout_character(KeyboardLayout::us, 0x35, false, false) == "`");
  CHECK(layout_character(KeyboardLayout::us, 0x3a, false, false).empty()); // F1
  CHECK(layout_character(KeyboardLayout::us, 0xff, false, false).empty());
}
