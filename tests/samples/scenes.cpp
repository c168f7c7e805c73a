#include "scenes.hpp"

#include <pickverify/codes.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pickverify::scenes {

namespace {

constexpr char k_gs = '\x1d';
// Symbols are drawn at this many times the frame's resolution and shrunk by area, the way a sensor
// integrates light over each pixel.
constexpr int k_supersample = 4;

struct Code {
  std::string zint;     // zint options selecting the symbology
  std::string data;     // zint's -d
  std::string expected; // what a correct reader returns
};

std::string digits(cv::RNG& rng, int n)
{
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += static_cast<char>('0' + rng.uniform(0, 10));
  }
  return out;
}

std::string with_check(const std::string& body)
{
  return body + static_cast<char>('0' + gtin_check_digit(body));
}

Code upca(const std::string& gtin12)
{
  return {"-b UPCA", gtin12.substr(0, 11), gtin12};
}

Code random_upca(cv::RNG& rng)
{
  const char systems[] = {'0', '1', '3', '6', '7', '8'};
  return upca(with_check(std::string(1, systems[rng.uniform(0, 6)]) + digits(rng, 10)));
}

Code random_upce(cv::RNG& rng)
{
  // Number system 0, six digits; the check digit is the expanded UPC-A's.
  std::string six = digits(rng, 6);
  if (six[5] == '3' && six[2] == '0') {
    six[2] = '1'; // "x x 0 x x 3" has no UPC-E form of its own
  }
  if (six[5] == '4' && six[3] == '0') {
    six[3] = '1';
  }
  if (six[5] >= '5' && six[4] == '0') {
    six[4] = '1';
  }
  const std::string seven = "0" + six;
  // The UPC-A it stands for (GS1 General Specifications 2.1.2.4), whose check digit it carries.
  const std::string& d = six;
  std::string body;
  if (d[5] <= '2') {
    body = d.substr(0, 2) + d[5] + "0000" + d.substr(2, 3);
  } else if (d[5] == '3') {
    body = d.substr(0, 3) + "00000" + d.substr(3, 2);
  } else if (d[5] == '4') {
    body = d.substr(0, 4) + "00000" + d[4];
  } else {
    body = d.substr(0, 5) + "0000" + d[5];
  }
  const char check = static_cast<char>('0' + gtin_check_digit("0" + body));
  return {"-b UPCE", seven, seven + check};
}

Code ean13(const std::string& gtin13)
{
  return {"-b EANX", gtin13.substr(0, 12), gtin13};
}

Code random_ean13(cv::RNG& rng)
{
  return ean13(with_check("9506" + digits(rng, 8)));
}

Code random_code128(cv::RNG& rng)
{
  static const char* prefixes[] = {"ORD-2026-", "BIN-", "TOTE-", "PICK-"};
  const std::string text = std::string(prefixes[rng.uniform(0, 4)]) + digits(rng, rng.uniform(3, 6));
  return {"-b CODE128", text, text};
}

std::string random_gtin14(cv::RNG& rng)
{
  return with_check("0950600" + digits(rng, 6));
}

std::string random_date(cv::RNG& rng)
{
  char date[8];
  std::snprintf(date, sizeof date, "%02d%02d%02d", rng.uniform(26, 31), rng.uniform(1, 13), rng.uniform(1, 29));
  return date;
}

Code random_gs1_128(cv::RNG& rng)
{
  const std::string gtin = random_gtin14(rng);
  const std::string lot = "L" + digits(rng, rng.uniform(2, 5));
  return {"-b GS1_128", "[01]" + gtin + "[10]" + lot, "01" + gtin + "10" + lot};
}

Code random_datamatrix(cv::RNG& rng)
{
  static const char* prefixes[] = {"ORD-2026-", "SN-", "https://example.com/p/", "LOT-"};
  const std::string text = std::string(prefixes[rng.uniform(0, 4)]) + digits(rng, rng.uniform(4, 9));
  return {"-b DATAMATRIX --square", text, text};
}

