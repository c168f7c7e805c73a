// run_decode_command(): what `pickverify decode [--json] IMAGE...` prints and returns.

#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "decode_command.hpp"

using pickverify::app::run_decode_command;

namespace {

std::string sample(const std::string& name)
{
  return (std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests" / "samples" / name).string();
}

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

} // namespace

TEST_CASE("run_decode_command writes one JSON object per symbol", "[decode][command]")
{
  std::ostringstream out;
  std::ostringstream err;
  const auto image = sample("multi-1/05.jpg"); // the packed incident order: five symbols
  REQUIRE(run_decode_command({image}, true, out, err) == 0);
  CHECK(err.str().empty());
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 5);
  bool saw_datamatrix = false;
  for (const auto& line : lines) {
    const auto object = nlohmann::json::parse(line);
    CHECK(object.at("image") == image);
    CHECK(object.at("corners").size() == 4);
    CHECK(object.at("corners")[0].size() == 2);
    if (object.at("format") == "DataMatrix") {
      saw_datamatrix = true;
      CHECK(object.at("aim") == "]d2");
      CHECK(object.at("text") == "0109506000001906"
                                 "10LOT42");
    } else {
      CHECK(object.at("format") == "EAN-13");
      CHECK(object.at("aim") == "]E0");
    }
  }
  CHECK(saw_datamatrix);
}

TEST_CASE("run_decode_command writes the GS separator as the escape u001d in JSON", "[decode][command]")
{
  std::ostringstream out;
  std::ostringstream err;
  REQUIRE(run_decode_command({sample("gs1-128-1/05.jpg")}, true, out, err) == 0);
  CHECK(out.str().find("\"text\":\"0109506000001760"
                       "10B7\\u001d17271231\"") != std::string::npos);
  CHECK(out.str().find('\x1d') == std::string::npos);
}

TEST_CASE("run_decode_command writes tab-separated lines without --json", "[decode][command]")
{
  std::ostringstream out;
  std::ostringstream err;
  const auto image = sample("gs1-128-1/05.jpg");
  REQUIRE(run_decode_command({image}, false, out, err) == 0);
  CHECK(out.str() == image + "\tCode 128\t]C1\t0109506000001760"
                             "10B7<GS>17271231\n");
}

TEST_CASE("run_decode_command succeeds with no output when an image holds no symbol", "[decode][command]")
{
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_decode_command({sample("falsepositives-1/13.jpg")}, true, out, err) == 0);
  CHECK(out.str().empty());
  CHECK(err.str().empty());
}

TEST_CASE("run_decode_command names an unreadable file and still decodes the others", "[decode][command]")
{
  pickverify::test::TempDir dir;
  const auto not_an_image = (dir / "label.png").string();
  std::ofstream(not_an_image) << "this is text, not a PNG";
  const auto missing = (dir / "missing.jpg").string();
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_decode_command({not_an_image, sample("qr-1/01.png"), missing}, true, out, err) != 0);
  CHECK(err.str().find(not_an_image) != std::string::npos);
  CHECK(err.str().find(missing) != std::string::npos);
  CHECK(err.str().find("no such file") != std::string::npos);
  CHECK(lines_of(out.str()).size() == 1);
}

TEST_CASE("run_decode_command refuses an empty list of images", "[decode][command]")
{
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_decode_command({}, true, out, err) != 0);
  CHECK_FALSE(err.str().empty());
}
