#include "auth.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

namespace pickverify::server {

namespace {

std::string hex(const unsigned char* data, std::size_t size)
{
  std::string out(size * 2, '0');
  sodium_bin2hex(out.data(), out.size() + 1, data, size);
  return out;
}

const std::filesystem::path k_users_file = "users.json";
const std::filesystem::path k_tokens_file = "api-tokens.json";

// The embedded default's people, so a fresh machine can be tried from the browser. docs/SERVICE.md
// lists them; a site replaces users.json (or the integrity room's user store replaces this).
struct DemoUser {
  const char* user;
  const char* pin;
  ServiceRole role;
};
constexpr DemoUser k_demo_users[] = {
    {"picker", "1111", ServiceRole::picker},
    {"supervisor", "2468", ServiceRole::supervisor},
    {"qa", "1357", ServiceRole::qa},
};

Result<std::string> read_file(const std::filesystem::path& path)
{
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be read", path.string()));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<void> write_file_atomically(const std::filesystem::path& path, const std::string& text)
{
  const auto temporary = path.string() + ".new";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file.flush()) {
      return make_error(ErrorType::io, fmt::format("{}: cannot be written", temporary));
    }
  }
  std::error_code ec;
  std::filesystem::permissions(temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    return make_error(ErrorType::io, fmt::format("{}: {}", path.string(), ec.message()));
  }
  return {};
}

struct LocalUser {
  std::string pin_hash;
  Principal principal;
};

class LocalUsers final : public UserDirectory {
public:
  explicit LocalUsers(std::map<std::string, LocalUser> users) : m_users(std::move(users)) {}
  Result<Principal> verify_pin(const std::string& user, const std::string& pin) override
  {
    const auto found = m_users.find(user);
    if (found == m_users.end() || !pin_matches(found->second.pin_hash, pin)) {
      return make_error(ErrorType::invalid_input, "unknown user or wrong PIN");
    }
    return found->second.principal;
  }

private:
  std::map<std::string, LocalUser> m_users;
};

} // namespace

std::string_view to_string(ServiceRole role)
{
  switch (role) {
  case ServiceRole::picker:
    return "picker";
  case ServiceRole::supervisor:
    return "supervisor";
  case ServiceRole::qa:
    return "qa";
  case ServiceRole::wms:
    return "wms";
  }
  return "picker";
}

Result<ServiceRole> parse_service_role(std::string_view name)
{
  for (auto role : {ServiceRole::picker, ServiceRole::supervisor, ServiceRole::qa, ServiceRole::wms}) {
    if (to_string(role) == name) {
      return role;
    }
  }
  return make_error(ErrorType::invalid_input,
                    fmt::format("role \"{}\" is not one of picker, supervisor, qa, wms", std::string(name)));
}

std::string sha256_hex(std::string_view data)
{
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hex(digest, sizeof digest);
}

std::string random_token()
{
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

Result<std::string> hash_pin(const std::string& pin)
{
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorType::internal, "argon2id: out of memory");
  }
  return std::string(out);
}

bool pin_matches(const std::string& stored_hash, const std::string& pin)
{
  return !stored_hash.empty() && stored_hash.size() < crypto_pwhash_STRBYTES &&
         crypto_pwhash_str_verify(stored_hash.c_str(), pin.data(), pin.size()) == 0;
}

std::string SessionTable::open(const Principal& principal, std::string& csrf_out)
{
  const std::string cookie = random_token();
  csrf_out = random_token();
  std::lock_guard lock(m_mutex);
  const auto now = std::chrono::steady_clock::now();
  for (auto it = m_by_hash.begin(); it != m_by_hash.end();) {
    it = it->second.expires < now ? m_by_hash.erase(it) : std::next(it);
  }
  m_by_hash[sha256_hex(cookie)] = BrowserSession{principal, csrf_out, now + m_lifetime};
  return cookie;
}

std::optional<BrowserSession> SessionTable::find(const std::string& cookie_value)
{
  std::lock_guard lock(m_mutex);
  const auto found = m_by_hash.find(sha256_hex(cookie_value));
  if (found == m_by_hash.end() || found->second.expires < std::chrono::steady_clock::now()) {
    return std::nullopt;
  }
  return found->second;
}

void SessionTable::close(const std::string& cookie_value)
{
  std::lock_guard lock(m_mutex);
  m_by_hash.erase(sha256_hex(cookie_value));
}

