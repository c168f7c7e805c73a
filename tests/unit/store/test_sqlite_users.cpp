#include <catch2/catch.hpp>

#include <pickverify/users.hpp>

#include "store_test_data.hpp"
#include "temp_dir.hpp"

using namespace pickverify;

namespace {

std::unique_ptr<UserStore> open_users(const std::filesystem::path& path)
{
  auto users = open_sqlite_user_store(path, HashCost::minimum());
  REQUIRE(users);
  return std::move(*users);
}

} // namespace

TEST_CASE("add_user stores an Argon2id hash, never the secret", "[store][users]")
{
  test::TempDir dir;
  auto users = open_users(dir / "pickverify.db");
  auto added = users->add_user("sup-7", "Sam Supervisor", UserRole::supervisor, "4711");
  REQUIRE(added);
  CHECK(added->role == UserRole::supervisor);
  CHECK(test::raw_sql_int(dir / "pickverify.db", "SELECT count(*) FROM users WHERE secret_hash LIKE '$argon2id$%'") ==
        1);
  CHECK(test::raw_sql_int(dir / "pickverify.db", "SELECT count(*) FROM users WHERE secret_hash LIKE '%4711%'") == 0);

  auto again = users->add_user("sup-7", "", UserRole::picker, "1234");
  REQUIRE_FALSE(again);
  CHECK(again.error().type == ErrorType::conflict);
  CHECK_FALSE(users->add_user("", "", UserRole::picker, "1234"));
  CHECK_FALSE(users->add_user("a\x1b[2J", "", UserRole::picker, "1234"));
  CHECK_FALSE(users->add_user("short", "", UserRole::picker, "12"));
}

TEST_CASE("authenticate accepts the right secret and says why it refuses", "[store][users]")
{
  test::TempDir dir;
  auto users = open_users(dir / "pickverify.db");
  REQUIRE(users->add_user("P-17", "Pat", UserRole::picker, "2468"));
  auto ok = users->authenticate("P-17", "2468");
  REQUIRE(ok);
  CHECK(ok->id == "P-17");
  CHECK(ok->role == UserRole::picker);

  auto wrong = users->authenticate("P-17", "2469");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().reason == AuthFailure::Reason::wrong_secret);
  CHECK_THAT(wrong.error().message, Catch::Contains("attempt(s) left"));

  auto unknown = users->authenticate("nobody", "2468");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().reason == AuthFailure::Reason::unknown_user);

  REQUIRE(users->set_disabled("P-17", true));
  auto disabled = users->authenticate("P-17", "2468");
  REQUIRE_FALSE(disabled);
  CHECK(disabled.error().reason == AuthFailure::Reason::disabled);
  CHECK(users->set_disabled("ghost", true).error().type == ErrorType::not_found);
}

TEST_CASE("authenticate locks the account after repeated failures, across connections", "[store][users]")
{
  test::TempDir dir;
  auto users = open_users(dir / "pickverify.db");
  REQUIRE(users->add_user("sup-7", "", UserRole::supervisor, "4711"));
  for (int attempt = 1; attempt < k_max_failed_attempts; ++attempt) {
    CHECK(users->authenticate("sup-7", "0000").error().reason == AuthFailure::Reason::wrong_secret);
  }
  CHECK(users->authenticate("sup-7", "0000").error().reason == AuthFailure::Reason::locked);
  // Another process (here another connection) sees the lock: even the right PIN is refused now.
  auto other = open_users(dir / "pickverify.db");
  auto locked = other->authenticate("sup-7", "4711");
  REQUIRE_FALSE(locked);
  CHECK(locked.error().reason == AuthFailure::Reason::locked);
  auto listed = other->find_user("sup-7");
  REQUIRE(listed);
  REQUIRE(*listed);
  CHECK((*listed)->failed_attempts == k_max_failed_attempts);
  CHECK((*listed)->locked_until_utc_ms > 0);

  // A new secret unlocks.
  REQUIRE(other->set_secret("sup-7", "8642"));
  CHECK(users->authenticate("sup-7", "8642"));
  CHECK_FALSE(users->authenticate("sup-7", "4711"));
}

TEST_CASE("a correct secret resets the failure count", "[store][users]")
{
  test::TempDir dir;
  auto users = open_users(dir / "pickverify.db");
  REQUIRE(users->add_user("qa-1", "", UserRole::qa, "passphrase"));
  for (int attempt = 1; attempt < k_max_failed_attempts; ++attempt) {
    REQUIRE_FALSE(users->authenticate("qa-1", "guess"));
  }
  REQUIRE(users->authenticate("qa-1", "passphrase"));
  REQUIRE_FALSE(users->authenticate("qa-1", "guess"));
  CHECK(users->authenticate("qa-1", "passphrase")); // one failure after the reset is not a lock
}

TEST_CASE("role_may gives clearing, overriding and takeover to supervisors and admins only", "[store][users]")
{
  for (const Permission permission : {Permission::clear_alert, Permission::override_alert, Permission::take_over}) {
    CHECK_FALSE(role_may(UserRole::picker, permission));
    CHECK_FALSE(role_may(UserRole::qa, permission));
    CHECK(role_may(UserRole::supervisor, permission));
    CHECK(role_may(UserRole::admin, permission));
  }
  CHECK(role_may(UserRole::qa, Permission::audit));
  CHECK_FALSE(role_may(UserRole::picker, Permission::audit));
  CHECK(role_may(UserRole::admin, Permission::manage_users));
  CHECK_FALSE(role_may(UserRole::supervisor, Permission::manage_users));
  CHECK(parse_user_role("qa").value() == UserRole::qa);
  CHECK_FALSE(parse_user_role("boss"));
}
