// Station keys, signatures and checkpoints (Ed25519 and SHA-256 from libsodium).
#include <pickverify/journal_anchor.hpp>
#include <pickverify/text.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "journal_hash.hpp"

namespace pickverify {

namespace {

namespace fs = std::filesystem;

std::string errno_text()
{
  return std::strerror(errno);
}

Result<void> write_file_exclusive(const fs::path& path, std::string_view bytes, mode_t mode)
{
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return make_error(ErrorType::io, fmt::format("{}: cannot create: {}", path.string(), errno_text()));
  }
  const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    return make_error(ErrorType::io, fmt::format("{}: writing failed: {}", path.string(), errno_text()));
  }
  return {};
}

} // namespace

std::string key_id_of(std::string_view public_key_hex)
{
  (void)store::sodium_ready();
  const auto bytes = text::from_hex(public_key_hex);
  if (!bytes) {
    return {};
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size());
  return text::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

Result<StationKey> StationKey::load(const fs::path& path)
{
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised");
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return make_error(errno == ENOENT ? ErrorType::not_found : ErrorType::io,
                      fmt::format("station key {}: {}", path.string(), errno_text()));
  }
  if ((info.st_mode & 077) != 0) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("station key {}: mode {:o} lets others read or change it; chmod 600 it (and "
                                  "consider it compromised: see docs/JOURNAL.md, key rotation)",
                                  path.string(), info.st_mode & 0777));
  }
  if (info.st_size != crypto_sign_SECRETKEYBYTES) {
    return make_error(ErrorType::corrupt,
                      fmt::format("station key {}: {} bytes, a key has {}", path.string(),
                                  static_cast<long long>(info.st_size), crypto_sign_SECRETKEYBYTES));
  }
  std::ifstream file(path, std::ios::binary);
  StationKey key;
  file.read(reinterpret_cast<char*>(key.m_secret.data()), static_cast<std::streamsize>(key.m_secret.size()));
  if (!file) {
    return make_error(ErrorType::io, fmt::format("station key {}: cannot be read", path.string()));
  }
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  crypto_sign_ed25519_sk_to_pk(public_key.data(), key.m_secret.data());
  key.m_public_hex =
      text::to_hex(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
  key.m_key_id = key_id_of(key.m_public_hex);
  return key;
}

Result<StationKey> StationKey::load_or_create(const fs::path& path)
{
  std::error_code ec;
  if (fs::exists(path, ec)) {
    return load(path);
  }
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised");
  }
  if (path.has_parent_path() && !fs::exists(path.parent_path(), ec)) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return make_error(ErrorType::io,
                        fmt::format("station key folder {}: {}", path.parent_path().string(), ec.message()));
    }
    fs::permissions(path.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_keypair(public_key.data(), secret.data());
  auto written =
      write_file_exclusive(path, std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()), 0600);
  sodium_memzero(secret.data(), secret.size());
  if (!written) {
    return tl::unexpected(written.error().with_context("station key"));
  }
  const std::string public_hex =
      text::to_hex(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
  fs::path pub = path;
  pub += ".pub";
  fs::remove(pub, ec);
  if (auto published = write_file_exclusive(pub, public_hex + "\n", 0644); !published) {
    return tl::unexpected(published.error().with_context("station public key"));
  }
  return load(path);
}

std::string StationKey::sign(std::string_view message) const
{
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), m_secret.data());
  return text::to_hex(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
}

bool verify_signature(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex)
{
  if (!store::sodium_ready()) {
    return false;
  }
  const auto key = text::from_hex(public_key_hex);
  const auto signature = text::from_hex(signature_hex);
  if (!key || key->size() != crypto_sign_PUBLICKEYBYTES || !signature || signature->size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(key->data())) == 0;
}

Result<std::string> read_public_key_file(const fs::path& path)
{
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return make_error(ErrorType::not_found, fmt::format("public key {}: cannot be read", path.string()));
  }
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  const auto bytes = pickverify::text::from_hex(text);
  if (!bytes || bytes->size() != crypto_sign_PUBLICKEYBYTES) {
    return make_error(
        ErrorType::invalid_input,
        fmt::format("public key {}: expected 64 lower-case hex digits (a station key's .pub file)", path.string()));
  }
  return text;
}

Result<std::string> sha256_file_hex(const fs::path& path)
{
  (void)store::sodium_ready();
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return make_error(ErrorType::not_found, fmt::format("{}: missing or unreadable", path.string()));
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<char, 65536> buffer{};
  while (file) {
    file.read(buffer.data(), buffer.size());
    const auto got = file.gcount();
    if (got > 0) {
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                                static_cast<unsigned long long>(got));
    }
  }
  if (file.bad()) {
    return make_error(ErrorType::io, fmt::format("{}: read error", path.string()));
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return text::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string Checkpoint::signed_message() const
{
  return fmt::format("pickverify-checkpoint-v1\nstation={}\nseq={}\nhash={}\nutc_ms={}\nkey_id={}\n", station, seq,
                     head_hash, utc_ms, key_id);
}

bool Checkpoint::signature_valid() const
{
  return key_id == key_id_of(public_key) && verify_signature(public_key, signed_message(), signature);
}

std::string Checkpoint::to_json() const
{
  nlohmann::ordered_json json;
  json["station"] = station;
  json["seq"] = seq;
  json["hash"] = head_hash;
  json["utc_ms"] = utc_ms;
  json["key_id"] = key_id;
  json["public_key"] = public_key;
  json["signature"] = signature;
  return json.dump();
}

Result<Checkpoint> Checkpoint::from_json(std::string_view text)
{
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return make_error(ErrorType::invalid_input, "checkpoint: not a JSON object");
  }
  const std::set<std::string> keys{"station", "seq", "hash", "utc_ms", "key_id", "public_key", "signature"};
  for (const auto& [key, value] : json.items()) {
    if (!keys.count(key)) {
      return make_error(ErrorType::invalid_input, fmt::format("checkpoint: unknown key '{}'", key));
    }
  }
  for (const auto& key : keys) {
    if (!json.contains(key)) {
      return make_error(ErrorType::invalid_input, fmt::format("checkpoint: '{}' is missing", key));
    }
    const bool number = key == "seq" || key == "utc_ms";
    if (number ? !json[key].is_number_integer() : !json[key].is_string()) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("checkpoint: '{}' must be {}", key, number ? "an integer" : "a string"));
    }
  }
  Checkpoint checkpoint;
  checkpoint.station = json["station"].get<std::string>();
  checkpoint.seq = json["seq"].get<std::int64_t>();
  checkpoint.head_hash = json["hash"].get<std::string>();
  checkpoint.utc_ms = json["utc_ms"].get<std::int64_t>();
  checkpoint.key_id = json["key_id"].get<std::string>();
  checkpoint.public_key = json["public_key"].get<std::string>();
  checkpoint.signature = json["signature"].get<std::string>();
  return checkpoint;
}

} // namespace pickverify
