#include "auth.hpp"

#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pickverify/expected.hpp>
#include <pickverify/sha256.hpp>
#include <pickverify/text.hpp>
#include <sodium.h>

namespace pickverify::server {

namespace {

const std::filesystem::path k_tokens_file = "api-tokens.json";

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

// The integrity room's users (the same table `pickverify user` manages and `run` signs in
// against) seen by the service: their role decides what a browser session may do.
ServiceRole service_role_of(UserRole role)
{
  switch (role) {
  case UserRole::picker:
    return ServiceRole::picker;
  case UserRole::qa:
    return ServiceRole::qa;
  case UserRole::supervisor:
  case UserRole::admin:
    return ServiceRole::supervisor; // an admin may do everything a supervisor may (docs/USERS.md)
  }
  return ServiceRole::picker;
}

class StoreUsers final : public UserDirectory {
public:
  explicit StoreUsers(std::unique_ptr<UserStore> users) : m_users(std::move(users)) {}
  Result<Principal> verify_pin(const std::string& user, const std::string& pin) override
  {
    std::lock_guard lock(m_mutex);
    auto who = m_users->authenticate(user, pin);
    if (!who) {
      switch (who.error().reason) {
      case AuthFailure::Reason::locked:
        // Only reached after k_max_failed_attempts wrong PINs for a real account.
        return make_error(ErrorType::conflict, who.error().message);
      case AuthFailure::Reason::store:
        return make_error(ErrorType::io, who.error().message);
      default:
        // Unknown user, wrong PIN and disabled account read alike: the answer does not tell which ids exist.
        return make_error(ErrorType::invalid_input, "unknown user or wrong PIN");
      }
    }
    return Principal{who->id, service_role_of(who->role), ""};
  }

private:
  std::mutex m_mutex; // one SQLite connection; authenticate runs on the service's pool
  std::unique_ptr<UserStore> m_users;
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

std::string random_token()
{
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return text::to_hex(std::span<const std::uint8_t>(bytes, sizeof bytes));
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
  PV_TRY_ASSIGN(auto text, read_file(path));
  const auto json = nlohmann::json::parse(text, nullptr, false);
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
  PV_TRY_ASSIGN(auto existing, load_api_tokens(data_dir));
  nlohmann::json json = nlohmann::json::array();
  for (const auto& token : existing) {
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
  PV_TRY(write_file_atomically(data_dir / k_tokens_file, json.dump(2) + "\n"));
  return token;
}

std::unique_ptr<UserDirectory> directory_of(std::unique_ptr<UserStore> users)
{
  return std::make_unique<StoreUsers>(std::move(users));
}

} // namespace pickverify::server
