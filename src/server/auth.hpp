// Who is asking: browser sessions (HttpOnly, SameSite=Strict cookie + CSRF token) and API tokens
// (hashed at rest, scoped to a role and optionally a station).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <pickverify/server.hpp>
#include <pickverify/sha256.hpp>

namespace pickverify::server {

std::string random_token(); // 32 random bytes, hex

struct BrowserSession {
  Principal principal;
  std::string csrf;
  std::chrono::steady_clock::time_point expires;
};

class SessionTable {
public:
  explicit SessionTable(std::chrono::minutes lifetime = std::chrono::hours(12)) : m_lifetime(lifetime) {}
  // Returns the cookie value; only its hash is kept.
  std::string open(const Principal& principal, std::string& csrf_out);
  std::optional<BrowserSession> find(const std::string& cookie_value);
  void close(const std::string& cookie_value);

private:
  std::chrono::minutes m_lifetime;
  std::mutex m_mutex;
  std::map<std::string, BrowserSession> m_by_hash;
};

struct ApiToken {
  std::string name;
  std::string sha256;
  Principal principal;
};

// <data-dir>/api-tokens.json: [{"name", "sha256", "role", "station"}].
Result<std::vector<ApiToken>> load_api_tokens(const std::filesystem::path& data_dir);

class TokenTable {
public:
  explicit TokenTable(std::vector<ApiToken> tokens) : m_tokens(std::move(tokens)) {}
  std::optional<Principal> find(const std::string& bearer) const;

private:
  std::vector<ApiToken> m_tokens;
};

} // namespace pickverify::server
