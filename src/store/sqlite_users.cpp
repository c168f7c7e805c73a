// Users and their secrets in the pickverify database. Secrets never leave this file except as
// Argon2id hashes in crypto_pwhash_str's self-describing format ("$argon2id$v=19$m=…").
#include <pickverify/expected.hpp>
#include <pickverify/users.hpp>

#include <algorithm>
#include <mutex>

#include <fmt/core.h>
#include <sodium.h>

#include "database.hpp"
#include "journal_hash.hpp"

namespace pickverify {

namespace {

using store::Db;
using store::Statement;
using store::Transaction;

std::int64_t now_utc_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<void> check_id(const std::string& id)
{
  if (id.empty()) {
    return make_error(ErrorType::invalid_input, "user id: must not be empty");
  }
  if (id.size() > 64) {
    return make_error(ErrorType::invalid_input, "user id: at most 64 characters");
  }
  for (const unsigned char c : id) {
    if (c < 0x21 || c == 0x7f) {
      return make_error(ErrorType::invalid_input,
                        "user id: letters, digits and punctuation only (no spaces or control characters)");
    }
  }
  return {};
}

Result<void> check_secret(const std::string& secret)
{
  if (secret.size() < k_min_secret_length) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("the PIN or password needs at least {} characters", k_min_secret_length));
  }
  if (secret.size() > k_max_secret_length) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("the PIN or password may have at most {} bytes", k_max_secret_length));
  }
  if (secret.find('\0') != std::string::npos) {
    return make_error(ErrorType::invalid_input, "the PIN or password must not contain a NUL byte");
  }
  return {};
}

class SqliteUserStore final : public UserStore {
public:
  SqliteUserStore(std::unique_ptr<Db> db, HashCost cost) : m_db(std::move(db)), m_cost(cost) {}

  Result<User> add_user(const std::string& id, const std::string& name, UserRole role,
                        const std::string& secret) override
  {
    PV_TRY(check_id(id));
    PV_TRY(check_secret(secret));
    PV_TRY_ASSIGN(auto hash, hash_secret(secret));
    std::lock_guard lock(m_mutex);
    auto insert =
        m_db->prepare("INSERT INTO users (id, name, role, secret_hash, created_utc_ms) VALUES (?, ?, ?, ?, ?)");
    PV_TRY(insert, "user " + id);
    User user;
    user.id = id;
    user.name = name;
    user.role = role;
    user.created_utc_ms = now_utc_ms();
    insert->bind_text(1, id)
        .bind_text(2, name)
        .bind_text(3, to_string(role))
        .bind_text(4, hash)
        .bind(5, user.created_utc_ms);
    if (auto done = insert->run(); !done) {
      if (done.error().type == ErrorType::conflict) {
        return make_error(ErrorType::conflict, fmt::format("user {} exists already", id));
      }
      return tl::unexpected(done.error().with_context("add user " + id));
    }
    return user;
  }

  Result<void> set_secret(const std::string& id, const std::string& secret) override
  {
    if (auto ok = check_secret(secret); !ok) {
      return ok;
    }
    PV_TRY_ASSIGN(auto hash, hash_secret(secret));
    return update(id, "UPDATE users SET secret_hash = ?2, failed_attempts = 0, locked_until_ms = 0 WHERE id = ?1",
                  hash);
  }

  Result<void> set_disabled(const std::string& id, bool disabled) override
  {
    return update(id,
                  disabled ? "UPDATE users SET disabled = 1 WHERE id = ?1"
                           : "UPDATE users SET disabled = 0, failed_attempts = 0, locked_until_ms = 0 WHERE id = ?1",
                  {});
  }

  Result<std::vector<User>> list_users() override
  {
    std::lock_guard lock(m_mutex);
    return select_users("");
  }

  Result<std::optional<User>> find_user(const std::string& id) override
  {
    std::lock_guard lock(m_mutex);
    PV_TRY_ASSIGN(auto users, select_users(id));
    if (users.empty()) {
      return std::optional<User>();
    }
    return std::optional<User>(users.front());
  }

