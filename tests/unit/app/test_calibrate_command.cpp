// run_calibrate_command(): what `pickverify calibrate` checks, prints and writes.
#include <catch2/catch.hpp>

#include <sstream>

#include <pickverify/calibration.hpp>

#include "calibrate_command.hpp"
#include "chessboards.hpp"
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
