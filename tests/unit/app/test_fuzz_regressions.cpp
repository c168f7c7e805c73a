// Runs the importer fuzz harnesses over their kept corpora (seeds plus every input that once broke a
// promise) without clang or libFuzzer: the harness checks the importers' promises, and what they
// returned must equal the kept transcripts (tests/fuzz/expected/).
#include <catch2/catch.hpp>

#define LLVMFuzzerTestOneInput fuzz_import_csv_one_input
#include "../../fuzz/fuzz_import_csv.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_import_json_one_input
#include "../../fuzz/fuzz_import_json.cpp"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay_corpus.hpp"

namespace {

const std::filesystem::path k_fuzz_dir = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests/fuzz";

} // namespace

TEST_CASE("import_catalog and import_orders CSV give the kept results for the fuzz corpus", "[fuzz][importer]")
{
  CHECK(pickverify::fuzz::replay_corpus(k_fuzz_dir, "import_csv", &fuzz_import_csv_transcript) >= 4);
}

TEST_CASE("import_catalog and import_orders JSON give the kept results for the fuzz corpus", "[fuzz][importer]")
{
  CHECK(pickverify::fuzz::replay_corpus(k_fuzz_dir, "import_json", &fuzz_import_json_transcript) >= 4);
}
