// tar_folder: what GNU tar reads back, and the names ustar cannot hold.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "tar_archive.hpp"
#include "temp_dir.hpp"

using namespace pickverify;

namespace {

void write(const std::filesystem::path& path, const std::string& text)
{
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string run(const std::string& command)
{
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    out += buffer;
  }
  REQUIRE(pclose(pipe) == 0);
  return out;
}

} // namespace

TEST_CASE("tar_folder makes a ustar archive that tar unpacks file for file", "[server][tar]")
{
  test::TempDir dir;
  write(dir / "pack" / "manifest.json", "{\"a\":1}\n");
  write(dir / "pack" / "photos" / (std::string(64, 'a') + ".jpg"), std::string(1000, '\xff'));
  write(dir / "pack" / "empty.txt", "");
  auto archive = server::tar_folder(dir / "pack", "evidence-pack");
  REQUIRE(archive);
  CHECK(archive->size() % 512 == 0);
  CHECK(archive->compare(257, 5, "ustar") == 0);
  std::ofstream(dir / "pack.tar", std::ios::binary) << *archive;
  CHECK(run("tar -tf " + (dir / "pack.tar").string()) == "evidence-pack/empty.txt\nevidence-pack/manifest.json\n"
                                                         "evidence-pack/photos/" +
                                                             std::string(64, 'a') + ".jpg\n");
  std::filesystem::create_directories(dir / "out");
  run("tar -xf " + (dir / "pack.tar").string() + " -C " + (dir / "out").string());
  std::ifstream photo(dir / "out" / "evidence-pack" / "photos" / (std::string(64, 'a') + ".jpg"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(photo)), std::istreambuf_iterator<char>());
  CHECK(bytes == std::string(1000, '\xff'));
}

TEST_CASE("tar_folder refuses a name ustar cannot hold, naming it", "[server][tar]")
{
  test::TempDir dir;
  write(dir / "pack" / (std::string(120, 'x') + ".txt"), "x");
  auto archive = server::tar_folder(dir / "pack", "evidence-pack");
  REQUIRE_FALSE(archive);
  CHECK(archive.error().type == ErrorType::invalid_input);
  CHECK_THAT(archive.error().message, Catch::Contains("too long"));
}