  tl::expected<User, AuthFailure> authenticate(const std::string& id, const std::string& secret) override
  {
    using Reason = AuthFailure::Reason;
    auto refuse = [](Reason reason, std::string message) {
      return tl::unexpected(AuthFailure{reason, std::move(message)});
    };
    std::lock_guard lock(m_mutex);
    // The failure count is read and written in one write transaction, so two stations guessing at
    // once cannot both get the last attempt.
    auto transaction = Transaction::begin(*m_db);
    if (!transaction) {
      return refuse(Reason::store, transaction.error().message);
    }
    auto stmt = m_db->prepare("SELECT secret_hash, disabled, failed_attempts, locked_until_ms FROM users WHERE id = ?");
    if (!stmt) {
      return refuse(Reason::store, stmt.error().message);
    }
    stmt->bind_text(1, id);
    auto row = stmt->step();
    if (!row) {
      return refuse(Reason::store, row.error().message);
    }
    if (!*row) {
      // The same work as for a real user, so the answer time does not tell which ids exist.
      [[maybe_unused]] const int ignored = crypto_pwhash_str_verify(dummy_hash().c_str(), secret.data(), secret.size());
      return refuse(Reason::unknown_user, fmt::format("{}: no such user, or wrong PIN", id));
    }
    const std::string stored = stmt->column_text(0);
    const bool disabled = stmt->column_int(1) != 0;
    const auto failed = static_cast<std::int32_t>(stmt->column_int(2));
    const std::int64_t locked_until = stmt->column_int(3);
    stmt->reset();
    const std::int64_t now = now_utc_ms();
    if (disabled) {
      return refuse(Reason::disabled, fmt::format("{}: the account is disabled; ask an admin", id));
    }
    if (locked_until > now) {
      return refuse(Reason::locked,
                    fmt::format("{}: locked after {} wrong attempts; try again in {} s or ask an admin to reset it", id,
                                failed, (locked_until - now + 999) / 1000));
    }
    const bool right = crypto_pwhash_str_verify(stored.c_str(), secret.data(), secret.size()) == 0;
    if (!right) {
      const std::int32_t failures = failed + 1;
      const bool lock_now = failures >= k_max_failed_attempts;
      const std::int64_t until =
          lock_now ? now + std::chrono::duration_cast<std::chrono::milliseconds>(k_lockout_duration).count() : 0;
      auto count = m_db->prepare("UPDATE users SET failed_attempts = ?, locked_until_ms = ? WHERE id = ?");
      if (!count) {
        return refuse(Reason::store, count.error().message);
      }
      count->bind(1, lock_now ? failures : failures).bind(2, until).bind_text(3, id);
      if (auto done = count->run(); !done) {
        return refuse(Reason::store, done.error().message);
      }
      if (auto committed = transaction->commit(); !committed) {
        return refuse(Reason::store, committed.error().message);
      }
      if (lock_now) {
        return refuse(Reason::locked, fmt::format("{}: wrong PIN; locked for {} minutes after {} wrong attempts", id,
                                                  k_lockout_duration.count(), failures));
      }
      return refuse(Reason::wrong_secret, fmt::format("{}: wrong PIN, {} attempt(s) left before the account locks", id,
                                                      k_max_failed_attempts - failures));
    }
    if (failed != 0 || locked_until != 0) {
      auto reset = m_db->prepare("UPDATE users SET failed_attempts = 0, locked_until_ms = 0 WHERE id = ?");
      if (!reset) {
        return refuse(Reason::store, reset.error().message);
      }
      reset->bind_text(1, id);
      if (auto done = reset->run(); !done) {
        return refuse(Reason::store, done.error().message);
      }
    }
    if (auto committed = transaction->commit(); !committed) {
      return refuse(Reason::store, committed.error().message);
    }
    auto users = select_users(id);
    if (!users || users->empty()) {
      return refuse(Reason::store, users ? "the user vanished while signing in" : users.error().message);
    }
    return users->front();
  }

private:
  Result<std::string> hash_secret(const std::string& secret) const
  {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), m_cost.opslimit, m_cost.memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return make_error(ErrorType::io, "hashing the secret failed: not enough memory for Argon2id");
    }
    return std::string(out);
  }

  const std::string& dummy_hash()
  {
    if (m_dummy_hash.empty()) {
      auto hash = hash_secret("not a real secret");
      m_dummy_hash = hash ? *hash : std::string("$argon2id$");
    }
    return m_dummy_hash;
  }

  Result<void> update(const std::string& id, const char* sql, const std::string& value)
  {
    std::lock_guard lock(m_mutex);
    PV_TRY_ASSIGN(auto stmt, m_db->prepare(sql));
    stmt.bind_text(1, id);
    if (!value.empty()) {
      stmt.bind_text(2, value);
    }
    PV_TRY(stmt.run(), "user " + id);
    PV_TRY_ASSIGN(const std::int64_t changed, m_db->query_int("SELECT changes()"), "user " + id);
    if (changed == 0) {
      return make_error(ErrorType::not_found, fmt::format("user {} does not exist", id));
    }
    return {};
  }

  Result<std::vector<User>> select_users(const std::string& id)
  {
    PV_TRY_ASSIGN(auto stmt,
                  m_db->prepare(std::string("SELECT id, name, role, disabled, failed_attempts, locked_until_ms, "
                                            "created_utc_ms FROM users") +
                                (id.empty() ? "" : " WHERE id = ?1") + " ORDER BY id"));
    if (!id.empty()) {
      stmt.bind_text(1, id);
    }
    std::vector<User> users;
    std::optional<Error> bad;
    auto read = stmt.each_row([&] {
      User user;
      user.id = stmt.column_text(0);
      user.name = stmt.column_text(1);
      auto role = parse_user_role(stmt.column_text(2));
      if (!role) {
        bad = Error{ErrorType::corrupt, fmt::format("user {}: stored role is not valid", user.id)};
        return false;
      }
      user.role = *role;
      user.disabled = stmt.column_int(3) != 0;
      user.failed_attempts = static_cast<std::int32_t>(stmt.column_int(4));
      user.locked_until_utc_ms = stmt.column_int(5);
      user.created_utc_ms = stmt.column_int(6);
      users.push_back(std::move(user));
      return true;
    });
    if (!read) {
      return tl::unexpected(read.error().with_context("users"));
    }
    if (bad) {
      return tl::unexpected(*bad);
    }
    return users;
  }

  std::mutex m_mutex;
  std::unique_ptr<Db> m_db;
  HashCost m_cost;
  std::string m_dummy_hash;
};

} // namespace

