#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <pickverify/server.hpp>

#include "temp_dir.hpp"

using namespace pickverify;

namespace {

std::set<std::string> documented_operations()
{
  std::ifstream file(std::string(PICKVERIFY_SOURCE_DIR) + "/src/server/web/openapi.json");
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  const auto document = nlohmann::json::parse(text.str());
  std::set<std::string> operations;
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (auto& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      operations.insert(upper + " " + path);
      REQUIRE(operation.contains("summary"));
      REQUIRE(operation.contains("responses"));
    }
  }
  return operations;
}

// The service's users are the user store's (pickverify user …), cheap hashes for tests.
std::unique_ptr<server::UserDirectory> users_in(const std::filesystem::path& db)
{
  auto users = open_sqlite_user_store(db, HashCost::minimum());
  REQUIRE(users);
  return server::directory_of(std::move(*users));
}

} // namespace

TEST_CASE("Service::routes: every route is in openapi.json and every documented operation is a route", "[server]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  Station station("station-1", **store, Catalog{}, Policy{});
  server::ServiceOptions options;
  options.port = 0;
  options.data_dir = dir.path();
  auto service = server::Service::start(options, **store, {server::StationBinding{&station, nullptr}},
                                        users_in(dir / "pickverify.db"));
  REQUIRE(service);
  CHECK((*service)->port() != 0);

  const auto documented = documented_operations();
  std::set<std::string> routes;
  for (const auto& route : (*service)->routes()) {
    routes.insert(route);
    INFO("route " << route);
    CHECK(documented.count(route) == 1);
  }
  for (const auto& operation : documented) {
    INFO("documented " << operation);
    CHECK(routes.count(operation) == 1);
  }
  (*service)->stop();
}

TEST_CASE("parse_listen: HOST:PORT, bracketed IPv6, errors", "[server]")
{
  auto plain = server::parse_listen("127.0.0.1:8080");
  REQUIRE(plain);
  CHECK(plain->first == "127.0.0.1");
  CHECK(plain->second == 8080);
  auto v6 = server::parse_listen("[::1]:9000");
  REQUIRE(v6);
  CHECK(v6->first == "::1");
  CHECK(server::parse_listen("localhost:0")->first == "127.0.0.1");
  CHECK_FALSE(server::parse_listen("8080"));
  CHECK_FALSE(server::parse_listen("127.0.0.1:"));
  CHECK_FALSE(server::parse_listen("127.0.0.1:70000"));
  CHECK_FALSE(server::parse_listen("127.0.0.1:80x"));
}

TEST_CASE("Service::start: a port in use is an error naming it", "[server]")
{
  test::TempDir dir;
  auto store = open_sqlite_store(dir / "pickverify.db");
  REQUIRE(store);
  Station station("station-1", **store, Catalog{}, Policy{});
  server::ServiceOptions options;
  options.port = 0;
  options.data_dir = dir.path();
  auto first = server::Service::start(options, **store, {server::StationBinding{&station, nullptr}},
                                      users_in(dir / "pickverify.db"));
  REQUIRE(first);
  Station other("station-2", **store, Catalog{}, Policy{});
  options.port = (*first)->port();
  auto second = server::Service::start(options, **store, {server::StationBinding{&other, nullptr}},
                                       users_in(dir / "pickverify.db"));
  REQUIRE_FALSE(second);
  CHECK(second.error().message.find(std::to_string(options.port)) != std::string::npos);
}

TEST_CASE("directory_of: the user store's users sign in with their role, wrong PIN, unknown and disabled read alike, "
          "lock-out holds",
          "[server]")
{
  test::TempDir dir;
  auto store = open_sqlite_user_store(dir / "pickverify.db", HashCost::minimum());
  REQUIRE(store);
  REQUIRE((*store)->add_user("sup-7", "Sam", UserRole::supervisor, "2468"));
  REQUIRE((*store)->add_user("adm", "Alex", UserRole::admin, "9876"));
  REQUIRE((*store)->add_user("qa-1", "Quinn", UserRole::qa, "1357"));
  REQUIRE((*store)->add_user("gone", "Gone", UserRole::picker, "1111"));
  REQUIRE((*store)->set_disabled("gone", true));
  auto users = server::directory_of(std::move(*store));

  auto supervisor = users->verify_pin("sup-7", "2468");
  REQUIRE(supervisor);
  CHECK(supervisor->user == "sup-7");
  CHECK(supervisor->role == server::ServiceRole::supervisor);
  CHECK(users->verify_pin("adm", "9876")->role == server::ServiceRole::supervisor);
  CHECK(users->verify_pin("qa-1", "1357")->role == server::ServiceRole::qa);

  auto wrong = users->verify_pin("qa-1", "1358");
  auto unknown = users->verify_pin("nobody", "2468");
  auto disabled = users->verify_pin("gone", "1111");
  REQUIRE_FALSE(wrong);
  REQUIRE_FALSE(unknown);
  REQUIRE_FALSE(disabled);
  CHECK(wrong.error().message == unknown.error().message);
  CHECK(disabled.error().message == unknown.error().message);

  // The same count as at a station: after k_max_failed_attempts wrong PINs the right one is refused too.
  for (int i = 1; i < k_max_failed_attempts; ++i) {
    REQUIRE_FALSE(users->verify_pin("qa-1", "0000"));
  }
  auto locked = users->verify_pin("qa-1", "1357");
  REQUIRE_FALSE(locked);
  CHECK(locked.error().message.find("locked") != std::string::npos);
}

TEST_CASE("create_api_token: shown once, stored only as its hash, names unique", "[server]")
{
  test::TempDir dir;
  auto token = server::create_api_token(dir.path(), "handheld-1", server::ServiceRole::picker, "station-1");
  REQUIRE(token);
  CHECK(token->size() == 64);
  std::ifstream file(dir / "api-tokens.json");
  std::stringstream text;
  text << file.rdbuf();
  CHECK(text.str().find(*token) == std::string::npos);
  CHECK(text.str().find("station-1") != std::string::npos);
  CHECK_FALSE(server::create_api_token(dir.path(), "handheld-1", server::ServiceRole::picker, ""));
  CHECK_FALSE(server::create_api_token(dir.path(), "", server::ServiceRole::wms, ""));
}
