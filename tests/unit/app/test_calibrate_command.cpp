// run_calibrate_command(): what `pickverify calibrate` checks, prints and writes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <pickverify/calibration.hpp>

#include "calibrate_command.hpp"
#include "chessboards.hpp"
#include "cli_runner.hpp"
#include "image_check_provider.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

using namespace pickverify;
using namespace pickverify::test;
using pickverify::app::CalibrateOptions;
using pickverify::app::run_calibrate_command;

TEST_CASE("run_calibrate_command writes calibration/<station>.yaml and reports progress", "[calibration]")
{
  test::TempDir dir;
  const auto folder = write_boards(dir.path());
  CalibrateOptions options;
  options.station = "bench-9";
  options.images = folder;
  options.output_dir = dir / "calibration";
  options.board = ChessboardSpec{k_cols, k_rows, k_square_mm};
  std::ostringstream out;
  std::ostringstream err;
  REQUIRE(run_calibrate_command(options, out, err) == 0);
  CHECK(err.str().empty());
  CHECK(out.str().find("[1/9] board_0.png: board found") != std::string::npos);
  CHECK(out.str().find("reprojection error") != std::string::npos);
  auto written = read_calibration(dir / "calibration" / "bench-9.yaml");
  REQUIRE(written);
  CHECK(written->camera_matrix[0] == Approx(k_fx).epsilon(0.01));

  CalibrateOptions bad = options;
  bad.station = "";
  std::ostringstream bad_err;
  CHECK(run_calibrate_command(bad, out, bad_err) == 2);
  CHECK_FALSE(bad_err.str().empty());
}

namespace {

std::string read_text(const std::filesystem::path& file)
{
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("pickverify calibrate writes the operator's copy into <data-dir>/calibration, not the shipped folder, and "
          "the station reads it first",
          "[calibration]")
{
  test::TempDir dir;
  const auto folder = write_boards(dir / "photos");
  // The shipped folder as installed (/usr/share/pickverify/calibration): the fallback and an older
  // file of this very station, which must stay as shipped.
  const auto shipped = dir / "shipped";
  std::filesystem::create_directories(shipped);
  Calibration fallback;
  fallback.station = "uncalibrated";
  REQUIRE(write_calibration(fallback, shipped / "uncalibrated.yaml"));
  Calibration old = fallback;
  old.station = "bench-9";
  REQUIRE(write_calibration(old, shipped / "bench-9.yaml"));
  const std::string shipped_before = read_text(shipped / "bench-9.yaml");
  test::ScopedEnv env("PICKVERIFY_CALIBRATION_DIR", shipped.c_str());
  const auto data = dir / "data";

  // Before: the station reads the shipped file.
  auto before = app::load_calibration_for(data, "bench-9");
  REQUIRE(before);
  CHECK(before->file == shipped / "bench-9.yaml");

  const auto run =
      test::cli_ok({"--data-dir", data.string(), "calibrate", "--station", "bench-9", "--images", folder.string(),
                    "--columns", std::to_string(k_cols), "--rows", std::to_string(k_rows), "--square-mm", "25"});
  const auto own = data / "calibration" / "bench-9.yaml";
  CHECK(run.out.find("wrote " + own.string()) != std::string::npos);
  CHECK(run.out.find("reads it from there, before the shipped calibration folder") != std::string::npos);
  REQUIRE(std::filesystem::exists(own));
  CHECK(read_text(shipped / "bench-9.yaml") == shipped_before); // the shipped folder is untouched
  std::size_t shipped_files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(shipped)) {
    ++shipped_files;
  }
  CHECK(shipped_files == 2);

  // After: the operator's copy comes first, and the note says which file and why.
  auto after = app::load_calibration_for(data, "bench-9");
  REQUIRE(after);
  CHECK(after->file == own);
  CHECK_FALSE(after->fallback);
  CHECK(after->calibration.camera_matrix[0] == Approx(k_fx).epsilon(0.01));
  CHECK(after->note.find("written by pickverify calibrate") != std::string::npos);
  CHECK(after->note.find((shipped / "bench-9.yaml").string()) != std::string::npos);

  // Another station still gets the shipped fallback, told where its own file would go.
  auto other = app::load_calibration_for(data, "bench-10");
  REQUIRE(other);
  CHECK(other->fallback);
  CHECK(other->file == shipped / "uncalibrated.yaml");
  CHECK(other->note.find((data / "calibration" / "bench-10.yaml").string()) != std::string::npos);

  // A broken operator's copy is an error naming it, never skipped for the shipped one.
  test::write_file(own, "not: [a calibration");
  auto broken = app::load_calibration_for(data, "bench-9");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message.find("bench-9") != std::string::npos);
  CHECK_FALSE(app::load_calibration_for(data, "../etc"));
}
