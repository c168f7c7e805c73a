// Remakes the golden corpus: symbols rendered by zint (the command-line tool), placed into scenes
// with OpenCV and distorted the way a bench camera sees them. Deterministic (fixed seeds), so the
// same build of zint and OpenCV gives the same files.
//
//   pickverify_make_corpus <tests/samples folder>
//
// Each image NN.png / NN.jpg gets NN.txt beside it: one expected symbol per line, GS written \x1d.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Code {
  std::string zint;     // zint options selecting the symbology, without -d/-o
  std::string data;     // zint's -d
  std::string expected; // what a correct reader returns (GS as \x1d)
};

Code ean13(const std::string& gtin13)
{
  return {"-b EANX", gtin13.substr(0, 12), gtin13};
}
Code ean8(const std::string& gtin8)
{
  return {"-b EANX", gtin8.substr(0, 7), gtin8};
}
Code upca(const std::string& gtin12)
{
  return {"-b UPCA", gtin12.substr(0, 11), gtin12};
}
Code upce(const std::string& upce8)
{
  return {"-b UPCE", upce8.substr(0, 7), upce8};
}
Code code128(const std::string& text)
{
  return {"-b CODE128", text, text};
}
Code gs1_128(const std::string& hri, const std::string& expected)
{
  return {"-b GS1_128", hri, expected};
}
Code datamatrix(const std::string& text)
{
  return {"-b DATAMATRIX --square", text, text};
}
Code gs1_datamatrix(const std::string& hri, const std::string& expected)
{
  return {"-b DATAMATRIX --square --gs1", hri, expected};
}
Code qr(const std::string& text)
{
  return {"-b QRCODE", text, text};
}

const std::string k_gs = "\\x1d"; // as written in the .txt files

// The demo catalog's GTINs (briefs/demo.md).
const std::vector<std::string> k_demo = {"9506000001340", "9506000001418", "9506000001487", "9506000001555",
                                         "9506000001623", "9506000001692", "9506000001760", "9506000001838",
                                         "9506000001906", "9506000001975"};

struct Placement {
  Code code;
  double module_px = 3.0;         // pixels per module in the scene
  double angle = 0.0;             // degrees, counter-clockwise
  cv::Point2f centre{0.5F, 0.5F}; // relative to the frame
  double tilt = 0.0;              // perspective: how much the far edge shrinks (0 = none)
};

struct Effects {
  double blur = 0.0;    // Gaussian sigma in pixels
  double noise = 0.0;   // Gaussian noise sigma in grey levels
  double light = 1.0;   // multiplies every pixel (low light < 1)
  double glare = 0.0;   // strength of a bright spot over the symbol
  int jpeg_quality = 0; // 0: PNG
};

struct Scene {
  cv::Size size{640, 480};
  std::vector<Placement> labels;
  Effects effects;
  std::vector<std::string> extra_expected; // for scenes drawn by hand
};

fs::path g_scratch;
std::map<std::string, cv::Mat> g_rendered;

// The symbol at one pixel per module, on white paper with a quiet zone (what zint draws).
cv::Mat render(const Code& code)
{
  const std::string key = code.zint + "|" + code.data;
  if (auto it = g_rendered.find(key); it != g_rendered.end()) {
    return it->second;
  }
  const fs::path out = g_scratch / (std::to_string(g_rendered.size()) + ".png");
  const std::string command =
      "zint " + code.zint + " --quietzones --scale=0.5 -o '" + out.string() + "' -d '" + code.data + "' >/dev/null";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "zint failed: " << command << "\n";
    std::exit(1);
  }
  cv::Mat image = cv::imread(out.string(), cv::IMREAD_GRAYSCALE);
  if (image.empty()) {
    std::cerr << "cannot read " << out << "\n";
    std::exit(1);
  }
  cv::Mat padded;
  cv::copyMakeBorder(image, padded, 4, 4, 4, 4, cv::BORDER_CONSTANT, cv::Scalar(255));
  g_rendered[key] = padded;
  return padded;
}

