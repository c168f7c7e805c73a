// decode_generated_*: one photo-like generated set (scenes.hpp, seed 1) through decode with one
// effort. Passes when at least MINIMUM frames are read completely and nothing is misread (a text the
// frame does not hold, or one label read more often than it is there); exit 77 (skipped) without zint.
//
//   pickverify_generated_sets_test SET still|hands-free MINIMUM [SEED]
#include <pickverify/decode.hpp>

#include "corpus.hpp"
#include "scenes.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
  constexpr int k_skipped = 77;
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s SET still|hands-free MINIMUM [SEED]\n", argv[0]);
    return 2;
  }
  const std::string set = argv[1];
  const std::string effort_name = argv[2];
  if (effort_name != "still" && effort_name != "hands-free") {
    std::fprintf(stderr, "effort must be still or hands-free, not '%s'\n", effort_name.c_str());
    return 2;
  }
  const auto effort = effort_name == "still" ? pickverify::DecodeEffort::still : pickverify::DecodeEffort::hands_free;
  const int minimum = std::atoi(argv[3]);
  const auto seed = argc == 5 ? std::strtoull(argv[4], nullptr, 10) : 1ULL;
  if (!pickverify::scenes::have_zint()) {
    std::printf("no zint on PATH: skipped\n");
    return k_skipped;
  }
  const auto frames = pickverify::scenes::make_set(set, seed);
  if (frames.empty()) {
    std::fprintf(stderr, "no frames for set '%s'\n", set.c_str());
    return 2;
  }
  int complete = 0;
  int misreads = 0;
  int expected = 0;
  int found = 0;
  for (const auto& frame : frames) {
    const pickverify::FrameView view{frame.grey.data, frame.grey.cols, frame.grey.rows,
                                     static_cast<int>(frame.grey.step[0]), pickverify::PixelFormat::lum8};
    const auto result = pickverify::decode(view, pickverify::DecodeOptions{}.effort(effort));
    if (!result) {
      std::printf("%s: error: %s\n", frame.name.c_str(), result.error().message.c_str());
      continue;
    }
    std::vector<std::string> texts;
    for (const auto& symbol : *result) {
      texts.push_back(symbol.text);
    }
    const auto score = pickverify::corpus::score(frame.expected, texts);
    misreads += score.misread;
    complete += score.passed() ? 1 : 0;
    expected += score.expected;
    found += score.found;
    if (!score.passed()) {
      std::printf("%s: %s, read %d of %d:", frame.name.c_str(), score.misread > 0 ? "MISREAD" : "missed", score.found,
                  score.expected);
      for (const auto& text : texts) {
        std::printf(" %s", text.c_str());
      }
      std::printf("\n");
      for (std::size_t i = 0; i < frame.expected.size(); ++i) {
        const bool read = std::find(texts.begin(), texts.end(), frame.expected[i]) != texts.end();
        std::printf("    %s %s (%s)\n", read ? "read  " : "MISSED", frame.expected[i].c_str(),
                    i < frame.details.size() ? frame.details[i].c_str() : "");
      }
    }
  }
  std::printf("%s, %s: %d/%zu frames read completely, %d/%d symbols, %d misreads (need at least %d and none)\n",
              set.c_str(), effort_name.c_str(), complete, frames.size(), found, expected, misreads, minimum);
  return complete >= minimum && misreads == 0 ? 0 : 1;
}
