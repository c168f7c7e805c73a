// Photo-like generated sets, made at test time (nothing binary is checked in): symbols rendered by
// zint (the command-line tool, as make_corpus does), placed into 640x480 photos or 1080p/720p
// station frames and spoilt the way cameras spoil them — optical and motion blur, glare spots,
// uneven light, curvature around a cylinder, perspective, printed-and-photographed softness, a
// screen's moire, sensor noise, JPEG at low quality. Deterministic: a set is a function of its seed
// (and of the zint and OpenCV builds).
//
// Sets (make_set):
//   upc-small-station : 1080p/720p frames of UPC-E and UPC-A at 1.2-1.6 px per module, identical
//                       labels side by side, off-centre, blur, JPEG quality 25-35, noise (the held-out
//                       station frames that gave UPC-E misreads); some frames without a code
//   matrix-photos     : one DataMatrix, GS1 DataMatrix or QR per 640x480 photo, each effect above
//   station-frames    : 1080p/720p frames with 1-5 symbols of every station format, modules 1.2-3 px,
//                       identical labels, off-centre DataMatrix, some frames without a code
//   matrix-small-station : 1080p/720p frames of DataMatrix and GS1 DataMatrix at 1.2-1.6 px per
//                       module, off-centre, identical labels, some tilted; some frames without a code
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pickverify::scenes {

struct Frame {
  std::string name; // "upc-small-station/07"
  cv::Mat grey;
  std::vector<std::string> expected; // texts as decode returns them (GS as 0x1D)
  std::vector<std::string> details;  // per expected text: how it was drawn ("-b UPCE 1.34 px 90 deg")
};

// The names make_set knows, in the order above.
std::vector<std::string> set_names();

// The frames of one set, made from seed; empty (and a message on stderr) for an unknown name or when
// zint is missing.
std::vector<Frame> make_set(const std::string& name, std::uint64_t seed = 1, int count = 0);

// Whether the zint command-line tool runs here.
bool have_zint();

} // namespace pickverify::scenes
