#include <catch2/catch.hpp>

#include <pickverify/scale.hpp>

using namespace pickverify;

TEST_CASE("decode_hid_pos_scale_report: stable readings in every unit, states are not readings",
          "[firmware-host][scale]")
{
  auto g = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 2, 0, 0xd8, 0x04}); // 1240 g
  REQUIRE(g);
  REQUIRE(g->usable());
  CHECK(g->weight->milligrams() == 1'240'000);
  auto kg = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 3, 0xfd, 0xd8, 0x04}); // 1240e-3 kg
  REQUIRE(kg);
  CHECK(kg->weight->milligrams() == 1'240'000);
  auto oz = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 11, 0xff, 0xb6, 0x01}); // 43.8 oz
  REQUIRE(oz);
  CHECK(oz->weight->milligrams() == 1'241'709);
  auto lb = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 12, 0xfe, 0xe6, 0x00}); // 2.30 lb
  REQUIRE(lb);
  CHECK(lb->weight->compare_mg(1'043'262) == 1);
  CHECK(lb->weight->compare_mg(1'043'263) == -1);
  auto zero = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 2, 2, 0, 0, 0});
  REQUIRE(zero);
  CHECK(zero->status == ScaleStatus::zero);
  CHECK(zero->weight->milligrams() == 0);

  for (std::uint8_t status : {1, 3, 5, 6, 7, 8}) {
    auto state = decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, status, 2, 0, 0xd8, 0x04});
    REQUIRE(state);
    CHECK_FALSE(state->usable());
  }
  CHECK(describe(*decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 6, 2, 0, 0, 0})) ==
        "overload: not a reading");
  CHECK(decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 2, 0, 1}).error().message ==
        "scale report: 5 bytes, expected 6");
  CHECK(decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x02, 4, 2, 0, 1, 0}).error().message ==
        "scale report: id 0x02, expected 0x03");
  CHECK(decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 9, 2, 0, 1, 0}).error().message ==
        "scale report: unknown status 9");
  CHECK(decode_hid_pos_scale_report(std::vector<std::uint8_t>{0x03, 4, 4, 0, 1, 0}).error().message ==
        "scale report: unit 4 is not one of mg, g, kg, oz, lb (1, 2, 3, 11, 12)");
}

TEST_CASE("parse_mt_sics_line: S S is a reading, S D / S + / S - are states, errors by name", "[firmware-host][scale]")
{
  auto stable = parse_mt_sics_line("S S      1.240 kg");
  REQUIRE(stable);
  REQUIRE(stable->usable());
  CHECK(stable->weight->milligrams() == 1'240'000);
  auto motion = parse_mt_sics_line("S D      1.180 kg");
  REQUIRE(motion);
  CHECK(motion->status == ScaleStatus::in_motion);
  CHECK_FALSE(motion->usable());
  CHECK(parse_mt_sics_line("S +")->status == ScaleStatus::overload);
  CHECK(parse_mt_sics_line("S -")->status == ScaleStatus::under_zero);
  CHECK_FALSE(parse_mt_sics_line("S S     -0.004 kg")->usable());
  CHECK(parse_mt_sics_line("S I").error().message == "MT-SICS: the scale is busy (S I), try again");
  CHECK(parse_mt_sics_line("ES").error().message ==
        "MT-SICS: the scale did not understand the command (ES syntax error)");
  CHECK(parse_mt_sics_line("S S 1.2").error().message == "MT-SICS: 'S S 1.2' is not 'S <S|D> <value> <unit>'");
  CHECK(parse_mt_sics_line("S S 1.2 stone").error().message ==
        "MT-SICS: 'stone' is not a weight unit (mg, g, kg, oz, lb)");
  CHECK(parse_mt_sics_line("S X 1 g").error().message == "MT-SICS: unknown status 'X' in 'S X 1 g'");
}
