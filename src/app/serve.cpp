// `pickverify serve`: the configured station(s) in a browser and over the HTTP API
// (docs/SERVICE.md). With no configuration: the embedded default — SQLite in the data folder, the
// demo catalog and orders, one station, and the demo's virtual camera (demo/camera/<order id>).
#include "serve.hpp"

#include <atomic>
#include <csignal>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <pickverify/expected.hpp>
#include <pickverify/journal_anchor.hpp>
#include <pickverify/server.hpp>
#include <pickverify/station.hpp>

#include "evidence_pack.hpp"
#include "image_check_provider.hpp"
#include "importer.hpp"
#include "station_heartbeat.hpp"
#include "station_scanners.hpp"

namespace pickverify::app {

namespace {

std::atomic<bool> g_stop{false};

int fail_with(const Context& context, const Error& error)
{
  *context.err << "pickverify: " << error.message << "\n";
  return error.type == ErrorType::invalid_input ? 2 : 1;
}

// The demo's virtual camera: a folder of photos per order, as `pickverify demo` uses.
std::function<Result<ImageCheckResult>(const ImageCheckRequest&)> demo_camera(const Context& context, Station& station)
{
  return [&context, &station](const ImageCheckRequest& request) -> Result<ImageCheckResult> {
    const PackSession* session = station.session();
    const auto folder = demo_dir() / "camera" / (session ? session->order().id : std::string("none"));
    if (!std::filesystem::is_directory(folder)) {
      ImageCheckResult offline;
      offline.reason = fmt::format("the demo camera has no photos for this order ({})", folder.string());
      return offline;
    }
    return make_camera_provider(context, folder.string(), station.id()).run(request);
  };
}

// The embedded default's people, so a fresh machine can be tried from the browser: written into the
// user table (the one `pickverify user` manages) only when it has no users at all. docs/SERVICE.md
// lists them; a site adds its own users and disables these.
struct DemoUser {
  const char* id;
  const char* name;
  const char* pin;
  UserRole role;
};
constexpr DemoUser k_demo_users[] = {
    {"picker", "Demo picker", "1111", UserRole::picker},
    {"supervisor", "Demo supervisor", "2468", UserRole::supervisor},
    {"qa", "Demo QA", "1357", UserRole::qa},
};

Result<bool> seed_demo_users(UserStore& users)
{
  PV_TRY_ASSIGN(auto existing, users.list_users(), "demo users");
  if (!existing.empty()) {
    return false;
  }
  for (const auto& demo : k_demo_users) {
    if (auto added = users.add_user(demo.id, demo.name, demo.role, demo.pin); !added) {
      return tl::unexpected(added.error().with_context("demo users"));
    }
  }
  return true;
}

} // namespace

int cmd_serve(const Context& context, const ServeOptions& options)
{
  auto& out = *context.out;
  auto listen = server::parse_listen(options.listen);
  if (!listen) {
    return fail_with(context, listen.error());
  }
  auto store = open_store(context, true);
  if (!store) {
    return fail_with(context, store.error());
  }
  auto catalog = (*store)->load_catalog();
  if (!catalog) {
    return fail_with(context, catalog.error());
  }
  std::vector<std::string> ids = options.stations;
  if (ids.empty()) {
    ids.push_back(context.config.station_id);
  }
  // One process per station id, as in `run`: a station already running elsewhere stops the service
  // here, naming that process; each registration is kept alive until the service stops.
  std::vector<std::unique_ptr<StationHeartbeat>> heartbeats;
  for (const auto& id : ids) {
    auto registered = (*store)->register_station(id);
    if (!registered) {
      return fail_with(context, registered.error());
    }
    heartbeats.push_back(std::make_unique<StationHeartbeat>(**store, id));
  }
  // Signed checkpoints at every release and every N events or T seconds, with the first station's key
  // (created on first start, as `run` does; docs/JOURNAL.md).
  const auto key_path = station_key_path(context, ids.front());
  auto key = StationKey::load_or_create(key_path);
  if (!key) {
    return fail_with(context, key.error());
  }
  (*store)->set_checkpoint_signer(&*key, ids.front(), CheckpointPolicy{});
  std::vector<std::unique_ptr<Station>> stations;
  std::vector<server::StationBinding> bindings;
  const bool embedded_default = context.config.source_file.empty() && context.config.camera.source.empty();
  for (const auto& id : ids) {
    auto station = std::make_unique<Station>(id, **store, *catalog, context.config.policy);
    station->set_operator(context.config.operator_id);
    server::StationBinding binding;
    binding.station = station.get();
    if (embedded_default) {
      binding.image_check = demo_camera(context, *station);
    } else if (id == context.config.station_id) {
      binding.image_check = make_image_check_provider(context).run;
    }
    bindings.push_back(std::move(binding));
    stations.push_back(std::move(station));
  }
  // The configured station's USB and serial scanners feed it exactly as in `run`.
  auto scanners = StationScanners::start(context, *stations.front(), [&](const Result<StationReply>& reply) {
    if (!reply) {
      *context.err << "scanner: " << reply.error().message << "\n";
    }
  });
  if (!scanners) {
    return fail_with(context, scanners.error());
  }
  auto users = open_users(context);
  if (!users) {
    return fail_with(context, users.error());
  }
  bool demo_users = false;
  if (embedded_default) {
    auto seeded = seed_demo_users(**users);
    if (!seeded) {
      return fail_with(context, seeded.error());
    }
    demo_users = *seeded;
  }
  if (std::filesystem::exists(context.data_dir / "users.json")) {
    *context.err << fmt::format("pickverify: {} is no longer read: the service signs in the users of `pickverify "
                                "user list` (docs/USERS.md)\n",
                                (context.data_dir / "users.json").string());
  }
  server::ServiceOptions service_options;
  service_options.host = listen->first;
  service_options.port = listen->second;
  service_options.data_dir = context.data_dir;
  service_options.checkpoint_signing = true; // with the first station's key (above)
  // An order's evidence pack, signed with that key, as `pickverify evidence` makes it.
  service_options.write_evidence_pack = [&](const std::string& order_id,
                                            const std::filesystem::path& folder) -> Result<void> {
    EvidencePackOptions pack;
    pack.order_id = order_id;
    pack.output = folder;
    pack.data_dir = context.data_dir;
    pack.key = &*key;
    pack.station = ids.front();
    PV_TRY_ASSIGN(auto written, write_evidence_pack(**store, pack));
    return {};
  };
  for (const auto& webhook : context.config.webhooks) {
    std::string secret = webhook.secret;
    if (!webhook.secret_file.empty()) {
      auto text = read_text_file(webhook.secret_file);
      if (!text) {
        return fail_with(context, text.error().with_context(fmt::format("webhook \"{}\": secret_file", webhook.name)));
      }
      secret = *text;
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
      }
    }
    service_options.webhooks.push_back(server::WebhookTarget{webhook.name, webhook.url, secret, webhook.events});
  }
  service_options.parse_orders = [](std::string_view json, const Catalog& known) {
    return import_orders(json, FileFormat::json, "request body", known);
  };
  auto service = server::Service::start(std::move(service_options), **store, std::move(bindings),
                                        server::directory_of(std::move(*users)));
  if (!service) {
    return fail_with(context, service.error());
  }
  const std::string host = listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
  const std::string base = fmt::format("http://{}:{}", host, (*service)->port());
  out << fmt::format("pickverify {} — serving {} station(s), data {}\n", PICKVERIFY_VERSION, ids.size(),
                     context.data_dir.string());
  out << fmt::format("journal signing key {} ({})\n", key->key_id(), key_path.string());
  out << (context.config.source_file.empty() ? std::string("configuration: defaults (demo users, demo camera)\n")
                                             : fmt::format("configuration: {}\n", context.config.source_file.string()));
  if (*scanners) {
    out << (*scanners)->describe() << "\n";
  }
  out << fmt::format("open in a browser:\n  station screen  {}/station/{}\n  supervisor      {}/supervisor\n"
                     "  QA              {}/qa\n  API             {}/api/v1/openapi.json\n",
                     base, ids.front(), base, base, base);
  out << (demo_users
              ? std::string("users: the demo users picker, supervisor and qa were added (PINs in docs/SERVICE.md; "
                            "change them with `pickverify user passwd`); Ctrl-C stops\n")
              : std::string("users: those of `pickverify user list`; Ctrl-C stops\n"));
  for (const auto& webhook : context.config.webhooks) {
    out << fmt::format("webhook {}: {} ({}), cursor in {}/webhooks/\n", webhook.name, webhook.url,
                       webhook.events.empty() ? std::string("pack.released, alert.opened")
                                              : fmt::format("{}", fmt::join(webhook.events, ", ")),
                       context.data_dir.string());
  }
  out.flush();

  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*service)->stop();
  out << "stopped\n";
  return 0;
}

int cmd_token_create(const Context& context, const std::string& name, const std::string& role,
                     const std::string& station)
{
  auto parsed = server::parse_service_role(role);
  if (!parsed) {
    return fail_with(context, parsed.error());
  }
  auto token = server::create_api_token(context.data_dir, name, *parsed, station);
  if (!token) {
    return fail_with(context, token.error());
  }
  *context.out << *token << "\n";
  *context.err << fmt::format("token \"{}\" for role {}{} stored (hashed) in {}/api-tokens.json; it is shown only "
                              "now. Send it as 'Authorization: Bearer TOKEN'. serve reads tokens at start.\n",
                              name, role, station.empty() ? "" : " at station " + station, context.data_dir.string());
  return 0;
}

} // namespace pickverify::app
