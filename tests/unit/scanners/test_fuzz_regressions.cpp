// Runs the HID descriptor and keyboard decoder fuzz harnesses over their kept corpora (seeds plus every
// input that once crashed) without clang or libFuzzer: the harness checks the decoders' promises, and
// what they returned must equal the kept transcripts (tests/fuzz/expected/).
#include <catch2/catch.hpp>

#define LLVMFuzzerTestOneInput fuzz_hid_descriptor_one_input
#include "../../fuzz/fuzz_hid_descriptor.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_keyboard_decoder_one_input
#include "../../fuzz/fuzz_keyboard_decoder.cpp"
#undef LLVMFuzzerTestOneInput

#include "../../fuzz/replay_corpus.hpp"

TEST_CASE("parse_hid_report_descriptor and HidPosDecoder give the kept results for the fuzz corpus", "[fuzz]")
{
  CHECK(pickverify::fuzz::replay_corpus(PICKVERIFY_FUZZ_CORPUS_DIR, "hid_descriptor",
                                        &fuzz_hid_descriptor_transcript) >= 3);
}

TEST_CASE("KeyboardDecoder gives the kept results for the fuzz corpus", "[fuzz]")
{
  CHECK(pickverify::fuzz::replay_corpus(PICKVERIFY_FUZZ_CORPUS_DIR, "keyboard_decoder",
                                        &fuzz_keyboard_decoder_transcript) >= 4);
}
