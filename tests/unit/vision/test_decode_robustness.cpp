// decode() must survive any image: random sizes, noise, patterns that look like symbols, broken
// symbols. A crash here takes the whole test executable down, which is the failure.
#include <pickverify/codes.hpp>
#include <pickverify/decode.hpp>

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using pickverify::BarcodeFormat;
using pickverify::decode;
using pickverify::FrameView;
using pickverify::PixelFormat;

namespace {

// PICKVERIFY_FUZZ_FRAMES raises the count for a long run (the design decision in docs/PERFORMANCE.md
// rests on one of 5000 frames).
int fuzz_frames()
{
  const char* value = std::getenv("PICKVERIFY_FUZZ_FRAMES");
  return value != nullptr && std::atoi(value) > 0 ? std::atoi(value) : 300;
}

// PICKVERIFY_FUZZ_FIRST=n makes frames before n only (same random sequence) to replay a failure fast.
int first_decoded_frame()
{
  const char* value = std::getenv("PICKVERIFY_FUZZ_FIRST");
  return value != nullptr ? std::atoi(value) : 0;
}

std::vector<cv::Mat> corpus_images()
{
  const auto root = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests" / "samples";
  std::vector<cv::Mat> images;
  for (const char* name : {"ean13-1/01.png", "multi-1/01.jpg", "gs1-datamatrix-1/01.png", "qr-1/01.png",
                           "code128-1/01.png", "upce-1/01.png"}) {
    cv::Mat image = cv::imread((root / name).string(), cv::IMREAD_GRAYSCALE);
    REQUIRE_FALSE(image.empty());
    images.push_back(image);
  }
  return images;
}

// One adversarial frame of the given kind, width and height (either may be 0 or 1).
cv::Mat adversarial(int kind, int width, int height, cv::RNG& rng, const std::vector<cv::Mat>& symbols)
{
  cv::Mat image(height, width, CV_8UC1, cv::Scalar(rng.uniform(0, 256)));
  if (image.empty()) {
    return image;
  }
  switch (kind) {
  case 0: // white noise
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    break;
  case 1: { // bars of random widths, the raw material of 1D symbols
    int x = 0;
    bool dark = rng.uniform(0, 2) == 1;
    while (x < width) {
      const int w = rng.uniform(1, 6);
      if (dark) {
        image.colRange(x, std::min(width, x + w)).setTo(cv::Scalar(rng.uniform(0, 60)));
      }
      dark = !dark;
      x += w;
    }
    break;
  }
  case 2: { // random module grids, the raw material of matrix symbols
    const int cell = rng.uniform(1, 12);
    for (int y = 0; y < height; y += cell) {
      for (int x = 0; x < width; x += cell) {
        if (rng.uniform(0, 2) == 1) {
          image(cv::Rect(x, y, std::min(cell, width - x), std::min(cell, height - y))).setTo(cv::Scalar(0));
        }
      }
    }
    break;
  }
  default: { // a real symbol, cut, scaled, smeared and scribbled on
    const cv::Mat& source = symbols[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(symbols.size())))];
    const cv::Rect cut(rng.uniform(0, source.cols / 2), rng.uniform(0, source.rows / 2), source.cols / 2 + 1,
                       source.rows / 2 + 1);
    cv::resize(source(cut & cv::Rect(0, 0, source.cols, source.rows)), image, image.size(), 0, 0,
               rng.uniform(0, 2) == 1 ? cv::INTER_NEAREST : cv::INTER_LINEAR);
    for (int n = rng.uniform(0, 30); n > 0; --n) {
      const cv::Point a(rng.uniform(0, width), rng.uniform(0, height));
      const cv::Point b(rng.uniform(0, width), rng.uniform(0, height));
      cv::line(image, a, b, cv::Scalar(rng.uniform(0, 2) * 255), rng.uniform(1, 4));
    }
    if (rng.uniform(0, 2) == 1) {
      cv::Mat noise(image.size(), CV_8UC1);
      rng.fill(noise, cv::RNG::UNIFORM, 0, 80);
      image += noise;
    }
    break;
  }
  }
  return image;
}

int random_side(cv::RNG& rng)
{
  switch (rng.uniform(0, 8)) {
  case 0:
    return rng.uniform(0, 3); // 0, 1, 2
  case 1:
    return rng.uniform(3, 20); // around ZXing's own minimum
  case 2:
    return rng.uniform(2000, 4000); // very long side
  default:
    return rng.uniform(20, 900);
  }
}