std::optional<Principal> TokenTable::find(const std::string& bearer) const
{
  const std::string hash = sha256_hex(bearer);
  for (const auto& token : m_tokens) {
    if (sodium_memcmp(token.sha256.data(), hash.data(), hash.size()) == 0 && token.sha256.size() == hash.size()) {
      return token.principal;
    }
  }
  return std::nullopt;
}

Result<std::vector<ApiToken>> load_api_tokens(const std::filesystem::path& data_dir)
{
  std::vector<ApiToken> tokens;
  const auto path = data_dir / k_tokens_file;
  if (!std::filesystem::exists(path)) {
    return tokens;
  }
  auto text = read_file(path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  const auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_array()) {
    return make_error(ErrorType::corrupt, fmt::format("{}: not a JSON array of tokens", path.string()));
  }
  for (const auto& entry : json) {
    if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string() || !entry.contains("role") ||
        !entry["role"].is_string()) {
      return make_error(ErrorType::corrupt, fmt::format("{}: a token without sha256 or role", path.string()));
    }
    auto role = parse_service_role(entry["role"].get<std::string>());
    if (!role) {
      return tl::unexpected(role.error().with_context(path.string()));
    }
    ApiToken token;
    token.name = entry.value("name", "");
    token.sha256 = entry["sha256"].get<std::string>();
    token.principal = Principal{"token:" + token.name, *role, entry.value("station", "")};
    tokens.push_back(std::move(token));
  }
  return tokens;
}

Result<std::string> create_api_token(const std::filesystem::path& data_dir, const std::string& name, ServiceRole role,
                                     const std::string& station)
{
  if (sodium_init() < 0) {
    return make_error(ErrorType::internal, "libsodium failed to start");
  }
  if (name.empty() || name.size() > 64) {
    return make_error(ErrorType::invalid_input, "a token needs a name of 1 to 64 characters");
  }
  auto existing = load_api_tokens(data_dir);
  if (!existing) {
    return tl::unexpected(existing.error());
  }
  nlohmann::json json = nlohmann::json::array();
  for (const auto& token : *existing) {
    if (token.name == name) {
      return make_error(ErrorType::conflict, fmt::format("a token named \"{}\" exists already", name));
    }
    json.push_back({{"name", token.name},
                    {"sha256", token.sha256},
                    {"role", std::string(to_string(token.principal.role))},
                    {"station", token.principal.station}});
  }
  const std::string token = random_token();
  json.push_back(
      {{"name", name}, {"sha256", sha256_hex(token)}, {"role", std::string(to_string(role))}, {"station", station}});
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (auto written = write_file_atomically(data_dir / k_tokens_file, json.dump(2) + "\n"); !written) {
    return tl::unexpected(written.error());
  }
  return token;
}

Result<std::unique_ptr<UserDirectory>> open_local_users(const std::filesystem::path& data_dir)
{
  if (sodium_init() < 0) {
    return make_error(ErrorType::internal, "libsodium failed to start");
  }
  const auto path = data_dir / k_users_file;
  if (!std::filesystem::exists(path)) {
    nlohmann::json json = nlohmann::json::array();
    for (const auto& demo : k_demo_users) {
      auto hash = hash_pin(demo.pin);
      if (!hash) {
        return tl::unexpected(hash.error());
      }
      json.push_back({{"user", demo.user}, {"role", std::string(to_string(demo.role))}, {"pin_argon2id", *hash}});
    }
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (auto written = write_file_atomically(path, json.dump(2) + "\n"); !written) {
      return tl::unexpected(written.error());
    }
  }
  auto text = read_file(path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  const auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_array()) {
    return make_error(ErrorType::corrupt, fmt::format("{}: not a JSON array of users", path.string()));
  }
  std::map<std::string, LocalUser> users;
  for (const auto& entry : json) {
    if (!entry.is_object() || !entry.contains("user") || !entry["user"].is_string() || !entry.contains("role") ||
        !entry["role"].is_string() || !entry.contains("pin_argon2id") || !entry["pin_argon2id"].is_string()) {
      return make_error(ErrorType::corrupt,
                        fmt::format("{}: every user needs user, role and pin_argon2id", path.string()));
    }
    auto role = parse_service_role(entry["role"].get<std::string>());
    if (!role) {
      return tl::unexpected(role.error().with_context(path.string()));
    }
    const std::string user = entry["user"].get<std::string>();
    users[user] =
        LocalUser{entry["pin_argon2id"].get<std::string>(), Principal{user, *role, entry.value("station", "")}};
  }
  return std::unique_ptr<UserDirectory>(std::make_unique<LocalUsers>(std::move(users)));
}

} // namespace pickverify::server
