#include "annotated_photo.hpp"

#include <pickverify/evidence.hpp>
#include <pickverify/sha256.hpp>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace pickverify {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int error)
{
  return std::error_code(error, std::generic_category()).message();
}

// Closes a descriptor on every path out.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }
  int release_and_close()
  {
    const int rc = ::close(m_fd);
    m_fd = -1;
    return rc;
  }

private:
  int m_fd;
};

Result<void> write_all(int fd, const std::uint8_t* data, std::size_t size)
{
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return make_error(ErrorType::io, errno_text(errno));
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return {};
}

void fsync_directory(const fs::path& dir)
{
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<std::vector<std::uint8_t>> read_file(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorType::io, fmt::format("{}: cannot open", path.string()));
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return make_error(ErrorType::io, fmt::format("{}: read failed", path.string()));
  }
  return bytes;
}

} // namespace

Result<std::string> store_evidence(const fs::path& data_dir, const std::vector<std::uint8_t>& jpeg)
{
  const std::string hash = sha256_hex(std::span<const std::uint8_t>(jpeg));
  const fs::path target = evidence_path(data_dir, hash);
  const fs::path dir = target.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("evidence: cannot create {}: {}", dir.string(), ec.message()));
  }
  if (fs::exists(target, ec) && verify_evidence(data_dir, hash)) {
    return hash; // content-addressed: the same bytes are already there
  }

  std::string temp_name = (dir / ("." + hash + ".tmp-XXXXXX")).string();
  FileDescriptor fd(::mkstemp(temp_name.data()));
  if (fd.get() < 0) {
    return make_error(ErrorType::io,
                      fmt::format("evidence: cannot create a file in {}: {}", dir.string(), errno_text(errno)));
  }
  auto fail = [&](std::string what) -> Result<std::string> {
    ::unlink(temp_name.c_str());
    return make_error(ErrorType::io, fmt::format("evidence: {}: {}", target.string(), what));
  };
  if (auto written = write_all(fd.get(), jpeg.data(), jpeg.size()); !written) {
    return fail("write: " + written.error().message);
  }
  if (::fsync(fd.get()) != 0) {
    return fail("fsync: " + errno_text(errno));
  }
  ::fchmod(fd.get(), 0444); // evidence is never edited in place
  if (fd.release_and_close() != 0) {
    return fail("close: " + errno_text(errno));
  }
  if (::rename(temp_name.c_str(), target.c_str()) != 0) {
    return fail("rename: " + errno_text(errno));
  }
  fsync_directory(dir);
  return hash;
}

Result<void> verify_evidence(const fs::path& data_dir, std::string_view hex)
{
  if (!is_sha256_hex(hex)) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("evidence: '{}' is not a SHA-256 (64 lower-case hex digits)", hex));
  }
  const fs::path path = evidence_path(data_dir, hex);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return make_error(ErrorType::not_found, fmt::format("evidence: {} is missing", path.string()));
  }
  auto bytes = read_file(path);
  if (!bytes) {
    return tl::unexpected(bytes.error().with_context("evidence"));
  }
  const std::string actual = sha256_hex(std::span<const std::uint8_t>(*bytes));
  if (actual != hex) {
    return make_error(ErrorType::corrupt,
                      fmt::format("evidence: {} has been altered: its SHA-256 is {}", path.string(), actual));
  }
  return {};
}

namespace vision {

Result<std::vector<std::uint8_t>> encode_jpeg(const cv::Mat& image, int quality)
{
  std::vector<std::uint8_t> bytes;
  try {
    const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 10, 100)};
    if (!cv::imencode(".jpg", image, bytes, params)) {
      return make_error(ErrorType::internal, "JPEG encoding failed");
    }
  } catch (const cv::Exception& e) {
    return make_error(ErrorType::internal, fmt::format("JPEG encoding failed: {}", e.what()));
  }
  return bytes;
}

namespace {

// Hershey fonts draw ASCII only: anything else becomes '?' rather than garbage.
std::string ascii(const std::string& text)
{
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x80) {
      if ((c & 0xc0) != 0x80) {
        out.push_back('?'); // one mark per UTF-8 character, not per byte
      }
    } else if (c < 0x20) {
      out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

const cv::Scalar k_green(40, 170, 40);
const cv::Scalar k_red(30, 30, 220);
const cv::Scalar k_grey(150, 150, 150);
const cv::Scalar k_white(255, 255, 255);
const cv::Scalar k_amber(0, 170, 255);

} // namespace

cv::Mat annotate(const cv::Mat& bgr, const std::vector<MarkedSymbol>& symbols, const PixelRect& pack_area, bool passed,
                 const std::vector<std::string>& banner_lines)
{
  cv::Mat out = bgr.clone();
  const double scale = std::max(0.5, out.cols / 1600.0); // text and lines grow with the frame
  const int thickness = std::max(1, static_cast<int>(std::lround(2 * scale)));
  const int font = cv::FONT_HERSHEY_SIMPLEX;

  if (!pack_area.empty()) {
    cv::rectangle(out, cv::Rect(pack_area.x, pack_area.y, pack_area.width, pack_area.height), k_amber, thickness,
                  cv::LINE_AA);
  }
  for (const MarkedSymbol& symbol : symbols) {
    const cv::Scalar colour = symbol.mark == Mark::expected     ? k_green
                              : symbol.mark == Mark::unexpected ? k_red
                                                                : k_grey;
    std::vector<cv::Point> polygon;
    for (const Point& p : symbol.corners) {
      polygon.emplace_back(p.x, p.y);
    }
    cv::polylines(out, polygon, true, colour, thickness + 1, cv::LINE_AA);
    const std::string label = ascii(symbol.label);
    int baseline = 0;
    const double font_scale = 0.6 * scale;
    const cv::Size size = cv::getTextSize(label, font, font_scale, thickness, &baseline);
    const cv::Rect bounds = cv::boundingRect(polygon);
    cv::Point origin(bounds.x, bounds.y - 6);
    if (origin.y - size.height < 0) {
      origin.y = bounds.y + bounds.height + size.height + 6;
    }
    origin.x = std::clamp(origin.x, 0, std::max(0, out.cols - size.width));
    cv::rectangle(out, cv::Rect(origin.x - 2, origin.y - size.height - 4, size.width + 4, size.height + baseline + 6),
                  colour, cv::FILLED);
    cv::putText(out, label, origin, font, font_scale, k_white, thickness, cv::LINE_AA);
  }

  const double banner_scale = 0.8 * scale;
  int baseline = 0;
  const int line_height = cv::getTextSize("Ag", font, banner_scale, thickness, &baseline).height + baseline + 10;
  const int banner_height = line_height * static_cast<int>(std::max<std::size_t>(1, banner_lines.size())) + 10;
  cv::rectangle(out, cv::Rect(0, 0, out.cols, std::min(out.rows, banner_height)), passed ? k_green : k_red, cv::FILLED);
  int y = line_height;
  for (const std::string& line : banner_lines) {
    cv::putText(out, ascii(line), cv::Point(10, y), font, banner_scale, k_white, thickness, cv::LINE_AA);
    y += line_height;
  }
  return out;
}

} // namespace vision

} // namespace pickverify