std::string_view to_string(UserRole role)
{
  switch (role) {
  case UserRole::picker:
    return "picker";
  case UserRole::supervisor:
    return "supervisor";
  case UserRole::qa:
    return "qa";
  case UserRole::admin:
    return "admin";
  }
  return "picker";
}

Result<UserRole> parse_user_role(std::string_view text)
{
  for (const UserRole role : {UserRole::picker, UserRole::supervisor, UserRole::qa, UserRole::admin}) {
    if (text == to_string(role)) {
      return role;
    }
  }
  return make_error(ErrorType::invalid_input,
                    fmt::format("role '{}' is not known: use picker, supervisor, qa or admin", text));
}

bool role_may(UserRole role, Permission permission)
{
  switch (permission) {
  case Permission::pack:
    return role == UserRole::picker || role == UserRole::supervisor || role == UserRole::admin;
  case Permission::clear_alert:
  case Permission::override_alert:
  case Permission::take_over:
    return role == UserRole::supervisor || role == UserRole::admin;
  case Permission::audit:
    return role == UserRole::qa || role == UserRole::supervisor || role == UserRole::admin;
  case Permission::manage_users:
    return role == UserRole::admin;
  }
  return false;
}

std::string_view to_string(AuthFailure::Reason reason)
{
  switch (reason) {
  case AuthFailure::Reason::unknown_user:
    return "unknown_user";
  case AuthFailure::Reason::wrong_secret:
    return "wrong_secret";
  case AuthFailure::Reason::locked:
    return "locked";
  case AuthFailure::Reason::disabled:
    return "disabled";
  case AuthFailure::Reason::store:
    return "store";
  }
  return "store";
}

HashCost HashCost::interactive()
{
  return HashCost{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

HashCost HashCost::minimum()
{
  return HashCost{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::unique_ptr<UserStore>> open_sqlite_user_store(const std::filesystem::path& path, HashCost cost)
{
  if (!store::sodium_ready()) {
    return make_error(ErrorType::unsupported, "libsodium could not be initialised; secrets cannot be checked");
  }
  PV_TRY_ASSIGN(auto db, store::open_database(path));
  return std::unique_ptr<UserStore>(std::make_unique<SqliteUserStore>(std::move(db), cost));
}

} // namespace pickverify
