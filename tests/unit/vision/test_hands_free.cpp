// Hands-free scanning: a code in view for many frames is one scan; a second unit is a new scan
// only once the first has left the view, or when both are in view together.
#include <catch2/catch.hpp>

#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <pickverify/camera.hpp>
#include <pickverify/hands_free_scanner.hpp>

using namespace pickverify;
using namespace std::chrono_literals;

namespace {

Symbol ean(const std::string& text, int x = 100)
{
  Symbol symbol;
  symbol.text = text;
  symbol.raw = text;
  symbol.format = BarcodeFormat::ean13;
  symbol.aim = "]E0";
  symbol.corners[0] = {x, 100};
  symbol.corners[1] = {x + 200, 100};
  symbol.corners[2] = {x + 200, 160};
  symbol.corners[3] = {x, 160};
  return symbol;
}

Symbol gs1_datamatrix(const std::string& text)
{
  Symbol symbol;
  symbol.text = text;
  symbol.raw = text;
  symbol.format = BarcodeFormat::datamatrix;
  symbol.aim = "]d2";
  return symbol;
}

// Plays a sequence of frames 33 ms apart (30 fps) and collects the scans.
class Player {
public:
  explicit Player(HandsFreeSettings settings = {}) : m_scanner("camera:/dev/video0", std::move(settings)) {}

  std::vector<ScanEvent> play(const std::vector<Symbol>& symbols, int frames)
  {
    std::vector<ScanEvent> scans;
    for (int i = 0; i < frames; ++i) {
      m_now += 33ms;
      auto out =
          m_scanner.feed_symbols(symbols, m_now, std::chrono::system_clock::time_point(m_now.time_since_epoch()));
      scans.insert(scans.end(), out.begin(), out.end());
    }
    return scans;
  }

  HandsFreeScanner& scanner() { return m_scanner; }

private:
  HandsFreeScanner m_scanner;
  std::chrono::steady_clock::time_point m_now{};
};

const std::string k_size9 = "9506000001418";
const std::string k_insoles = "9506000001692";

} // namespace

TEST_CASE("HandsFreeScanner turns thirty frames of one code into one scan", "[hands-free]")
{
  HandsFreeSettings settings;
  settings.station = "bench-1";
  Player player(settings);
  auto scans = player.play({ean(k_size9)}, 30);
  REQUIRE(scans.size() == 1);
  const ScanEvent& scan = scans.front();
  CHECK(scan.raw == k_size9);
  REQUIRE(scan.aim);
  CHECK(*scan.aim == "]E0");
  CHECK(scan.source == "camera:/dev/video0");
  CHECK(scan.source_kind == SourceKind::camera);
  CHECK(scan.station == "bench-1");
  CHECK(player.scanner().codes_in_view() == 1);
}

TEST_CASE("HandsFreeScanner ignores a code that flickers out for a few frames", "[hands-free]")
{
  Player player;
  CHECK(player.play({ean(k_size9)}, 10).size() == 1);
  CHECK(player.play({}, 3).empty()); // a hand covered it for 100 ms
  CHECK(player.play({ean(k_size9)}, 10).empty());
}

TEST_CASE("HandsFreeScanner counts a second unit after the first left the view", "[hands-free]")
{
  Player player;
  CHECK(player.play({ean(k_size9)}, 10).size() == 1);
  CHECK(player.play({}, 20).empty()); // 660 ms away: the first box is gone
  CHECK(player.scanner().codes_in_view() == 0);
  CHECK(player.play({ean(k_size9)}, 10).size() == 1);
}

TEST_CASE("HandsFreeScanner needs both the frame count and the time to call a code gone", "[hands-free]")
{
  HandsFreeSettings settings;
  settings.absent_frames = 3;
  settings.absent_time = 1000ms;
  Player player(settings);
  CHECK(player.play({ean(k_size9)}, 5).size() == 1);
  CHECK(player.play({}, 10).empty()); // 10 frames but only 330 ms
  CHECK(player.play({ean(k_size9)}, 5).empty());
  CHECK(player.play({}, 40).empty()); // 1.3 s
  CHECK(player.play({ean(k_size9)}, 5).size() == 1);
}

TEST_CASE("HandsFreeScanner counts two identical boxes in view together as two", "[hands-free]")
{
  Player player;
  CHECK(player.play({ean(k_size9, 100), ean(k_size9, 600)}, 10).size() == 2);
  // One of them is taken away, then put back: a third scan only after it was gone long enough.
  CHECK(player.play({ean(k_size9, 100)}, 3).empty());
  CHECK(player.play({ean(k_size9, 100), ean(k_size9, 600)}, 5).empty());
  CHECK(player.play({ean(k_size9, 100)}, 20).empty());
  CHECK(player.play({ean(k_size9, 100), ean(k_size9, 600)}, 5).size() == 1);
}

