// Runs the parse_code fuzz harness over its kept corpus without clang or libFuzzer: the harness checks
// the parsers' promises, and what they returned must equal the kept transcripts.
#include <catch2/catch.hpp>

#define LLVMFuzzerTestOneInput fuzz_parse_code_one_input
#include "../../fuzz/fuzz_parse_code.cpp"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay_corpus.hpp"

TEST_CASE("parse_code and the GS1 parsers give the kept results for the fuzz corpus", "[fuzz]")
{
  CHECK(pickverify::fuzz::replay_corpus(PICKVERIFY_FUZZ_CORPUS_DIR, "parse_code", &fuzz_parse_code_transcript) >= 11);
}