Code random_gs1_datamatrix(cv::RNG& rng)
{
  const std::string gtin = random_gtin14(rng);
  const std::string date = random_date(rng);
  const std::string lot = "B" + digits(rng, rng.uniform(2, 6));
  if (rng.uniform(0, 2) == 0) {
    return {"-b DATAMATRIX --square --gs1", "[01]" + gtin + "[17]" + date + "[10]" + lot,
            "01" + gtin + "17" + date + "10" + lot};
  }
  const std::string serial = digits(rng, rng.uniform(4, 10));
  return {"-b DATAMATRIX --square --gs1", "[01]" + gtin + "[17]" + date + "[10]" + lot + "[21]" + serial,
          "01" + gtin + "17" + date + "10" + lot + k_gs + "21" + serial};
}

Code random_qr(cv::RNG& rng)
{
  static const char* prefixes[] = {"ORD-2026-", "https://example.com/r/", "RMA-"};
  const std::string text = std::string(prefixes[rng.uniform(0, 3)]) + digits(rng, rng.uniform(4, 9));
  return {"-b QRCODE", text, text};
}

fs::path scratch()
{
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("pickverify_scenes_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// The symbol at one pixel per module with its quiet zones and a margin of paper: 0 ink, 255 paper.
// Empty when zint fails.
cv::Mat render(const Code& code)
{
  static std::map<std::string, cv::Mat> rendered;
  const std::string key = code.zint + "|" + code.data;
  if (auto it = rendered.find(key); it != rendered.end()) {
    return it->second;
  }
  const fs::path out = scratch() / (std::to_string(rendered.size()) + ".png");
  const std::string command = "zint " + code.zint + " --quietzones --scale=0.5 -o '" + out.string() + "' -d '" +
                              code.data + "' >/dev/null 2>&1";
  cv::Mat image;
  if (std::system(command.c_str()) == 0) {
    image = cv::imread(out.string(), cv::IMREAD_GRAYSCALE);
    std::error_code ignored;
    fs::remove(out, ignored);
  }
  if (image.empty()) {
    std::cerr << "scenes: zint failed: " << command << "\n";
    return image;
  }
  cv::Mat padded;
  cv::copyMakeBorder(image, padded, 3, 3, 3, 3, cv::BORDER_CONSTANT, cv::Scalar(255));
  rendered[key] = padded;
  return padded;
}

// How one label lies in the frame and what it is printed on.
struct Placement {
  Code code;
  double module_px = 2.0;
  double angle = 0.0;      // degrees, counter-clockwise
  cv::Point2d centre;      // frame pixels
  cv::Point2d tilt;        // perspective: projective terms along the label's x and y, as a fraction
  double curve = 0.0;      // radians of a cylinder the label wraps on each side of its centre (0: flat)
  double softness = 0.0;   // print blur in modules (printed, then photographed)
  double paper = 225;      // grey of the paper
  double ink = 25;         // grey of the ink
  double screen_pitch = 0; // a screen showing the code: its pixel pitch in frame pixels (0: paper)
  double screen_angle = 0; // degrees the screen's pixel grid is turned against the camera's
};

// The label's outline in frame pixels (for placing others clear of it).
double radius_of(const Placement& p, const cv::Mat& symbol)
{
  return 0.5 * std::hypot(symbol.cols, symbol.rows) * p.module_px;
}

void place(cv::Mat& frame, const Placement& p)
{
  const cv::Mat symbol = render(p.code);
  if (symbol.empty()) {
    return;
  }
  const double w = symbol.cols;
  const double h = symbol.rows;
  // Arc length w around a cylinder of radius r: projected width 2 r sin(curve).
  const double r = p.curve > 0 ? w / (2.0 * p.curve) : 0.0;
  const double projected_w = p.curve > 0 ? 2.0 * r * std::sin(p.curve) : w;
  // Label plane (centred, module units) -> frame: perspective, then scale and turn, then move.
  const cv::Matx33d projective(1, 0, 0, 0, 1, 0, 2.0 * p.tilt.x / projected_w, 2.0 * p.tilt.y / h, 1);
  const double a = p.angle * CV_PI / 180.0;
  const double c = std::cos(a) * p.module_px;
  const double s = std::sin(a) * p.module_px;
  const cv::Matx33d similarity(c, s, p.centre.x, -s, c, p.centre.y, 0, 0, 1);
  const cv::Matx33d to_frame = similarity * projective;
  const cv::Matx33d to_label = to_frame.inv();
  // The region of the frame it covers, with room for blur.
  const double reach = radius_of(p, symbol) * (1.0 + std::abs(p.tilt.x) + std::abs(p.tilt.y)) + 8;
  const cv::Rect roi = cv::Rect(static_cast<int>(p.centre.x - reach), static_cast<int>(p.centre.y - reach),
                                static_cast<int>(2 * reach), static_cast<int>(2 * reach)) &
                       cv::Rect(0, 0, frame.cols, frame.rows);
  if (roi.width < 2 || roi.height < 2) {
    return;
  }
  const cv::Size big(roi.width * k_supersample, roi.height * k_supersample);
  cv::Mat value(big, CV_32F); // 0 ink .. 1 paper
  cv::Mat mask(big, CV_32F);  // 1 on the label
  cv::Mat shade(big, CV_32F); // light falling off around the cylinder
  for (int y = 0; y < big.height; ++y) {
    for (int x = 0; x < big.width; ++x) {
      const double fx = roi.x + (x + 0.5) / k_supersample;
      const double fy = roi.y + (y + 0.5) / k_supersample;
      const cv::Vec3d q = to_label * cv::Vec3d(fx, fy, 1.0);
      double lx = q[0] / q[2];
      const double ly = q[1] / q[2];
      double facing = 1.0;
      if (p.curve > 0) {
        if (std::abs(lx) >= r) {
          lx = 1e9;
        } else {
          const double theta = std::asin(lx / r);
          facing = std::cos(theta);
          lx = r * theta;
        }
      }
      const double sx = lx + w / 2.0;
      const double sy = ly + h / 2.0;
      const bool inside = sx >= 0 && sy >= 0 && sx < w && sy < h;
      mask.at<float>(y, x) = inside ? 1.0F : 0.0F;
      value.at<float>(y, x) =
          inside ? static_cast<float>(symbol.at<std::uint8_t>(static_cast<int>(sy), static_cast<int>(sx))) / 255.0F
                 : 1.0F;
      shade.at<float>(y, x) = static_cast<float>(0.55 + 0.45 * facing);
    }
  }
  if (p.softness > 0) {
    cv::GaussianBlur(value, value, cv::Size(), p.softness * p.module_px * k_supersample);
  }
  cv::Mat label = (value * (p.paper - p.ink) + p.ink);
  label = label.mul(shade);
  if (p.screen_pitch > 0) {
    // The screen's pixels: dark gaps between lit cells, which beat against the camera's grid.
    const double sa = p.screen_angle * CV_PI / 180.0;
    const double period = p.screen_pitch * k_supersample;
    for (int y = 0; y < big.height; ++y) {
      for (int x = 0; x < big.width; ++x) {
        const double u = x * std::cos(sa) + y * std::sin(sa);
        const double v = -x * std::sin(sa) + y * std::cos(sa);
        const double cell =
            (0.5 + 0.5 * std::cos(2 * CV_PI * u / period)) * (0.5 + 0.5 * std::cos(2 * CV_PI * v / period));
        label.at<float>(y, x) *= static_cast<float>(0.25 + 0.75 * cell);
      }
    }
  }
  cv::Mat under;
  frame(roi).convertTo(under, CV_32F);
  cv::resize(under, under, big, 0, 0, cv::INTER_LINEAR);
  const cv::Mat outside = 1.0 - mask;
  const cv::Mat blended = label.mul(mask) + under.mul(outside);
  cv::Mat small;
  cv::resize(blended, small, roi.size(), 0, 0, cv::INTER_AREA);
  cv::Mat target = frame(roi);
  small.convertTo(target, CV_8U);
}

cv::Mat cardboard(cv::Size size, cv::RNG& rng)
{
  cv::Mat coarse(std::max(2, size.height / 64), std::max(2, size.width / 64), CV_32F);
  rng.fill(coarse, cv::RNG::UNIFORM, 110, 170);
  cv::Mat smooth;
  cv::resize(coarse, smooth, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat out;
  smooth.convertTo(out, CV_8U);
  return out;
}

// What lies on a bench besides labels: boxes, tape, printed text.
void clutter(cv::Mat& frame, cv::RNG& rng, int items)
{
  for (int i = 0; i < items; ++i) {
    const cv::Point at(rng.uniform(0, frame.cols), rng.uniform(0, frame.rows));
    switch (rng.uniform(0, 3)) {
    case 0:
      cv::rectangle(frame, at, at + cv::Point(rng.uniform(80, 400), rng.uniform(60, 300)),
                    cv::Scalar(rng.uniform(60, 200)), cv::FILLED);
      break;
    case 1:
      cv::line(frame, at, at + cv::Point(rng.uniform(-500, 500), rng.uniform(-60, 60)),
               cv::Scalar(rng.uniform(170, 230)), rng.uniform(20, 50));
      break;
    default:
      cv::putText(frame, "Qty 1  " + digits(rng, 6) + "  ORDER", at, cv::FONT_HERSHEY_SIMPLEX,
                  0.5 + rng.uniform(0.0, 0.6), cv::Scalar(rng.uniform(10, 60)), rng.uniform(1, 3));
      break;
    }
  }
}

// What the camera does to the whole frame.
struct Camera {
  double blur = 0;         // optical blur, Gaussian sigma in pixels
  double motion = 0;       // motion blur, length in pixels
  double motion_angle = 0; // degrees
  double uneven = 0;       // light falling off across the frame (0..1)
  int glare_spots = 0;
  double glare = 0; // brightness of each spot
  cv::Point2d glare_at{-1, -1};
  double noise = 2;      // sensor noise sigma at mid grey
  int jpeg_quality = 85; // 0: none
};

void expose(cv::Mat& frame, const Camera& cam, cv::RNG& rng)
{
  cv::Mat f;
  frame.convertTo(f, CV_32F);
  if (cam.uneven > 0) {
    // A lamp off to one side: light falls off linearly, and a little unevenly.
    const double angle = rng.uniform(0.0, 2 * CV_PI);
    const double dx = std::cos(angle);
    const double dy = std::sin(angle);
    cv::Mat coarse(3, 4, CV_32F);
    rng.fill(coarse, cv::RNG::UNIFORM, 0.85, 1.0);
    cv::Mat wobble;
    cv::resize(coarse, wobble, f.size(), 0, 0, cv::INTER_CUBIC);
    for (int y = 0; y < f.rows; ++y) {
      for (int x = 0; x < f.cols; ++x) {
        const double t = ((x - f.cols / 2.0) * dx + (y - f.rows / 2.0) * dy) / std::hypot(f.cols, f.rows) + 0.5;
        f.at<float>(y, x) *= static_cast<float>((1.0 - cam.uneven * std::clamp(t, 0.0, 1.0)) * wobble.at<float>(y, x));
      }
    }
  }
  for (int i = 0; i < cam.glare_spots; ++i) {
    const cv::Point2d centre =
        i == 0 && cam.glare_at.x >= 0 ? cam.glare_at : cv::Point2d(rng.uniform(0, f.cols), rng.uniform(0, f.rows));
    const double radius = std::min(f.cols, f.rows) * rng.uniform(0.04, 0.12);
    const cv::Rect box = cv::Rect(static_cast<int>(centre.x - 3 * radius), static_cast<int>(centre.y - 3 * radius),
                                  static_cast<int>(6 * radius), static_cast<int>(6 * radius)) &
                         cv::Rect(0, 0, f.cols, f.rows);
    for (int y = box.y; y < box.y + box.height; ++y) {
      for (int x = box.x; x < box.x + box.width; ++x) {
        const double d = std::hypot(x - centre.x, y - centre.y) / radius;
        f.at<float>(y, x) += static_cast<float>(cam.glare * std::exp(-d * d));
      }
    }
  }
  if (cam.blur > 0) {
    cv::GaussianBlur(f, f, cv::Size(), cam.blur);
  }
  if (cam.motion > 1) {
    const int size = static_cast<int>(std::ceil(cam.motion)) | 1;
    cv::Mat kernel = cv::Mat::zeros(size, size, CV_32F);
    const double a = cam.motion_angle * CV_PI / 180.0;
    const cv::Point2d mid(size / 2.0, size / 2.0);
    const cv::Point2d half(std::cos(a) * cam.motion / 2, -std::sin(a) * cam.motion / 2);
    cv::line(kernel, mid - half, mid + half, cv::Scalar(1.0), 1, cv::LINE_AA);
    kernel /= cv::sum(kernel)[0];
    cv::filter2D(f, f, -1, kernel);
  }
  if (cam.noise > 0) {
    // Shot noise grows with the light; read noise does not.
    cv::Mat gauss(f.size(), CV_32F);
    rng.fill(gauss, cv::RNG::NORMAL, 0, 1);
    cv::Mat level;
    cv::max(f, 0.0, level);
    cv::sqrt(level / 128.0F, level);
    f += gauss.mul(level * cam.noise * 0.8 + cam.noise * 0.2);
  }
  f.convertTo(frame, CV_8U);
  if (cam.jpeg_quality > 0) {
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", frame, bytes, {cv::IMWRITE_JPEG_QUALITY, cam.jpeg_quality});
    frame = cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
  }
}

std::string numbered(const std::string& set, int index)
{
  char name[16];
  std::snprintf(name, sizeof name, "/%02d", index);
  return set + name;
}

// A spot for a label of the given radius clear of those already placed; false when none is found.
bool free_spot(cv::Size size, double radius, std::vector<std::pair<cv::Point2d, double>>& taken, cv::RNG& rng,
               cv::Point2d& out)
{
  for (int attempt = 0; attempt < 200; ++attempt) {
    const cv::Point2d c(rng.uniform(radius, std::max(radius + 1, size.width - radius)),
                        rng.uniform(radius, std::max(radius + 1, size.height - radius)));
    bool clear = true;
    for (const auto& [at, r] : taken) {
      clear = clear && std::hypot(c.x - at.x, c.y - at.y) > r + radius + 12;
    }
    if (clear) {
      taken.push_back({c, radius});
      out = c;
      return true;
    }
  }
  return false;
}

std::string detail_of(const Placement& p)
{
  char text[160];
  std::snprintf(text, sizeof text, "%s %.2f px %.0f deg%s%s%s at %.0f,%.0f", p.code.zint.c_str(), p.module_px, p.angle,
                p.tilt.x != 0 || p.tilt.y != 0 ? " tilted" : "", p.curve > 0 ? " curved" : "",
                p.screen_pitch > 0 ? " screen" : "", p.centre.x, p.centre.y);
  return text;
}

// Places the codes (some of them twice: identical labels) at free spots; the expected texts and
// their details go to out.
void place_all(cv::Mat& frame, std::vector<Placement> labels, cv::RNG& rng, Frame& out)
{
  std::vector<std::pair<cv::Point2d, double>> taken;
  auto& expected = out.expected;
  for (auto& label : labels) {
    const cv::Mat symbol = render(label.code);
    if (symbol.empty()) {
      continue;
    }
    const double radius = radius_of(label, symbol) * 1.15;
    if (!free_spot(frame.size(), radius, taken, rng, label.centre)) {
      continue;
    }
    place(frame, label);
    expected.push_back(label.code.expected);
    out.details.push_back(detail_of(label));
  }
}

// The held-out station frames that gave UPC-E misreads, made again: small modules, identical labels,
// JPEG at low quality.
std::vector<Frame> upc_small_station(std::uint64_t seed, int count)
{
  cv::RNG rng(seed * 7919 + 1);
  std::vector<Frame> frames;
  for (int i = 0; i < count; ++i) {
    const cv::Size size = rng.uniform(0, 3) == 0 ? cv::Size(1280, 720) : cv::Size(1920, 1080);
    cv::Mat frame = cardboard(size, rng);
    clutter(frame, rng, rng.uniform(2, 6));
    std::vector<Placement> labels;
    if (i % 10 != 9) { // every tenth frame holds no code
      const int kinds = rng.uniform(1, 3);
      for (int k = 0; k < kinds; ++k) {
        Placement p;
        p.code = rng.uniform(0, 3) == 0 ? (rng.uniform(0, 4) == 0 ? upca("075720003259") : random_upca(rng))
                                        : random_upce(rng);
        p.module_px = rng.uniform(1.2, 1.6);
        const int turn = rng.uniform(0, 6);
        p.angle = turn == 0 ? 90.0 : turn == 1 ? 180.0 : rng.uniform(-6.0, 6.0);
        p.paper = rng.uniform(190, 240);
        p.ink = rng.uniform(15, 60);
        p.softness = rng.uniform(0.0, 0.25);
        const int copies = rng.uniform(0, 3) == 0 ? 1 : rng.uniform(2, 4);
        for (int n = 0; n < copies; ++n) {
          labels.push_back(p);
        }
      }
    }
    Frame out;
    out.name = numbered("upc-small-station", i + 1);
    place_all(frame, labels, rng, out);
    Camera cam;
    cam.blur = rng.uniform(0.4, 1.0);
    cam.noise = rng.uniform(2.0, 6.0);
    cam.jpeg_quality = rng.uniform(25, 36);
    cam.uneven = rng.uniform(0.0, 0.4);
    expose(frame, cam, rng);
    out.grey = frame;
    frames.push_back(std::move(out));
  }
  return frames;
}

enum class Effect {
  clean,
  optical_blur,
  motion_blur,
  glare,
  uneven_light,
  cylinder,
  perspective,
  jpeg,
  noise,
  print,
  screen,
  all
};
constexpr int k_effects = 12;

const char* effect_name(Effect e)
{
  static const char* names[] = {"clean",       "blur", "motion", "glare", "uneven", "cylinder",
                                "perspective", "jpeg", "noise",  "print", "screen", "all"};
  return names[static_cast<int>(e)];
}

// One 2D symbol per photo, each kind under each effect.
std::vector<Frame> matrix_photos(std::uint64_t seed, int count)
{
  cv::RNG rng(seed * 104729 + 2);
  std::vector<Frame> frames;
  for (int i = 0; i < count; ++i) {
    const int kind = i % 3;
    const auto effect = static_cast<Effect>((i / 3) % k_effects);
    const cv::Size size(640, 480);
    cv::Mat frame = cardboard(size, rng);
    clutter(frame, rng, rng.uniform(0, 3));
    Placement p;
    p.code = kind == 0 ? random_datamatrix(rng) : kind == 1 ? random_gs1_datamatrix(rng) : random_qr(rng);
    p.module_px = rng.uniform(2.5, 5.0);
    p.angle = rng.uniform(-30.0, 30.0);
    p.paper = rng.uniform(200, 240);
    p.ink = rng.uniform(15, 50);
    p.centre = {rng.uniform(0.3, 0.7) * size.width, rng.uniform(0.3, 0.7) * size.height};
    Camera cam;
    cam.noise = 2;
    cam.jpeg_quality = 85;
    const bool all = effect == Effect::all;
    if (effect == Effect::optical_blur || all) {
      cam.blur = rng.uniform(0.8, all ? 1.1 : 1.6) * p.module_px / 3.0;
    }
    if (effect == Effect::motion_blur || all) {
      cam.motion = rng.uniform(3.0, all ? 4.0 : 7.0) * p.module_px / 3.0;
      cam.motion_angle = rng.uniform(0.0, 180.0);
    }
    if (effect == Effect::glare || all) {
      cam.glare_spots = 1;
      cam.glare = all ? rng.uniform(40, 80) : rng.uniform(90, 180);
      cam.glare_at = p.centre + cv::Point2d(rng.uniform(-20, 20), rng.uniform(-20, 20));
    }
    if (effect == Effect::uneven_light || all) {
      cam.uneven = rng.uniform(0.5, 0.75);
    }
    if (effect == Effect::cylinder || all) {
      p.curve = rng.uniform(0.6, all ? 0.8 : 1.1);
    }
    if (effect == Effect::perspective || all) {
      p.tilt = {rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)};
    }
    if (effect == Effect::jpeg || all) {
      cam.jpeg_quality = rng.uniform(all ? 35 : 15, 36);
    }
    if (effect == Effect::noise || all) {
      cam.noise = rng.uniform(all ? 6.0 : 10.0, all ? 8.0 : 18.0);
    }
    if (effect == Effect::print || all) {
      p.softness = rng.uniform(0.25, all ? 0.3 : 0.4);
      p.paper = rng.uniform(170, 200);
      p.ink = rng.uniform(60, 90);
    }
    if (effect == Effect::screen) {
      p.screen_pitch = rng.uniform(0.95, 1.25);
      p.screen_angle = rng.uniform(-4.0, 4.0);
      p.paper = rng.uniform(200, 250);
      p.ink = rng.uniform(20, 50);
      cam.blur = 0.5;
    }
    Frame out;
    out.name = numbered("matrix-photos", i + 1) + "-" + effect_name(effect);
    place(frame, p);
    out.expected.push_back(p.code.expected);
    out.details.push_back(detail_of(p));
    expose(frame, cam, rng);
    out.grey = frame;
    frames.push_back(std::move(out));
  }
  return frames;
}

// Whole-bench frames: every station format, small modules, identical labels, off-centre DataMatrix.
std::vector<Frame> station_frames(std::uint64_t seed, int count)
{
  cv::RNG rng(seed * 15485863 + 3);
  std::vector<Frame> frames;
  for (int i = 0; i < count; ++i) {
    const cv::Size size = i % 3 == 2 ? cv::Size(1280, 720) : cv::Size(1920, 1080);
    cv::Mat frame = cardboard(size, rng);
    clutter(frame, rng, rng.uniform(2, 8));
    std::vector<Placement> labels;
    if (i % 8 != 7) { // every eighth frame holds no code
      const int kinds = rng.uniform(1, 4);
      for (int k = 0; k < kinds; ++k) {
        Placement p;
        const int kind = rng.uniform(0, 8);
        switch (kind) {
        case 0:
          p.code = random_ean13(rng);
          break;
        case 1:
          p.code = random_upca(rng);
          break;
        case 2:
          p.code = random_upce(rng);
          break;
        case 3:
          p.code = random_code128(rng);
          break;
        case 4:
          p.code = random_gs1_128(rng);
          break;
        case 5:
          p.code = random_datamatrix(rng);
          break;
        case 6:
          p.code = random_gs1_datamatrix(rng);
          break;
        default:
          p.code = random_qr(rng);
          break;
        }
        const bool matrix = kind >= 5;
        p.module_px = matrix ? rng.uniform(1.2, 3.0) : rng.uniform(1.2, 2.5);
        const int turn = rng.uniform(0, 8);
        p.angle = turn == 0 ? 90.0 : turn == 1 ? 180.0 : rng.uniform(-12.0, 12.0);
        p.paper = rng.uniform(190, 240);
        p.ink = rng.uniform(15, 60);
        p.softness = rng.uniform(0.0, 0.2);
        if (rng.uniform(0, 4) == 0) {
          p.tilt = {rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15)};
        }
        if (!matrix && rng.uniform(0, 4) == 0) {
          p.curve = rng.uniform(0.3, 0.7);
        }
        const int copies = rng.uniform(0, 3) == 0 ? 2 : 1;
        for (int n = 0; n < copies; ++n) {
          labels.push_back(p);
        }
      }
    }
    Frame out;
    out.name = numbered("station-frames", i + 1);
    place_all(frame, labels, rng, out);
    Camera cam;
    cam.blur = rng.uniform(0.3, 0.9);
    if (rng.uniform(0, 4) == 0) {
      cam.motion = rng.uniform(2.0, 3.5);
      cam.motion_angle = rng.uniform(0.0, 180.0);
    }
    cam.noise = rng.uniform(2.0, 5.0);
    cam.uneven = rng.uniform(0.0, 0.5);
    if (rng.uniform(0, 3) == 0) {
      cam.glare_spots = rng.uniform(1, 3);
      cam.glare = rng.uniform(60, 140);
    }
    cam.jpeg_quality = rng.uniform(40, 86);
    expose(frame, cam, rng);
    out.grey = frame;
    frames.push_back(std::move(out));
  }
  return frames;
}

// The held-out station frames' biggest loss made again: DataMatrix and GS1 DataMatrix at 1.2-1.6 px
// per module in 1080p/720p frames, off-centre, some of them twice (identical labels), some tilted,
// beside clutter, under the station camera's blur, noise and JPEG; every tenth frame without a code.
std::vector<Frame> matrix_small_station(std::uint64_t seed, int count)
{
  cv::RNG rng(seed * 32452843 + 4);
  std::vector<Frame> frames;
  for (int i = 0; i < count; ++i) {
    const cv::Size size = i % 3 == 2 ? cv::Size(1280, 720) : cv::Size(1920, 1080);
    cv::Mat frame = cardboard(size, rng);
    clutter(frame, rng, rng.uniform(2, 8));
    std::vector<Placement> labels;
    if (i % 10 != 9) {
      const int kinds = rng.uniform(1, 4);
      for (int k = 0; k < kinds; ++k) {
        Placement p;
        p.code = rng.uniform(0, 2) == 0 ? random_gs1_datamatrix(rng) : random_datamatrix(rng);
        p.module_px = rng.uniform(1.2, 1.6);
        const int turn = rng.uniform(0, 6);
        p.angle = turn == 0 ? 90.0 : turn == 1 ? 180.0 : rng.uniform(-15.0, 15.0);
        p.paper = rng.uniform(190, 240);
        p.ink = rng.uniform(15, 60);
        p.softness = rng.uniform(0.0, 0.2);
        if (rng.uniform(0, 3) == 0) {
          p.tilt = {rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15)};
        }
        const int copies = rng.uniform(0, 3) == 0 ? 2 : 1;
        for (int n = 0; n < copies; ++n) {
          labels.push_back(p);
        }
      }
    }
    Frame out;
    out.name = numbered("matrix-small-station", i + 1);
    place_all(frame, labels, rng, out);
    Camera cam;
    cam.blur = rng.uniform(0.3, 0.8);
    if (rng.uniform(0, 5) == 0) {
      cam.motion = rng.uniform(1.5, 2.5);
      cam.motion_angle = rng.uniform(0.0, 180.0);
    }
    cam.noise = rng.uniform(2.0, 5.0);
    cam.uneven = rng.uniform(0.0, 0.5);
    if (rng.uniform(0, 4) == 0) {
      cam.glare_spots = 1;
      cam.glare = rng.uniform(50, 110);
    }
    cam.jpeg_quality = rng.uniform(40, 86);
    expose(frame, cam, rng);
    out.grey = frame;
    frames.push_back(std::move(out));
  }
  return frames;
}

} // namespace

std::vector<std::string> set_names()
{
  return {"upc-small-station", "matrix-photos", "station-frames", "matrix-small-station"};
}

bool have_zint()
{
  static const bool found = std::system("zint --version >/dev/null 2>&1") == 0;
  return found;
}

std::vector<Frame> make_set(const std::string& name, std::uint64_t seed, int count)
{
  if (!have_zint()) {
    std::cerr << "scenes: no zint on PATH (apt-get install zint)\n";
    return {};
  }
  if (name == "upc-small-station") {
    return upc_small_station(seed, count > 0 ? count : 40);
  }
  if (name == "matrix-photos") {
    return matrix_photos(seed, count > 0 ? count : 3 * k_effects);
  }
  if (name == "station-frames") {
    return station_frames(seed, count > 0 ? count : 32);
  }
  if (name == "matrix-small-station") {
    return matrix_small_station(seed, count > 0 ? count : 40);
  }
  std::cerr << "scenes: no set named '" << name << "'\n";
  return {};
}

} // namespace pickverify::scenes