// Every text the source images hold: noise and patterns hold none, so any other read is a misread.
const std::set<std::string> k_source_texts = {"9506000001340", "9506000001975",
                                              "0109506000001906"
                                              "10LOT42",
                                              "ORD-2025-00145", "01234565"};

void check_plausible(const std::vector<pickverify::Symbol>& symbols, int width, int height)
{
  for (const auto& symbol : symbols) {
    INFO("read " << symbol.text);
    CHECK(k_source_texts.count(symbol.text) == 1);
    CHECK(symbol.format != BarcodeFormat::none);
    CHECK_FALSE(symbol.text.empty());
    CHECK(pickverify::parse_code(symbol.text, symbol.aim).kind != pickverify::CodeKind::malformed);
    for (const auto& corner : symbol.corners) {
      CHECK(corner.x >= 0);
      CHECK(corner.x < width);
      CHECK(corner.y >= 0);
      CHECK(corner.y < height);
    }
  }
}

} // namespace

TEST_CASE("decode survives a few hundred random and adversarial frames", "[decode][fuzz]")
{
  cv::RNG rng(20251126);
  const auto symbols = corpus_images();
  int decoded = 0;
  const int frames = fuzz_frames();
  for (int i = 0; i < frames; ++i) {
    int width = random_side(rng);
    int height = random_side(rng);
    if (static_cast<long long>(width) * height > 2'500'000) {
      height = std::max(1, 2'500'000 / std::max(1, width)); // keep the run short: long, not huge
    }
    const int kind = rng.uniform(0, 4);
    cv::Mat image = adversarial(kind, width, height, rng, symbols);
    INFO("frame " << i << ": kind " << kind << ", " << width << "x" << height);
    // Odd strides and colour layouts as cameras hand them over.
    cv::Mat padded;
    FrameView frame;
    if (!image.empty() && rng.uniform(0, 3) == 0) {
      cv::Mat colour;
      cv::cvtColor(image, colour, cv::COLOR_GRAY2BGR);
      cv::copyMakeBorder(colour, padded, 0, 0, 0, rng.uniform(0, 17), cv::BORDER_CONSTANT);
      frame = {padded.data, width, height, static_cast<int>(padded.step[0]),
               rng.uniform(0, 2) == 1 ? PixelFormat::rgb8 : PixelFormat::bgr8};
    } else if (!image.empty()) {
      cv::copyMakeBorder(image, padded, 0, 0, 0, rng.uniform(0, 17), cv::BORDER_CONSTANT);
      frame = {padded.data, width, height, static_cast<int>(padded.step[0]), PixelFormat::lum8};
    } else {
      static const std::uint8_t one_pixel = 0;
      frame = {&one_pixel, width, height, width, PixelFormat::lum8};
    }
    if (i < first_decoded_frame()) {
      ++decoded;
      continue;
    }
    const auto result = decode(frame);
    if (width <= 0 || height <= 0) {
      CHECK_FALSE(result.has_value());
      continue;
    }
    REQUIRE(result.has_value());
    check_plausible(*result, width, height);
    ++decoded;
  }
  CHECK(decoded > frames / 2);
}

TEST_CASE("decode survives many identical 1D labels in one large frame", "[decode][abort]")
{
  const auto root = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests" / "samples";
  const cv::Mat source = cv::imread((root / "ean13-1/01.png").string(), cv::IMREAD_GRAYSCALE);
  REQUIRE_FALSE(source.empty());
  const cv::Mat label = source(cv::Rect(120, 140, 400, 200));
  cv::Mat frame(1080, 1920, CV_8UC1, cv::Scalar(150));
  int placed = 0;
  for (int y = 20; y + label.rows <= frame.rows; y += 260) {
    for (int x = 20; x + label.cols <= frame.cols; x += 470) {
      label.copyTo(frame(cv::Rect(x, y, label.cols, label.rows)));
      ++placed;
    }
  }
  const auto result = decode({frame.data, frame.cols, frame.rows, static_cast<int>(frame.step[0]), PixelFormat::lum8});
  REQUIRE(result.has_value());
  CHECK(static_cast<int>(result->size()) == placed);
  for (const auto& symbol : *result) {
    CHECK(symbol.text == "9506000001340");
  }
}