cv::Mat background(cv::Size size, cv::RNG& rng)
{
  // Cardboard: a mid tone with slow variation.
  cv::Mat small(std::max(2, size.height / 64), std::max(2, size.width / 64), CV_32F);
  rng.fill(small, cv::RNG::UNIFORM, 110, 170);
  cv::Mat smooth;
  cv::resize(small, smooth, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat out;
  smooth.convertTo(out, CV_8U);
  return out;
}

void place(cv::Mat& frame, const Placement& placement)
{
  cv::Mat symbol = render(placement.code);
  const int scale = std::max(1, static_cast<int>(std::round(placement.module_px * 4)));
  // Draw at 4x the target with crisp modules, then let the warp's interpolation soften the edges
  // the way a lens does.
  cv::Mat big;
  cv::resize(symbol, big, cv::Size(), scale, scale, cv::INTER_NEAREST);
  const float w = static_cast<float>(big.cols);
  const float h = static_cast<float>(big.rows);
  const float t = static_cast<float>(placement.tilt);
  const cv::Point2f src[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  // Perspective: the top edge recedes.
  const cv::Point2f tilted[4] = {{w * t / 2, h * t / 3}, {w - w * t / 2, h * t / 3}, {w, h}, {0, h}};
  cv::Mat m = cv::getPerspectiveTransform(src, tilted);
  const cv::Mat scale_down = (cv::Mat_<double>(3, 3) << 0.25, 0, 0, 0, 0.25, 0, 0, 0, 1);
  const double angle = placement.angle * CV_PI / 180.0;
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const double sw = w * 0.25;
  const double sh = h * 0.25;
  const cv::Point2f centre(placement.centre.x * static_cast<float>(frame.cols),
                           placement.centre.y * static_cast<float>(frame.rows));
  const cv::Mat rotate = (cv::Mat_<double>(3, 3) << c, s, centre.x - (c * sw / 2 + s * sh / 2), -s, c,
                          centre.y - (-s * sw / 2 + c * sh / 2), 0, 0, 1);
  cv::Mat full = rotate * scale_down * m;
  cv::warpPerspective(big, frame, full, frame.size(), cv::INTER_AREA, cv::BORDER_TRANSPARENT);
}

void apply(cv::Mat& frame, const Scene& scene, cv::RNG& rng)
{
  const auto& e = scene.effects;
  if (e.glare > 0 && !scene.labels.empty()) {
    cv::Mat spot(frame.size(), CV_32F);
    const auto& first = scene.labels.front();
    const cv::Point2f centre(first.centre.x * static_cast<float>(frame.cols) + 20.0F,
                             first.centre.y * static_cast<float>(frame.rows) - 10.0F);
    const float radius = static_cast<float>(std::min(frame.cols, frame.rows)) / 6.0F;
    for (int y = 0; y < frame.rows; ++y) {
      for (int x = 0; x < frame.cols; ++x) {
        const float d = std::hypot(static_cast<float>(x) - centre.x, static_cast<float>(y) - centre.y) / radius;
        spot.at<float>(y, x) = static_cast<float>(e.glare) * std::exp(-d * d);
      }
    }
    cv::Mat f;
    frame.convertTo(f, CV_32F);
    f += spot;
    f.convertTo(frame, CV_8U);
  }
  if (e.blur > 0) {
    cv::GaussianBlur(frame, frame, cv::Size(), e.blur);
  }
  if (e.light != 1.0) {
    frame.convertTo(frame, CV_8U, e.light, 4);
  }
  if (e.noise > 0) {
    cv::Mat noise(frame.size(), CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0, e.noise);
    cv::Mat f;
    frame.convertTo(f, CV_32F);
    f += noise;
    f.convertTo(frame, CV_8U);
  }
}

void write_scene(const fs::path& folder, int index, const Scene& scene, std::uint64_t seed)
{
  cv::RNG rng(seed);
  cv::Mat frame = background(scene.size, rng);
  std::vector<std::string> expected = scene.extra_expected;
  for (const auto& label : scene.labels) {
    place(frame, label);
    if (!label.code.expected.empty()) {
      expected.push_back(label.code.expected);
    }
  }
  apply(frame, scene, rng);
  char name[16];
  std::snprintf(name, sizeof name, "%02d", index);
  const auto& e = scene.effects;
  if (e.jpeg_quality > 0) {
    cv::imwrite((folder / (std::string(name) + ".jpg")).string(), frame, {cv::IMWRITE_JPEG_QUALITY, e.jpeg_quality});
  } else {
    cv::imwrite((folder / (std::string(name) + ".png")).string(), frame, {cv::IMWRITE_PNG_COMPRESSION, 9});
  }
  std::ofstream txt(folder / (std::string(name) + ".txt"));
  for (const auto& line : expected) {
    txt << line << "\n";
  }
}

// The usual ways a single label is seen at the bench: clean, turned, tilted, blurred, noisy, dark,
// under a lamp, compressed.
std::vector<Scene> variations(const std::vector<Code>& codes, double module_px)
{
  std::vector<Scene> scenes;
  auto add = [&](std::size_t i, double angle, double tilt, Effects effects, cv::Point2f centre = {0.5F, 0.5F},
                 double module = 0) {
    Scene scene;
    scene.labels.push_back({codes[i % codes.size()], module > 0 ? module : module_px, angle, centre, tilt});
    scene.effects = effects;
    scenes.push_back(scene);
  };
  add(0, 0, 0, {});
  add(1, 12, 0, {.noise = 4, .jpeg_quality = 90});
  add(2, 90, 0, {});
  add(3, 180, 0, {.noise = 3, .jpeg_quality = 90});
  add(4, -25, 0, {.blur = 0.8, .jpeg_quality = 90});
  add(5, 0, 0.35, {.noise = 3, .jpeg_quality = 90});
  add(6, 5, 0, {.blur = 1.3, .jpeg_quality = 90});
  add(7, -3, 0, {.noise = 14, .jpeg_quality = 90});
  add(8, 0, 0, {.noise = 3, .light = 0.22, .jpeg_quality = 90});
  add(9, 8, 0, {.glare = 110, .jpeg_quality = 90});
  add(10, 0, 0, {.jpeg_quality = 40}, {0.3F, 0.35F});
  add(11, 45, 0, {.noise = 3, .jpeg_quality = 90}, {0.6F, 0.6F});
  return scenes;
}

void write_set(const fs::path& root, const std::string& name, const std::vector<Scene>& scenes, std::uint64_t seed)
{
  const fs::path folder = root / name;
  fs::remove_all(folder);
  fs::create_directories(folder);
  for (std::size_t i = 0; i < scenes.size(); ++i) {
    write_scene(folder, static_cast<int>(i + 1), scenes[i], seed * 1000 + i);
  }
  std::cout << name << ": " << scenes.size() << " images\n";
}

std::vector<Code> demo_ean13()
{
  std::vector<Code> codes;
  for (const auto& gtin : k_demo) {
    codes.push_back(ean13(gtin));
  }
  return codes;
}

std::vector<Scene> off_centre_matrix(const std::vector<Code>& codes)
{
  // DataMatrix anywhere: ZXing 1.4 alone only finds one that crosses the frame's centre lines.
  std::vector<Scene> scenes;
  const cv::Point2f spots[] = {{0.15F, 0.18F}, {0.82F, 0.2F}, {0.2F, 0.82F},
                               {0.85F, 0.85F}, {0.3F, 0.25F}, {0.7F, 0.7F}};
  for (std::size_t i = 0; i < std::size(spots); ++i) {
    Scene scene;
    scene.labels.push_back({codes[i % codes.size()], 4.0, i % 2 == 0 ? 0.0 : 20.0, spots[i], 0});
    scene.effects = {.noise = 3, .jpeg_quality = 90};
    scenes.push_back(scene);
  }
  return scenes;
}

std::vector<Scene> multi_label_scenes()
{
  std::vector<Scene> scenes;
  const auto insole = ean13("9506000001692");
  const auto socks = ean13("9506000001975");
  // Two identical 1D labels: Debian's ZXing aborts in ReadBarcodes on this, and merges them.
  scenes.push_back({{1280, 720},
                    {{socks, 2.5, 0, {0.28F, 0.5F}}, {socks, 2.5, 0, {0.72F, 0.5F}}},
                    {.noise = 3, .jpeg_quality = 90},
                    {}});
  scenes.push_back({{1280, 720},
                    {{socks, 2.5, 0, {0.3F, 0.3F}}, {socks, 2.5, 3, {0.7F, 0.7F}}},
                    {.noise = 3, .jpeg_quality = 90},
                    {}});
  scenes.push_back({{1280, 720},
                    {{insole, 2.5, 0, {0.25F, 0.3F}}, {insole, 2.5, 0, {0.75F, 0.3F}}, {insole, 2.5, 0, {0.5F, 0.75F}}},
                    {.noise = 3, .jpeg_quality = 90},
                    {}});
  // Stacked one above the other in the same columns.
  scenes.push_back(
      {{1280, 720}, {{socks, 2.5, 0, {0.5F, 0.27F}}, {socks, 2.5, 0, {0.5F, 0.73F}}}, {.jpeg_quality = 90}, {}});
  // The incident order ORD-2025-00145 packed correctly: five units, one of them a GS1 DataMatrix.
  scenes.push_back({{1920, 1080},
                    {{ean13("9506000001418"), 3, 0, {0.2F, 0.25F}},
                     {ean13("9506000001692"), 3, 10, {0.55F, 0.22F}},
                     {ean13("9506000001760"), 3, -8, {0.82F, 0.5F}},
                     {ean13("9506000001838"), 3, 90, {0.22F, 0.72F}},
                     {gs1_datamatrix("[01]09506000001906[10]LOT42", "0109506000001906"
                                                                    "10LOT42"),
                      5,
                      0,
                      {0.55F, 0.75F}}},
                    {.noise = 3, .jpeg_quality = 88},
                    {}});
  // The incident as shipped: size 10 instead of 9 and no accessories.
  scenes.push_back(
      {{1920, 1080}, {{ean13("9506000001487"), 3, 4, {0.4F, 0.4F}}}, {.noise = 3, .jpeg_quality = 88}, {}});
  // Mixed formats side by side.
  scenes.push_back({{1280, 720},
                    {{ean8("96385074"), 3, 0, {0.2F, 0.3F}},
                     {code128("ORD-2025-00146"), 2.5, 0, {0.65F, 0.25F}},
                     {qr("ORD-2025-00146"), 4, 0, {0.25F, 0.75F}},
                     {upca("036000291452"), 2.5, 0, {0.7F, 0.72F}}},
                    {.noise = 3, .jpeg_quality = 90},
                    {}});
  // Three identical DataMatrix labels.
  const auto spray = gs1_datamatrix("[01]09506000001906[10]LOT42", "0109506000001906"
                                                                   "10LOT42");
  scenes.push_back({{1280, 720},
                    {{spray, 4, 0, {0.2F, 0.3F}}, {spray, 4, 0, {0.5F, 0.3F}}, {spray, 4, 0, {0.8F, 0.7F}}},
                    {.noise = 3, .jpeg_quality = 90},
                    {}});
  return scenes;
}

std::vector<Scene> small_codes_1080p()
{
  // A camera over a whole bench: codes of 1.5-2 pixels per module somewhere in a 1080p frame.
  std::vector<Scene> scenes;
  const cv::Point2f spots[] = {{0.2F, 0.2F}, {0.75F, 0.3F}, {0.4F, 0.7F}, {0.85F, 0.8F}, {0.1F, 0.6F}, {0.6F, 0.15F}};
  const std::vector<std::pair<Code, double>> codes = {
      {ean13("9506000001418"), 2.0},
      {ean13("9506000001760"), 1.6},
      {gs1_datamatrix("[01]09506000001906[10]LOT42", "0109506000001906"
                                                     "10LOT42"),
       2.0},
      {gs1_datamatrix("[01]09506000001418[21]SN1234", "0109506000001418"
                                                      "21SN1234"),
       2.5},
      {qr("ORD-2025-00145"), 2.0},
      {code128("ORD-2025-00145"), 1.6},
  };
  for (std::size_t i = 0; i < codes.size(); ++i) {
    Scene scene;
    scene.size = {1920, 1080};
    scene.labels.push_back({codes[i].first, codes[i].second, i % 2 == 0 ? 0.0 : 7.0, spots[i], 0});
    scene.effects = {.blur = 0.5, .noise = 3, .jpeg_quality = 90};
    scenes.push_back(scene);
  }
  return scenes;
}

void write_false_positives(const fs::path& root)
{
  const fs::path folder = root / "falsepositives-1";
  fs::remove_all(folder);
  fs::create_directories(folder);
  cv::RNG rng(424242);
  int index = 0;
  auto save = [&](const cv::Mat& image) {
    char name[16];
    std::snprintf(name, sizeof name, "%02d", ++index);
    cv::imwrite((folder / (std::string(name) + ".jpg")).string(), image, {cv::IMWRITE_JPEG_QUALITY, 85});
    std::ofstream(folder / (std::string(name) + ".txt"));
  };
  const cv::Size size(800, 600);
  // Noise of several grains.
  for (int grain : {1, 3, 9}) {
    cv::Mat small(size.height / grain, size.width / grain, CV_8U);
    rng.fill(small, cv::RNG::UNIFORM, 0, 256);
    cv::Mat image;
    cv::resize(small, image, size, 0, 0, cv::INTER_NEAREST);
    save(image);
  }
  // Stripes: regular bars that are no symbology.
  for (int period : {4, 7, 12}) {
    cv::Mat image(size, CV_8U, cv::Scalar(230));
    for (int x = 0; x < size.width; x += period) {
      cv::rectangle(image, {x, 100}, {x + period / 2 - 1, 500}, cv::Scalar(20), cv::FILLED);
    }
    save(image);
  }
  // Random bars of random widths (the pattern of a 1D code without its rules).
  for (int n = 0; n < 3; ++n) {
    cv::Mat image(size, CV_8U, cv::Scalar(235));
    int x = 80;
    bool dark = true;
    while (x < size.width - 80) {
      const int width = rng.uniform(2, 9);
      if (dark) {
        cv::rectangle(image, {x, 150}, {x + width - 1, 450}, cv::Scalar(15), cv::FILLED);
      }
      dark = !dark;
      x += width;
    }
    save(image);
  }
  // Checkerboards and random module grids (look like matrix codes, are not).
  for (int cell : {6, 16}) {
    cv::Mat image(size, CV_8U, cv::Scalar(235));
    for (int y = 0; y < size.height / cell; ++y) {
      for (int x = 0; x < size.width / cell; ++x) {
        if ((x + y) % 2 == 0) {
          cv::rectangle(image, {x * cell, y * cell}, {x * cell + cell - 1, y * cell + cell - 1}, cv::Scalar(20),
                        cv::FILLED);
        }
      }
    }
    save(image);
  }
  for (int n = 0; n < 2; ++n) {
    cv::Mat image(size, CV_8U, cv::Scalar(235));
    const int cell = 8;
    for (int y = 0; y < 24; ++y) {
      for (int x = 0; x < 24; ++x) {
        if (rng.uniform(0, 2) == 1 || x == 0 || y == 23 || (y == 0 && x % 2 == 0) || (x == 23 && y % 2 == 1)) {
          cv::rectangle(image, {200 + x * cell, 150 + y * cell}, {200 + x * cell + cell - 1, 150 + y * cell + cell - 1},
                        cv::Scalar(20), cv::FILLED);
        }
      }
    }
    save(image);
  }
  // Printed text, as on a packing slip.
  {
    cv::Mat image(size, CV_8U, cv::Scalar(240));
    const char* lines[] = {"ORDER ORD-2025-00145   $285.00",
                           "1x Trail runner, size 9, width D",
                           "1x Cushion insoles, M",
                           "1x Laces, black, 120 cm",
                           "1x Shoe care kit",
                           "9506000001418  9506000001692",
                           "IIIII lllll |||||| 1111"};
    int y = 60;
    for (const char* line : lines) {
      cv::putText(image, line, {30, y}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(20), 2);
      y += 70;
    }
    save(image);
  }
  // Cardboard, a blank box, a grey gradient.
  save(background(size, rng));
  {
    cv::Mat image(size, CV_8U);
    for (int y = 0; y < size.height; ++y) {
      image.row(y).setTo(cv::Scalar(y * 255 / size.height));
    }
    save(image);
  }
  std::cout << "falsepositives-1: " << index << " images\n";
}

} // namespace

int main(int argc, char** argv)
{
  if (argc != 2) {
    std::cerr << "usage: pickverify_make_corpus <tests/samples folder>\n";
    return 2;
  }
  const fs::path root = argv[1];
  g_scratch = fs::temp_directory_path() / ("pickverify_corpus_" + std::to_string(::getpid()));
  fs::create_directories(g_scratch);

  write_set(root, "ean13-1", variations(demo_ean13(), 3.0), 1);
  write_set(root, "ean8-1",
            variations({ean8("96385074"), ean8("40170725"), ean8("95060002"), ean8("50123452"), ean8("73513537"),
                        ean8("20012342")},
                       3.0),
            2);
  write_set(root, "upca-1",
            variations({upca("036000291452"), upca("012345678905"), upca("074470001232"), upca("884420123453"),
                        upca("614141000043")},
                       3.0),
            3);
  write_set(root, "upce-1",
            variations({upce("01234565"), upce("04252614"), upce("06543217"), upce("12345670"), upce("01111156")}, 3.0),
            4);
  write_set(root, "code128-1",
            variations({code128("ORD-2025-00145"), code128("TR-RUN-09-D"), code128("ACC-INSOLE-M"),
                        code128("PICK-STATION-07"), code128("Bin A-12-03")},
                       2.5),
            5);
  write_set(root, "gs1-128-1",
            variations({gs1_128("[01]09506000001418[10]A1", "0109506000001418"
                                                            "10A1"),
                        gs1_128("[01]09506000001906[10]LOT42", "0109506000001906"
                                                               "10LOT42"),
                        gs1_128("[00]395060000001234564", "00395060000001234564"),
                        gs1_128("[01]09506000001692[3103]000750", "0109506000001692"
                                                                  "3103000750"),
                        gs1_128("[01]09506000001760[10]B7[17]271231", "0109506000001760"
                                                                      "10B7" +
                                                                          k_gs + "17271231")},
                       2.5),
            6);
  const std::vector<Code> matrix = {datamatrix("ORD-2025-00145"), datamatrix("TR-RUN-09-D"),
                                    datamatrix("https://example.com/p/ACC-LACES-BLK"), datamatrix("PICK-STATION-07")};
  auto dm_scenes = variations(matrix, 5.0);
  for (auto& scene : off_centre_matrix(matrix)) {
    dm_scenes.push_back(scene);
  }
  write_set(root, "datamatrix-1", dm_scenes, 7);
  const std::vector<Code> gs1_matrix = {gs1_datamatrix("[01]09506000001906[10]LOT42", "0109506000001906"
                                                                                      "10LOT42"),
                                        gs1_datamatrix("[01]09506000001418[21]SN1234", "0109506000001418"
                                                                                       "21SN1234"),
                                        gs1_datamatrix("[01]09506000001692[17]271231[10]B7", "0109506000001692"
                                                                                             "17271231"
                                                                                             "10B7"),
                                        gs1_datamatrix("[01]09506000001760[10]X1[21]77", "0109506000001760"
                                                                                         "10X1" +
                                                                                             k_gs + "2177")};
  auto gs1_dm_scenes = variations(gs1_matrix, 5.0);
  for (auto& scene : off_centre_matrix(gs1_matrix)) {
    gs1_dm_scenes.push_back(scene);
  }
  write_set(root, "gs1-datamatrix-1", gs1_dm_scenes, 8);
  write_set(root, "qr-1",
            variations({qr("ORD-2025-00145"), qr("https://example.com/o/ORD-2025-00146"), qr("TR-RUN-09-D"),
                        qr("Station 7 / bench B")},
                       5.0),
            9);
  write_set(root, "multi-1", multi_label_scenes(), 10);
  write_set(root, "small-1080p-1", small_codes_1080p(), 11);
  // Symbols that decode cleanly but break GS1 rules (zint told not to check): a reader must drop
  // them, so this set expects nothing.
  std::vector<Scene> malformed;
  const std::vector<Code> broken = {
      {"-b GS1_128 --gs1nocheck", "[01]09506000001419[10]A1", ""}, // GTIN check digit
      {"-b DATAMATRIX --square --gs1 --gs1nocheck", "[01]09506000001907[10]LOT42", ""},
      {"-b GS1_128 --gs1nocheck", "[01]09506000001418[17]271341", ""},             // month 13
      {"-b DATAMATRIX --square --gs1 --gs1nocheck", "[01]0950600000141[10]X", ""}, // 13-digit GTIN field
      {"-b GS1_128 --gs1nocheck", "[00]395060000001234565", ""},                   // SSCC check digit
      {"-b DATAMATRIX --square --gs1 --gs1nocheck", "[01]09506000001418[10]ABCDEFGHIJKLMNOPQRSTUVWXYZ",
       ""}}; // batch over 20
  for (std::size_t i = 0; i < broken.size(); ++i) {
    Scene scene;
    scene.labels.push_back({broken[i], i % 2 == 0 ? 2.5 : 5.0, i < 2 ? 0.0 : 6.0, {0.5F, 0.5F}, 0});
    scene.effects = {.noise = 2, .jpeg_quality = 90};
    malformed.push_back(scene);
  }
  write_set(root, "malformed-1", malformed, 12);
  write_false_positives(root);
  fs::remove_all(g_scratch);
  return 0;
}
