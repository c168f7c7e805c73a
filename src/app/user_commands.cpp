// `pickverify user add|passwd|disable|enable|list`: the people who may work a station, clear
// alerts or audit, and their PINs or passwords.
#include <ostream>

#include <fmt/format.h>

#include <pickverify/expected.hpp>
#include <pickverify/users.hpp>

#include "commands.hpp"
#include "secret_input.hpp"
#include "terminal.hpp"

namespace pickverify::app {

namespace {

int fail(const Context& context, const Error& error)
{
  *context.err << "pickverify: " << terminal_safe(error.message) << "\n";
  return error.type == ErrorType::invalid_input ? 2 : 1;
}

// While the database has an enabled admin, changing users needs one: --as ADMIN and that admin's
// secret (or, for `passwd`, the user's own). Before the first admin exists anyone with the data
// folder may add users, so a site adds its admin first (docs/USERS.md).
Result<void> authorize(UserStore& users, const Context& context, std::istream& in, const UserCommand& command,
                       bool self_allowed)
{
  PV_TRY_ASSIGN(auto all, users.list_users());
  bool have_admin = false;
  for (const User& user : all) {
    have_admin = have_admin || (user.role == UserRole::admin && !user.disabled);
  }
  if (!have_admin) {
    return {};
  }
  if (command.as.empty()) {
    return make_error(ErrorType::invalid_input,
                      "changing users needs an admin: add --as ADMIN-ID (you will be asked for that admin's password)");
  }
  PV_TRY_ASSIGN(auto secret, read_secret(in, *context.out, fmt::format("password for {}: ", command.as)));
  auto who = users.authenticate(command.as, secret);
  if (!who) {
    return make_error(ErrorType::conflict, who.error().message);
  }
  if (!role_may(who->role, Permission::manage_users) && !(self_allowed && who->id == command.id)) {
    return make_error(ErrorType::conflict,
                      fmt::format("{} is a {}: only an admin may change other users", who->id, to_string(who->role)));
  }
  return {};
}

Result<std::string> read_new_secret(const Context& context, std::istream& in, const std::string& id)
{
  auto first = read_secret(in, *context.out, fmt::format("new PIN or password for {}: ", id));
  if (!first) {
    return first;
  }
  auto second = read_secret(in, *context.out, "the same again: ");
  if (!second) {
    return second;
  }
  if (*first != *second) {
    return make_error(ErrorType::invalid_input, "the two entries differ; nothing was changed");
  }
  return first;
}

} // namespace

Result<std::unique_ptr<UserStore>> open_users(const Context& context)
{
  PV_TRY(prepare_data_dir(context, true));
  return open_sqlite_user_store(context.data_dir / "pickverify.db");
}

int cmd_user(const Context& context, std::istream& in, const UserCommand& command)
{
  auto& out = *context.out;
  auto users = open_users(context);
  if (!users) {
    return fail(context, users.error());
  }
  if (command.action == "list") {
    auto all = (*users)->list_users();
    if (!all) {
      return fail(context, all.error());
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (const User& user : *all) {
      std::string state = user.disabled ? "disabled" : user.locked_until_utc_ms > now ? "locked" : "active";
      out << fmt::format("{:<16} {:<10} {:<8} {}{}\n", terminal_safe(user.id), to_string(user.role), state,
                         terminal_safe(user.name),
                         user.failed_attempts ? fmt::format(" ({} failed attempt(s))", user.failed_attempts) : "");
    }
    if (all->empty()) {
      out << "no users: add an admin first with `pickverify user add ID --role admin`\n";
    }
    return 0;
  }
  if (auto allowed = authorize(**users, context, in, command, command.action == "passwd"); !allowed) {
    return fail(context, allowed.error());
  }
  if (command.action == "add") {
    auto role = parse_user_role(command.role);
    if (!role) {
      return fail(context, role.error());
    }
    if (auto exists = (*users)->find_user(command.id); exists && *exists) {
      return fail(context, Error{ErrorType::conflict, fmt::format("user {} exists already", command.id)});
    }
    auto secret = read_new_secret(context, in, command.id);
    if (!secret) {
      return fail(context, secret.error());
    }
    auto added = (*users)->add_user(command.id, command.name, *role, *secret);
    if (!added) {
      return fail(context, added.error());
    }
    out << fmt::format("added {} ({})\n", terminal_safe(added->id), to_string(added->role));
    return 0;
  }
  if (command.action == "passwd") {
    auto exists = (*users)->find_user(command.id);
    if (!exists) {
      return fail(context, exists.error());
    }
    if (!*exists) {
      return fail(context, Error{ErrorType::not_found, fmt::format("user {} does not exist", command.id)});
    }
    auto secret = read_new_secret(context, in, command.id);
    if (!secret) {
      return fail(context, secret.error());
    }
    if (auto changed = (*users)->set_secret(command.id, *secret); !changed) {
      return fail(context, changed.error());
    }
    out << fmt::format("new secret set for {}; failed attempts and lock-out cleared\n", terminal_safe(command.id));
    return 0;
  }
  const bool disable = command.action == "disable";
  if (auto changed = (*users)->set_disabled(command.id, disable); !changed) {
    return fail(context, changed.error());
  }
  out << fmt::format("{} {}\n", terminal_safe(command.id), disable ? "disabled" : "enabled");
  return 0;
}

} // namespace pickverify::app
