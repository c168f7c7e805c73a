// Evidence files: content-addressed by SHA-256, written atomically, verifiable later.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <pickverify/evidence.hpp>

#include "temp_dir.hpp"

using namespace pickverify;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text)
{
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::vector<std::uint8_t> read_all(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

} // namespace

TEST_CASE("store_evidence writes <data_dir>/evidence/<2 hex>/<hash>.jpg and nothing else", "[evidence]")
{
  test::TempDir dir;
  const auto photo = bytes_of("\xff\xd8 not really a jpeg, but bytes are bytes \xff\xd9");
  auto hash = store_evidence(dir.path(), photo);
  REQUIRE(hash);
  CHECK(*hash == sha256_hex(std::span<const std::uint8_t>(photo)));
  const fs::path path = evidence_path(dir.path(), *hash);
  CHECK(path == dir / "evidence" / hash->substr(0, 2) / (*hash + ".jpg"));
  CHECK(read_all(path) == photo);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "evidence")) {
    files += entry.is_regular_file() ? 1 : 0;
  }
  CHECK(files == 1); // no temporary file left behind
  CHECK(verify_evidence(dir.path(), *hash));

  auto again = store_evidence(dir.path(), photo);
  REQUIRE(again);
  CHECK(*again == *hash);
}

TEST_CASE("verify_evidence tells altered, missing and malformed apart", "[evidence]")
{
  test::TempDir dir;
  const auto photo = bytes_of("the packed order at 15:42");
  auto hash = store_evidence(dir.path(), photo);
  REQUIRE(hash);
  const fs::path path = evidence_path(dir.path(), *hash);
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(path, std::ios::binary | std::ios::app) << "x";

  auto altered = verify_evidence(dir.path(), *hash);
  REQUIRE_FALSE(altered);
  CHECK(altered.error().type == ErrorType::corrupt);

  // Storing the original again repairs it: the stored bytes are checked, not trusted.
  REQUIRE(store_evidence(dir.path(), photo));
  CHECK(verify_evidence(dir.path(), *hash));

  auto missing = verify_evidence(dir.path(), std::string(64, 'a'));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().type == ErrorType::not_found);

  auto malformed = verify_evidence(dir.path(), "../../etc/passwd");
  REQUIRE_FALSE(malformed);
  CHECK(malformed.error().type == ErrorType::invalid_input);
}

TEST_CASE("store_evidence reports an unwritable data dir as an io error", "[evidence]")
{
  test::TempDir dir;
  std::ofstream(dir / "file") << "a file where the data dir should be";
  auto hash = store_evidence(dir / "file", bytes_of("x"));
  REQUIRE_FALSE(hash);
  CHECK(hash.error().type == ErrorType::io);
}
