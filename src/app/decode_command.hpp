// `pickverify decode [--json] IMAGE...`: every symbol in each image file, tested in-process with
// string streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pickverify::app {

// Writes every symbol found to out: with json, one object per line
//   {"image": ..., "text": ... (GS as \u001d), "format": ..., "aim": ..., "corners": [[x,y] x4]}
// otherwise one tab-separated line per symbol (image, format, aim, text with GS shown as <GS>).
// Returns 0 when every image was read and decoded (finding nothing is not an error), 2 when an
// image could not be read or decoded (named on err; the other images are still decoded), 1 when
// no image was given.
int run_decode_command(const std::vector<std::string>& images, bool json, std::ostream& out, std::ostream& err);

} // namespace pickverify::app