TEST_CASE("HandsFreeScanner counts an item with EAN-13 and GS1 DataMatrix labels once", "[hands-free]")
{
  Player player;
  const Symbol spray_ean = ean("9506000001906");
  const Symbol spray_dm = gs1_datamatrix("0109506000001906"
                                         "10LOT42");
  auto scans = player.play({spray_ean, spray_dm}, 10);
  CHECK(scans.size() == 1);
}

TEST_CASE("HandsFreeScanner needs confirm_frames frames in a row before a scan", "[hands-free]")
{
  HandsFreeSettings settings;
  settings.confirm_frames = 3;
  Player player(settings);
  CHECK(player.play({ean(k_insoles)}, 2).empty()); // a glimpse
  CHECK(player.play({}, 1).empty());
  CHECK(player.play({ean(k_insoles)}, 2).empty());
  CHECK(player.play({ean(k_insoles)}, 1).size() == 1);
}

TEST_CASE("HandsFreeScanner scans different items held in turn", "[hands-free]")
{
  Player player;
  auto first = player.play({ean(k_size9)}, 10);
  auto both = player.play({ean(k_size9), ean(k_insoles, 500)}, 10);
  auto second = player.play({ean(k_insoles, 500)}, 30);
  REQUIRE(first.size() == 1);
  REQUIRE(both.size() == 1);
  CHECK(both.front().raw == k_insoles);
  CHECK(second.empty());
}

// The real pipeline on generated frames: a label cut from the demo photo moves across an empty
// bench, leaves, and comes back.
TEST_CASE("HandsFreeScanner feed decodes a generated frame sequence", "[hands-free][decode]")
{
  const auto photo_path = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "demo/camera/ORD-2025-00145/packed.jpg";
  auto photo = load_image_file(photo_path.string());
  REQUIRE(photo);
  const cv::Mat full(photo->height, photo->width, CV_8UC3, photo->pixels.data(),
                     static_cast<std::size_t>(photo->stride));
  const cv::Mat label = full(cv::Rect(90, 110, 540, 360)).clone(); // the size-9 box, top left

  HandsFreeScanner scanner("camera:test", HandsFreeSettings{});
  auto now = std::chrono::steady_clock::time_point{};
  std::vector<ScanEvent> scans;
  auto frame_with = [&](int offset, bool with_label) {
    cv::Mat canvas(600, 900, CV_8UC3, cv::Scalar(112, 124, 134));
    if (with_label) {
      label.copyTo(canvas(cv::Rect(40 + offset, 60 + offset / 3, label.cols, label.rows)));
    }
    now += 33ms;
    const FrameView view{canvas.data, canvas.cols, canvas.rows, static_cast<int>(canvas.step[0]), PixelFormat::bgr8};
    auto out = scanner.feed(view, now, std::chrono::system_clock::now());
    REQUIRE(out);
    scans.insert(scans.end(), out->begin(), out->end());
  };
  for (int i = 0; i < 3; ++i) {
    frame_with(0, false);
  }
  for (int i = 0; i < 8; ++i) {
    frame_with(i * 12, true);
  }
  REQUIRE(scans.size() == 1);
  CHECK(scans.front().raw == "9506000001418");
  for (int i = 0; i < 16; ++i) {
    frame_with(0, false);
  }
  for (int i = 0; i < 4; ++i) {
    frame_with(200 - i * 10, true);
  }
  CHECK(scans.size() == 2);
}

TEST_CASE("HandsFreeScanner poll reads the virtual camera and reports it offline at the end", "[hands-free][decode]")
{
  CameraConfig config;
  config.kind = CameraKind::image_folder;
  config.location = (std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "demo/camera/ORD-2025-00145").string();
  config.loop = false;
  auto camera = make_camera(config);
  HandsFreeSettings settings;
  settings.confirm_frames = 1;
  HandsFreeScanner scanner(camera->device_id(), settings);
  auto scans = scanner.poll(*camera);
  REQUIRE(scans);
  CHECK(scans->size() == 5); // the packed order: five different units in one frame
  auto end = scanner.poll(*camera);
  REQUIRE_FALSE(end);
  CHECK(end.error().type == ErrorType::device_offline);
}
