// Who may act: users with a role and a PIN or password, kept in the same database as the journal.
// Secrets are stored only as Argon2id hashes (libsodium crypto_pwhash_str); repeated failures lock
// the account for a while. The station (`pickverify run`), the command line (`pickverify user …`)
// and the web service all sign people in through this one interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

enum class UserRole { picker, supervisor, qa, admin };

std::string_view to_string(UserRole role);
// "picker", "supervisor", "qa", "admin"; anything else is invalid_input naming the four.
Result<UserRole> parse_user_role(std::string_view text);

// What a person may do. A role's rights are fixed here, not configured, so a site cannot give a
// picker the supervisor's override by accident.
enum class Permission {
  pack,           // scan and pack orders (every role that works a station)
  clear_alert,    // clear any alert (a picker clears only what the policy allows, without a PIN)
  override_alert, // count a mismatched item anyway
  take_over,      // move an order that is open at another station to this one
  audit,          // read, verify and export the journal, make evidence packs
  manage_users,   // add users, reset secrets, disable accounts
};

bool role_may(UserRole role, Permission permission);

// After this many wrong secrets in a row the account is locked for k_lockout_duration; a correct
// secret before that resets the count. `pickverify user passwd` unlocks at once.
constexpr int k_max_failed_attempts = 5;
constexpr std::chrono::minutes k_lockout_duration{5};
// A PIN has at least this many characters; a secret at most k_max_secret_length bytes.
constexpr std::size_t k_min_secret_length = 4;
constexpr std::size_t k_max_secret_length = 128;

struct User {
  std::string id; // what a person types or scans from their badge: "P-17", "sup-7"
  std::string name;
  UserRole role = UserRole::picker;
  bool disabled = false;
  std::int32_t failed_attempts = 0;     // wrong secrets since the last right one
  std::int64_t locked_until_utc_ms = 0; // 0 when not locked
  std::int64_t created_utc_ms = 0;
};

// Argon2id cost. interactive() is libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (64 MiB, ~0.1–0.5 s):
// the production default. minimum() exists for tests only. The cost is kept in each stored hash,
// so a hash made with one cost verifies under any setting.
struct HashCost {
  unsigned long long opslimit = 0;
  std::size_t memlimit = 0;
  static HashCost interactive();
  static HashCost minimum();
};

// Why a sign-in was refused; message is what the person reads ("sup-7: wrong PIN, 3 attempts left").
struct AuthFailure {
  enum class Reason { unknown_user, wrong_secret, locked, disabled, store };
  Reason reason = Reason::wrong_secret;
  std::string message;
};
std::string_view to_string(AuthFailure::Reason reason);

class UserStore {
public:
  virtual ~UserStore() = default;

  // Refuses an existing id (conflict), an empty id or one with control characters, a secret
  // shorter than k_min_secret_length or longer than k_max_secret_length (invalid_input).
  virtual Result<User> add_user(const std::string& id, const std::string& name, UserRole role,
                                const std::string& secret) = 0;
  // New secret; clears failed attempts and any lock-out.
  virtual Result<void> set_secret(const std::string& id, const std::string& secret) = 0;
  virtual Result<void> set_disabled(const std::string& id, bool disabled) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  virtual Result<std::optional<User>> find_user(const std::string& id) = 0;
  // Checks the secret (constant work whether or not the user exists) and counts failures in the
  // database, so a lock-out holds across processes and restarts.
  virtual tl::expected<User, AuthFailure> authenticate(const std::string& id, const std::string& secret) = 0;
};

// Opens the user table in the pickverify database at path (the same file as the journal; created
// and migrated as open_sqlite_store does).
Result<std::unique_ptr<UserStore>> open_sqlite_user_store(const std::filesystem::path& path,
                                                          HashCost cost = HashCost::interactive());

} // namespace pickverify
