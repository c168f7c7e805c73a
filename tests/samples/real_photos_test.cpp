// decode_real_photos: the still effort on a folder of real photos listed in expected.tsv (the
// development set ../shared/corpus/real-photos-1d, read in place). Passes when at least MINIMUM
// photos are read completely and nothing is misread; exit 77 (skipped) when the folder is absent.
//
//   pickverify_real_photos_test DIR MINIMUM
#include <pickverify/decode.hpp>

#include "corpus.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
  constexpr int k_skipped = 77;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR MINIMUM\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int minimum = std::atoi(argv[2]);
  const auto sets =
      dir.empty() ? std::vector<pickverify::corpus::SampleSet>{} : pickverify::corpus::load_listed_photos(dir);
  if (sets.empty()) {
    std::printf("no expected.tsv in '%s' (set PICKVERIFY_REAL_PHOTOS_DIR): skipped\n", dir.c_str());
    return k_skipped;
  }
  int images = 0;
  int complete = 0;
  int misreads = 0;
  for (const auto& set : sets) {
    for (const auto& sample : set.samples) {
      ++images;
      const auto result = pickverify::decode_image_file(
          sample.image.string(), pickverify::DecodeOptions{}.effort(pickverify::DecodeEffort::still));
      if (!result) {
        std::printf("%s: error: %s\n", sample.image.string().c_str(), result.error().message.c_str());
        continue;
      }
      std::vector<std::string> texts;
      for (const auto& symbol : *result) {
        texts.push_back(symbol.text);
      }
      const auto score = pickverify::corpus::score_listed(sample.expected, texts);
      misreads += score.misread;
      complete += score.passed() ? 1 : 0;
      if (!score.passed()) {
        std::printf("%s/%s: %s, read:", set.name.c_str(), sample.image.filename().string().c_str(),
                    score.misread > 0 ? "MISREAD" : "missed");
        for (const auto& text : texts) {
          std::printf(" %s", text.c_str());
        }
        std::printf("\n");
      }
    }
  }
  std::printf("%d/%d photos read completely, %d misreads (need at least %d and none)\n", complete, images, misreads,
              minimum);
  return complete >= minimum && misreads == 0 ? 0 : 1;
}
